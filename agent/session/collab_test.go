package session

import (
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A colleague invited into the session gets a connection of their own from
// the agent: the screen while the customer allows viewing, and input only
// once the lead hands remote control over (the lead's then goes nowhere);
// the customer's page names them and who is in control. Removed, their
// connection closes and their input goes nowhere.
func TestAgentGivesAColleagueTheScreenAndControlOnlyWhenHandedOver(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	lead := st.LogIn(t, node)
	lead.CreateTechnician(t, "bob", "Bob Colleague", "bob-password-123", "")
	bob := st.LogInAs(t, node, "bob", "bob-password-123")
	if code, _ := bob.Get(t, "/console/queue.json"); code != http.StatusOK { // Bob is online
		t.Fatalf("Bob's queue: %d", code)
	}
	sid, token, _ := lead.NewSession(t, "Marie")
	console := lead.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	ui, term := terminalConsent(t)
	var mu sync.Mutex
	peers := map[string]*fakePeer{} // by colleague ("" for the lead)
	peerOf := func(id string) *fakePeer {
		mu.Lock()
		defer mu.Unlock()
		return peers[id]
	}
	fi := &fakeInjector{}
	runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer: func(c peer.Config) (Peer, error) {
			mu.Lock()
			defer mu.Unlock()
			p := &fakePeer{cfg: c}
			id := ""
			if c.OnDataChannel != nil && c.OnMonitor == nil {
				id = "bob" // only a colleague's connection has no monitor switch
			}
			peers[id] = p
			return p, nil
		},
		NewInjector: func() (Injector, error) { return fi, nil },
	})
	console.Expect(protocol.TypeSessionState) // the agent joined
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	offer := protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}}
	console.Send(protocol.TypeOffer, sid, offer)
	console.Expect(protocol.TypeAnswer)
	term.answer(1, "y") // view
	for !console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate).Permissions.View {
	}
	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	term.answer(2, "y") // control
	for !console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate).Permissions.Control {
	}

	// Bob is invited and joins; his connection carries the screen.
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob"})
	bc := bob.Dial(t, "/ws/console")
	bc.Expect(protocol.TypeConsoleWelcome)
	waitUntil(t, "Bob invited", func() bool {
		bc.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
		m, err := bc.Read(hang)
		return err == nil && m.Type == protocol.TypeRTCConfig
	})
	bc.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabAccept})
	waitUntil(t, "the customer's page naming Bob", func() bool { return strings.Contains(customerPage(t, ui.URL()), "Bob Colleague") })
	bc.Send(protocol.TypeOffer, sid, offer)
	if a := bc.Expect(protocol.TypeAnswer).Body.(*protocol.Answer); a.Peer != "bob" {
		t.Fatalf("Bob's answer is for %q", a.Peer)
	}
	bp := peerOf("bob")
	if bp == nil {
		t.Fatal("no connection for Bob")
	}
	// The customer is asked before Bob sees anything.
	waitUntil(t, "the customer asked about Bob", func() bool { return term.asked() == 3 })
	if page := customerPage(t, ui.URL()); !strings.Contains(page, "wants Bob Colleague to help too") {
		t.Errorf("the customer's page does not ask about Bob helping")
	}
	if bp.lastVideo() {
		t.Fatal("Bob got the screen before the customer answered")
	}
	term.answer(3, "y")
	waitUntil(t, "Bob's screen on", bp.lastVideo)

	// Bob was not granted files (the default grant: the screen and
	// control): a file channel his console opens is closed and audited.
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	dc, err := pc.CreateDataChannel(protocol.ChannelFilePrefix+":1", nil)
	if err != nil {
		t.Fatal(err)
	}
	bp.cfg.OnDataChannel(dc)
	waitUntil(t, "Bob's file channel refused and audited", func() bool {
		_, body := lead.Get(t, "/admin/audit?format=json&type="+string(protocol.AuditRefused)+"&session="+sid)
		return strings.Contains(body, "channel file:1 of colleague bob: not granted files")
	})

	// The lead has control: Bob's input goes nowhere.
	move := protocol.InputEvent{Kind: protocol.InputMove, X: 0.5, Y: 0.5}
	bp.cfg.OnInput(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("Bob's input was injected while the lead had control")
	}
	peerOf("").cfg.OnInput(move)
	if n, _ := fi.count(); n != 1 {
		t.Fatalf("%d of the lead's events injected, want 1", n)
	}

	// The lead hands control to Bob: now only his input lands, and the
	// customer is told he is in control.
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabControl, Tech: "bob"})
	waitUntil(t, "control with Bob", func() bool {
		bp.cfg.OnInput(move)
		n, _ := fi.count()
		return n > 1
	})
	n, _ := fi.count()
	peerOf("").cfg.OnInput(move)
	if m, _ := fi.count(); m != n {
		t.Fatal("the lead's input was injected while Bob had control")
	}
	if page := customerPage(t, ui.URL()); !strings.Contains(page, `id="controller">Bob Colleague<`) {
		t.Errorf("the customer's page does not say Bob is in control")
	}

	// The lead takes the screen and control from him, live: his screen goes
	// black, his input goes nowhere and control is the lead's again; given
	// back, he sees the screen again and the lead hands control back to him.
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: "bob", Grant: []string{protocol.DeniedFiles}})
	waitUntil(t, "Bob's screen off once not granted", func() bool { return !bp.lastVideo() })
	n, _ = fi.count()
	bp.cfg.OnInput(move)
	if m, _ := fi.count(); m != n {
		t.Fatal("Bob's input was injected after control was no longer granted to him")
	}
	waitUntil(t, "control back with the lead once not granted to Bob", func() bool {
		peerOf("").cfg.OnInput(move)
		m, _ := fi.count()
		return m > n
	})
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: "bob", Grant: []string{protocol.DeniedView, protocol.DeniedControl}})
	waitUntil(t, "Bob's screen on once granted again", bp.lastVideo)
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabControl, Tech: "bob"})
	waitUntil(t, "control with Bob again", func() bool {
		n, _ := fi.count()
		bp.cfg.OnInput(move)
		m, _ := fi.count()
		return m > n
	})

	// His group loses viewing and control: at once his screen goes black,
	// his input goes nowhere and control is the lead's again.
	var perms []string
	for _, p := range access.All {
		if p != access.View && p != access.Control {
			perms = append(perms, string(p))
		}
	}
	lead.PutGroup(t, "default", perms...)
	waitUntil(t, "Bob's screen off", func() bool { return !bp.lastVideo() })
	n, _ = fi.count()
	bp.cfg.OnInput(move)
	if m, _ := fi.count(); m != n {
		t.Fatal("Bob's input was injected after his group lost control")
	}
	waitUntil(t, "control back with the lead", func() bool {
		peerOf("").cfg.OnInput(move)
		m, _ := fi.count()
		return m > n
	})

	// Removed, Bob's connection closes and his input goes nowhere.
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabRemove, Tech: "bob"})
	waitUntil(t, "Bob's connection closed", bp.closed.Load)
	n, _ = fi.count()
	bp.cfg.OnInput(move)
	if m, _ := fi.count(); m != n {
		t.Fatal("Bob's input was injected after he was removed")
	}
	peerOf("").cfg.OnInput(move)
	if m, _ := fi.count(); m != n+1 {
		t.Fatal("control did not come back to the lead")
	}

	// His group may view again; invited again, Bob is refused by the
	// customer: he never gets the screen, and the server takes him out of
	// the session.
	var all []string
	for _, p := range access.All {
		all = append(all, string(p))
	}
	lead.PutGroup(t, "default", all...)
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob"})
	waitUntil(t, "Bob invited again", func() bool {
		bc.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
		m, err := bc.Read(hang)
		return err == nil && m.Type == protocol.TypeRTCConfig
	})
	bc.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabAccept})
	waitUntil(t, "the customer asked about Bob again", func() bool { return term.asked() == 4 })
	bc.Send(protocol.TypeOffer, sid, offer)
	waitUntil(t, "Bob's second connection", func() bool { p := peerOf("bob"); return p != nil && p != bp })
	bp2 := peerOf("bob")
	term.answer(4, "n")
	waitUntil(t, "Bob's second connection closed", bp2.closed.Load)
	if bp2.lastVideo() {
		t.Fatal("Bob got the screen after the customer refused him")
	}
	for {
		st := bc.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState)
		if _, in := st.Collaboration.Member("bob"); !in && !slices.ContainsFunc(collabInvited(st.Collaboration), func(i protocol.Invited) bool { return i.ID == "bob" }) {
			break
		}
	}
}

// collabInvited is c's invitations (none when c is nil).
func collabInvited(c *protocol.Collaboration) []protocol.Invited {
	if c == nil {
		return nil
	}
	return c.Invited
}

// customerPage is the customer's consent page as it stands.
func customerPage(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A group lead who watches gets the screen only once the customer allows
// it, and never remote control, whatever the lead's console sends.
func TestAgentAsksTheCustomerBeforeAGroupLeadWatches(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, node) // an administrator leads every group
	admin.CreateTechnician(t, "tina", "Tina Tech", "tina-password-123", "")
	tina := st.LogInAs(t, node, "tina", "tina-password-123")
	sid, token, _ := tina.NewSession(t, "Marie")
	console := tina.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	ui, term := terminalConsent(t)
	var mu sync.Mutex
	peers := map[string]*fakePeer{}
	fi := &fakeInjector{}
	runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer: func(c peer.Config) (Peer, error) {
			mu.Lock()
			defer mu.Unlock()
			p := &fakePeer{cfg: c}
			id := ""
			if c.OnMonitor == nil {
				id = "admin"
			}
			peers[id] = p
			return p, nil
		},
		NewInjector: func() (Injector, error) { return fi, nil },
	})
	console.Expect(protocol.TypeSessionState)
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	offer := protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}}
	console.Send(protocol.TypeOffer, sid, offer)
	console.Expect(protocol.TypeAnswer)
	term.answer(1, "y") // view, for Tina
	for !console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate).Permissions.View {
	}
	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	term.answer(2, "y") // control, for Tina
	for !console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate).Permissions.Control {
	}

	watcher := admin.Dial(t, "/ws/console")
	watcher.Expect(protocol.TypeConsoleWelcome)
	watcher.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabMonitor})
	watcher.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	watcher.Expect(protocol.TypeRTCConfig)
	watcher.Send(protocol.TypeOffer, sid, offer)
	watcher.Expect(protocol.TypeAnswer)
	mu.Lock()
	wp := peers["admin"]
	mu.Unlock()
	if wp == nil {
		t.Fatal("no connection for the watching lead")
	}
	if wp.lastVideo() {
		t.Fatal("the watching lead got the screen before the customer was asked")
	}
	waitUntil(t, "the customer asked about the watching lead", func() bool { return term.asked() == 3 })
	if page := customerPage(t, ui.URL()); !strings.Contains(page, "watch your screen too") {
		t.Errorf("the customer's page does not ask about watching")
	}
	if wp.lastVideo() {
		t.Fatal("the watching lead got the screen before the customer answered")
	}
	term.answer(3, "y")
	waitUntil(t, "the watching lead's screen on", wp.lastVideo)

	// Never in control: the server refuses it, and input forged on the
	// lead's connection goes nowhere.
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabControl, Tech: "admin"})
	if e := console.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeForbidden {
		t.Errorf("control to the watching lead: %+v", e)
	}
	n, _ := fi.count()
	wp.cfg.OnInput(protocol.InputEvent{Kind: protocol.InputMove, X: 0.5, Y: 0.5})
	if m, _ := fi.count(); m != n {
		t.Fatal("the watching lead's input was injected")
	}

	// The customer asks the colleagues to leave: the lead's connection
	// closes at once, the server takes them out, and the session goes on.
	ui.Act(consent.ActionRemoveHelpers)
	waitUntil(t, "the watching lead's connection closed", wp.closed.Load)
	for {
		st := watcher.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState)
		if st.Collaboration == nil {
			if st.State != "active" {
				t.Fatalf("after the colleagues left the session is %s", st.State)
			}
			break
		}
	}
	// They are told why, and their offer after leaving goes nowhere.
	watcher.Send(protocol.TypeOffer, sid, offer)
	for told, refused := false, false; !told || !refused; {
		switch e := watcher.Expect(protocol.TypeError).Body.(*protocol.Error); {
		case e.Code == protocol.CodeSentAway && e.Message == "Marie" && !told:
			told = true
		case e.Code == protocol.CodeNotFound && !refused:
			refused = true
		default:
			t.Fatalf("the watching lead's offer after leaving: %+v", e)
		}
	}
}

// helperFeature is a HelperFeature that records the colleagues' channels
// handed to it, with the check it was given for their messages and the
// colleague's name.
type helperFeature struct {
	label string
	mu    sync.Mutex
	got   map[*webrtc.DataChannel]func() bool
	names map[*webrtc.DataChannel]string
}

func (f *helperFeature) Handles(label string) bool      { return label == f.label }
func (f *helperFeature) Attach(*webrtc.DataChannel)     {}
func (f *helperFeature) SetGrants(protocol.Permissions) {}
func (f *helperFeature) AttachHelper(dc *webrtc.DataChannel, name string, allowed func() bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got[dc] = allowed
	if f.names == nil {
		f.names = map[*webrtc.DataChannel]string{}
	}
	f.names[dc] = name
}

// name is the colleague's name given with dc.
func (f *helperFeature) name(dc *webrtc.DataChannel) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.names[dc]
}

// allowed is the check given with dc (nil: dc was not handed over).
func (f *helperFeature) allowed(dc *webrtc.DataChannel) func() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[dc]
}

// A colleague the lead granted files and chat gets those channels of their
// connection served by the agent's features, and each of their messages
// passes only once the customer let them in and while the grant stands;
// taken back live, the channel closes and its messages are dropped. What
// the lead did not grant (the clipboard) and what colleagues never get (a
// terminal) is closed and audited.
func TestAgentServesTheChannelsTheLeadGrantedAColleague(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	lead := st.LogIn(t, node)
	lead.CreateTechnician(t, "bob", "Bob Colleague", "bob-password-123", "")
	bob := st.LogInAs(t, node, "bob", "bob-password-123")
	if code, _ := bob.Get(t, "/console/queue.json"); code != http.StatusOK { // Bob is online
		t.Fatalf("Bob's queue: %d", code)
	}
	sid, token, _ := lead.NewSession(t, "Marie")
	console := lead.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	ui, term := terminalConsent(t)
	var mu sync.Mutex
	var bp *fakePeer
	files := &helperFeature{label: protocol.ChannelFileControl, got: map[*webrtc.DataChannel]func() bool{}}
	chat := &helperFeature{label: protocol.ChannelChat, got: map[*webrtc.DataChannel]func() bool{}}
	runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Features: []Feature{files, chat},
		NewPeer: func(c peer.Config) (Peer, error) {
			mu.Lock()
			defer mu.Unlock()
			p := &fakePeer{cfg: c}
			if c.OnDataChannel != nil && c.OnMonitor == nil { // a colleague's
				bp = p
			}
			return p, nil
		},
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
	})
	console.Expect(protocol.TypeSessionState) // the agent joined
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	offer := protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}}
	console.Send(protocol.TypeOffer, sid, offer)
	console.Expect(protocol.TypeAnswer)
	term.answer(1, "y") // view

	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob",
		Grant: []string{protocol.DeniedView, protocol.DeniedFiles, protocol.DeniedChat}})
	bc := bob.Dial(t, "/ws/console")
	bc.Expect(protocol.TypeConsoleWelcome)
	waitUntil(t, "Bob invited", func() bool {
		bc.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
		m, err := bc.Read(hang)
		return err == nil && m.Type == protocol.TypeRTCConfig
	})
	bc.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabAccept})
	waitUntil(t, "the customer asked about Bob", func() bool { return term.asked() == 2 })
	bc.Send(protocol.TypeOffer, sid, offer)
	bc.Expect(protocol.TypeAnswer)
	mu.Lock()
	p := bp
	mu.Unlock()
	if p == nil {
		t.Fatal("no connection for Bob")
	}

	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	open := func(label string) *webrtc.DataChannel {
		t.Helper()
		dc, err := pc.CreateDataChannel(label, nil)
		if err != nil {
			t.Fatal(err)
		}
		p.cfg.OnDataChannel(dc)
		return dc
	}
	fileCtl, chatDC := open(protocol.ChannelFileControl), open(protocol.ChannelChat)
	waitUntil(t, "Bob's file and chat channels handed to their features", func() bool {
		return files.allowed(fileCtl) != nil && chat.allowed(chatDC) != nil
	})
	// His lines are his: the chat shows them under his name.
	if got := chat.name(chatDC); got != "Bob Colleague" {
		t.Errorf("Bob's chat channel handed over as %q's, want Bob Colleague's", got)
	}
	// Before the customer lets him in, nothing of his passes.
	if files.allowed(fileCtl)() || chat.allowed(chatDC)() {
		t.Fatal("Bob's messages pass before the customer let him in")
	}
	term.answer(2, "y")
	waitUntil(t, "Bob's files and chat allowed", func() bool { return files.allowed(fileCtl)() && chat.allowed(chatDC)() })

	// Not granted, or never a colleague's: closed and audited.
	open(protocol.ChannelClipboard)
	open(protocol.ChannelTerminalPrefix + "1")
	waitUntil(t, "Bob's clipboard and terminal channels refused and audited", func() bool {
		_, body := lead.Get(t, "/admin/audit?format=json&type="+string(protocol.AuditRefused)+"&session="+sid)
		return strings.Contains(body, "channel clipboard of colleague bob: not granted clipboard") &&
			strings.Contains(body, "channel "+protocol.ChannelTerminalPrefix+"1 of colleague bob: colleagues get the screen")
	})

	// The lead takes files back, live: that channel closes and its
	// messages are dropped; chat still passes.
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: "bob", Grant: []string{protocol.DeniedView, protocol.DeniedChat}})
	waitUntil(t, "Bob's files no longer allowed", func() bool { return !files.allowed(fileCtl)() })
	waitUntil(t, "Bob's file channel closed", func() bool { return fileCtl.ReadyState() != webrtc.DataChannelStateConnecting })
	if !chat.allowed(chatDC)() {
		t.Fatal("Bob's chat stopped with files")
	}
	// Removed, nothing of his passes.
	console.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabRemove, Tech: "bob"})
	waitUntil(t, "Bob's chat no longer allowed", func() bool { return !chat.allowed(chatDC)() })
}

// Passing the lead to a colleague the customer only let watch gives the new
// lead nothing more than the screen: remote control, the clipboard, the
// terminal, the system information and the file manager the customer
// allowed the former lead are dropped, the customer is told who leads now,
// and each of them is asked of the customer again, in the new lead's name.
func TestAgentLeadPassedKeepsOnlyTheScreen(t *testing.T) {
	ui := newTermUI(t)
	fi := &fakeInjector{}
	s, ctx := testRunner(t, ui, fi)
	s.welcomed(&protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice Lead"})
	all := protocol.Permissions{View: true, Control: true, Clipboard: true, Terminal: true, SysInfo: true, FileManager: true}
	s.setGrants(all, "")

	// Bob joins; the customer lets him see the screen, nothing more.
	s.receive(ctx, t, &protocol.Collaboration{Members: []protocol.Collaborator{{ID: "bob", Name: "Bob Colleague", Role: protocol.RoleCollaborator}}})
	ui.waitAsked(t, 1)
	ui.say(t, "y")
	if _, err := s.handle(ctx, event{answer: s.nextAnswer(t, "the customer's answer about Bob")}, nil); err != nil {
		t.Fatal(err)
	}
	if !s.approved["bob"] {
		t.Fatal("Bob not approved to watch")
	}

	// Alice passes the lead to Bob (or her stale tab does, after the grace).
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianID: "bob", TechnicianName: "Bob Colleague",
		Collaboration: &protocol.Collaboration{Members: []protocol.Collaborator{{ID: "alice", Name: "Alice Lead", Role: protocol.RoleCollaborator}}}})
	if p := s.grants.get(); p != (protocol.Permissions{View: true}) {
		t.Fatalf("after the lead passed to Bob the grants are %+v, want only the screen", p)
	}
	s.grants.inject(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("Bob's input was injected on the former lead's control grant")
	}
	if !strings.Contains(ui.text(), "Bob Colleague now leads the session") {
		t.Errorf("the customer is not told Bob leads the session now: %q", ui.text())
	}

	// Bob asks for control: the customer is asked, in his name.
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionControl})
	if q := ui.waitAsked(t, 2); !strings.Contains(q[strings.LastIndex(q, "Allow"):], "Bob Colleague") {
		t.Errorf("the control question does not name Bob: %q", q)
	}
}

// A colleague's request reaches the customer in the colleague's name, with
// who they help: never as the session's technician's. The technician's
// own request still names the technician alone.
func TestAgentColleaguesRequestNamesTheColleague(t *testing.T) {
	ui := newTermUI(t)
	s, ctx := testRunner(t, ui, &fakeInjector{})
	s.welcomed(&protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice Lead", OrgName: "Acme IT"})
	s.setGrants(protocol.Permissions{View: true}, "")
	s.receive(ctx, t, &protocol.Collaboration{Members: []protocol.Collaborator{{ID: "bob", Name: "Bob Colleague", Role: protocol.RoleCollaborator}}})
	ui.waitAsked(t, 1)
	ui.say(t, "y")
	if _, err := s.handle(ctx, event{answer: s.nextAnswer(t, "the customer's answer about Bob")}, nil); err != nil {
		t.Fatal(err)
	}

	// Bob asks for the clipboard (the server names him).
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionClipboard, Tech: "bob", Name: "Bob Colleague"})
	q := ui.waitAsked(t, 2)
	q = q[strings.LastIndex(q, "\n")+1:]
	if !strings.Contains(q, "Bob Colleague (helping Alice Lead)") || !strings.Contains(q, "Allow Bob Colleague from Acme IT") {
		t.Errorf("Bob's question does not name him, helping Alice: %q", q)
	}
	ui.say(t, "n")
	if _, err := s.handle(ctx, event{answer: s.nextAnswer(t, "the customer's answer to Bob")}, nil); err != nil {
		t.Fatal(err)
	}

	// Alice asks for it herself: her name, no colleague.
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionClipboard, Tech: "alice", Name: "Alice Lead"})
	q = ui.waitAsked(t, 3)
	q = q[strings.LastIndex(q, "\n")+1:]
	if !strings.Contains(q, "Allow Alice Lead from Acme IT") || strings.Contains(q, "Bob") || strings.Contains(q, "helping") {
		t.Errorf("Alice's own question: %q", q)
	}
}

// The session back in the queue (its lead's console gone past the grace,
// no colleague to take it): the agent drops every grant and the lead's
// connection, and the customer's page says they wait in the queue.
func TestAgentBackInTheQueueDropsEverything(t *testing.T) {
	ui := newTermUI(t)
	fi := &fakeInjector{}
	s, ctx := testRunner(t, ui, fi)
	s.welcomed(&protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice Lead"})
	s.setGrants(protocol.Permissions{View: true, Control: true, FileManager: true}, "")

	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice Lead", Waiting: true})
	if p := s.grants.get(); p != (protocol.Permissions{}) {
		t.Fatalf("back in the queue the grants are %+v, want none", p)
	}
	s.grants.inject(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("input injected in a session back in the queue")
	}
	waitUntil(t, "the customer told they wait", func() bool { return strings.Contains(ui.text(), "Waiting in the queue") })
}

// An external collaborator is named as external to the customer: in the
// question before they see the screen, on the page and on the badge.
func TestAgentNamesAnExternalCollaboratorAsExternal(t *testing.T) {
	ui := newTermUI(t)
	s, ctx := testRunner(t, ui, &fakeInjector{})
	s.welcomed(&protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice Lead"})
	s.receive(ctx, t, &protocol.Collaboration{Members: []protocol.Collaborator{
		{ID: "ext-1", Name: "Victor Vendor", Role: protocol.RoleCollaborator, External: true, By: "Alice Lead"}}})
	if q := ui.waitAsked(t, 1); !strings.Contains(q, "Victor Vendor (external)") {
		t.Errorf("the customer's question does not say Victor is external: %q", q)
	}
}

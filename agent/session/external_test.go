package session

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// An external collaborator, end to end through the server and the agent:
// the lead makes a link; whoever opens it types a name and gets a limited
// console (its own socket, for this session only); the customer is asked
// about them as external; the link does not work twice; what they send
// that is not granted (another session, ending, transferring, inviting,
// the clipboard, a file channel without files) gets nothing done, at the
// server and at the agent; removed by the customer, their console is told
// and their login is dead.
func TestAgentExternalCollaboratorThroughTheServer(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	lead := st.LogIn(t, node) // the administrator: every permission
	sid, token, _ := lead.NewSession(t, "Marie")
	other, _, _ := lead.NewSession(t, "Paul")
	console := lead.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	ui, term := terminalConsent(t)
	var mu sync.Mutex
	var xp *fakePeer
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
			if c.OnDataChannel != nil && c.OnMonitor == nil { // a collaborator's
				xp = p
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

	// The lead's invitation: the screen and the chat, not files.
	body, _ := json.Marshal(map[string]any{"grant": []string{protocol.DeniedView, protocol.DeniedChat}, "comment": "our network vendor"})
	req, _ := http.NewRequest(http.MethodPost, node.URL+"/console/sessions/"+sid+"/external", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", lead.CSRF)
	resp, err := lead.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var inv struct{ ID, Link, PIN string }
	if err := json.NewDecoder(resp.Body).Decode(&inv); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the external invitation: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if !protocol.IsPIN(inv.PIN) || !strings.HasPrefix(inv.Link, node.URL+"/x/") {
		t.Fatalf("invitation %+v", inv)
	}
	path := strings.TrimPrefix(inv.Link, node.URL)

	// Victor opens the link, types his name, gets the limited console.
	victor := st.Anonymous(t, node)
	if code, page := victor.Get(t, path); code != http.StatusOK || !strings.Contains(page, `id="ext-name"`) {
		t.Fatalf("the link's page: %d", code)
	}
	code, page := victor.Post(t, path, url.Values{"name": {"Victor Vendor"}})
	if code != http.StatusOK || !strings.Contains(page, `data-socket="/ws/external"`) || !strings.Contains(page, `data-external`) {
		t.Fatalf("the limited console: %d %s", code, page)
	}
	for _, never := range []string{`href="/console"`, `href="/admin`, `id="end-session"`, `id="hold-session"`, "transfer.js", `src="/static/files.js"`} {
		if strings.Contains(page, never) {
			t.Errorf("the limited console has %s", never)
		}
	}
	// The link, a second time, says so.
	late := st.Anonymous(t, node)
	if code, page := late.Post(t, path, url.Values{"name": {"Mallory"}}); code != http.StatusGone || !strings.Contains(page, "already been used") {
		t.Errorf("the link used twice: %d, %q", code, st.Find(t, page, `role="alert">[^<]*`))
	}
	// His cookie opens no technician's console.
	if code, _ := victor.Get(t, "/console"); code == http.StatusOK {
		if _, page := victor.Get(t, "/console"); strings.Contains(page, "Marie") {
			t.Error("the external's cookie opens the queue")
		}
	}

	xc := victor.Dial(t, "/ws/external")
	xc.Expect(protocol.TypeConsoleWelcome)
	xc.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	xc.Expect(protocol.TypeRTCConfig)
	waitUntil(t, "the customer asked about Victor", func() bool { return term.asked() == 2 })
	term.mu.Lock()
	q := term.out.String()
	term.mu.Unlock()
	if !strings.Contains(q, "Victor Vendor (external)") {
		t.Errorf("the customer's question does not say Victor is external: %q", q)
	}
	xc.Send(protocol.TypeOffer, sid, offer)
	xc.Expect(protocol.TypeAnswer)

	// Anything not granted: nothing done at the server.
	refused := func(what string, typ protocol.Type, s string, payload any) {
		t.Helper()
		xc.Send(typ, s, payload)
		for {
			m := xc.Expect(protocol.TypeError)
			if e := m.Body.(*protocol.Error); e.Code != "" {
				return
			}
			t.Errorf("%s: not refused", what)
			return
		}
	}
	refused("another session", protocol.TypeSessionOpen, other, protocol.SessionOpen{})
	refused("ending", protocol.TypeSessionEnd, sid, protocol.SessionEnd{})
	refused("transferring", protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "admin"})
	refused("inviting", protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "admin"})
	refused("the clipboard", protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionClipboard})
	refused("control", protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabControl, Tech: inv.ID})

	// At the agent: a file channel without files gets nothing; chat,
	// granted, passes once the customer lets him in.
	mu.Lock()
	p := xp
	mu.Unlock()
	if p == nil {
		t.Fatal("no connection for Victor")
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
	chatDC := open(protocol.ChannelChat)
	open(protocol.ChannelFileControl)
	term.answer(2, "y")
	waitUntil(t, "Victor's chat allowed", func() bool { return chat.allowed(chatDC) != nil && chat.allowed(chatDC)() })
	waitUntil(t, "Victor's file channel refused and audited", func() bool {
		_, body := lead.Get(t, "/admin/audit?format=json&type="+string(protocol.AuditRefused)+"&session="+sid)
		return strings.Contains(body, "channel "+protocol.ChannelFileControl+" of colleague "+inv.ID)
	})
	if _, body := lead.Get(t, "/admin/audit?format=json&session="+sid); !strings.Contains(body, "Victor Vendor (external, invited by") {
		t.Error("Victor's arrival is not audited as external")
	}

	// The customer removes him: his console is told, his login is dead.
	ui.Act(consent.ActionRemoveHelpers)
	waitUntil(t, "Victor's chat no longer allowed", func() bool { return !chat.allowed(chatDC)() })
	xc.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	for {
		m := xc.Expect(protocol.TypeError)
		if e := m.Body.(*protocol.Error); strings.Contains(e.Message, "no longer in this support session") {
			break
		}
	}
	if code, page := victor.Get(t, "/x/session"); code != http.StatusGone || !strings.Contains(page, "no longer in this support session") {
		t.Errorf("the limited console after removal: %d", code)
	}
}

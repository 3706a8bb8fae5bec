package sessions

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// A channel's requests: checked and bounded, refused while nobody of its
// groups is online (a callback is still taken), capped per channel, limited
// per address; the first technician of its groups to take one owns it, the
// others are told it is gone, and other groups never see it.
func TestChannelRequests(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	trail, err := audit.Open(ctx, nc, audit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(trail.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	s := New(Config{NC: nc, Store: st, Auth: auth.New(auth.Config{Audit: trail, Logger: log}, st), Audit: trail, Logger: log,
		Invites:       invite.New(invite.Defaults(), st),
		ChannelLimits: ChannelLimits{PerAddress: 100, Global: 1000, Window: time.Minute, MaxWait: time.Second}})
	t.Cleanup(s.Close)
	perms := access.Full()
	techs := map[string]auth.Technician{}
	for _, a := range []store.Account{{ID: "ann", Name: "Ann", GroupID: "printers"}, {ID: "ben", Name: "Ben", GroupID: "printers"}, {ID: "cid", Name: "Cid", GroupID: "network"}} {
		a.Role = store.RoleTechnician
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		techs[a.ID] = auth.Technician{Account: a, Perms: perms}
	}
	for _, g := range []string{"printers", "network"} {
		if err := st.PutGroup(ctx, store.Group{ID: g, Name: g, Permissions: perms}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.UpdateCustomFields(ctx, func([]store.CustomField) ([]store.CustomField, error) {
		return []store.CustomField{{ID: "model", Name: "Printer model", Kind: store.FieldText, Required: true}, {ID: "other", Name: "Other", Kind: store.FieldText, Required: true}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateChannels(ctx, func([]store.Channel) ([]store.Channel, error) {
		return []store.Channel{{Slug: "printers", Name: "Printers", Groups: []string{"printers"}, AskEmail: true, AskProblem: true,
			Fields: []string{"model"}, MaxWaiting: 2, ClosedText: "Closed"}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	good := ChannelRequest{Name: "Marie", Email: "marie@example.com", Problem: "It jams.\nEvery page.", Fields: map[string]string{"model": "LaserJet"}}

	// Nobody online: closed, but a message is taken.
	if _, err := s.Request(ctx, "printers", "198.51.100.1", good); !errors.Is(err, ErrChannelClosed) {
		t.Fatalf("nobody online: %v, want ErrChannelClosed", err)
	}
	cb := good
	cb.Callback = true
	call, err := s.Request(ctx, "printers", "198.51.100.1", cb)
	if err != nil || !call.Callback || call.State != session.Waiting || call.InviteToken != "" || call.TechnicianID != "" {
		t.Fatalf("callback: %+v, %v", call, err)
	}

	// Ann comes online: requests are taken, with what the customer typed;
	// the field the channel does not ask is not required.
	if _, err := st.UpdatePresence(ctx, "ann", func(p *store.Presence) error {
		p.Name, p.Seen, p.Status = "Ann", time.Now(), store.StatusOnline
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(*ChannelRequest)
		want   error
	}{
		{"no name", func(r *ChannelRequest) { r.Name = " " }, ErrBadName},
		{"name too long", func(r *ChannelRequest) { r.Name = strings.Repeat("a", MaxCustomerName+1) }, ErrBadName},
		{"name with a bidi override", func(r *ChannelRequest) { r.Name = "Ma\u202erie" }, ErrBadName},
		{"no e-mail", func(r *ChannelRequest) { r.Email = "" }, ErrBadEmail},
		{"e-mail without a domain", func(r *ChannelRequest) { r.Email = "marie@" }, ErrBadEmail},
		{"e-mail with a space", func(r *ChannelRequest) { r.Email = "ma rie@example.com" }, ErrBadEmail},
		{"problem too long", func(r *ChannelRequest) { r.Problem = strings.Repeat("é", MaxProblem+1) }, ErrBadProblem},
		{"problem with a control character", func(r *ChannelRequest) { r.Problem = "a\x00b" }, ErrBadProblem},
	} {
		r := good
		tc.change(&r)
		if _, err := s.Request(ctx, "printers", "198.51.100.1", r); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	r := good
	r.Fields = map[string]string{}
	var fe FieldsError
	if _, err := s.Request(ctx, "printers", "198.51.100.1", r); !errors.As(err, &fe) || !errors.Is(fe["model"], ErrFieldRequired) || len(fe) != 1 {
		t.Errorf("missing field: %v", err)
	}
	if _, err := s.Request(ctx, "nothing", "198.51.100.1", good); !errors.Is(err, ErrNoChannel) {
		t.Errorf("unknown channel: %v", err)
	}
	req, err := s.Request(ctx, "printers", "198.51.100.1", good)
	if err != nil {
		t.Fatal(err)
	}
	if req.InviteToken == "" || req.State != session.Connecting || req.Email != good.Email || req.Problem != good.Problem ||
		len(req.Fields) != 1 || req.Fields[0].Value != "LaserJet" || req.ChannelName != "Printers" {
		t.Fatalf("request: %+v", req)
	}
	// The cap: the callback and this one wait; a third is refused.
	if _, err := s.Request(ctx, "printers", "198.51.100.1", good); !errors.Is(err, ErrChannelFull) {
		t.Fatalf("third waiting: %v, want ErrChannelFull", err)
	}

	// The customer's program joins: Waiting, offered to the printers group only.
	if _, err := st.UpdateSession(ctx, req.ID, func(ss *store.Session) error { return ss.SetState(session.Waiting, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	start := protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeSessionStart, SID: req.ID}, Body: &protocol.SessionStart{}}
	if _, err := s.FromConsole(ctx, techs["cid"], "c-cid", start); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another group took it: %v", err)
	}
	// Every console of the group hears of it at once when it is taken.
	toCid, err := nc.SubscribeSync(TechSubject("cid", req.ID))
	if err != nil {
		t.Fatal(err)
	}
	toGroup := map[string]*nats.Subscription{}
	for _, id := range []string{"ann", "ben"} {
		if toGroup[id], err = nc.SubscribeSync(TechSubject(id, req.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// Ann and Ben take it at once: one wins, the other is told.
	var wg sync.WaitGroup
	errs := map[string]error{}
	var mu sync.Mutex
	for _, id := range []string{"ann", "ben"} {
		wg.Go(func() {
			_, err := s.FromConsole(ctx, techs[id], "c-"+id, start)
			mu.Lock()
			errs[id] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	ss, err := st.Session(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	winner, loser := ss.TechnicianID, "ann"
	if winner == "ann" {
		loser = "ben"
	}
	if (winner != "ann" && winner != "ben") || ss.State != session.Active || errs[winner] != nil || !errors.Is(errs[loser], ErrTaken) {
		t.Fatalf("taken by %q (%s), errors %v", winner, ss.State, errs)
	}
	if ss.OfferedTo("printers") || ss.PickedUpBy != winner || len(ss.Denied) != 0 {
		t.Errorf("after the pick: %+v", ss)
	}
	for id, sub := range toGroup {
		m, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("%s's consoles not told the session was taken: %v", id, err)
		}
		if !strings.Contains(string(m.Data), `"technicianId":"`+winner+`"`) {
			t.Errorf("%s told %s", id, m.Data)
		}
	}
	if m, err := toCid.NextMsg(200 * time.Millisecond); err == nil {
		t.Errorf("another group's technician told %s", m.Data)
	}
	// Another group's technician is not even told it was taken.
	if _, err := s.FromConsole(ctx, techs["cid"], "c-cid", start); !errors.Is(err, ErrNotFound) {
		t.Errorf("another group's technician after the pick: %v, want ErrNotFound", err)
	}
	// Taken, it no longer counts against the cap.
	if _, err := s.Request(ctx, "printers", "198.51.100.1", good); err != nil {
		t.Errorf("after the pick: %v", err)
	}
	// A callback taken stays Waiting, with its technician.
	start.SID = call.ID
	if _, err := s.FromConsole(ctx, techs["ben"], "c-ben", start); err != nil {
		t.Fatal(err)
	}
	if ss, _ := st.Session(ctx, call.ID); ss.TechnicianID != "ben" || ss.State != session.Waiting {
		t.Errorf("callback taken: %+v", ss)
	}
}

// Requests are limited per client address like PINs: past the limit the
// customer is told to wait, and another address is not held back.
func TestChannelRequestLimit(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	trail, err := audit.Open(ctx, nc, audit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(trail.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	s := New(Config{NC: nc, Store: st, Auth: auth.New(auth.Config{Audit: trail, Logger: log}, st), Audit: trail, Logger: log,
		Invites:       invite.New(invite.Defaults(), st),
		ChannelLimits: ChannelLimits{PerAddress: 2, Global: 1000, Window: time.Hour, MaxWait: time.Second}})
	t.Cleanup(s.Close)
	if _, err := st.UpdateChannels(ctx, func([]store.Channel) ([]store.Channel, error) {
		return []store.Channel{{Slug: "help", Name: "Help", Groups: []string{store.DefaultGroupID}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	r := ChannelRequest{Name: "Marie", Callback: true}
	for i := range 2 {
		if _, err := s.Request(ctx, "help", "198.51.100.7", r); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	var rl *invite.RateLimitError
	if _, err := s.Request(ctx, "help", "198.51.100.7", r); !errors.As(err, &rl) || !errors.Is(err, invite.ErrRateLimited) {
		t.Fatalf("third request: %v, want rate limited", err)
	}
	if _, err := s.Request(ctx, "help", "198.51.100.8", r); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

// A message left on a channel waits for a technician to call back, however
// long: the Waiting time limit (meant for a program that waits for its
// technician) does not close it, while it still closes a session whose
// program waits too long.
func TestCallbackOutlivesTheWaitingLimit(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	s := New(Config{NC: nc, Store: st, Logger: log, SweepInterval: time.Hour})
	t.Cleanup(s.Close)
	long := time.Now().Add(-3 * time.Hour)
	for _, ss := range []store.Session{
		{ID: "call", CustomerName: "Pierre", State: session.Waiting, Created: long, Changed: long, Since: long, Channel: "desk", ChannelGroups: []string{"default"}, Callback: true},
		{ID: "prog", CustomerName: "Marie", State: session.Waiting, Created: long, Changed: long, Since: long, Channel: "desk", ChannelGroups: []string{"default"}},
	} {
		if err := st.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	s.sweep()
	if ss, _ := st.Session(ctx, "call"); ss.State != session.Waiting {
		t.Errorf("the callback request is %s after three hours", ss.State)
	}
	if ss, _ := st.Session(ctx, "prog"); ss.State != session.TimedOut {
		t.Errorf("a program waiting three hours is %s", ss.State)
	}
}

// A customer waiting on a channel is told the channel's limit in their
// welcome, and may then leave a message: the request stays in the queue as a
// callback request with their words, nobody connected, and the message is
// refused once a technician has the session (or for a session of no channel).
func TestWaitingCustomerLeavesAMessage(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	trail, err := audit.Open(ctx, nc, audit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(trail.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	s := New(Config{NC: nc, Store: st, Auth: auth.New(auth.Config{Audit: trail, Logger: log}, st), Audit: trail, Logger: log,
		Invites: invite.New(invite.Defaults(), st), SweepInterval: time.Hour})
	t.Cleanup(s.Close)
	if _, err := st.UpdateChannels(ctx, func([]store.Channel) ([]store.Channel, error) {
		return []store.Channel{{Slug: "help", Name: "Help", Groups: []string{store.DefaultGroupID}, AskProblem: true, WaitLimit: 90}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAccount(ctx, store.Account{ID: "ann", Name: "Ann", GroupID: store.DefaultGroupID, Role: store.RoleTechnician}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdatePresence(ctx, "ann", func(p *store.Presence) error { p.Status = store.StatusOnline; p.Seen = time.Now(); return nil }); err != nil {
		t.Fatal(err)
	}
	// join joins a request's program and returns its welcome.
	join := func(problem string) (store.Session, protocol.AgentWelcome) {
		t.Helper()
		ss, err := s.Request(ctx, "help", "198.51.100.9", ChannelRequest{Name: "Marie", Problem: problem})
		if err != nil {
			t.Fatal(err)
		}
		j, err := s.Join(ctx, &protocol.AgentHello{Code: ss.InviteToken, OS: "browser"}, "198.51.100.9:1", "conn-"+ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		return j.Session, s.Welcome(ctx, j, "198.51.100.9")
	}
	ss, w := join("The printer jams.")
	if !w.Waiting || w.WaitLimit != 90 {
		t.Fatalf("welcome waiting %v, limit %d; want waiting, 90 s", w.Waiting, w.WaitLimit)
	}
	msg := protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeSessionCallback}, Body: &protocol.SessionCallback{Message: "Call me at noon."}}
	if ended, err := s.FromAgent(ctx, ss.ID, "conn-"+ss.ID, msg); err != nil || !ended {
		t.Fatalf("leave a message: ended %v, %v", ended, err)
	}
	got, _ := st.Session(ctx, ss.ID)
	if !got.Callback || got.State != session.Waiting || got.AgentConnected || got.Problem != "The printer jams.\nCall me at noon." {
		t.Fatalf("after the message: %+v", got)
	}
	// (The socket closed after it: the session has none.)
	if _, err := s.FromAgent(ctx, ss.ID, got.AgentConn, msg); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("a second message: %v, want ErrNotWaiting", err)
	}
	// Once a technician has it, it is no longer a request to leave.
	ss2, _ := join("")
	if _, err := st.UpdateSession(ctx, ss2.ID, func(ss *store.Session) error { ss.TechnicianID = "ann"; return ss.SetState(session.Active, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FromAgent(ctx, ss2.ID, "conn-"+ss2.ID, msg); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("a message on a session taken: %v, want ErrNotWaiting", err)
	}
	if got, _ := st.Session(ctx, ss2.ID); got.Callback {
		t.Errorf("a session taken became a callback request")
	}
}

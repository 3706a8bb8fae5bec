package sessions

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// A customer helped in the browser is handed the program's invitation only
// with the secret their page was welcomed with, and only from the browser;
// the program run from it takes the session over in the state it had, as a
// new program (new secret, no grants), and the page's secret is no longer
// good for anything.
func TestHandoverToTheProgram(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	trail, err := audit.Open(ctx, nc, audit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(trail.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	inv := invite.New(invite.Defaults(), st)
	s := New(Config{NC: nc, Store: st, Audit: trail, Logger: log, Invites: inv, SweepInterval: time.Hour})
	t.Cleanup(s.Close)
	// join makes a session with technician Ann and joins it from os.
	join := func(id, os string) Joined {
		t.Helper()
		now := time.Now()
		if err := st.CreateSession(ctx, store.Session{ID: id, CustomerName: "Marie", TechnicianID: "ann", State: session.Connecting, Created: now, Changed: now}); err != nil {
			t.Fatal(err)
		}
		link, err := inv.IssueLink(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		j, err := s.Join(ctx, &protocol.AgentHello{Code: link.Token, OS: os}, "198.51.100.9:1", "conn-"+id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateSession(ctx, id, func(ss *store.Session) error {
			ss.Permissions = protocol.Permissions{View: true}
			return ss.SetState(session.Active, time.Now())
		}); err != nil {
			t.Fatal(err)
		}
		return j
	}
	page := join("web", BrowserOS)
	if _, err := s.Handover(ctx, "web", "not-the-secret", "198.51.100.9"); !errors.Is(err, ErrBadSecret) {
		t.Fatalf("a wrong secret: %v, want ErrBadSecret", err)
	}
	prog := join("prog", "Linux")
	if _, err := s.Handover(ctx, "prog", prog.Secret, "198.51.100.9"); !errors.Is(err, ErrNotInBrowser) {
		t.Fatalf("a program's session: %v, want ErrNotInBrowser", err)
	}
	link, err := s.Handover(ctx, "web", page.Secret, "198.51.100.9")
	if err != nil {
		t.Fatal(err)
	}
	// The page leaves (the download page replaces it); the program joins.
	s.AgentLeft(ctx, "web", "conn-web")
	j, err := s.Join(ctx, &protocol.AgentHello{Code: link.Token, OS: "Linux", Hostname: "desk"}, "198.51.100.9:2", "conn-agent")
	if err != nil {
		t.Fatal(err)
	}
	ss := j.Session
	if ss.ID != "web" || ss.State != session.Active || ss.OS != "Linux" || ss.AgentConn != "conn-agent" || !ss.AgentConnected ||
		ss.AgentRun != page.Session.AgentRun+1 || ss.Permissions != (protocol.Permissions{}) || j.Secret == "" || j.Secret == page.Secret {
		t.Fatalf("after the program joined: %+v (secret %q)", ss, j.Secret)
	}
	if _, err := s.Handover(ctx, "web", page.Secret, "198.51.100.9"); !errors.Is(err, ErrBadSecret) {
		t.Errorf("the page's old secret after the program took over: %v, want ErrBadSecret", err)
	}
}

// A customer's page asking for the program again and again gets the one
// invitation still outstanding (one audit entry), and past the per-address
// limit a *invite.RateLimitError, not one 24-hour invitation per ask.
func TestHandoverOneInvitationAndLimited(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	trail, err := audit.Open(ctx, nc, audit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(trail.Close)
	inv := invite.New(invite.Defaults(), st)
	s := New(Config{NC: nc, Store: st, Audit: trail, Invites: inv, SweepInterval: time.Hour,
		ChannelLimits: ChannelLimits{PerAddress: 3, Global: 100, Window: time.Hour, MaxWait: time.Second}})
	t.Cleanup(s.Close)
	now := time.Now()
	if err := st.CreateSession(ctx, store.Session{ID: "web", CustomerName: "Marie", TechnicianID: "ann", State: session.Connecting, Created: now, Changed: now}); err != nil {
		t.Fatal(err)
	}
	link, err := inv.IssueLink(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Join(ctx, &protocol.AgentHello{Code: link.Token, OS: BrowserOS}, "198.51.100.9:1", "conn-web")
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Handover(ctx, "web", page.Secret, "198.51.100.9")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Handover(ctx, "web", page.Secret, "198.51.100.9")
	if err != nil || again.Token != first.Token {
		t.Fatalf("asked again: %q, %v; want the outstanding %q", again.Token, err, first.Token)
	}
	events, err := trail.Query(ctx, audit.Filter{SessionID: "web", Type: string(audit.ProgramOffered)})
	if err != nil || len(events) != 1 {
		t.Fatalf("program offers on record: %d (%v), want 1", len(events), err)
	}
	// Another address still has its own asks.
	if _, err := s.Handover(ctx, "web", page.Secret, "203.0.113.5"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Handover(ctx, "web", page.Secret, "198.51.100.9")
	if _, err = s.Handover(ctx, "web", page.Secret, "198.51.100.9"); err == nil {
		t.Fatal("a fourth ask from one address was not limited")
	}
	var rl *invite.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("past the limit: %v, want an *invite.RateLimitError with a wait", err)
	}
}

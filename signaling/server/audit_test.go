package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// trailEvent is an audit event as stored, read without the audit package.
type trailEvent struct {
	Type      string `json:"type"`
	Actor     string `json:"actor"`
	SessionID string `json:"sessionId"`
	IP        string `json:"ip"`
	Detail    string `json:"detail"`
	Count     int    `json:"count"`
}

// readTrail returns every event in the audit stream, oldest first.
func readTrail(t *testing.T, natsURL string) []trailEvent {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	js, _ := jetstream.New(nc)
	s, err := js.Stream(ctx, "LIFELINE_AUDIT")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []trailEvent
	if info.State.Msgs == 0 {
		return nil
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for uint64(len(out)) < info.State.Msgs {
		m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatalf("read trail after %d of %d events: %v", len(out), info.State.Msgs, err)
		}
		var e trailEvent
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// TestAuditCoalescesRepeatedRefusals: logins refused by the rate limit write
// one event when the flood starts and one with the count, not one each.
func TestAuditCoalescesRepeatedRefusals(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	c := st.Anonymous(t, n).Client
	const failures, refused = 30, 40 // 30: auth's default limit per address
	for i := range failures + refused {
		resp, err := c.PostForm(n.URL+"/login", url.Values{"username": {"nobody"}, "password": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		st.ReadAll(t, resp)
		if i == failures+refused-1 && resp.StatusCode != 429 {
			t.Fatalf("attempt %d: HTTP %d, want 429", i+1, resp.StatusCode)
		}
	}
	n.Stop() // writes the counts still pending

	var got []trailEvent
	for _, e := range readTrail(t, natsURL) {
		if e.Type == "login.failed" && e.Detail == "rate limited" {
			got = append(got, e)
		}
	}
	if len(got) != 2 || got[0].Count > 1 || got[1].Count != refused-1 || got[1].IP != "127.0.0.1" || got[1].Actor != "nobody" {
		t.Fatalf("%d refusals made %d events, want the first and one counting the other %d: %+v", refused, len(got), refused-1, got[:min(len(got), 3)])
	}
}

// TestAgentAuditEventsCapped: an agent cannot pad the trail, not even by
// reconnecting: a session's reports stop at the cap, with one event saying so.
func TestAgentAuditEventsCapped(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	tc := st.LogIn(t, n)
	sid, token, _ := tc.NewSession(t, "Marie Dupont")

	const perConn = 700 // twice: past the cap of 500, each under the old per-connection 1000
	report := protocol.Audit{Event: protocol.AuditFileReceived, Name: "a.txt", Size: 1, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
	flood := func(a *st.Conn) {
		for range perConn {
			a.Send(protocol.TypeAudit, "", report)
		}
		// The hub handles one socket's messages in order: the reply to a
		// bad message means every report before it was handled.
		a.SendRaw([]byte(`{"v":1,"type":"no.such.type","id":"last"}`))
		for {
			m := a.Expect(protocol.TypeError)
			if m.ID == "last" {
				return
			}
		}
	}
	a := st.Dial(t, n.URL+"/ws/agent", nil)
	a.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	secret := a.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome).Secret
	flood(a)
	a.Close()
	b := st.Dial(t, n.URL+"/ws/agent", nil)
	b.Send(protocol.TypeAgentHello, "", protocol.AgentHello{SID: sid, Secret: secret, Hostname: "marie-pc", OS: "linux"})
	b.Expect(protocol.TypeAgentWelcome)
	flood(b)

	files, capped := 0, 0
	for _, e := range readTrail(t, natsURL) {
		switch {
		case e.SessionID != sid:
		case e.Type == "file.received":
			files++
		case e.Type == "audit.capped":
			capped++
		}
	}
	if files != 500 || capped != 1 {
		t.Fatalf("%d reports over two connections wrote %d file events and %d cap events; want 500 and 1", 2*perConn, files, capped)
	}
}

// TestNoActionWithoutAudit: when the audit trail cannot be written (here its
// stream is gone, as an external NATS account without the right limits
// would allow), a session is not created: the technician is told why, and
// nothing is left half done.
func TestNoActionWithoutAudit(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	tc := st.LogIn(t, n)

	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := js.DeleteStream(ctx, "LIFELINE_AUDIT"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	code, body := tc.Post(t, "/console/sessions", url.Values{"customer": {"Marie Dupont"}})
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "audit trail") {
		t.Fatalf("create without an audit trail: HTTP %d (after %v)\n%.300s", code, time.Since(start), body)
	}
	_, list := tc.Get(t, "/console")
	if strings.Contains(list, "Marie Dupont") {
		t.Fatal("the session was created although its audit entry was not written")
	}
}

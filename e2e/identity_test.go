package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

const unverifiedText = "The connection could not be verified: it may have been tampered with. Nothing was shared."

// TestCompromisedServerCannotSitInTheMiddle: a server that rewrites the DTLS
// fingerprint in the technician's offer on its way to the customer's agent
// (a proxy at the public URL: the agent cannot tell it from the server) gets
// nothing: the agent refuses the connection before any peer exists, the
// customer's page says so, the refusal is in the audit trail, and the
// console never shows a frame. Untampered, the same stack connects and both
// sides show the same verification code. A rewritten answer is refused by
// the console the same way.
func TestCompromisedServerCannotSitInTheMiddle(t *testing.T) {
	m := ListenMITM(t)
	addr := FreeAddr(t)
	stack := StartWith(t, Options{SignalingArgs: []string{"--addr", addr, "--public-url", m.URL}})
	m.Serve(t, addr)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)

	tech := stack.Technician(t)
	// join: a customer downloads the program for a new session, runs it and
	// allows viewing (still nothing may reach a peer that did not verify).
	join := func(name string) *Customer {
		t.Helper()
		c := stack.Customer(t, tech.NewSession(t, name))
		c.OpenPage(t)
		c.Allow(t)
		return c
	}

	// The server is compromised: every offer to the agent is rewritten.
	m.Rewrite.Store(true)
	customer := join("Marie Dupont")
	waitFor(t, "the customer's page to say the connection could not be verified", func() bool {
		return strings.Contains(customer.PageText(t), unverifiedText)
	})
	if m.Rewritten.Load() == 0 {
		t.Fatal("the harness rewrote no offer")
	}
	customer.WaitLog(t, "the technician's identity did not verify")
	waitAudit(t, admin, "offer refused")
	state := get(t, tech.Page(), "the console's connection", chromedp.Evaluate[[]any](
		`[lifeline.video.videoWidth, lifeline.firstFrameAt, lifeline.pc ? lifeline.pc.connectionState : "none", lifeline.verifyCode || ""]`))
	if state[0].(float64) != 0 || state[1].(float64) != 0 || state[2] == "connected" || state[3] != "" {
		t.Fatalf("the console got something through the tampered connection: %v", state)
	}
	tech.End(t)
	customer.WaitEnded(t)

	// The server shows the customer another name than the technician's
	// (whose certificate is genuine): the customer allowed that name, not
	// this technician, and the agent refuses the connection.
	m.Rewrite.Store(false)
	shown := "Alice Trusted"
	m.ShowName.Store(&shown)
	customer = join("Luc Bernard")
	waitFor(t, "the customer's page to say the connection could not be verified", func() bool {
		return strings.Contains(customer.PageText(t), unverifiedText)
	})
	waitAudit(t, admin, "names another technician than the customer was shown")
	state = get(t, tech.Page(), "the console's connection", chromedp.Evaluate[[]any](`[lifeline.video.videoWidth, lifeline.firstFrameAt]`))
	if state[0].(float64) != 0 || state[1].(float64) != 0 {
		t.Fatalf("the console got frames for a technician the customer was not shown: %v", state)
	}
	tech.End(t)
	customer.WaitEnded(t)
	m.ShowName.Store(nil)

	// The same server, honest again: the session connects and both sides
	// show one code.
	customer = join("Jean Martin")
	tech.WaitVideo(t)
	var code string
	waitFor(t, "the verification code on the console", func() bool {
		code = get(t, tech.Page(), "the console's code", chromedp.Evaluate[string](`lifeline.verifyCode || ""`))
		return code != ""
	})
	line := get(t, tech.Page(), "the workspace's code line", chromedp.Text(chromedp.ID("verify-code")))
	if !strings.Contains(line, "Verification code: "+code) {
		t.Errorf("the workspace shows %q, want the code %q", line, code)
	}
	waitFor(t, "the same code on the customer's page", func() bool {
		return strings.Contains(customer.PageText(t), code)
	})
	if page := customer.PageText(t); strings.Contains(page, unverifiedText) {
		t.Errorf("the honest session's page says it could not be verified:\n%s", page)
	}
	tech.End(t)
	customer.WaitEnded(t)

	// The other way: the server puts its fingerprint into the agent's
	// answer. The console refuses it, shows why, and nothing is shown.
	m.RewriteAnswers.Store(true)
	join("Paul Durand")
	run(t, tech.Page(), "see the console refuse the customer's program", chromedp.WaitVisible(chromedp.ID("verify-code")))
	if got := get(t, tech.Page(), "read the refusal", chromedp.Text(chromedp.ID("verify-code"))); !strings.Contains(got, "The customer's program could not be verified") {
		t.Fatalf("the workspace shows %q", got)
	}
	waitAudit(t, admin, "answer refused")
	state = get(t, tech.Page(), "the console's connection", chromedp.Evaluate[[]any](`[lifeline.video.videoWidth, lifeline.pc ? "open" : "none"]`))
	if state[0].(float64) != 0 || state[1] != "none" {
		t.Fatalf("the console kept a connection to a program that did not verify: %v", state)
	}
}

// TestAnotherSessionsAgentCannotAnswer: someone who can relay the
// signaling (a compromised server, a NATS user) and holds a genuine agent
// key certified by the organisation, for a session of its own, answers the
// technician's offer in another session in the agent's place: its
// fingerprint, a valid proof by that key. The console refuses it: the
// certificate names another session. It shows the tamper message, keeps no
// connection, and the refusal is in the audit trail.
func TestAnotherSessionsAgentCannotAnswer(t *testing.T) {
	m := ListenMITM(t)
	addr := FreeAddr(t)
	stack := StartWith(t, Options{SignalingArgs: []string{"--addr", addr, "--public-url", m.URL}})
	m.Serve(t, addr)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	m.AnswerAs.Store(OtherSessionsAgent(t, admin, stack.URL))

	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Paul Durand"))
	customer.OpenPage(t)
	customer.Allow(t)
	run(t, tech.Page(), "see the console refuse the answer", chromedp.WaitVisible(chromedp.ID("verify-code")))
	if got := get(t, tech.Page(), "read the refusal", chromedp.Text(chromedp.ID("verify-code"))); !strings.Contains(got, "The customer's program could not be verified") {
		t.Fatalf("the workspace shows %q, want the tamper message", got)
	}
	if m.Rewritten.Load() == 0 {
		t.Fatal("the harness answered nothing")
	}
	waitAudit(t, admin, "certificate of another session")
	state := get(t, tech.Page(), "the console's connection", chromedp.Evaluate[[]any](`[lifeline.video.videoWidth, lifeline.pc ? "open" : "none"]`))
	if state[0].(float64) != 0 || state[1] != "none" {
		t.Fatalf("the console kept a connection to an agent of another session: %v", state)
	}
}

// waitAudit waits for an identity.refused audit entry whose detail contains
// detail. It asks every half second: each export reads the audit stream with
// a consumer of its own, and the server holds only so many at once.
func waitAudit(t *testing.T, admin *st.Tech, detail string) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !containsDetail(auditOf(t, admin, "type=identity.refused"), detail) {
		if time.Now().After(deadline) {
			t.Fatalf("no identity.refused audit entry with %q", detail)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

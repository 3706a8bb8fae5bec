package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// MITM is a compromised signaling server as the customer's agent and the
// browsers see it: a proxy in front of the real server, at the public URL
// (so the downloads it serves are stamped with it), that passes everything
// through and, while Rewrite is on, puts a DTLS fingerprint of its own into
// each offer on its way to the agent (RewriteAnswers: into each answer on its
// way to the console), as a server that wants to sit in the middle of the
// peer connection would.
type MITM struct {
	// URL is the proxy's (the stack's public) URL.
	URL string
	// Rewrite and RewriteAnswers turn the rewriting of offers and answers on.
	Rewrite, RewriteAnswers atomic.Bool
	// Rewritten counts the offers and answers rewritten.
	Rewritten atomic.Int32
	// ShowName, when set, replaces the technician's name in each welcome on
	// its way to the agent (the account stays): the customer is shown a
	// technician the server chose.
	ShowName atomic.Pointer[string]
	// AnswerAs, when set, answers in the agent's place: each answer on its
	// way to the console gets the proxy's fingerprint and a proof made with
	// AnswerAs's genuine agent key and certificate (of another session), as
	// a server sitting in the middle with a real agent's credentials would.
	AnswerAs atomic.Pointer[AgentCredential]

	ln       net.Listener
	upstream *url.URL
}

// ListenMITM reserves the proxy's address; start the stack with
// "--public-url", m.URL, then call m.Serve with the real server's address.
func ListenMITM(t testing.TB) *MITM {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &MITM{URL: "http://" + ln.Addr().String(), ln: ln}
}

// FreeAddr is a loopback address with a port free now, for the real server.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Serve proxies to the real server at addr until the test ends.
func (m *MITM) Serve(t testing.TB, addr string) {
	m.upstream = &url.URL{Scheme: "http", Host: addr}
	rp := httputil.NewSingleHostReverseProxy(m.upstream)
	mux := http.NewServeMux()
	mux.HandleFunc("/ws/agent", m.agent)
	mux.Handle("/", rp)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(m.ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
}

// agent relays an agent's socket, rewriting offers while Rewrite is on.
func (m *MITM) agent(w http.ResponseWriter, r *http.Request) {
	down, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer down.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	up, _, err := websocket.Dial(ctx, "ws://"+m.upstream.Host+"/ws/agent", nil)
	if err != nil {
		return
	}
	defer up.CloseNow()
	down.SetReadLimit(1 << 20)
	up.SetReadLimit(1 << 20)
	pump := func(from, to *websocket.Conn, change func([]byte) []byte) {
		defer cancel()
		for {
			typ, b, err := from.Read(ctx)
			if err != nil {
				return
			}
			if err := to.Write(ctx, typ, change(b)); err != nil {
				return
			}
		}
	}
	go pump(down, up, func(b []byte) []byte { return m.answerAs(m.tamper(b, protocol.TypeAnswer, &m.RewriteAnswers)) })
	pump(up, down, func(b []byte) []byte { return m.rename(m.tamper(b, protocol.TypeOffer, &m.Rewrite)) })
}

var fingerprintLine = regexp.MustCompile(`a=fingerprint:sha-256 [0-9A-Fa-f:]+`)

// mitmFingerprint is the proxy's "own" certificate fingerprint.
const mitmFingerprint = "a=fingerprint:sha-256 66:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F:6F"

// tamper rewrites the fingerprint in b when it is a message of type typ and on is set.
func (m *MITM) tamper(b []byte, typ protocol.Type, on *atomic.Bool) []byte {
	if !on.Load() {
		return b
	}
	var env map[string]json.RawMessage
	if json.Unmarshal(b, &env) != nil || string(env["type"]) != `"`+string(typ)+`"` {
		return b
	}
	var offer map[string]any
	if json.Unmarshal(env["payload"], &offer) != nil {
		return b
	}
	sdp, _ := offer["sdp"].(string)
	if !strings.Contains(sdp, "a=fingerprint:") {
		return b
	}
	offer["sdp"] = fingerprintLine.ReplaceAllString(sdp, mitmFingerprint)
	env["payload"], _ = json.Marshal(offer)
	out, _ := json.Marshal(env)
	m.Rewritten.Add(1)
	return out
}

// rename puts ShowName into b when it is an agent.welcome and ShowName is set.
func (m *MITM) rename(b []byte) []byte {
	name := m.ShowName.Load()
	if name == nil {
		return b
	}
	var env map[string]json.RawMessage
	if json.Unmarshal(b, &env) != nil || string(env["type"]) != `"`+string(protocol.TypeAgentWelcome)+`"` {
		return b
	}
	var welcome map[string]any
	if json.Unmarshal(env["payload"], &welcome) != nil {
		return b
	}
	welcome["technicianName"] = *name
	env["payload"], _ = json.Marshal(welcome)
	out, _ := json.Marshal(env)
	m.Rewritten.Add(1)
	return out
}

// AgentCredential is an agent's key and the certificate the server gave it.
type AgentCredential struct {
	Key  *ecdsa.PrivateKey
	Cert string
}

// OtherSessionsAgent joins a session of its own, made by tc on the server
// at url, as its agent (as anyone holding an invitation can), and returns
// the key it joined with and the certificate the server gave it.
func OtherSessionsAgent(t testing.TB, tc *st.Tech, url string) *AgentCredential {
	t.Helper()
	_, token, _ := tc.NewSession(t, "Mallory's own session")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, err := identity.EncodeKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	a := st.Dial(t, url+"/ws/agent", nil)
	a.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, IdentityKey: pub, Hostname: "mallory-pc", OS: "linux"})
	w := a.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
	if w.IdentityCert == "" {
		t.Fatal("the server certified no key for the other session's agent")
	}
	return &AgentCredential{Key: key, Cert: w.IdentityCert}
}

// answerAs puts the proxy's fingerprint and AnswerAs's proof into b when it
// is an answer and AnswerAs is set.
func (m *MITM) answerAs(b []byte) []byte {
	cred := m.AnswerAs.Load()
	if cred == nil {
		return b
	}
	var env map[string]json.RawMessage
	if json.Unmarshal(b, &env) != nil || string(env["type"]) != `"`+string(protocol.TypeAnswer)+`"` {
		return b
	}
	var sid string
	var answer map[string]any
	if json.Unmarshal(env["sid"], &sid) != nil || json.Unmarshal(env["payload"], &answer) != nil {
		return b
	}
	sdp, _ := answer["sdp"].(string)
	sdp = fingerprintLine.ReplaceAllString(sdp, mitmFingerprint)
	p, err := identity.NewProof(cred.Key, cred.Cert, identity.KindAgent, sid, sdp, time.Now())
	if err != nil {
		return b
	}
	answer["sdp"], answer["identity"] = sdp, p
	env["payload"], _ = json.Marshal(answer)
	out, _ := json.Marshal(env)
	m.Rewritten.Add(1)
	return out
}

// proveOffer is what a console proves its offer sdp for session sid with: a
// fresh key certified for technician tc, as the console's identity.js does.
func proveOffer(t testing.TB, tc *st.Tech, sid, sdp string) *identity.Proof {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p, err := identity.NewProof(key, tc.Certify(t, key).Cert, identity.KindTechnician, sid, sdp, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

package session

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/proxy"
	"github.com/lifeline-support/lifeline/e2e/connectproxy"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// officeProxy runs a CONNECT proxy that alone knows the support server's
// name, "signaling.test": the agent can only reach it through the proxy.
func officeProxy(t *testing.T, p *connectproxy.Proxy, nodeURL string) (server string, d *proxy.Dialer) {
	t.Helper()
	u, err := url.Parse(nodeURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.Hosts = map[string]string{"signaling.test": u.Hostname()}
	p.Serve(ln)
	t.Cleanup(p.Close)
	d, err = proxy.New(proxy.Settings{URL: "http://" + p.Addr, Env: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return "http://signaling.test:" + u.Port(), d
}

// page reads the customer's page.
func page(t *testing.T, ui *consent.UI) string {
	t.Helper()
	res, err := http.Get(ui.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

var loginID = regexp.MustCompile(`id="proxy-send"[^>]*data-id="(proxy-\d+)"`)

// typeLogin waits for the proxy's login form on the customer's page (one
// other than not) and sends user and password as the page does.
func typeLogin(t *testing.T, ui *consent.UI, not, user, password string) (id, shown string) {
	t.Helper()
	waitUntil(t, "the proxy's login form", func() bool {
		shown = page(t, ui)
		m := loginID.FindStringSubmatch(shown)
		if m != nil && m[1] != not {
			id = m[1]
		}
		return id != ""
	})
	pu, _ := url.Parse(ui.URL())
	origin := "http://" + pu.Host
	req, _ := http.NewRequest("POST", ui.URL()+"proxy", strings.NewReader(`{"id":"`+id+`","user":"`+user+`","password":"`+password+`"}`))
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("login sent: status %d", res.StatusCode)
	}
	return id, shown
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// Behind a proxy that wants a password, the agent asks the customer on their
// page, tries again with what they type (asking again when the proxy refuses
// it) and joins through the proxy; the password reaches neither the log nor
// the server.
func TestJoinThroughProxyAsksTheCustomersLogin(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	p := &connectproxy.Proxy{User: "alice", Password: "s3cret"}
	server, d := officeProxy(t, p, node.URL)
	logs := &logBuffer{}
	ui, err := consent.New(consent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	runAgent(t, ui, Config{Server: server, Code: token, Consent: ui, Proxy: d,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})

	first, shown := typeLogin(t, ui, "", "alice", "wrong")
	if !strings.Contains(shown, "asks for a user name and password") {
		t.Fatalf("the page does not say what the proxy asks:\n%s", shown)
	}
	_, shown = typeLogin(t, ui, first, "alice", "s3cret")
	if !strings.Contains(shown, "refused that user name or password") {
		t.Fatalf("the page does not say the proxy refused the first password:\n%s", shown)
	}
	console.Expect(protocol.TypeSessionState) // the agent joined
	if p.Tunnels() == 0 {
		t.Fatal("the agent joined without the proxy")
	}
	if strings.Contains(logs.String(), "s3cret") || strings.Contains(logs.String(), "wrong") {
		t.Fatalf("the proxy password reached the agent's log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "the proxy asks for a user name and password") {
		t.Fatalf("the agent's log does not say the proxy asked:\n%s", logs.String())
	}
}

// A proxy that refuses: the customer's page and the agent's log say so, and
// the agent joins as soon as the proxy lets it through.
func TestProxyRefusalIsShownAndRetried(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	p := &connectproxy.Proxy{}
	p.Refuse.Store(true)
	server, d := officeProxy(t, p, node.URL)
	logs := &logBuffer{}
	ui, err := consent.New(consent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	runAgent(t, ui, Config{Server: server, Code: token, Consent: ui, Proxy: d, ProxyRetry: 50e6,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	waitUntil(t, "the refusal on the customer's page", func() bool {
		return strings.Contains(page(t, ui), "refused the connection to the support server")
	})
	waitUntil(t, "the refusal in the agent's log", func() bool {
		return strings.Contains(logs.String(), "403 Forbidden")
	})
	p.Refuse.Store(false)
	console.Expect(protocol.TypeSessionState) // the agent joined
	waitUntil(t, "the refusal gone from the page once joined", func() bool {
		return !strings.Contains(page(t, ui), "refused the connection")
	})
}

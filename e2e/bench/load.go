package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Load is a signaling load generator: it plays technicians' consoles and
// customers' agents over HTTP and WebSocket against one signaling node.
type Load struct {
	base    string
	client  *http.Client
	csrf    string
	cookies []*http.Cookie
}

var (
	csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	linkRE = regexp.MustCompile(`id="invite-link" readonly value="([^"]+)"`)
)

// NewLoad logs in as the admin with password on the node at base.
func NewLoad(ctx context.Context, base, password string) (*Load, error) {
	jar, _ := cookiejar.New(nil)
	l := &Load{base: base, client: &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	body, final, err := l.post(ctx, "/login", url.Values{"username": {"admin"}, "password": {password}})
	if err != nil {
		return nil, err
	}
	m := csrfRE.FindStringSubmatch(body)
	if final != "/console" || m == nil {
		return nil, fmt.Errorf("load: login ended on %s", final)
	}
	l.csrf = m[1]
	u, _ := url.Parse(base)
	l.cookies = jar.Cookies(u)
	return l, nil
}

func (l *Load) post(ctx context.Context, path string, form url.Values) (body, final string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := l.client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("load: POST %s: %s", path, resp.Status)
	}
	return string(b), resp.Request.URL.Path, err
}

// NewSession creates a session as the console's New session button does and
// returns its ID and invitation token.
func (l *Load) NewSession(ctx context.Context, customer string) (sid, token string, err error) {
	body, final, err := l.post(ctx, "/console/sessions", url.Values{"customer": {customer}, "csrf": {l.csrf}})
	if err != nil {
		return "", "", err
	}
	m := linkRE.FindStringSubmatch(body)
	if m == nil {
		return "", "", fmt.Errorf("load: no invitation on %s", final)
	}
	return strings.TrimPrefix(final, "/console/sessions/"), m[1][strings.LastIndex(m[1], "/")+1:], nil
}

// Conn is one WebSocket speaking the signaling protocol. It reads all the
// time, as a browser does, so the server never finds it slow.
type Conn struct {
	ws     *websocket.Conn
	id     atomic.Int64
	notify chan struct{}

	mu      sync.Mutex
	inbox   []protocol.Message
	readErr error
}

// Dial opens the console (with the login) or agent WebSocket.
func (l *Load) Dial(ctx context.Context, path string) (*Conn, error) {
	h := http.Header{}
	for _, c := range l.cookies {
		h.Add("Cookie", c.String())
	}
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(l.base, "http")+path, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(protocol.MaxMessageSize)
	c := &Conn{ws: ws, notify: make(chan struct{}, 1)}
	go c.readLoop()
	return c, nil
}

func (c *Conn) readLoop() {
	for {
		_, data, err := c.ws.Read(context.Background())
		var m protocol.Message
		if err == nil {
			m, err = protocol.Decode(data)
			if err == nil && m.Type == protocol.TypeError {
				err = fmt.Errorf("server error: %s", data)
			}
		}
		c.mu.Lock()
		if err != nil {
			c.readErr = err
		} else {
			c.inbox = append(c.inbox, m)
		}
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// Close closes the socket.
func (c *Conn) Close() { _ = c.ws.CloseNow() }

// Send writes one message.
func (c *Conn) Send(ctx context.Context, typ protocol.Type, sid string, payload any) error {
	b, err := protocol.Encode(typ, strconv.FormatInt(c.id.Add(1), 10), sid, payload)
	if err != nil {
		return err
	}
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// Expect waits for a message of type typ (for sid, when not empty) and
// forgets it and every message received before it.
func (c *Conn) Expect(ctx context.Context, typ protocol.Type, sid string) (protocol.Message, error) {
	for {
		c.mu.Lock()
		for i, m := range c.inbox {
			if m.Type == typ && (sid == "" || m.SID == sid) {
				c.inbox = c.inbox[i+1:]
				c.mu.Unlock()
				return m, nil
			}
		}
		err := c.readErr
		c.mu.Unlock()
		if err != nil {
			return protocol.Message{}, fmt.Errorf("waiting for %s: %w", typ, err)
		}
		select {
		case <-c.notify:
		case <-ctx.Done():
			return protocol.Message{}, fmt.Errorf("waiting for %s: %w", typ, ctx.Err())
		}
	}
}

// fakeSDP is a session description of the size a browser's offer has
// (about 5 KB with video and a data channel).
var fakeSDP = func() string {
	var b strings.Builder
	b.WriteString("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n")
	for b.Len() < 5000 {
		b.WriteString("a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\na=fmtp:97 apt=96\r\n")
	}
	return b.String()
}()

const fakeCandidate = "candidate:842163049 1 udp 1677729535 127.0.0.1 53114 typ srflx raddr 0.0.0.0 rport 0 generation 0"

// Session plays one whole session on an open console socket: create it, the
// agent joins, view is asked and allowed, offer, answer and two candidates
// each way, then the customer ends it.
func (l *Load) Session(ctx context.Context, console *Conn, name string) error {
	sid, token, err := l.NewSession(ctx, name)
	if err != nil {
		return err
	}
	if err := console.Send(ctx, protocol.TypeSessionOpen, sid, protocol.SessionOpen{}); err != nil {
		return err
	}
	if _, err := console.Expect(ctx, protocol.TypeSessionState, sid); err != nil {
		return err
	}
	agent, err := l.Dial(ctx, "/ws/agent")
	if err != nil {
		return err
	}
	defer agent.Close()
	steps := []struct {
		from, to *Conn
		typ      protocol.Type
		payload  any
	}{
		{agent, nil, protocol.TypeAgentHello, protocol.AgentHello{Code: token, Hostname: "load", OS: "linux"}},
		{nil, agent, protocol.TypeAgentWelcome, nil},
		{console, agent, protocol.TypePermissionRequest, protocol.PermissionRequest{Permission: protocol.PermissionView}},
		{agent, console, protocol.TypePermissionUpdate, protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}}},
		{console, agent, protocol.TypeOffer, protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: fakeSDP}}},
		{agent, console, protocol.TypeAnswer, protocol.Answer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: fakeSDP}}},
		{console, agent, protocol.TypeCandidate, candidate()},
		{console, agent, protocol.TypeCandidate, candidate()},
		{agent, console, protocol.TypeCandidate, candidate()},
		{agent, console, protocol.TypeCandidate, candidate()},
		{agent, console, protocol.TypeSessionEnd, protocol.SessionEnd{Reason: protocol.EndByCustomer}},
	}
	for _, s := range steps {
		if s.from != nil {
			if err := s.from.Send(ctx, s.typ, sid, s.payload); err != nil {
				return err
			}
		}
		if s.to != nil {
			want := sid
			if s.to == agent {
				want = "" // the agent's socket carries one session
			}
			if _, err := s.to.Expect(ctx, s.typ, want); err != nil {
				return fmt.Errorf("%s: %w", s.typ, err)
			}
		}
	}
	return nil
}

func candidate() protocol.Candidate {
	mid, idx := "0", uint16(0)
	return protocol.Candidate{ICECandidateInit: webrtc.ICECandidateInit{Candidate: fakeCandidate, SDPMid: &mid, SDPMLineIndex: &idx}}
}

// Sessions runs workers consoles, each playing sessions back to back, for d,
// and returns how many sessions completed per second.
func (l *Load) Sessions(ctx context.Context, workers int, d time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	stop := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			console, err := l.Dial(ctx, "/ws/console")
			if err != nil {
				errs <- err
				return
			}
			defer console.Close()
			if _, err := console.Expect(ctx, protocol.TypeConsoleWelcome, ""); err != nil {
				errs <- err
				return
			}
			for i := 0; time.Now().Before(stop); i++ {
				if err := l.Session(ctx, console, fmt.Sprintf("Load %d-%d", w, i)); err != nil {
					errs <- err
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		return 0, err
	}
	return float64(done.Load()) / elapsed.Seconds(), nil
}

// IdleAgents creates n sessions and connects their agents, which then stay
// idle; close them with the returned function.
func (l *Load) IdleAgents(ctx context.Context, n, workers int) (func(), error) {
	var mu sync.Mutex
	var conns []*Conn
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
	next := atomic.Int64{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				_, token, err := l.NewSession(ctx, fmt.Sprintf("Idle %d", i))
				if err != nil {
					errs <- err
					return
				}
				agent, err := l.Dial(ctx, "/ws/agent")
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				conns = append(conns, agent)
				mu.Unlock()
				if err := agent.Send(ctx, protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "idle", OS: "linux"}); err != nil {
					errs <- err
					return
				}
				if _, err := agent.Expect(ctx, protocol.TypeAgentWelcome, ""); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		closeAll()
		return nil, err
	}
	return closeAll, nil
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}

// Device is an unattended device enrolled by EnrollDevices: its ID and key.
type Device struct {
	ID  string
	Key ed25519.PrivateKey
}

// EnrollDevices enrolls n unattended devices as customers agreeing in
// attended sessions do (session created and started, unattended access
// asked, the agent answering with a new key); their agents then leave.
func (l *Load) EnrollDevices(ctx context.Context, n, workers int) ([]Device, error) {
	var mu sync.Mutex
	var out []Device
	next := atomic.Int64{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			console, err := l.Dial(ctx, "/ws/console")
			if err != nil {
				errs <- err
				return
			}
			defer console.Close()
			if _, err := console.Expect(ctx, protocol.TypeConsoleWelcome, ""); err != nil {
				errs <- err
				return
			}
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				d, err := l.enroll(ctx, console, fmt.Sprintf("Device %d", i))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				out = append(out, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	return out, errors.Join(collect(errs)...)
}

// enroll plays one enrollment on console.
func (l *Load) enroll(ctx context.Context, console *Conn, name string) (Device, error) {
	sid, token, err := l.NewSession(ctx, name)
	if err != nil {
		return Device{}, err
	}
	if err := console.Send(ctx, protocol.TypeSessionOpen, sid, protocol.SessionOpen{}); err != nil {
		return Device{}, err
	}
	agent, err := l.Dial(ctx, "/ws/agent")
	if err != nil {
		return Device{}, err
	}
	defer agent.Close()
	if err := agent.Send(ctx, protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: name, OS: "linux"}); err != nil {
		return Device{}, err
	}
	if _, err := agent.Expect(ctx, protocol.TypeAgentWelcome, ""); err != nil {
		return Device{}, err
	}
	if err := console.Send(ctx, protocol.TypeSessionStart, sid, protocol.SessionStart{}); err != nil {
		return Device{}, err
	}
	if _, err := agent.Expect(ctx, protocol.TypeAgentWelcome, ""); err != nil {
		return Device{}, err
	}
	if err := console.Send(ctx, protocol.TypeUnattendedAsk, sid, protocol.UnattendedAsk{}); err != nil {
		return Device{}, err
	}
	if _, err := agent.Expect(ctx, protocol.TypeUnattendedAsk, ""); err != nil {
		return Device{}, err
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Device{}, err
	}
	if err := agent.Send(ctx, protocol.TypeUnattendedAnswer, sid, protocol.UnattendedAnswer{Allow: true, Key: base64.RawURLEncoding.EncodeToString(pub)}); err != nil {
		return Device{}, err
	}
	m, err := agent.Expect(ctx, protocol.TypeUnattendedEnrolled, "")
	if err != nil {
		return Device{}, err
	}
	if err := agent.Send(ctx, protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByCustomer}); err != nil {
		return Device{}, err
	}
	return Device{ID: m.Body.(*protocol.UnattendedEnrolled).DeviceID, Key: key}, nil
}

// IdleDevices connects the devices' sockets, which then stay idle; close
// them with the returned function.
func (l *Load) IdleDevices(ctx context.Context, devices []Device, workers int) (func(), error) {
	var mu sync.Mutex
	var conns []*Conn
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
	next := atomic.Int64{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(len(devices)); i = next.Add(1) {
				d := devices[i-1]
				c, err := l.Dial(ctx, "/ws/device")
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
				h := protocol.DeviceHello{DeviceID: d.ID, Time: time.Now().UnixMilli(), Nonce: rand.Text(), Hostname: "idle", OS: "linux"}
				protocol.SignDeviceHello(&h, d.Key)
				if err := c.Send(ctx, protocol.TypeDeviceHello, "", h); err != nil {
					errs <- err
					return
				}
				if _, err := c.Expect(ctx, protocol.TypeDeviceWelcome, ""); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		closeAll()
		return nil, err
	}
	return closeAll, nil
}

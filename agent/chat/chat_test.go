package chat

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

const hangGuard = 20 * time.Second

// opener records the URLs the agent asked the OS to open.
type opener struct {
	mu   sync.Mutex
	urls []string
}

func (o *opener) open(u string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.urls = append(o.urls, u)
	return nil
}

func (o *opener) opened() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.urls...)
}

// pair is a technician's browser (pion, offering, with the chat channel) connected
// to an agent peer whose chat channel goes to a Chat.
type pair struct {
	chat    *Chat
	opener  *opener
	dc      *webrtc.DataChannel // the browser's end
	fromAgt chan protocol.ChatMessage
}

func newAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

func connect(t *testing.T) *pair {
	t.Helper()
	p := &pair{opener: &opener{}}
	p.chat = New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OpenURL: p.opener.open})
	p.dc, p.fromAgt = dial(t, p.chat.Attach)
	p.waitConnected(t)
	return p
}

// dial connects a technician's browser (pion, offering, with the chat
// channel) to an agent peer that hands its chat channel to attach; it
// returns the browser's end and what the agent sends on it.
func dial(t *testing.T, attach func(*webrtc.DataChannel)) (*webrtc.DataChannel, chan protocol.ChatMessage) {
	t.Helper()
	fromAgt := make(chan protocol.ChatMessage, 64)
	browser, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = browser.Close()
		_ = agent.Close()
	})
	agent.OnDataChannel(func(dc *webrtc.DataChannel) {
		if dc.Label() == protocol.ChannelChat {
			attach(dc)
		}
	})
	dc, err := browser.CreateDataChannel(protocol.ChannelChat, nil)
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan struct{})
	dc.OnOpen(func() { close(opened) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		var cm protocol.ChatMessage
		if err := json.Unmarshal(m.Data, &cm); err != nil {
			t.Errorf("agent sent %q: %v", m.Data, err)
			return
		}
		fromAgt <- cm
	})

	offer, err := browser.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gather := webrtc.GatheringCompletePromise(browser)
	if err := browser.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gather
	if err := agent.SetRemoteDescription(*browser.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	answer, err := agent.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gather = webrtc.GatheringCompletePromise(agent)
	if err := agent.SetLocalDescription(answer); err != nil {
		t.Fatal(err)
	}
	<-gather
	if err := browser.SetRemoteDescription(*agent.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-opened:
	case <-time.After(hangGuard):
		t.Fatal("chat channel did not open")
	}
	return dc, fromAgt
}

// waitConnected waits until the Chat has the channel open for sending.
func (p *pair) waitConnected(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		p.chat.mu.Lock()
		ok := p.chat.dc != nil
		p.chat.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the agent did not see the chat channel open")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// send sends a chat message as the technician's console does.
func (p *pair) send(t *testing.T, m protocol.ChatMessage) {
	t.Helper()
	sendOn(t, p.dc, m)
}

// sendOn sends a chat message on a console's channel dc.
func sendOn(t *testing.T, dc *webrtc.DataChannel, m protocol.ChatMessage) {
	t.Helper()
	if m.ID == "" {
		m.ID = "c1"
	}
	m.At = time.Now().UnixMilli()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := dc.SendText(string(b)); err != nil {
		t.Fatal(err)
	}
}

// expect waits for the next message the agent sends to the console.
func (p *pair) expect(t *testing.T) protocol.ChatMessage {
	t.Helper()
	select {
	case m := <-p.fromAgt:
		return m
	case <-time.After(hangGuard):
		t.Fatal("no message from the agent")
	}
	return protocol.ChatMessage{}
}

// waitEntry waits until the customer's log has an entry that satisfies ok.
func (p *pair) waitEntry(t *testing.T, what string, ok func(entry) bool) entry {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		p.chat.mu.Lock()
		for _, e := range p.chat.entries {
			if ok(e) {
				p.chat.mu.Unlock()
				return e
			}
		}
		changed := p.chat.changed
		p.chat.mu.Unlock()
		select {
		case <-changed:
		case <-time.After(time.Until(deadline)):
			t.Fatalf("timed out waiting for %s in the customer's log", what)
		}
	}
}

func (p *pair) messages() []entry {
	p.chat.mu.Lock()
	defer p.chat.mu.Unlock()
	var out []entry
	for _, e := range p.chat.entries {
		if e.Kind != kindEvent {
			out = append(out, e)
		}
	}
	return out
}

// post sends a POST to the panel as the customer's page does.
func post(t *testing.T, h http.Handler, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path+"?lang=en", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMessagesBothWaysStayText(t *testing.T) {
	p := connect(t)
	const html = `<b>hi</b><img src=x onerror=alert(1)>`

	p.send(t, protocol.ChatMessage{Kind: protocol.ChatText, Text: html})
	e := p.waitEntry(t, "the technician's message", func(e entry) bool { return e.Kind == kindMessage })
	if e.Text != html || e.From != fromTechnician {
		t.Fatalf("customer's log has %+v, want the exact text from the technician", e)
	}

	// The page gets it as a JSON string, to show with textContent.
	srv := httptest.NewServer(p.chat)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/events?lang=fr")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var u update
	if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &u); err != nil {
		t.Fatalf("event %q: %v", line, err)
	}
	if !u.Reset || !u.Connected || u.Strings["agent.chat.send"] != "Envoyer" {
		t.Fatalf("first event: %+v", u)
	}
	found := false
	for _, e := range u.Entries {
		found = found || (e.Kind == kindMessage && e.Text == html)
	}
	if !found {
		t.Fatalf("the events stream lacks the message: %s", line)
	}
	if strings.Contains(line, "%!") || !strings.Contains(line, "Le technicien est connecté") {
		t.Errorf("events are not translated cleanly: %s", line)
	}
	if strings.Contains(line, "<b>") {
		t.Errorf("the stream carries raw markup: %s", line)
	}

	// The customer answers from the page.
	if w := post(t, p.chat, "/send", `{"text":"<i>merci</i>"}`); w.Code != http.StatusNoContent {
		t.Fatalf("send: %d %s", w.Code, w.Body)
	}
	if m := p.expect(t); m.Kind != protocol.ChatText || m.Text != "<i>merci</i>" || m.ID == "" {
		t.Fatalf("console got %+v", m)
	}
}

func TestOversizedMessagesAreRefused(t *testing.T) {
	p := connect(t)
	big := strings.Repeat("x", protocol.MaxChatText+1)

	p.send(t, protocol.ChatMessage{Kind: protocol.ChatText, Text: big})
	if m := p.expect(t); m.Kind != protocol.ChatEvent || m.Event != EventRefused || m.Text != ReasonTooLarge {
		t.Fatalf("console got %+v, want a refusal", m)
	}
	if w := post(t, p.chat, "/send", `{"text":"`+big+`"}`); w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "too long") {
		t.Fatalf("send of %d bytes: %d %s", len(big), w.Code, w.Body)
	}
	if w := post(t, p.chat, "/send", `{"text":"`+strings.Repeat("y", 1<<20)+`"}`); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("send of 1 MiB: %d", w.Code)
	}
	if w := post(t, p.chat, "/send", `{"text":"  "}`); w.Code != http.StatusBadRequest {
		t.Fatalf("empty send: %d", w.Code)
	}
	if got := p.messages(); len(got) != 0 {
		t.Fatalf("refused messages were logged: %+v", got)
	}
	// Exactly the limit goes through.
	if err := p.chat.Send(big[1:]); err != nil {
		t.Fatalf("Send of %d bytes: %v", protocol.MaxChatText, err)
	}
	if m := p.expect(t); len(m.Text) != protocol.MaxChatText {
		t.Fatalf("console got %d bytes", len(m.Text))
	}
}

func TestOnlyWebLinksAreOpened(t *testing.T) {
	p := connect(t)
	if w := post(t, p.chat, "/links", `{"auto":true}`); w.Code != http.StatusNoContent {
		t.Fatalf("links: %d", w.Code)
	}
	if m := p.expect(t); m.Event != EventAutoLinks || m.Text != "on" {
		t.Fatalf("console got %+v", m)
	}
	for _, u := range []string{"javascript:alert(1)", "file:///etc/passwd", "data:text/html,<script>alert(1)</script>", "HTTP://x\" onclick=1"} {
		p.send(t, protocol.ChatMessage{Kind: protocol.ChatURL, URL: u})
		if m := p.expect(t); m.Event != EventRefused || m.Text != ReasonBadURL {
			t.Fatalf("%s: console got %+v, want a refusal", u, m)
		}
	}
	if got := p.opener.opened(); len(got) != 0 {
		t.Fatalf("opened %q", got)
	}
	if got := p.messages(); len(got) != 0 {
		t.Fatalf("refused links were shown: %+v", got)
	}
}

func TestLinksOpenAutomaticallyOrOnClick(t *testing.T) {
	p := connect(t)
	const first, second = "https://example.com/help?a=1", "http://example.org/"

	// Not allowed: the link is shown, the console is told, nothing opens.
	p.send(t, protocol.ChatMessage{Kind: protocol.ChatURL, URL: first})
	if m := p.expect(t); m.Event != EventLinkShown || m.Text != first {
		t.Fatalf("console got %+v", m)
	}
	if got := p.opener.opened(); len(got) != 0 {
		t.Fatalf("opened %q without the customer's leave", got)
	}
	link := p.waitEntry(t, "the link", func(e entry) bool { return e.Kind == kindLink })
	if link.URL != first {
		t.Fatalf("link entry %+v", link)
	}
	// The customer clicks it.
	if w := post(t, p.chat, "/opened", `{"seq":`+itoa(link.Seq)+`}`); w.Code != http.StatusNoContent {
		t.Fatalf("opened: %d", w.Code)
	}
	if m := p.expect(t); m.Event != EventLinkOpened || m.Text != first {
		t.Fatalf("console got %+v", m)
	}
	if w := post(t, p.chat, "/opened", `{"seq":9999}`); w.Code != http.StatusNotFound {
		t.Fatalf("opened of no link: %d", w.Code)
	}

	// Allowed: the next link opens at once.
	p.chat.SetAutoOpen(true)
	p.expect(t) // auto_links on
	p.send(t, protocol.ChatMessage{Kind: protocol.ChatURL, URL: second})
	if m := p.expect(t); m.Event != EventLinkOpened || m.Text != second {
		t.Fatalf("console got %+v", m)
	}
	if got := p.opener.opened(); len(got) != 1 || got[0] != second {
		t.Fatalf("opened %q, want just %s", got, second)
	}
}

func TestSendWithoutConnection(t *testing.T) {
	c := New(Config{OpenURL: func(string) error { t.Fatal("opened"); return nil }})
	if w := post(t, c, "/send", `{"text":"hello"}`); w.Code != http.StatusConflict {
		t.Fatalf("send without a channel: %d", w.Code)
	}
	for _, tc := range []struct {
		name, ctype, body string
		want              int
	}{
		{"not JSON", "text/plain", `{"text":"x"}`, http.StatusUnsupportedMediaType},
		{"bad JSON", "application/json", `{"text":`, http.StatusBadRequest},
		{"unknown field", "application/json", `{"html":"x"}`, http.StatusBadRequest},
	} {
		r := httptest.NewRequest(http.MethodPost, "/send", strings.NewReader(tc.body))
		r.Header.Set("Content-Type", tc.ctype)
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/panel.js", nil)
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "textContent") || strings.Contains(w.Body.String(), "innerHTML") {
		t.Fatalf("panel.js: %d", w.Code)
	}
}

func TestGrantsAreLogged(t *testing.T) {
	c := New(Config{})
	c.SetGrants(protocol.Permissions{View: true})
	c.SetGrants(protocol.Permissions{View: true})
	c.SetGrants(protocol.Permissions{View: true, Control: true})
	var keys []string
	for _, e := range c.entries {
		keys = append(keys, e.key)
	}
	if strings.Join(keys, ",") != "agent.chat.ev.view.on,agent.chat.ev.control.on" {
		t.Fatalf("events %q", keys)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestChatRefusesBidiAndInvalidUTF8: a chat text that hides characters (a
// U+202E that turns "fdp.exe" around, a zero-width space) is refused both
// ways, with a clear message for the customer; emoji joined with U+200D and
// line breaks pass.
func TestChatRefusesBidiAndInvalidUTF8(t *testing.T) {
	p := connect(t)
	p.send(t, protocol.ChatMessage{Kind: protocol.ChatText, Text: "open invoice\u202efdp.exe"})
	if m := p.expect(t); m.Kind != protocol.ChatEvent || m.Event != EventRefused || m.Text != ReasonMalformed {
		t.Fatalf("console got %+v, want a refusal", m)
	}
	for _, body := range []string{`{"text":"pay\u202eme"}`, `{"text":"a\u200bb"}`, "{\"text\":\"bad \xff byte\"}"} {
		if w := post(t, p.chat, "/send", body); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "invisible") {
			t.Errorf("send %s: %d %s, want 400 about invisible characters", body, w.Code, w.Body)
		}
	}
	if got := p.messages(); len(got) != 0 {
		t.Fatalf("refused messages were logged: %+v", got)
	}
	const ok = "merci 👩\u200d💻\nà bientôt"
	if err := p.chat.Send(ok); err != nil {
		t.Fatalf("Send(%q): %v", ok, err)
	}
	if m := p.expect(t); m.Text != ok {
		t.Fatalf("console got %q", m.Text)
	}
}

// TestCustomerMessagesGoToTheServersLog: the customer's message goes to the
// technician and, from the agent itself, to the session's running log on the
// server (the server takes the customer's words from no console).
func TestCustomerMessagesGoToTheServersLog(t *testing.T) {
	p := connect(t)
	logged := make(chan protocol.LogAppend, 1)
	p.chat.SetLogWriter(func(a protocol.LogAppend) { logged <- a })
	if err := p.chat.Send("My printer is stuck"); err != nil {
		t.Fatal(err)
	}
	m := p.expect(t)
	if m.Text != "My printer is stuck" {
		t.Fatalf("the technician got %+v", m)
	}
	select {
	case a := <-logged:
		// One ID for both: the console shows the message under the log's ID,
		// so a replay of the log shows it once.
		if a.Kind != protocol.LogMessage || a.From != protocol.FromCustomer || a.Text != "My printer is stuck" || a.ID == "" || a.ID != m.ID || a.At <= 0 {
			t.Fatalf("logged %+v", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the customer's message never went to the server's log")
	}
}

// A colleague's lines show on the customer's page under the colleague's
// name, not the technician's, and a link a colleague sends never opens by
// itself, even while the customer lets the technician's links open.
func TestColleaguesLinesAreTheirsAndTheirLinksNeverOpen(t *testing.T) {
	p := connect(t)
	bob, fromAgt := dial(t, func(dc *webrtc.DataChannel) {
		p.chat.AttachHelper(dc, "Bob Colleague", func() bool { return true })
	})
	p.chat.SetAutoOpen(true)
	p.expect(t) // auto_links on

	sendOn(t, bob, protocol.ChatMessage{Kind: protocol.ChatText, Text: "Hello, I am Bob"})
	line := p.waitEntry(t, "Bob's line", func(e entry) bool { return e.Text == "Hello, I am Bob" })
	if line.From != fromTechnician || line.Name != "Bob Colleague" {
		t.Errorf("Bob's line is %+v, want it from the technicians' side under Bob's name", line)
	}
	const link = "https://example.com/bob"
	sendOn(t, bob, protocol.ChatMessage{Kind: protocol.ChatURL, URL: link})
	select {
	case m := <-fromAgt:
		if m.Event != EventLinkShown || m.Text != link {
			t.Errorf("Bob's console got %+v, want his link shown, not opened", m)
		}
	case <-time.After(hangGuard):
		t.Fatal("Bob's console heard nothing of his link")
	}
	if e := p.waitEntry(t, "Bob's link", func(e entry) bool { return e.Kind == kindLink }); e.Name != "Bob Colleague" {
		t.Errorf("Bob's link is %+v, want it under his name", e)
	}
	if got := p.opener.opened(); len(got) != 0 {
		t.Errorf("a colleague's link was opened by itself: %q", got)
	}

	// The technician's own line has no colleague's name, and their link
	// still opens as the customer allowed.
	p.send(t, protocol.ChatMessage{Kind: protocol.ChatText, Text: "Alice here"})
	if e := p.waitEntry(t, "Alice's line", func(e entry) bool { return e.Text == "Alice here" }); e.Name != "" {
		t.Errorf("the technician's line is %+v, named as a colleague", e)
	}
	p.send(t, protocol.ChatMessage{Kind: protocol.ChatURL, URL: "https://example.org/alice"})
	if m := p.expect(t); m.Event != EventLinkOpened {
		t.Errorf("the technician's console got %+v, want the link opened", m)
	}
}

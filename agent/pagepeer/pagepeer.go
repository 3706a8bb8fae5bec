// Package pagepeer carries the negotiation of the customer's page as a second
// WebRTC peer: the technician's browser offers, the customer's browser page
// (served by the agent on loopback) answers, and their offer, answer and
// candidates travel over the session's signaling (protocol.TypePageSignal)
// and a WebSocket between the page and the agent. The media (the
// technician's screen, voice) go from browser to browser: the agent decodes
// nothing. What the page accepts is the page's to decide (panel.js): it
// takes a screen only once the technician said they share it and until the
// customer closes it, and sends its microphone only in a call the customer
// started or accepted.
package pagepeer

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

//go:embed panel.js panel.css
var panelFS embed.FS

// maxPending bounds what is kept for a page not connected yet.
const maxPending = 64

// maxPageMessage bounds one message from the page.
const maxPageMessage = 64 << 10

// ErrNotFromPage refuses a page signal the page may not send (an offer, a
// share: those are the technician's).
var ErrNotFromPage = errors.New("not a page's message")

// Config configures a Relay.
type Config struct {
	Logger *slog.Logger
	// OnMic, if set, hears whether the customer's microphone is on in a
	// call (the page says so), for the on-screen badge. It must not block.
	OnMic func(on bool)
}

// Relay passes page signals between the technician (through the session's
// signaling) and the customer's page (through its WebSocket). It is a
// session feature with no data channel of its own.
type Relay struct {
	log *slog.Logger

	mu      sync.Mutex
	send    func(protocol.PageSignal)
	ice     []webrtc.ICEServer
	page    *websocket.Conn // the page connected now, nil when none
	pending []protocol.PageSignal
	ended   bool
	screen  bool // the technician's group lets them show their screen
	voice   bool // and talk
	lang    i18n.Lang
	onMic   func(bool)
	mic     bool   // the page said its microphone is on
	tech    string // the technician who leads the session now
	// colleagues are the lead's colleagues in the session and what each
	// may do with the page (SetColleagues): each has a connection of their
	// own with the page.
	colleagues map[string]Allowed
	// drops are the colleagues whose connection the page must close: sent
	// as soon as a page is connected (one connecting later included).
	drops []string
}

// Allowed is what a technician may do with the customer's page.
type Allowed struct {
	Screen bool // show their screen
	Voice  bool // talk
}

// New returns a relay; mount it on the customer's page (consent.UI.Mount).
func New(cfg Config) *Relay {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Relay{log: log.With("feature", "pagepeer"), onMic: cfg.OnMic}
}

// Handles reports false: the page peer has no data channel on the agent's
// connection.
func (r *Relay) Handles(string) bool { return false }

// Attach is never called (see Handles).
func (r *Relay) Attach(*webrtc.DataChannel) {}

// SetGrants does nothing: the page asks the customer itself.
func (r *Relay) SetGrants(protocol.Permissions) {}

// SetPageSender gives the relay the way to the technician.
func (r *Relay) SetPageSender(send func(protocol.PageSignal)) {
	r.mu.Lock()
	r.send = send
	r.mu.Unlock()
}

// SetICEServers gives the page the session's ICE servers (TURN included).
func (r *Relay) SetICEServers(s []webrtc.ICEServer) {
	r.mu.Lock()
	r.ice = s
	r.mu.Unlock()
}

// SetAllowed says what the technician's group allows; the page hears it.
// When something is no longer allowed, the page is reset first (see Reset):
// a screen shown or a call going on stops.
func (r *Relay) SetAllowed(screen, voice bool) {
	r.mu.Lock()
	if r.screen == screen && r.voice == voice {
		r.mu.Unlock()
		return
	}
	var tell func()
	if r.screen && !screen || r.voice && !voice {
		tell = r.resetLocked(r.tech, protocol.ResetPermission)
	}
	r.screen, r.voice = screen, voice
	if r.page != nil {
		r.writeLocked(r.page, r.helloLocked())
	}
	r.mu.Unlock()
	if tell != nil {
		tell()
	}
}

// SetColleagues says who, besides the lead, is in the session and what
// each may do with the page. A colleague no longer there, or no longer
// allowed what they had, loses their connection with the page at once (the
// page closes it, and their console is told why).
func (r *Relay) SetColleagues(c map[string]Allowed) {
	r.mu.Lock()
	var drops []protocol.PageSignal
	for id, was := range r.colleagues {
		now, in := c[id]
		why := ""
		switch {
		case !in:
			why = protocol.ResetRemoved
		case was.Screen && !now.Screen, was.Voice && !now.Voice:
			why = protocol.ResetPermission
		default:
			continue
		}
		r.pending = slices.DeleteFunc(r.pending, func(p protocol.PageSignal) bool { return p.Tech == id })
		if !slices.Contains(r.drops, id) && len(r.drops) < maxPending {
			r.drops = append(r.drops, id)
		}
		drops = append(drops, protocol.PageSignal{Kind: protocol.PageReset, Tech: id, Reason: why})
	}
	r.colleagues = maps.Clone(c)
	r.flushDropsLocked()
	send := r.send
	r.mu.Unlock()
	if send != nil {
		for _, d := range drops {
			send(d)
		}
	}
}

// mayLocked reports whether technician tech ("" or the lead: the lead) is
// in the session, and what they may do with the page.
func (r *Relay) mayLocked(tech string) (Allowed, bool) {
	if tech == "" || tech == r.tech {
		return Allowed{Screen: r.screen, Voice: r.voice}, true
	}
	a, ok := r.colleagues[tech]
	return a, ok
}

// Reset ends whatever the page has with the technicians (the technician
// changed, the lead passed, or the session went on hold; why is a
// protocol.Reset* reason): what is kept for the page is dropped, and the
// page closes its connections, stops the microphone and returns sharing and
// the call to idle. Every technician's console is told, with why. What
// follows is led by technician tech (an account ID): the page ties its next
// connection to it.
func (r *Relay) Reset(tech, why string) {
	r.mu.Lock()
	tell := r.resetLocked(tech, why)
	r.mu.Unlock()
	if tell != nil {
		tell()
	}
}

// resetLocked resets the page and returns what tells the technicians (nil
// before any technician: nothing ran yet); call it once r.mu is let go.
func (r *Relay) resetLocked(tech, why string) func() {
	had := r.tech != ""
	r.tech = tech
	r.pending = nil
	r.drops = nil // the page closes every connection
	if r.mic && r.onMic != nil {
		r.mic = false
		go r.onMic(false)
	}
	if r.page != nil {
		r.writeLocked(r.page, toPage{Type: "reset", Tech: tech})
	}
	send := r.send
	if !had || send == nil || r.ended {
		return nil
	}
	return func() { send(protocol.PageSignal{Kind: protocol.PageReset, Reason: why}) }
}

// helloLocked is the page's first message, and again when what is allowed
// changes. It names the lead's colleagues in the session: the page closes
// the connection of anyone else (a colleague removed while no page was
// connected, or whose drop was lost).
func (r *Relay) helloLocked() toPage {
	return toPage{Type: "hello", ICE: r.ice, Strings: i18n.Table(r.lang, "agent.pp."), Voice: r.voice, Tech: r.tech,
		Colleagues: slices.Sorted(maps.Keys(r.colleagues))}
}

// FromTechnician passes a page signal of a technician (p.Tech: the lead
// when "") on to the page, or keeps it until a page connects. What comes
// from nobody in the session is dropped. It never blocks.
func (r *Relay) FromTechnician(p protocol.PageSignal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.Tech == "" {
		p.Tech = r.tech
	}
	if _, in := r.mayLocked(p.Tech); r.ended || !in {
		return
	}
	if p.Kind == protocol.PageOffer {
		// A new offer replaces the negotiation kept so far; the decisions stay.
		kept := r.pending[:0]
		for _, q := range r.pending {
			if q.Tech != p.Tech || q.Kind != protocol.PageOffer && q.Kind != protocol.PageCandidate {
				kept = append(kept, q)
			}
		}
		r.pending = kept
	}
	r.pending = append(r.pending, p)
	if len(r.pending) > maxPending {
		r.pending = r.pending[len(r.pending)-maxPending:]
	}
	r.flushLocked()
}

// SessionEnded tells the page the session ended: it closes its peer.
func (r *Relay) SessionEnded() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = true
	r.pending = nil
	if r.mic && r.onMic != nil {
		r.mic = false
		go r.onMic(false)
	}
	if r.page != nil {
		r.writeLocked(r.page, toPage{Type: "ended"})
	}
}

// toPage is one message to the page.
type toPage struct {
	Type    string               `json:"type"` // hello, signal, reset, drop, ended
	ICE     []webrtc.ICEServer   `json:"ice,omitempty"`
	Strings map[string]string    `json:"strings,omitempty"`
	Signal  *protocol.PageSignal `json:"signal,omitempty"`
	// Voice says the customer may call the technician.
	Voice bool `json:"voice,omitempty"`
	// Tech is the technician who leads the session (hello, reset), or the
	// colleague whose connection the page closes (drop).
	Tech string `json:"tech,omitempty"`
	// Colleagues (hello) are the lead's colleagues in the session.
	Colleagues []string `json:"colleagues,omitempty"`
}

// flushDropsLocked tells the page, if one is connected, to close the
// connections of the colleagues in r.drops; what could not be written stays.
func (r *Relay) flushDropsLocked() {
	for len(r.drops) > 0 && r.page != nil {
		r.writeLocked(r.page, toPage{Type: "drop", Tech: r.drops[0]})
		if r.page != nil {
			r.drops = r.drops[1:]
		}
	}
}

// flushLocked sends what is pending to the page, if one is connected.
func (r *Relay) flushLocked() {
	if r.page == nil {
		return
	}
	for _, p := range r.pending {
		r.writeLocked(r.page, toPage{Type: "signal", Signal: &p})
	}
	r.pending = nil
}

// writeLocked writes one message to the page, with a short deadline: a page
// that does not read is dropped, not waited for.
func (r *Relay) writeLocked(c *websocket.Conn, m toPage) {
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		r.log.Info("page went away", "err", err)
		if r.page == c {
			r.page = nil
		}
	}
}

// ServeHTTP serves the panel (panel.js, panel.css) and, at /ws, the page's
// WebSocket (the page's server has checked Host, secret and Origin). One
// page at a time: a new one (a reload, another tab) replaces the last.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch req.URL.Path {
	case "/panel.js", "/panel.css":
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		http.ServeFileFS(w, req, panelFS, req.URL.Path[1:])
	case "/ws":
		r.serveWS(w, req)
	default:
		http.NotFound(w, req)
	}
}

func (r *Relay) serveWS(w http.ResponseWriter, req *http.Request) {
	lang := i18n.EN
	if l, ok := i18n.Parse(req.URL.Query().Get("lang")); ok {
		lang = l
	}
	c, err := websocket.Accept(w, req, nil) // same origin only
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(maxPageMessage)

	r.mu.Lock()
	if old := r.page; old != nil {
		_ = old.Close(websocket.StatusPolicyViolation, "another page took over")
	}
	r.page = c
	r.lang = lang
	r.writeLocked(c, r.helloLocked())
	r.flushDropsLocked()
	if r.ended {
		r.writeLocked(c, toPage{Type: "ended"})
	}
	r.flushLocked()
	r.mu.Unlock()

	defer func() {
		r.mu.Lock()
		mine := r.page == c
		if mine {
			r.page = nil
		}
		r.mu.Unlock()
		if mine {
			r.setMic(nil, false) // a page gone takes its microphone with it
		}
	}()
	for {
		_, b, err := c.Read(req.Context())
		if err != nil {
			return
		}
		if on, ok := micOf(b); ok {
			r.setMic(c, on)
			continue
		}
		p, err := fromPage(b)
		if err != nil {
			r.log.Warn("page message refused", "err", err)
			continue
		}
		r.mu.Lock()
		send, mine, ended := r.send, r.page == c, r.ended
		if p.Tech == "" {
			p.Tech = r.tech
		}
		may, in := r.mayLocked(p.Tech)
		r.mu.Unlock()
		if !in {
			continue // nobody in the session
		}
		if !may.Voice && (p.Kind == protocol.PageCall || p.Kind == protocol.PageAccept || p.Kind == protocol.PageMute) {
			continue // no call with a technician whose group does not allow it
		}
		if send != nil && mine && !ended {
			send(p)
		}
	}
}

// micOf reads the page's word about its microphone: {"mic": true}.
func micOf(b []byte) (on, ok bool) {
	var m struct {
		Mic *bool `json:"mic"`
	}
	if json.Unmarshal(b, &m) != nil || m.Mic == nil {
		return false, false
	}
	return *m.Mic, true
}

// setMic records whether page c's microphone is on (c nil: whichever page)
// and tells OnMic of a change.
func (r *Relay) setMic(c *websocket.Conn, on bool) {
	r.mu.Lock()
	if c != nil && r.page != c || r.mic == on {
		r.mu.Unlock()
		return
	}
	r.mic = on
	f := r.onMic
	r.mu.Unlock()
	if f != nil {
		f(on)
	}
}

// fromPage decodes and checks one page signal from the page.
func fromPage(b []byte) (protocol.PageSignal, error) {
	var p protocol.PageSignal
	if err := json.Unmarshal(b, &p); err != nil {
		return p, err
	}
	switch p.Kind {
	case protocol.PageAnswer, protocol.PageCandidate, protocol.PageClosed, protocol.PageCall, protocol.PageAccept, protocol.PageMute:
	default:
		return p, ErrNotFromPage
	}
	p.Name = "" // the server names the customer
	p.Screen, p.Voice = false, false
	return p, p.Check()
}

package peer

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/transport/v4/vnet"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// hang guards: generous bounds that only stop a stuck test.
const (
	hangGuard  = 20 * time.Second
	leakGuard  = 20 * time.Second
	fakeWidth  = 640
	fakeHeight = 360
)

// fakeScreen is a VideoSource that paints a moving bar at a fixed frame rate.
type fakeScreen struct {
	tick      *time.Ticker
	done      chan struct{}
	closeOnce sync.Once
	n         int
}

func newFakeScreen(fps int) *fakeScreen {
	return &fakeScreen{
		tick: time.NewTicker(time.Second / time.Duration(fps)),
		done: make(chan struct{}),
	}
}

func (s *fakeScreen) ID() string { return "fake-screen" }

func (s *fakeScreen) Close() error {
	s.closeOnce.Do(func() {
		s.tick.Stop()
		close(s.done)
	})
	return nil
}

func (s *fakeScreen) Read() (image.Image, func(), error) {
	select {
	case <-s.done:
		return nil, func() {}, io.EOF
	case <-s.tick.C:
	}
	img := image.NewRGBA(image.Rect(0, 0, fakeWidth, fakeHeight))
	x0 := (s.n * 8) % fakeWidth
	s.n++
	for y := 0; y < fakeHeight; y++ {
		for x := 0; x < fakeWidth; x++ {
			c := color.RGBA{R: uint8(x), G: uint8(y), B: 80, A: 255}
			if x >= x0 && x < x0+40 {
				c = color.RGBA{R: 255, G: 255, B: 255, A: 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img, func() {}, nil
}

// testLogger sends the Peer's logs to t.Log and counts warnings.
type testLogger struct {
	t     *testing.T
	mu    sync.Mutex
	warns []string
}

func (l *testLogger) Write(b []byte) (int, error) {
	line := strings.TrimSpace(string(b))
	if strings.Contains(line, "level=WARN") {
		l.mu.Lock()
		l.warns = append(l.warns, line)
		l.mu.Unlock()
	}
	l.t.Log(line)
	return len(b), nil
}

func (l *testLogger) warnings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.warns...)
}

func newTestLogger(t *testing.T) (*slog.Logger, *testLogger) {
	tl := &testLogger{t: t}
	return slog.New(slog.NewTextHandler(tl, &slog.HandlerOptions{Level: slog.LevelDebug})), tl
}

// loopback lets two in-process peers connect on any machine.
func loopback(se *webrtc.SettingEngine) {
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
}

// browser plays the technician's browser: it offers a recvonly VP8 transceiver
// and the input and pointer data channels.
type browser struct {
	pc      *webrtc.PeerConnection
	input   *webrtc.DataChannel
	pointer *webrtc.DataChannel
	opened  chan string // labels of opened data channels

	packets   chan *rtpInfo
	missed    atomic.Int64 // packets that came while packets was full
	readers   sync.WaitGroup
	trackSSRC chan webrtc.SSRC
}

type rtpInfo struct {
	at       time.Time
	ts       uint32
	seq      uint16 // the video stream's (a retransmission's original)
	rtx      bool   // a retransmission that came on the RTX stream
	keyframe bool
	pt       uint8
	// playoutDelay is the playout-delay extension's payload, nil without it.
	playoutDelay []byte
}

// newBrowser creates the browser. vp8PT, if not 0, makes it offer only VP8 with
// that payload type (Firefox uses 120); otherwise it offers pion's defaults.
func newBrowser(t *testing.T, vp8PT webrtc.PayloadType) *browser {
	t.Helper()
	return newBrowserOn(t, vp8PT, nil)
}

// newBrowserOn is newBrowser on the virtual network n, if not nil, with
// Chrome's interceptors: transport-wide congestion control reports, NACKs
// and receiver reports.
func newBrowserOn(t *testing.T, vp8PT webrtc.PayloadType, n *vnet.Net) *browser {
	t.Helper()
	var me webrtc.MediaEngine
	if vp8PT == 0 {
		if err := me.RegisterDefaultCodecs(); err != nil {
			t.Fatal(err)
		}
		// As Chrome offers it.
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: playoutDelayURI}, webrtc.RTPCodecTypeVideo); err != nil {
			t.Fatal(err)
		}
	} else {
		codec := vp8Codec
		codec.PayloadType = vp8PT
		if err := me.RegisterCodec(codec, webrtc.RTPCodecTypeVideo); err != nil {
			t.Fatal(err)
		}
	}
	var se webrtc.SettingEngine
	loopback(&se)
	opts := []func(*webrtc.API){webrtc.WithMediaEngine(&me)}
	if n != nil {
		se.SetNet(n)
		var ir interceptor.Registry
		if err := webrtc.RegisterDefaultInterceptors(&me, &ir); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, webrtc.WithInterceptorRegistry(&ir))
	}
	api := webrtc.NewAPI(append(opts, webrtc.WithSettingEngine(se))...)
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{
		pc:        pc,
		opened:    make(chan string, 2),
		packets:   make(chan *rtpInfo, 4096),
		trackSSRC: make(chan webrtc.SSRC, 1),
	}
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	if b.input, err = pc.CreateDataChannel(protocol.ChannelInput, nil); err != nil {
		t.Fatal(err)
	}
	unordered, zero := false, uint16(0)
	if b.pointer, err = pc.CreateDataChannel(protocol.ChannelPointer,
		&webrtc.DataChannelInit{Ordered: &unordered, MaxRetransmits: &zero}); err != nil {
		t.Fatal(err)
	}
	for _, dc := range []*webrtc.DataChannel{b.input, b.pointer} {
		dc := dc
		dc.OnOpen(func() { b.opened <- dc.Label() })
	}
	pc.OnTrack(func(track *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
		b.trackSSRC <- track.SSRC()
		var delayID uint8
		for _, e := range r.GetParameters().HeaderExtensions {
			if e.URI == playoutDelayURI {
				delayID = uint8(e.ID)
			}
		}
		b.readers.Add(1)
		go func() {
			defer b.readers.Done()
			for {
				pkt, attr, err := track.ReadRTP()
				if err != nil {
					return
				}
				var vp8 codecs.VP8Packet
				info := &rtpInfo{at: time.Now(), ts: pkt.Timestamp, seq: pkt.SequenceNumber, pt: pkt.PayloadType,
					rtx: attr != nil && attr.Get(webrtc.AttributeRtxSsrc) != nil}
				if delayID != 0 {
					info.playoutDelay = pkt.GetExtension(delayID)
				}
				if _, err := vp8.Unmarshal(pkt.Payload); err == nil {
					// Start of partition 0 and the VP8 frame header's P bit clear.
					info.keyframe = vp8.S == 1 && vp8.PID == 0 && len(vp8.Payload) > 0 && vp8.Payload[0]&0x01 == 0
				}
				select {
				case b.packets <- info:
				default: // the test stopped looking
					b.missed.Add(1)
				}
			}
		}()
	})
	return b
}

func (b *browser) close(t *testing.T) {
	t.Helper()
	if err := b.pc.Close(); err != nil {
		t.Errorf("browser close: %v", err)
	}
	b.readers.Wait()
}

// session is a browser connected to a Peer.
type session struct {
	peer     *Peer
	browser  *browser
	inputs   chan protocol.InputEvent
	states   chan webrtc.PeerConnectionState
	logs     *testLogger
	answered time.Time
	cancel   context.CancelFunc
	signals  sync.WaitGroup
}

// connect creates a Peer with cfg (plus test callbacks) and a browser, and runs
// offer/answer with trickle ICE both ways.
func connect(t *testing.T, cfg Config) *session {
	t.Helper()
	return connectPT(t, cfg, 0)
}

// connectPT is connect with a browser that numbers VP8 vp8PT (see newBrowser).
func connectPT(t *testing.T, cfg Config, vp8PT webrtc.PayloadType) *session {
	t.Helper()
	return connectOn(t, cfg, vp8PT, nil)
}

// connectOn is connectPT with the browser on the virtual network n (see
// newBrowserOn); cfg.settings puts the agent on it.
func connectOn(t *testing.T, cfg Config, vp8PT webrtc.PayloadType, n *vnet.Net) *session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	s := &session{
		inputs: make(chan protocol.InputEvent, 64),
		states: make(chan webrtc.PeerConnectionState, 16),
		cancel: cancel,
	}
	cfg.Logger, s.logs = newTestLogger(t)
	cfg.OnInput = func(ev protocol.InputEvent) { s.inputs <- ev }
	cfg.OnState = func(st webrtc.PeerConnectionState) { s.states <- st }
	agentCands := make(chan webrtc.ICECandidateInit, 64)
	cfg.OnCandidate = func(c webrtc.ICECandidateInit) { agentCands <- c }
	if cfg.settings == nil {
		cfg.settings = loopback
	}

	p, err := New(cfg)
	if err != nil {
		cancel()
		t.Fatalf("New: %v", err)
	}
	s.peer = p
	s.browser = newBrowserOn(t, vp8PT, n)

	// Browser candidates trickle to the agent, possibly before the offer is applied.
	s.browser.pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		if err := p.AddCandidate(c.ToJSON()); err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("AddCandidate: %v", err)
		}
	})
	offer, err := s.browser.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.browser.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	answer, err := p.Answer(ctx, offer)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	s.answered = time.Now()
	t.Logf("Answer took %v", s.answered.Sub(start))
	if answer.Type != webrtc.SDPTypeAnswer || !strings.Contains(answer.SDP, "VP8") {
		t.Fatalf("answer is not a VP8 answer:\n%s", answer.SDP)
	}
	if err := s.browser.pc.SetRemoteDescription(answer); err != nil {
		t.Fatal(err)
	}
	s.signals.Add(1)
	go func() { // agent candidates to the browser, now that it has the answer
		defer s.signals.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case c := <-agentCands:
				if err := s.browser.pc.AddICECandidate(c); err != nil {
					t.Errorf("browser AddICECandidate: %v", err)
				}
			}
		}
	}()
	return s
}

func (s *session) close(t *testing.T) {
	t.Helper()
	start := time.Now()
	if err := s.peer.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	t.Logf("Close took %v", time.Since(start))
	s.cancel()
	s.signals.Wait()
	s.browser.close(t)
}

func waitState(t *testing.T, states <-chan webrtc.PeerConnectionState, want webrtc.PeerConnectionState) {
	t.Helper()
	deadline := time.After(hangGuard)
	for {
		select {
		case st := <-states:
			if st == want {
				return
			}
		case <-deadline:
			t.Fatalf("no %s state within %v", want, hangGuard)
		}
	}
}

func nextInput(t *testing.T, inputs <-chan protocol.InputEvent) protocol.InputEvent {
	t.Helper()
	select {
	case ev := <-inputs:
		return ev
	case <-time.After(hangGuard):
		t.Fatalf("no input event within %v", hangGuard)
		return protocol.InputEvent{}
	}
}

// checkVideo waits for RTP packets and a keyframe, then sends a PLI and waits
// for the keyframe it asks for. Like a browser, it asks for a keyframe (PLI,
// repeated each second) while it has none: the agent's first keyframe may be
// encoded before DTLS is up and be dropped.
func checkVideo(t *testing.T, s *session) {
	t.Helper()
	deadline := time.After(hangGuard)
	var ssrc webrtc.SSRC
	select {
	case ssrc = <-s.browser.trackSSRC:
	case <-deadline:
		t.Fatalf("browser got no video track within %v", hangGuard)
	}
	pli := func() {
		t.Helper()
		err := s.browser.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(ssrc)}})
		if err != nil {
			t.Fatalf("send PLI: %v", err)
		}
	}
	repeat := time.NewTicker(time.Second)
	defer repeat.Stop()
	var n, plis int
	var first, pliAt time.Time
	for keyframes := 0; keyframes < 2; {
		select {
		case pkt := <-s.browser.packets:
			n++
			if n == 1 {
				first = pkt.at
				t.Logf("first RTP packet %v after Answer returned (payload type %d, keyframe %v)",
					first.Sub(s.answered), pkt.pt, pkt.keyframe)
				if !pkt.keyframe {
					pli()
					plis++
				}
			}
			if !pkt.keyframe {
				continue
			}
			keyframes++
			if keyframes == 1 {
				t.Logf("first keyframe %v after Answer returned (%d packets, %d PLIs); sending PLI",
					pkt.at.Sub(s.answered), n, plis)
				pliAt = time.Now()
				pli()
			} else {
				t.Logf("keyframe %v after that PLI", pkt.at.Sub(pliAt))
			}
		case <-repeat.C:
			if keyframes == 0 && n > 0 {
				pli()
				plis++
			}
		case <-deadline:
			t.Fatalf("got %d RTP packets but not 2 keyframes within %v", n, hangGuard)
		}
	}
}

// checkInput sends events on both channels plus a malformed message, and checks
// what reaches OnInput.
func checkInput(t *testing.T, s *session) {
	t.Helper()
	for range 2 {
		select {
		case <-s.browser.opened:
		case <-time.After(hangGuard):
			t.Fatalf("data channels did not open within %v", hangGuard)
		}
	}
	send := func(dc *webrtc.DataChannel, ev protocol.InputEvent) {
		t.Helper()
		b, err := protocol.EncodeInput(ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := dc.Send(b); err != nil {
			t.Fatalf("send on %s: %v", dc.Label(), err)
		}
	}
	key := protocol.InputEvent{Kind: protocol.InputKey, Code: "KeyA", Down: true}
	text := protocol.InputEvent{Kind: protocol.InputText, Text: "héllo"}
	send(s.browser.input, key)
	for _, bad := range [][]byte{[]byte("{not json"), []byte(`{"k":"move","x":7,"y":0}`), bytes.Repeat([]byte(" "), protocol.MaxInputSize+1)} {
		if err := s.browser.input.Send(bad); err != nil {
			t.Fatalf("send malformed: %v", err)
		}
	}
	send(s.browser.input, text)

	if got := nextInput(t, s.inputs); got != key {
		t.Fatalf("first input = %+v, want %+v", got, key)
	}
	if got := nextInput(t, s.inputs); got != text {
		t.Fatalf("second input = %+v, want %+v (malformed messages must be dropped)", got, text)
	}
	if n := len(s.logs.warnings()); n != 3 {
		t.Errorf("got %d warnings for 3 malformed messages: %q", n, s.logs.warnings())
	}

	// The pointer channel is unreliable: resend the move until it arrives.
	move := protocol.InputEvent{Kind: protocol.InputMove, X: 0.25, Y: 0.75}
	deadline := time.After(hangGuard)
	resend := time.NewTicker(100 * time.Millisecond)
	defer resend.Stop()
	send(s.browser.pointer, move)
	for done := false; !done; {
		select {
		case got := <-s.inputs:
			if got != move {
				t.Fatalf("pointer input = %+v, want %+v", got, move)
			}
			done = true
		case <-resend.C:
			send(s.browser.pointer, move)
		case <-deadline:
			t.Fatalf("pointer move did not arrive within %v", hangGuard)
		}
	}
	if st := s.browser.input.ReadyState(); st != webrtc.DataChannelStateOpen {
		t.Errorf("input channel is %s after malformed messages, want open", st)
	}
	if st := s.peer.pc.ConnectionState(); st != webrtc.PeerConnectionStateConnected {
		t.Errorf("connection is %s after malformed messages, want connected", st)
	}
}

// checkNoLeaks waits until the goroutine count is back to base.
func checkNoLeaks(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(leakGuard)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines still running, %d before the test:\n%s", n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSessionWithFakeScreen(t *testing.T) {
	base := runtime.NumGoroutine()
	paths := make(chan protocol.Path, 4)
	s := connect(t, Config{Source: newFakeScreen(30), OnPath: func(p protocol.Path) { paths <- p }})
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	t.Logf("connected %v after Answer returned", time.Since(s.answered))
	select {
	case p := <-paths: // loopback: a direct path between host candidates
		if p.Candidate != "host" || p.RelayProtocol != "" {
			t.Errorf("path %+v, want host", p)
		}
	case <-time.After(hangGuard):
		t.Error("no path reported once connected")
	}
	checkVideo(t, s)
	checkInput(t, s)
	if w, h := s.peer.ScreenSize(); w != fakeWidth || h != fakeHeight {
		t.Errorf("ScreenSize = %d×%d, want %d×%d", w, h, fakeWidth, fakeHeight)
	}
	s.close(t)
	waitState(t, s.states, webrtc.PeerConnectionStateClosed)
	checkNoLeaks(t, base)
}

// A browser that offers the playout-delay extension (Chrome) is told to show
// every frame at once (minimum and maximum 0); one that does not (the
// Firefox-like browser of TestBrowserPayloadType) gets packets without it.
func TestZeroPlayoutDelay(t *testing.T) {
	s := connect(t, Config{Source: newFakeScreen(30)})
	defer s.close(t)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	checkVideo(t, s)
	for range 10 {
		select {
		case pkt := <-s.browser.packets:
			if !bytes.Equal(pkt.playoutDelay, []byte{0, 0, 0}) {
				t.Fatalf("playout delay extension %x, want 000000", pkt.playoutDelay)
			}
		case <-time.After(hangGuard):
			t.Fatalf("no RTP packet within %v", hangGuard)
		}
	}
}

// TestBrowserPayloadType checks packets carry the browser's payload type for VP8:
// mediadevices alone always writes 96.
func TestBrowserPayloadType(t *testing.T) {
	const firefoxVP8 = 120
	s := connectPT(t, Config{Source: newFakeScreen(30)}, firefoxVP8)
	defer s.close(t)
	waitState(t, s.states, webrtc.PeerConnectionStateConnected)
	checkVideo(t, s)
	select {
	case pkt := <-s.browser.packets:
		if pkt.pt != firefoxVP8 {
			t.Errorf("payload type %d, want %d", pkt.pt, firefoxVP8)
		}
		if pkt.playoutDelay != nil {
			t.Errorf("playout delay %x sent to a browser that did not negotiate it", pkt.playoutDelay)
		}
	case <-time.After(hangGuard):
		t.Fatalf("no RTP packet within %v", hangGuard)
	}
}

func TestCloseIsIdempotentAndLeakFree(t *testing.T) {
	base := runtime.NumGoroutine()

	t.Run("before Answer", func(t *testing.T) {
		src := newFakeScreen(30)
		logger, _ := newTestLogger(t)
		p, err := New(Config{Source: src, Logger: logger, OnInput: func(protocol.InputEvent) {}, settings: loopback})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := p.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
		if _, _, err := src.Read(); !errors.Is(err, io.EOF) {
			t.Errorf("source still open after Close: %v", err)
		}
		if _, err := p.Answer(context.Background(), webrtc.SessionDescription{Type: webrtc.SDPTypeOffer}); !errors.Is(err, ErrClosed) {
			t.Errorf("Answer after Close = %v, want ErrClosed", err)
		}
		if err := p.AddCandidate(webrtc.ICECandidateInit{}); !errors.Is(err, ErrClosed) {
			t.Errorf("AddCandidate after Close = %v, want ErrClosed", err)
		}
	})
	t.Run("concurrently while streaming", func(t *testing.T) {
		s := connect(t, Config{Source: newFakeScreen(30)})
		waitState(t, s.states, webrtc.PeerConnectionStateConnected)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if err := s.peer.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
		wg.Wait()
		s.close(t)
	})
	checkNoLeaks(t, base)
}

func TestPeerClosesItselfWhenBrowserGoes(t *testing.T) {
	tests := []struct {
		name  string
		leave func(*browser) error
		want  []webrtc.PeerConnectionState // after Connected
		// mayPass are states allowed on the way to want.
		mayPass map[webrtc.PeerConnectionState]bool
	}{
		{
			name:  "browser closes",
			leave: func(b *browser) error { return b.pc.Close() },
			want:  []webrtc.PeerConnectionState{webrtc.PeerConnectionStateClosed},
			mayPass: map[webrtc.PeerConnectionState]bool{
				webrtc.PeerConnectionStateDisconnected: true,
				webrtc.PeerConnectionStateFailed:       true,
			},
		},
		{
			// ICE stops without DTLS close_notify: like a browser tab killed or a
			// network cut. ICE timeouts are shortened below.
			name:  "browser vanishes",
			leave: func(b *browser) error { return b.pc.SCTP().Transport().ICETransport().Stop() },
			want: []webrtc.PeerConnectionState{
				webrtc.PeerConnectionStateDisconnected,
				webrtc.PeerConnectionStateFailed,
				webrtc.PeerConnectionStateClosed,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			s := connect(t, Config{
				Source: newFakeScreen(30),
				settings: func(se *webrtc.SettingEngine) {
					loopback(se)
					se.SetICETimeouts(500*time.Millisecond, time.Second, 200*time.Millisecond)
				},
			})
			waitState(t, s.states, webrtc.PeerConnectionStateConnected)
			if err := tt.leave(s.browser); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(tt.want); {
				select {
				case got := <-s.states:
					switch {
					case got == tt.want[i]:
						i++
					case tt.mayPass[got]:
						// Under load the shortened ICE timeout can fire before
						// the DTLS close arrives; the peer must still close.
					default:
						t.Fatalf("state %s, want %s", got, tt.want[i])
					}
				case <-time.After(hangGuard):
					t.Fatalf("no %s state within %v", tt.want[i], hangGuard)
				}
			}
			if err := s.peer.AddCandidate(webrtc.ICECandidateInit{}); !errors.Is(err, ErrClosed) {
				t.Errorf("AddCandidate after the browser left = %v, want ErrClosed", err)
			}
			s.close(t)
			select {
			case st := <-s.states:
				t.Errorf("state %s after Closed", st)
			default:
			}
			checkNoLeaks(t, base)
		})
	}
}

func TestConfigAndOfferErrors(t *testing.T) {
	logger, _ := newTestLogger(t)
	if _, err := New(Config{Source: newFakeScreen(30), Logger: logger}); !errors.Is(err, ErrNoInputHandler) {
		t.Errorf("New without OnInput = %v, want ErrNoInputHandler", err)
	}
	p, err := New(Config{Source: newFakeScreen(30), Logger: logger, OnInput: func(protocol.InputEvent) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = p.Answer(context.Background(), webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: "v=0"})
	if !errors.Is(err, ErrNotOffer) {
		t.Errorf("Answer(answer) = %v, want ErrNotOffer", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Answer(ctx, webrtc.SessionDescription{Type: webrtc.SDPTypeOffer}); !errors.Is(err, context.Canceled) {
		t.Errorf("Answer(cancelled ctx) = %v, want context.Canceled", err)
	}
}

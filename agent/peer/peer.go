// Package peer is the customer agent's WebRTC side: it answers the technician's
// offer, streams the desktop as VP8 and hands the technician's input events on.
package peer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/mediadevices"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/congestion"
	"github.com/lifeline-support/lifeline/agent/proxy"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// inputQueueSize bounds the input events waiting for Config.OnInput. At the rate
// a person types and moves a mouse this is seconds of backlog; beyond it events
// are dropped (and logged) rather than blocking pion's data channel reader.
const inputQueueSize = 1024

// Config configures a Peer.
type Config struct {
	// ICEServers are the STUN/TURN servers to gather candidates with.
	ICEServers []webrtc.ICEServer
	// Logger receives the Peer's logs; nil means slog.Default().
	Logger *slog.Logger
	// Proxy, if set, is the customer's HTTP proxy: TURN over TCP and TLS go
	// through it (CONNECT) when it serves the TURN server's address.
	Proxy *proxy.Dialer

	// OnInput is called for every valid input event from either data channel, on a
	// goroutine owned by the Peer (never on pion's), one event at a time, in arrival
	// order. Must not be nil. Invalid messages are logged at Warn and dropped.
	OnInput func(protocol.InputEvent)
	// OnCandidate is called for each local ICE candidate to trickle to the browser,
	// on a goroutine owned by the Peer. The end of gathering is not reported.
	OnCandidate func(webrtc.ICECandidateInit)
	// OnState is called on every PeerConnectionState change, on the same goroutine
	// as OnCandidate. When the connection fails or the browser closes it, the Peer
	// closes itself (stopping capture). PeerConnectionStateClosed is always the
	// last call, exactly once.
	// (pion reports each change on a new goroutine, so two changes a few
	// microseconds apart could in principle arrive swapped; Failed before Closed
	// is guaranteed.)
	OnState func(webrtc.PeerConnectionState)
	// OnPath, if set, is told which path the connection uses each time ICE
	// selects a candidate pair, on the same goroutine as OnCandidate.
	OnPath func(protocol.Path)
	// VideoOff starts the Peer with video off: until SetVideo(true), black
	// frames are sent instead of the screen.
	VideoOff bool
	// OnDataChannel, if set, receives every data channel the browser opens other
	// than input and pointer (chat, file, clipboard...). It is called on pion's
	// goroutine: it must only attach handlers and return.
	OnDataChannel func(*webrtc.DataChannel)

	// BitRate is the target video bit rate in bits per second; 0 means DefaultBitRate.
	BitRate int
	// FrameRate is the capture rate in frames per second; 0 means DefaultFrameRate.
	// It paces the X11 screen capture; a Source paces itself.
	FrameRate float64

	// Source, if non-nil, replaces the X11 screen capture (e.g. a fake screen in
	// tests). Each Read returns the next frame (blocking until it is due) and
	// io.EOF once the source is closed. The Peer owns it and closes it on Close.
	Source mediadevices.VideoSource

	// Monitors are the customer's monitors the technician may pick from (the
	// first is streamed at start); nil means the whole captured screen only.
	// A monitor on X screen 0 is a crop of the capture; one on another X
	// screen needs Grab.
	Monitors []protocol.Monitor
	// Grab captures monitors on other X screens; nil means only screen 0.
	Grab GrabFunc
	// Changes, if set, tells when something was drawn on the X display; while
	// nothing is, the screen is not captured again (see stillReader).
	Changes ChangesFunc
	// Mask, if set, paints over what the technician must not see (the
	// customer's private windows) in every frame, right after its capture
	// (X screen 0) or grab (another X screen): before the encoder or
	// anything else reads it.
	Mask MaskFunc
	// OnMonitor, if set, is told the monitor streamed after the technician
	// switched (input positions follow it). It runs on pion's goroutine and
	// must not block.
	OnMonitor func(protocol.Monitor)

	// settings, if set, adjusts pion's SettingEngine (tests enable loopback).
	settings func(*webrtc.SettingEngine)
}

// Peer is one WebRTC connection to a technician's browser. Create it with New,
// then call Answer with the browser's offer.
//
// Each Peer captures the screen on an X connection and shared memory of its
// own (agent/screen's Capture), opened by New and closed with the Peer.
// (Several technicians on one screen would want one encode fanned out.)
type Peer struct {
	cfg   Config
	log   *slog.Logger
	pc    *webrtc.PeerConnection
	track *videoTrack
	view  *view // quality and monitor: the view data channel
	// cong follows the bandwidth estimate: the encoder's bit rate, frame
	// rate and size, and frames skipped while the network is behind.
	cong *congestion.Controller

	width, height atomic.Int32

	inputs chan protocol.InputEvent
	notes  notifyQueue

	// dials ends the TURN connections being dialled (stopDials, at close).
	dials     context.Context
	stopDials context.CancelFunc

	done     chan struct{} // closed by teardown, after pion and capture stopped
	wg       sync.WaitGroup
	teardown sync.Once
	closeErr error

	mu        sync.Mutex // guards the fields below
	closing   bool
	gate      *gate // lets the screen through only while video is on
	remoteSet bool
	pending   []webrtc.ICECandidateInit // candidates that came before the offer
}

// New creates a Peer, opens the screen (or cfg.Source) and prepares the video
// track. Nothing is sent until Answer.
func New(cfg Config) (*Peer, error) {
	if cfg.OnInput == nil {
		return nil, ErrNoInputHandler
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BitRate <= 0 {
		cfg.BitRate = DefaultBitRate
	}
	if cfg.FrameRate <= 0 {
		cfg.FrameRate = DefaultFrameRate
	}

	p := &Peer{
		cfg:    cfg,
		log:    cfg.Logger,
		inputs: make(chan protocol.InputEvent, inputQueueSize),
		done:   make(chan struct{}),
	}
	p.notes.init()

	p.cong = congestion.New(cfg.Logger, cfg.BitRate, func(l congestion.Limits) {
		if err := p.view.applyBitRate(); err != nil {
			p.log.Debug("peer: bit rate from the bandwidth estimate", "err", err)
		}
		if p.view.linkChanged(l) {
			p.later(p.view.sendLink)
		}
	})
	p.dials, p.stopDials = context.WithCancel(context.Background())
	api, err := newAPI(&cfg, p.cong, p.dials)
	if err != nil {
		_ = p.cong.Close()
		if cfg.Source != nil {
			_ = cfg.Source.Close()
		}
		return nil, err
	}
	p.gate = newGate(!cfg.VideoOff, p.done)
	p.view = newView(&cfg)
	p.view.limits, p.view.skip = p.cong.Limits, p.cong.Skip
	p.view.later = p.later
	track, err := newVideoTrack(&cfg, &p.width, &p.height, p.gate, p.view)
	if err != nil {
		_ = p.cong.Close()
		if cfg.Source != nil {
			_ = cfg.Source.Close()
		}
		return nil, err
	}
	p.track = track
	p.view.setBitRate = encoderBitRate(track)

	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: cfg.ICEServers})
	if err != nil {
		_ = p.cong.Close()
		_ = track.Close()
		return nil, fmt.Errorf("peer: new peer connection: %w", err)
	}
	p.pc = pc
	// mediadevices reads this sender's RTCP itself (PLI/FIR -> keyframe), so
	// nothing else may read it.
	if _, err := pc.AddTrack(track); err != nil {
		_ = pc.Close()
		_ = p.cong.Close()
		_ = track.Close()
		return nil, fmt.Errorf("peer: add video track: %w", err)
	}

	pc.OnICECandidate(p.onICECandidate)
	pc.OnConnectionStateChange(p.onConnectionState)
	pc.OnDataChannel(p.onDataChannel)
	pc.SCTP().Transport().ICETransport().OnSelectedCandidatePairChange(p.onSelectedPair)

	p.wg.Add(3)
	go p.inputLoop()
	go p.notifyLoop()
	go p.linkLoop()
	return p, nil
}

func newAPI(cfg *Config, cong *congestion.Controller, dials context.Context) (*webrtc.API, error) {
	var me webrtc.MediaEngine
	if err := me.RegisterCodec(vp8Codec, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, fmt.Errorf("peer: register VP8: %w", err)
	}
	if err := me.RegisterCodec(rtxCodec, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, fmt.Errorf("peer: register RTX: %w", err)
	}
	// Playout delay 0: the browser shows each frame as soon as it is
	// decoded. Without it Chrome's jitter buffer holds a screen stream
	// (large frames of uneven size) ~270 ms while scrolling, whatever
	// jitterBufferTarget says (that is a minimum, not a maximum).
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: playoutDelayURI}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, fmt.Errorf("peer: register playout delay: %w", err)
	}
	var ir interceptor.Registry
	// NACK responder (retransmissions on the RTX stream when negotiated),
	// RTCP sender reports, stats, TWCC header extension.
	if err := webrtc.RegisterDefaultInterceptors(&me, &ir); err != nil {
		return nil, fmt.Errorf("peer: register interceptors: %w", err)
	}
	// The send-side bandwidth estimate (GCC) and its pacer, then the
	// transport-wide sequence numbers it needs: added after it, that
	// interceptor sees each packet first, so the estimate knows each
	// packet's number when the pacer sends it. The browser's TWCC reports
	// (negotiated by the codec's transport-cc feedback) feed the estimate.
	if err := cong.Register(&ir); err != nil {
		return nil, fmt.Errorf("peer: register congestion control: %w", err)
	}
	if err := webrtc.ConfigureTWCCHeaderExtensionSender(&me, &ir); err != nil {
		return nil, fmt.Errorf("peer: register transport-wide sequence numbers: %w", err)
	}
	var se webrtc.SettingEngine
	// A larger SCTP receive window lets file transfers (agent/files) run at
	// loopback/LAN speed; the default 1 MiB caps them well below.
	se.SetSCTPMaxReceiveBufferSize(8 << 20)
	// Ride out network cuts: ICE says Disconnected after 3 s without answers
	// (checks every second), so the customer is told within seconds that the
	// technician is gone (the console sends RTCP and checks all the time), but
	// fails only 5 minutes later (when the session shows Offline), so the
	// console's ICE restart finds the connection still there when the network
	// comes back. pion's default fails it after 25 s.
	se.SetICETimeouts(3*time.Second, 5*time.Minute, time.Second)
	if d, ok := turnDialer(dials, cfg.Proxy, cfg.ICEServers, cfg.Logger); ok {
		se.SetICEProxyDialer(d)
	}
	if cfg.settings != nil {
		cfg.settings(&se)
	}
	return webrtc.NewAPI(
		webrtc.WithMediaEngine(&me),
		webrtc.WithInterceptorRegistry(&ir),
		webrtc.WithSettingEngine(se),
	), nil
}

// Answer applies the browser's offer and returns the agent's answer. It returns
// as soon as the local description is set; local candidates go to OnCandidate.
func (p *Peer) Answer(ctx context.Context, offer webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	if offer.Type != webrtc.SDPTypeOffer {
		return webrtc.SessionDescription{}, fmt.Errorf("%w: got %q", ErrNotOffer, offer.Type)
	}
	if err := p.checkOpen(ctx); err != nil {
		return webrtc.SessionDescription{}, err
	}
	start := time.Now()
	if err := p.pc.SetRemoteDescription(offer); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("peer: apply offer: %w", err)
	}

	p.mu.Lock()
	p.remoteSet = true
	pending := p.pending
	p.pending = nil
	p.mu.Unlock()
	for _, c := range pending {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Warn("peer: early remote candidate rejected", "candidate", c.Candidate, "err", err)
		}
	}

	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("peer: create answer: %w", err)
	}
	if err := p.checkOpen(ctx); err != nil {
		return webrtc.SessionDescription{}, err
	}
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("peer: set answer: %w", err)
	}
	// The browser's ICE checks wait for this answer: how long it took says
	// much of how long connecting takes.
	p.log.Info("peer: answer ready", "took", time.Since(start).Round(time.Millisecond))
	return answer, nil
}

func (p *Peer) checkOpen(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return ErrClosed
	}
	return nil
}

// AddCandidate adds a remote ICE candidate trickled by the browser. Candidates
// that arrive before the offer are kept and added once Answer applies it.
func (p *Peer) AddCandidate(c webrtc.ICECandidateInit) error {
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return ErrClosed
	}
	if !p.remoteSet {
		p.pending = append(p.pending, c)
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	if err := p.pc.AddICECandidate(c); err != nil {
		return fmt.Errorf("peer: add candidate: %w", err)
	}
	return nil
}

// SetVideo turns sending the screen on or off. While off, the browser receives
// black frames: the connection and its data channels stay up.
func (p *Peer) SetVideo(on bool) { p.gate.set(on) }

// BulkRate is the rate, in bits per second, that bulk data (files) may take
// on this connection now without starving the screen and the input: a
// share of the bandwidth estimate on a slow link, 0 (no limit) on a fast
// one (see congestion.Controller.BulkRate).
func (p *Peer) BulkRate() int { return p.cong.BulkRate() }

// ScreenSize reports the size in pixels of the last captured frame, or 0, 0
// before the first frame.
func (p *Peer) ScreenSize() (width, height int) {
	return int(p.width.Load()), int(p.height.Load())
}

// Close closes the connection, stops capture and encoder, and waits for the
// Peer's goroutines. It is idempotent. It must not be called from inside
// OnInput, OnState or OnCandidate (it would wait for itself); call it with
// `go p.Close()` there, or rely on the Peer closing itself when the
// connection fails.
func (p *Peer) Close() error {
	p.shutdown()
	p.wg.Wait()
	return p.closeErr
}

// shutdown stops pion and capture once; it does not wait for the Peer's goroutines.
func (p *Peer) shutdown() {
	p.teardown.Do(func() {
		p.mu.Lock()
		p.closing = true
		p.mu.Unlock()

		// A TURN server still being dialled would hold pion's close until
		// the dial ends.
		p.stopDials()
		// Closing the PeerConnection stops the sender, which unbinds the track:
		// mediadevices' encode loop finishes its frame, closes the encoder and exits.
		errPC := p.pc.Close()
		_ = p.cong.Close() // pion closed it with the estimator; in case it did not
		// Then close the capture itself (the screen's or cfg.Source).
		errTrack := p.track.Close()
		if p.track.stop != nil {
			p.track.stop()
		}
		p.closeErr = errors.Join(errPC, errTrack)
		// pion reports Closed on a goroutine of its own that may run late; report
		// it here so that it is always the last OnState call.
		p.log.Info("peer: connection state", "state", webrtc.PeerConnectionStateClosed.String())
		if p.cfg.OnState != nil {
			p.notes.push(func() { p.cfg.OnState(webrtc.PeerConnectionStateClosed) })
		}
		close(p.done)
	})
}

func (p *Peer) onICECandidate(c *webrtc.ICECandidate) {
	if c == nil { // gathering complete
		p.log.Debug("peer: ICE gathering complete")
		return
	}
	p.mu.Lock()
	closing := p.closing
	p.mu.Unlock()
	if p.cfg.OnCandidate == nil || closing {
		return
	}
	ci := c.ToJSON()
	p.notes.push(func() { p.cfg.OnCandidate(ci) })
}

// onConnectionState runs on a goroutine pion starts for each change. Changes
// after shutdown began are not passed on: shutdown reports Closed itself, last.
func (p *Peer) onConnectionState(s webrtc.PeerConnectionState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return
	}
	if s != webrtc.PeerConnectionStateClosed { // shutdown reports Closed
		p.log.Info("peer: connection state", "state", s.String())
		if p.cfg.OnState != nil {
			p.notes.push(func() { p.cfg.OnState(s) })
		}
	}
	switch s {
	case webrtc.PeerConnectionStateFailed:
		p.log.Warn("peer: connection failed; closing")
	case webrtc.PeerConnectionStateClosed:
		// Not our Close (closing is false): the browser closed the connection.
		p.log.Info("peer: browser closed the connection; closing")
	default:
		return
	}
	// Stop capture and encoder now. Never close pion from inside its callback.
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.shutdown()
	}()
}

func (p *Peer) onDataChannel(dc *webrtc.DataChannel) {
	label := dc.Label()
	switch label {
	case protocol.ChannelInput, protocol.ChannelPointer:
	case protocol.ChannelView:
		p.view.attach(dc)
		return
	default:
		if p.cfg.OnDataChannel != nil {
			p.cfg.OnDataChannel(dc)
			return
		}
		p.log.Warn("peer: ignoring unknown data channel", "label", label)
		return
	}
	p.log.Debug("peer: data channel", "label", label, "ordered", dc.Ordered())
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		ev, err := protocol.DecodeInput(msg.Data)
		if err != nil {
			p.log.Warn("peer: dropping invalid input message", "channel", label, "size", len(msg.Data), "err", err)
			return
		}
		select {
		case p.inputs <- ev:
		case <-p.done:
		default:
			p.log.Warn("peer: input queue full; dropping event", "channel", label, "kind", string(ev.Kind))
		}
	})
}

// inputLoop delivers input events to OnInput until the Peer closes. Events still
// queued at close are dropped: input must not reach the desktop after Close.
func (p *Peer) inputLoop() {
	defer p.wg.Done()
	for {
		select {
		case <-p.done:
			return
		case ev := <-p.inputs:
			select {
			case <-p.done:
				return
			default:
			}
			p.cfg.OnInput(ev)
		}
	}
}

// notifyLoop runs OnCandidate and OnState calls in order. At close it delivers
// what is queued (so OnState sees Closed) and exits.
func (p *Peer) notifyLoop() {
	defer p.wg.Done()
	for {
		select {
		case <-p.done:
			for _, f := range p.notes.take() {
				f()
			}
			return
		case <-p.notes.wake:
			for _, f := range p.notes.take() {
				f()
			}
		}
	}
}

// notifyQueue is an unbounded FIFO of calls; push never blocks. Its length is
// bounded in practice: a handful of candidates and state changes per connection.
type notifyQueue struct {
	mu    sync.Mutex
	calls []func()
	wake  chan struct{}
}

func (q *notifyQueue) init() { q.wake = make(chan struct{}, 1) }

func (q *notifyQueue) push(f func()) {
	q.mu.Lock()
	q.calls = append(q.calls, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *notifyQueue) take() []func() {
	q.mu.Lock()
	defer q.mu.Unlock()
	calls := q.calls
	q.calls = nil
	return calls
}

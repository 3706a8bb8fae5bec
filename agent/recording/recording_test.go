package recording

import (
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

const hangGuard = 10 * time.Second

// notices records what the customer was told, in order.
type notices struct {
	mu  sync.Mutex
	got []bool
	ch  chan struct{}
}

func (n *notices) add(on bool) {
	n.mu.Lock()
	n.got = append(n.got, on)
	n.mu.Unlock()
	n.ch <- struct{}{}
}

func (n *notices) list() []bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]bool(nil), n.got...)
}

func newAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// connect opens a real recording channel from a "console" peer to r.
func connect(t *testing.T, r *Recording) (*webrtc.DataChannel, chan protocol.RecordingNotice) {
	t.Helper()
	browser, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = browser.Close(); _ = agent.Close() })
	agent.OnDataChannel(func(dc *webrtc.DataChannel) {
		if r.Handles(dc.Label()) {
			r.Attach(dc)
		}
	})
	dc, err := browser.CreateDataChannel(protocol.ChannelRecording, nil)
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan struct{})
	acks := make(chan protocol.RecordingNotice, 8)
	dc.OnOpen(func() { close(opened) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		var n protocol.RecordingNotice
		if err := json.Unmarshal(m.Data, &n); err == nil {
			acks <- n
		}
	})
	offer, _ := browser.CreateOffer(nil)
	gather := webrtc.GatheringCompletePromise(browser)
	_ = browser.SetLocalDescription(offer)
	<-gather
	_ = agent.SetRemoteDescription(*browser.LocalDescription())
	answer, _ := agent.CreateAnswer(nil)
	gather = webrtc.GatheringCompletePromise(agent)
	_ = agent.SetLocalDescription(answer)
	<-gather
	if err := browser.SetRemoteDescription(*agent.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-opened:
	case <-time.After(hangGuard):
		t.Fatal("recording channel did not open")
	}
	return dc, acks
}

func TestTheCustomerIsToldBeforeTheAnswer(t *testing.T) {
	n := &notices{ch: make(chan struct{}, 8)}
	r := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OnNotice: n.add})
	dc, acks := connect(t, r)

	expectAck := func(on bool) {
		t.Helper()
		select {
		case a := <-acks:
			if !a.Ack || a.Recording != on {
				t.Fatalf("answer %+v, want ack of %v", a, on)
			}
		case <-time.After(hangGuard):
			t.Fatal("no answer to the notice")
		}
		// The customer was told before the console got the answer.
		if got := n.list(); len(got) == 0 || got[len(got)-1] != on {
			t.Fatalf("answered before telling the customer: notices %v", got)
		}
	}

	// Invalid notices are neither shown nor answered.
	for _, bad := range []string{`{"rec":"yes"}`, `{"rec":true,"ack":true}`, `{"rec":true,"quiet":true}`} {
		if err := dc.SendText(bad); err != nil {
			t.Fatal(err)
		}
	}
	if err := dc.SendText(`{"rec":true}`); err != nil {
		t.Fatal(err)
	}
	expectAck(true)
	if !r.On() || len(n.list()) != 1 {
		t.Fatalf("on %v, notices %v", r.On(), n.list())
	}
	if err := dc.SendText(`{"rec":false}`); err != nil {
		t.Fatal(err)
	}
	expectAck(false)

	// The connection closing while recording tells the customer it stopped.
	if err := dc.SendText(`{"rec":true}`); err != nil {
		t.Fatal(err)
	}
	expectAck(true)
	_ = dc.Close()
	deadline := time.After(hangGuard)
	for r.On() {
		select {
		case <-n.ch:
		case <-deadline:
			t.Fatal("still recording after the channel closed")
		}
	}
	if got := n.list(); len(got) != 4 || got[3] {
		t.Fatalf("notices %v, want on, off, on, off", got)
	}
}

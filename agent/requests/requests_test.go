package requests

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

func newAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// Requests sent one after another over real pion peers are answered in
// their order, as JSON, even when the first takes longer than the others.
func TestServeAnswersInOrder(t *testing.T) {
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
		Serve(dc, 16, slog.Default(), "test", func(b []byte) any {
			n, _ := strconv.Atoi(string(b))
			if n == 0 {
				time.Sleep(50 * time.Millisecond) // a slow first request
			}
			return map[string]int{"n": n}
		})
	})
	dc, err := browser.CreateDataChannel("test", nil)
	if err != nil {
		t.Fatal(err)
	}
	replies := make(chan int, 16)
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		var r struct{ N int }
		if err := json.Unmarshal(m.Data, &r); err != nil {
			t.Errorf("reply %q: %v", m.Data, err)
		}
		replies <- r.N
	})
	opened := make(chan struct{})
	dc.OnOpen(func() { close(opened) })
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
	case <-time.After(30 * time.Second):
		t.Fatal("the channel did not open")
	}
	for i := range 5 {
		if err := dc.SendText(strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	for want := range 5 {
		select {
		case got := <-replies:
			if got != want {
				t.Fatalf("reply %d answered request %d: out of order", want, got)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no reply to request %d", want)
		}
	}
}

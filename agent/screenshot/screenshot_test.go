package screenshot

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

const hangGuard = 10 * time.Second

func newAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// console is the technician's side of a real screenshot channel.
type console struct {
	dc   *webrtc.DataChannel
	text chan protocol.ScreenshotMessage
	bin  chan []byte
}

func connect(t *testing.T, s *Screenshot) *console {
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
		if s.Handles(dc.Label()) {
			s.Attach(dc)
		}
	})
	c := &console{text: make(chan protocol.ScreenshotMessage, 8), bin: make(chan []byte, 1024)}
	if c.dc, err = browser.CreateDataChannel(protocol.ChannelScreenshot, nil); err != nil {
		t.Fatal(err)
	}
	opened := make(chan struct{})
	c.dc.OnOpen(func() { close(opened) })
	c.dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if !m.IsString {
			c.bin <- append([]byte(nil), m.Data...)
			return
		}
		msg, err := protocol.DecodeScreenshot(m.Data)
		if err != nil {
			t.Errorf("agent sent %s: %v", m.Data, err)
			return
		}
		c.text <- msg
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
		t.Fatal("screenshot channel did not open")
	}
	return c
}

func (c *console) request(t *testing.T, id string) {
	t.Helper()
	b, _ := json.Marshal(protocol.ScreenshotMessage{Kind: protocol.ScreenshotRequest, ID: id})
	if err := c.dc.SendText(string(b)); err != nil {
		t.Fatal(err)
	}
}

func (c *console) next(t *testing.T) protocol.ScreenshotMessage {
	t.Helper()
	select {
	case m := <-c.text:
		return m
	case <-time.After(hangGuard):
		t.Fatal("no answer from the agent")
	}
	return protocol.ScreenshotMessage{}
}

// noisy is an image PNG cannot shrink much, so it needs many chunks.
func noisy(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	x := uint32(1)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x)
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	return img
}

func TestScreenshotIsSentInBoundedChunksOnlyWithTheViewGrant(t *testing.T) {
	want := noisy(400, 300)
	taken := make(chan struct{}, 4)
	s := New(Config{
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Grab:    func() (*image.RGBA, error) { return want, nil },
		OnTaken: func() { taken <- struct{}{} },
	})
	defer s.Close()
	c := connect(t, s)

	c.request(t, "a")
	if m := c.next(t); m.Kind != protocol.ScreenshotError || m.Reason != protocol.ScreenshotNotAllowed || m.ID != "a" {
		t.Fatalf("without the view grant: %+v", m)
	}

	s.SetGrants(protocol.Permissions{View: true})
	c.request(t, "b")
	begin := c.next(t)
	if begin.Kind != protocol.ScreenshotBegin || begin.W != 400 || begin.H != 300 {
		t.Fatalf("begin = %+v", begin)
	}
	end := c.next(t)
	if end.Kind != protocol.ScreenshotEnd || end.ID != "b" {
		t.Fatalf("end = %+v", end)
	}
	var file []byte
	chunks := 0
	for len(c.bin) > 0 {
		b := <-c.bin
		if len(b) > protocol.MaxScreenshotChunk {
			t.Fatalf("chunk of %d bytes", len(b))
		}
		file = append(file, b...)
		chunks++
	}
	if len(file) != begin.Size || chunks < 2 {
		t.Fatalf("got %d bytes in %d chunks, announced %d", len(file), chunks, begin.Size)
	}
	got, err := png.Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []image.Point{{0, 0}, {123, 45}, {399, 299}} {
		r, g, b, _ := got.At(p.X, p.Y).RGBA()
		w := want.RGBAAt(p.X, p.Y)
		if (color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}) != w {
			t.Fatalf("pixel %v differs", p)
		}
	}
	select {
	case <-taken:
	case <-time.After(hangGuard):
		t.Fatal("the customer was not told")
	}
}

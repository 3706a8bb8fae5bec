package e2e

import (
	"regexp"
	"testing"
)

// Issue 17: the agent's answer offered Chromium no RTX, so retransmissions
// of lost packets went on the video's own stream. Now the answer carries
// VP8's RTX payload type and the retransmission stream's SSRC (an FID
// group), and the screen still shows.
func TestChromiumNegotiatesRTXWithTheAgent(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	sdp := Eval[string](t, tech, "the agent's answer", `lifeline.pc.remoteDescription.sdp`)
	vp8 := regexp.MustCompile(`a=rtpmap:(\d+) VP8/90000`).FindStringSubmatch(sdp)
	if vp8 == nil {
		t.Fatalf("no VP8 in the agent's answer:\n%s", sdp)
	}
	if !regexp.MustCompile(`a=fmtp:\d+ apt=` + vp8[1] + `\b`).MatchString(sdp) {
		t.Errorf("no RTX for VP8 (payload type %s) in the agent's answer:\n%s", vp8[1], sdp)
	}
	if !regexp.MustCompile(`a=ssrc-group:FID \d+ \d+`).MatchString(sdp) {
		t.Errorf("no retransmission stream (ssrc-group FID) in the agent's answer:\n%s", sdp)
	}
}

package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ceilingJS sends size bytes between two RTCPeerConnections of one page over
// channels data channels, with the console's chunk size and flow control
// (files.js), and resolves to MB/s. No agent, no video, no hashing: what this
// machine's Chromium moves through data channels at best.
const ceilingJS = `(async (size, channels) => {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const out = [];
  for (let i = 0; i < channels; i++) {
    const d = a.createDataChannel("d" + i);
    d.bufferedAmountLowThreshold = 256 << 10;
    out.push(d);
  }
  let got = 0, arrived;
  const all = new Promise((r) => { arrived = r; });
  b.ondatachannel = (e) => {
    e.channel.binaryType = "arraybuffer";
    e.channel.onmessage = (m) => { got += m.data.byteLength; if (got >= size) arrived(); };
  };
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
  await Promise.all(out.map((d) => new Promise((r) => { d.onopen = r; })));
  const chunk = new Uint8Array(64 << 10);
  const start = performance.now();
  for (let sent = 0, k = 0; sent < size; sent += chunk.length) {
    const d = out[k++ % channels];
    while (d.bufferedAmount > (1 << 20)) await new Promise((r) => { d.onbufferedamountlow = r; });
    d.send(chunk);
  }
  await all;
  const mbps = size / 1e6 / ((performance.now() - start) / 1000);
  a.close(); b.close();
  return mbps;
})`

// browserCeiling measures, in the page of ctx, Chromium sending to itself
// over data channels: the most a file transfer from this machine's browser
// could reach.
func browserCeiling(b *testing.B, ctx context.Context, runs int) []float64 {
	b.Helper()
	var mbps []float64
	for range runs {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		v, err := chromedp.Run(tctx, chromedp.Evaluate[float64](fmt.Sprintf("%s(%d, 4)", ceilingJS, 32<<20), chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			b.Fatalf("browser data channel ceiling: %v", err)
		}
		mbps = append(mbps, v)
	}
	return mbps
}

package congestion

import (
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// Blindness. pion's GCC reads a feedback report only about the last
// feedbackHistory packets sent (its cc.FeedbackAdapter forgets older ones
// and skips their acknowledgements): when more than that are on the way, as
// behind a modem's deep queue (50 kB at 300 kbit/s is 1.3 s, 400 packets
// at 2.5 Mbit/s) once GCC did not react in the queue's first second (a busy
// machine), every report is about packets it forgot. It then hears neither
// the loss nor the delay, holds its estimate for good, and the agent sends
// ten times what the link carries (CI: 2.8 Mbit/s a minute after a
// 300 kbit/s limit, average loss 0). The Controller counts the packets
// sent that no report has covered yet (flight); past BlindAfter it caps
// the rate, halving the cap every recoverEvery, until reports come about
// packets GCC still knows. Then the cap grows at RecoverGain and goes once
// GCC's estimate is under it: GCC, hearing the queue again, has fallen.
const (
	feedbackHistory = 250
	// BlindAfter is how many packets may wait for their report before the
	// rate is capped: under feedbackHistory, by a report's worth.
	BlindAfter = 200
)

// transportCCURI is the transport-wide sequence number's header extension.
const transportCCURI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

// flight counts the packets sent whose transport-wide sequence number no
// feedback report has covered yet.
type flight struct {
	mu           sync.Mutex
	sent, acked  uint16 // the last sent; the last a report covered
	sendSeen     bool
	feedbackSeen bool
}

// unacked returns how many packets sent no report covered, 0 before the
// first report.
func (f *flight) unacked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.sendSeen || !f.feedbackSeen {
		return 0
	}
	return int(int16(f.sent - f.acked))
}

func (f *flight) onSent(seq uint16) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.sendSeen || int16(seq-f.sent) > 0 {
		f.sent, f.sendSeen = seq, true
	}
}

func (f *flight) onFeedback(fb *rtcp.TransportLayerCC) {
	if fb.PacketStatusCount == 0 {
		return
	}
	last := fb.BaseSequenceNumber + fb.PacketStatusCount - 1
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.feedbackSeen || int16(last-f.acked) > 0 {
		f.acked, f.feedbackSeen = last, true
	}
}

// flightFactory makes the interceptor that feeds f: it sees each packet as
// the pacer sends it, and each report as it comes.
type flightFactory struct{ f *flight }

func (ff flightFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &flightInterceptor{f: ff.f}, nil
}

type flightInterceptor struct {
	interceptor.NoOp
	f *flight
}

func (i *flightInterceptor) BindLocalStream(info *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	var id uint8
	for _, e := range info.RTPHeaderExtensions {
		if e.URI == transportCCURI {
			id = uint8(e.ID) //nolint:gosec // header extension IDs are 1 to 255
		}
	}
	if id == 0 {
		return w
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		var ext rtp.TransportCCExtension
		if b := h.GetExtension(id); b != nil && ext.Unmarshal(b) == nil {
			i.f.onSent(ext.TransportSequence)
		}
		return w.Write(h, payload, a)
	})
}

func (i *flightInterceptor) BindRTCPReader(r interceptor.RTCPReader) interceptor.RTCPReader {
	return interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, a, err := r.Read(b, a)
		if err != nil {
			return n, a, err
		}
		if a == nil {
			a = make(interceptor.Attributes)
		}
		pkts, err := a.GetRTCPPackets(b[:n])
		if err != nil {
			return n, a, nil //nolint:nilerr // not ours to refuse: the next reader says
		}
		for _, p := range pkts {
			if fb, ok := p.(*rtcp.TransportLayerCC); ok {
				i.f.onFeedback(fb)
			}
		}
		return n, a, nil
	})
}

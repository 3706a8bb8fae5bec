package peer

import (
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/congestion"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// linkStep is how much the estimate must move, as a share of the last one
// sent, for the console to hear of it; a picture reduced or restored is
// always told.
const linkStep = 0.25

// linkEvery is how often the console hears of the link, news or not (its
// live chart's step), with the pacer's queueing delay since the last time.
const linkEvery = time.Second

// linkState is what the view channel last told the console of the link, and
// where to tell it. Guarded by view.mu, but for sending.
type linkState struct {
	sending sync.Mutex // held through each send, so the last sent is the latest

	dc   *webrtc.DataChannel // the open view channel, nil before
	cur  protocol.Link       // what the estimate allows now
	sent *protocol.Link      // what the console was last told
}

// linkOf describes what limits allow, for the console, with the pacer's
// queueing delay queue.
func linkOf(l congestion.Limits, queue time.Duration) protocol.Link {
	return protocol.Link{
		Kbps:    l.BitRate / 1000,
		Reduced: l.LowRes || l.FPS > 0,
		QueueMs: min(int(queue.Milliseconds()), protocol.MaxLinkQueueMs),
	}
}

// linkChanged records new limits and reports whether the console should
// hear of them (see linkStep).
func (v *view) linkChanged(l congestion.Limits) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.link.cur = linkOf(l, time.Duration(v.link.cur.QueueMs)*time.Millisecond)
	return v.link.dc != nil && v.linkNews()
}

// linkNews reports whether cur differs enough from what was sent. v.mu is
// held.
func (v *view) linkNews() bool {
	s, c := v.link.sent, v.link.cur
	if s == nil || s.Reduced != c.Reduced {
		return true
	}
	d := float64(c.Kbps - s.Kbps)
	return d > linkStep*float64(s.Kbps) || -d > linkStep*float64(s.Kbps)
}

// sendLink tells the console the link as it is now, if that is news.
func (v *view) sendLink() { v.sendLinkIf(false) }

// sendLinkIf tells the console the link as it is now, if that is news or
// always is set.
func (v *view) sendLinkIf(always bool) {
	v.link.sending.Lock()
	defer v.link.sending.Unlock()
	v.mu.Lock()
	dc, cur := v.link.dc, v.link.cur
	if dc == nil || !always && !v.linkNews() {
		v.mu.Unlock()
		return
	}
	v.link.sent = &cur
	v.mu.Unlock()
	b, err := protocol.EncodeView(protocol.ViewMessage{Kind: protocol.ViewLink, Link: &cur})
	if err == nil {
		err = dc.SendText(string(b))
	}
	if err != nil {
		v.log.Debug("peer: send link state", "err", err)
	}
}

// openLink starts telling the console of the link on dc, with what the
// estimate allows now.
func (v *view) openLink(dc *webrtc.DataChannel) {
	if v.limits != nil {
		v.linkChanged(v.limits())
	}
	v.mu.Lock()
	v.link.dc, v.link.sent = dc, nil
	v.mu.Unlock()
	v.sendLink()
}

// linkLoop tells the console of the link every linkEvery, with the longest
// wait of a packet in the pacer since the last time (or the wait a packet
// written now would have, if longer), until the Peer closes.
func (p *Peer) linkLoop() {
	defer p.wg.Done()
	t := time.NewTicker(linkEvery)
	defer t.Stop()
	pacer := p.cong.Pacer()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		queue := max(pacer.Stats().Max, pacer.Delay())
		if queue > congestion.SkipDelay {
			p.log.Debug("peer: video packets waited in the pacer", "longest", queue.Round(time.Millisecond))
		}
		cur := linkOf(p.cong.Limits(), queue)
		p.view.mu.Lock()
		p.view.link.cur = cur
		p.view.mu.Unlock()
		p.view.sendLinkIf(true)
	}
}

// later runs f on the notify goroutine, unless the Peer is closing.
func (p *Peer) later(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closing {
		p.notes.push(f)
	}
}

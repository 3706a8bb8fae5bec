package peer

import (
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// onSelectedPair runs on pion's goroutine when ICE picks a candidate pair; the
// report is built and delivered on the notify goroutine (GetStats must not run
// inside pion's callback).
func (p *Peer) onSelectedPair(pair *webrtc.ICECandidatePair) {
	if pair == nil || pair.Local == nil || p.cfg.OnPath == nil {
		return
	}
	local := *pair.Local
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return
	}
	p.notes.push(func() {
		path := pathOf(local, p.pc.GetStats())
		p.log.Info("peer: connection path", "candidate", path.Candidate, "relayProtocol", path.RelayProtocol, "address", local.Address)
		p.cfg.OnPath(path)
	})
}

// pathOf describes the local candidate of the selected pair; for a relay it
// finds how the agent reaches its TURN server in the stats report.
func pathOf(local webrtc.ICECandidate, stats webrtc.StatsReport) protocol.Path {
	path := protocol.Path{Candidate: local.Typ.String()}
	if local.Typ != webrtc.ICECandidateTypeRelay {
		return path
	}
	path.RelayProtocol = "udp"
	for _, s := range stats {
		c, ok := s.(webrtc.ICECandidateStats)
		if ok && c.Type == webrtc.StatsTypeLocalCandidate && c.CandidateType == webrtc.ICECandidateTypeRelay &&
			c.IP == local.Address && int(c.Port) == int(local.Port) && c.RelayProtocol != "" {
			path.RelayProtocol = c.RelayProtocol
		}
	}
	return path
}

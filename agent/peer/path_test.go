package peer

import (
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

func TestPathOf(t *testing.T) {
	relay := webrtc.ICECandidate{Typ: webrtc.ICECandidateTypeRelay, Address: "198.51.100.7", Port: 50000}
	stats := webrtc.StatsReport{
		"other": webrtc.ICECandidateStats{Type: webrtc.StatsTypeLocalCandidate, CandidateType: webrtc.ICECandidateTypeRelay, IP: "198.51.100.7", Port: 50001, RelayProtocol: "udp"},
		"mine":  webrtc.ICECandidateStats{Type: webrtc.StatsTypeLocalCandidate, CandidateType: webrtc.ICECandidateTypeRelay, IP: "198.51.100.7", Port: 50000, RelayProtocol: "tcp"},
	}
	tests := []struct {
		name  string
		local webrtc.ICECandidate
		stats webrtc.StatsReport
		want  protocol.Path
	}{
		{"host", webrtc.ICECandidate{Typ: webrtc.ICECandidateTypeHost}, nil, protocol.Path{Candidate: "host"}},
		{"server reflexive", webrtc.ICECandidate{Typ: webrtc.ICECandidateTypeSrflx}, nil, protocol.Path{Candidate: "srflx"}},
		{"relay over tcp", relay, stats, protocol.Path{Candidate: "relay", RelayProtocol: "tcp"}},
		{"relay without stats", relay, nil, protocol.Path{Candidate: "relay", RelayProtocol: "udp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pathOf(tt.local, tt.stats); got != tt.want {
				t.Fatalf("pathOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

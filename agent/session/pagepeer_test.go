package session

import (
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The agent refuses the technician's screen and voice to a group that does
// not allow them, whatever the server passed on (agent.welcome's denied).
func TestPageSignalsTheGroupDenies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		denied []string
		p      protocol.PageSignal
		want   bool
	}{
		{"share allowed", nil, protocol.PageSignal{Kind: protocol.PageShare, On: true}, true},
		{"share denied", []string{protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageShare, On: true}, false},
		{"screen offer denied", []string{protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageOffer, Screen: true}, false},
		{"voice offer, screen denied", []string{protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageOffer, Voice: true}, true},
		{"call denied", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageCall, On: true}, false},
		{"mute denied", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageMute, On: true}, false},
		{"screen and voice offer, voice denied", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageOffer, Screen: true, Voice: true}, false},
		{"candidate with one allowed", []string{protocol.DeniedVoice}, protocol.PageSignal{Kind: protocol.PageCandidate}, true},
		{"candidate with both denied", []string{protocol.DeniedVoice, protocol.DeniedShowScreen}, protocol.PageSignal{Kind: protocol.PageCandidate}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &runner{denied: map[string]bool{}}
			for _, d := range tc.denied {
				s.denied[d] = true
			}
			if got := s.pageAllowed(&tc.p); got != tc.want {
				t.Errorf("pageAllowed = %v, want %v", got, tc.want)
			}
		})
	}
}

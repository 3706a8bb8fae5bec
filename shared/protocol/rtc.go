package protocol

import (
	"fmt"

	"github.com/pion/webrtc/v4"
)

// Connection-path messages (added 2026-11-22, additive to version 1).
const (
	// TypeRTCConfig (server → console) hands the console the ICE servers, with
	// TURN credentials for one session, in reply to session.open.
	TypeRTCConfig Type = "rtc.config"
	// TypePath (agent → console) tells which path the agent's side of the
	// connection uses, so the console can say "relayed via TCP".
	TypePath Type = "rtc.path"
)

// RTCConfig is the payload of TypeRTCConfig.
type RTCConfig struct {
	ICEServers []webrtc.ICEServer `json:"iceServers"`
}

// Path is the payload of TypePath: the agent's local candidate of the selected
// candidate pair.
type Path struct {
	// Candidate is the candidate type: host, srflx, prflx or relay.
	Candidate string `json:"candidate"`
	// RelayProtocol is how the agent reaches its TURN server (udp, tcp, tls)
	// when Candidate is relay.
	RelayProtocol string `json:"relayProtocol,omitempty"`
}

func (p *Path) validate() error {
	switch p.Candidate {
	case "host", "srflx", "prflx", "relay":
	default:
		return fmt.Errorf("unknown candidate type %q", p.Candidate)
	}
	switch p.RelayProtocol {
	case "", "udp", "tcp", "tls", "dtls":
		return nil
	}
	return fmt.Errorf("unknown relay protocol %q", p.RelayProtocol)
}

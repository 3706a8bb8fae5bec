package e2e

import (
	"net"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/netns"
)

// A customer whose office lets out only TCP to port 443 still gets a session,
// relayed through TURN over TLS on 443, as a real deployment does it:
// signaling's HTTPS on 443 of one address, the TURN server on an address of
// its own (turn.example.com) with TLS on 443 beside UDP/TCP 3478. The agent
// checks both certificates against the authority it trusts.
func TestTURNOverTLSOn443(t *testing.T) {
	nat := netns.NewNAT(t, netns.HTTPSOnly)
	ip := nat.Server.String()
	turnIP := nat.AddServerAddress(t).String()
	cert := NewTestCert(t, nat.Server, net.ParseIP(turnIP))
	stack := StartWith(t, Options{TestCA: cert.CAFile, SignalingArgs: []string{
		"--addr", ip + ":443", "--tls-cert", cert.CertFile, "--tls-key", cert.KeyFile,
		"--turn-host", turnIP, "--turn-listen", turnIP + ":3478",
		"--turn-tls-listen", turnIP + ":443", "--turn-cert", cert.CertFile, "--turn-key", cert.KeyFile,
		"--turn-allow-peer", testPeers + ",10.0.0.0/8"}})
	stack.AgentEnv = append(stack.AgentEnv, "SSL_CERT_FILE="+cert.CAFile)
	stack.Behind(nat.Customer)
	tech := stack.Technician(t)
	connectThrough(t, stack, tech, "HTTPS Only Office", "relayed-tls")
}

package e2e

import (
	"net/url"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/netns"
)

// Behind runs the stack's agents in the customer's namespace ns (behind a
// NAT router, or an impaired link) and opens their local pages through a
// forward. Xvfb stays on this machine: its socket is reachable from there.
func (s *Stack) Behind(ns *netns.NS) {
	s.AgentCommand = ns.Command
	s.PageURL = func(t testing.TB, page string) string {
		u, err := url.Parse(page)
		if err != nil {
			t.Fatal(err)
		}
		ns.Forward(t, u.Host)
		return page
	}
}

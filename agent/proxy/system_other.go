//go:build !windows

package proxy

import "golang.org/x/net/http/httpproxy"

// system has nothing beyond the environment outside Windows: desktops
// there export their proxy setting as HTTPS_PROXY and NO_PROXY.
func system() (httpproxy.Config, bool) { return httpproxy.Config{}, false }

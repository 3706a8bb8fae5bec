package proxy

import (
	"golang.org/x/net/http/httpproxy"
	"golang.org/x/sys/windows/registry"
)

// system reads the current user's WinINET proxy setting (what Internet
// Options and the Settings app write; WinHTTP's own is usually imported
// from it).
func system() (httpproxy.Config, bool) {
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Internet Settings`, registry.QUERY_VALUE)
	if err != nil {
		return httpproxy.Config{}, false
	}
	defer k.Close()
	enable, _, _ := k.GetIntegerValue("ProxyEnable")
	server, _, _ := k.GetStringValue("ProxyServer")
	override, _, _ := k.GetStringValue("ProxyOverride")
	return parseWinINET(uint32(enable), server, override)
}

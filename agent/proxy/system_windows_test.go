package proxy

import (
	"testing"

	"golang.org/x/sys/windows/registry"
)

// The user's Internet Options proxy, as Windows keeps it, is found when the
// environment names none (run under Wine by e2e/wine). The values it had
// before are put back.
func TestSystemReadsInternetSettings(t *testing.T) {
	const path = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.QUERY_VALUE|registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	enable, _, errEnable := k.GetIntegerValue("ProxyEnable")
	t.Cleanup(func() {
		if errEnable == nil {
			_ = k.SetDWordValue("ProxyEnable", uint32(enable))
		} else {
			_ = k.DeleteValue("ProxyEnable")
		}
	})
	for _, name := range []string{"ProxyServer", "ProxyOverride"} {
		old, _, err := k.GetStringValue(name)
		t.Cleanup(func() {
			if err == nil {
				_ = k.SetStringValue(name, old)
			} else {
				_ = k.DeleteValue(name)
			}
		})
	}
	if err := k.SetDWordValue("ProxyEnable", 1); err != nil {
		t.Fatal(err)
	}
	if err := k.SetStringValue("ProxyServer", "http=p1.corp:80;https=p2.corp:3128"); err != nil {
		t.Fatal(err)
	}
	if err := k.SetStringValue("ProxyOverride", "<local>;*.intra.corp"); err != nil {
		t.Fatal(err)
	}
	d, err := New(Settings{Env: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{"support.example.com:443": "p2.corp:3128", "wiki.intra.corp:443": ""} {
		u, err := d.For(addr)
		got := ""
		if u != nil {
			got = u.Host
		}
		if err != nil || got != want {
			t.Errorf("proxy for %s: %q, %v; want %q", addr, got, err, want)
		}
	}
	if err := k.SetDWordValue("ProxyEnable", 0); err != nil {
		t.Fatal(err)
	}
	d, _ = New(Settings{Env: func(string) string { return "" }})
	if u, _ := d.For("support.example.com:443"); u != nil {
		t.Errorf("proxy turned off in Windows, still used: %s", u)
	}
}

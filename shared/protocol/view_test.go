package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeView(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"quality", `{"k":"quality","q":"low","m":0}`, nil},
		{"monitor", `{"k":"monitor","m":1}`, nil},
		{"state", `{"k":"state","q":"auto","m":1,"monitors":[{"s":0,"x":0,"y":0,"w":1280,"h":720},{"s":1,"x":0,"y":0,"w":800,"h":600}]}`, nil},
		{"unknown quality", `{"k":"quality","q":"ultra","m":0}`, ErrMalformed},
		{"negative monitor", `{"k":"monitor","m":-1}`, ErrMalformed},
		{"monitor out of range", `{"k":"monitor","m":16}`, ErrMalformed},
		{"state without monitors", `{"k":"state","q":"auto","m":0}`, ErrMalformed},
		{"state pointing past its list", `{"k":"state","q":"auto","m":1,"monitors":[{"s":0,"x":0,"y":0,"w":10,"h":10}]}`, ErrMalformed},
		{"empty monitor", `{"k":"state","q":"auto","m":0,"monitors":[{"s":0,"x":0,"y":0,"w":0,"h":10}]}`, ErrMalformed},
		{"monitors in a request", `{"k":"monitor","m":0,"monitors":[{"s":0,"x":0,"y":0,"w":10,"h":10}]}`, ErrMalformed},
		{"link", `{"k":"link","m":0,"link":{"kbps":850,"reduced":true}}`, nil},
		{"link without its numbers", `{"k":"link","m":0}`, ErrMalformed},
		{"link numbers in a request", `{"k":"monitor","m":0,"link":{"kbps":850,"reduced":false}}`, ErrMalformed},
		{"negative estimate", `{"k":"link","m":0,"link":{"kbps":-1,"reduced":false}}`, ErrMalformed},
		{"estimate beyond any link", `{"k":"link","m":0,"link":{"kbps":10000001,"reduced":false}}`, ErrMalformed},
		{"link with its queueing delay", `{"k":"link","m":0,"link":{"kbps":850,"reduced":false,"queueMs":42}}`, nil},
		{"negative queueing delay", `{"k":"link","m":0,"link":{"kbps":850,"reduced":false,"queueMs":-1}}`, ErrMalformed},
		{"queueing delay beyond a minute", `{"k":"link","m":0,"link":{"kbps":850,"reduced":false,"queueMs":60001}}`, ErrMalformed},
		{"screen locked", `{"k":"screen","m":0,"blocked":"locked"}`, nil},
		{"screen secure desktop", `{"k":"screen","m":0,"blocked":"secure"}`, nil},
		{"screen readable again", `{"k":"screen","m":0}`, nil},
		{"screen blocked for an unknown reason", `{"k":"screen","m":0,"blocked":"asleep"}`, ErrMalformed},
		{"blocked in a state message", `{"k":"state","q":"auto","m":0,"blocked":"locked","monitors":[{"s":0,"x":0,"y":0,"w":10,"h":10}]}`, ErrMalformed},
		{"quality in a screen message", `{"k":"screen","q":"low","m":0}`, ErrMalformed},
		{"unknown kind", `{"k":"zoom","m":0}`, ErrMalformed},
		{"unknown field", `{"k":"monitor","m":0,"x":1}`, ErrMalformed},
		{"too large", `{"k":"monitor","m":0,"pad":"` + strings.Repeat("x", MaxViewSize) + `"}`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeView([]byte(tt.in))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("DecodeView(%s) error = %v, want %v", tt.in, err, tt.wantErr)
			}
		})
	}
}

func FuzzDecodeView(f *testing.F) {
	f.Add([]byte(`{"k":"quality","q":"low","m":0}`))
	f.Add([]byte(`{"k":"monitor","m":1}`))
	f.Add([]byte(`{"k":"state","q":"auto","m":0,"monitors":[{"s":0,"x":0,"y":0,"w":1280,"h":720}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeView(data)
		if err != nil {
			return
		}
		if m.Monitor < 0 || m.Monitor >= MaxMonitors {
			t.Fatalf("accepted monitor %d", m.Monitor)
		}
		b, err := EncodeView(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeView(b); err != nil {
			t.Fatalf("re-decode %s: %v", b, err)
		}
	})
}

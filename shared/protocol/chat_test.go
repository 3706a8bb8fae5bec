package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeChat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"text", `{"k":"text","id":"1","at":1,"text":"<b>hi</b>"}`, nil},
		{"url", `{"k":"url","id":"2","at":1,"url":"https://example.com/a?b=c"}`, nil},
		{"event", `{"k":"event","id":"3","at":1,"event":"link_opened","text":"https://example.com"}`, nil},
		{"empty text", `{"k":"text","id":"1","at":1,"text":"  "}`, ErrMalformed},
		{"javascript url", `{"k":"url","id":"1","at":1,"url":"javascript:alert(1)"}`, ErrBadURL},
		{"file url", `{"k":"url","id":"1","at":1,"url":"file:///etc/passwd"}`, ErrBadURL},
		{"url with quote", `{"k":"url","id":"1","at":1,"url":"https://x.example/\"onmouseover"}`, ErrBadURL},
		{"url with credentials", `{"k":"url","id":"1","at":1,"url":"https://user:pw@x.example/"}`, ErrBadURL},
		{"no id", `{"k":"text","at":1,"text":"hi"}`, ErrMalformed},
		{"unknown kind", `{"k":"shout","id":"1","at":1,"text":"hi"}`, ErrMalformed},
		{"too long", `{"k":"text","id":"1","at":1,"text":"` + strings.Repeat("a", MaxChatText+1) + `"}`, ErrTooLarge},
		{"unknown field", `{"k":"text","id":"1","at":1,"text":"hi","html":"<b>"}`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeChat([]byte(tt.in)); !errors.Is(err, tt.wantErr) {
				t.Fatalf("DecodeChat error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestDecodeClipboard(t *testing.T) {
	if _, err := DecodeClipboard([]byte(`{"id":"c1","seq":0,"last":true,"text":"é€"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`{"id":"","seq":0,"text":"x"}`,
		`{"id":"c","seq":-1,"text":"x"}`,
		`{"id":"c","seq":9999,"text":"x"}`,
		`{"id":"c","seq":0,"text":"` + strings.Repeat("a", MaxClipboardChunk+1) + `"}`,
	} {
		if _, err := DecodeClipboard([]byte(bad)); err == nil {
			t.Errorf("DecodeClipboard accepted %.60s", bad)
		}
	}
}

func FuzzDecodeChat(f *testing.F) {
	f.Add([]byte(`{"k":"text","id":"1","at":1,"text":"hi"}`))
	f.Add([]byte(`{"k":"url","id":"2","at":1,"url":"https://example.com"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeChat(data)
		if err != nil {
			return
		}
		if m.Kind == ChatURL && CheckURL(m.URL) != nil {
			t.Fatalf("accepted a bad URL %q", m.URL)
		}
		if len(m.Text) > MaxChatText {
			t.Fatalf("accepted %d bytes of text", len(m.Text))
		}
	})
}

func FuzzDecodeClipboard(f *testing.F) {
	f.Add([]byte(`{"id":"c1","seq":0,"last":true,"text":"hello"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeClipboard(data)
		if err == nil && len(c.Text) > MaxClipboardChunk {
			t.Fatalf("accepted a chunk of %d bytes", len(c.Text))
		}
	})
}

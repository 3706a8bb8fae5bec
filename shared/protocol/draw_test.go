package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeDraw(t *testing.T) {
	many := strings.TrimSuffix(strings.Repeat("0.5,", 2*MaxDrawPoints+2), ",")
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"stroke", `{"k":"stroke","id":"s1","c":"#ff0000","w":4,"p":[0,0,0.5,0.5,1,1]}`, nil},
		{"clear", `{"k":"clear"}`, nil},
		{"laser", `{"k":"laser","x":0.25,"y":1}`, nil},
		{"laser off", `{"k":"laser_off"}`, nil},
		{"no id", `{"k":"stroke","c":"#ff0000","w":4,"p":[0,0]}`, ErrMalformed},
		{"named colour", `{"k":"stroke","id":"s","c":"red","w":4,"p":[0,0]}`, ErrMalformed},
		{"css injection", `{"k":"stroke","id":"s","c":"#ff0000;x","w":4,"p":[0,0]}`, ErrMalformed},
		{"width 0", `{"k":"stroke","id":"s","c":"#ff0000","w":0,"p":[0,0]}`, ErrMalformed},
		{"width 33", `{"k":"stroke","id":"s","c":"#ff0000","w":33,"p":[0,0]}`, ErrMalformed},
		{"odd coordinates", `{"k":"stroke","id":"s","c":"#ff0000","w":4,"p":[0,0,1]}`, ErrMalformed},
		{"no points", `{"k":"stroke","id":"s","c":"#ff0000","w":4,"p":[]}`, ErrMalformed},
		{"off screen", `{"k":"stroke","id":"s","c":"#ff0000","w":4,"p":[0,1.5]}`, ErrMalformed},
		{"negative", `{"k":"stroke","id":"s","c":"#ff0000","w":4,"p":[-0.1,0]}`, ErrMalformed},
		{"too many points", `{"k":"stroke","id":"s","c":"#ff0000","w":4,"p":[` + many + `]}`, ErrTooLarge},
		{"laser off screen", `{"k":"laser","x":2,"y":0}`, ErrMalformed},
		{"unknown kind", `{"k":"erase"}`, ErrMalformed},
		{"unknown field", `{"k":"clear","all":true}`, ErrMalformed},
		{"huge", `{"k":"clear","id":"` + strings.Repeat("a", MaxDrawMessage) + `"}`, ErrTooLarge},
		{"not json", `stroke`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeDraw([]byte(tt.in)); !errors.Is(err, tt.wantErr) {
				t.Fatalf("DecodeDraw error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestDecodeScreenshot(t *testing.T) {
	for _, ok := range []string{
		`{"k":"request","id":"1"}`,
		`{"k":"begin","id":"1","size":1000,"w":1280,"h":720}`,
		`{"k":"end","id":"1"}`,
		`{"k":"error","id":"1","reason":"not_allowed"}`,
	} {
		if _, err := DecodeScreenshot([]byte(ok)); err != nil {
			t.Errorf("DecodeScreenshot(%s) = %v", ok, err)
		}
	}
	for _, bad := range []string{
		`{"k":"request"}`,
		`{"k":"begin","id":"1","size":0,"w":1,"h":1}`,
		`{"k":"begin","id":"1","size":1,"w":0,"h":1}`,
		`{"k":"begin","id":"1","size":999999999999,"w":1,"h":1}`,
		`{"k":"error","id":"1","reason":"<b>"}`,
		`{"k":"print","id":"1"}`,
		`{"k":"request","id":"1","path":"/etc"}`,
	} {
		if _, err := DecodeScreenshot([]byte(bad)); err == nil {
			t.Errorf("DecodeScreenshot accepted %s", bad)
		}
	}
}

func TestDecodeRecording(t *testing.T) {
	n, err := DecodeRecording([]byte(`{"rec":true}`))
	if err != nil || !n.Recording || n.Ack {
		t.Fatalf("DecodeRecording = %+v, %v", n, err)
	}
	for _, bad := range []string{`{"rec":"yes"}`, `{"rec":true,"silent":true}`, `[]`, ``} {
		if _, err := DecodeRecording([]byte(bad)); err == nil {
			t.Errorf("DecodeRecording accepted %q", bad)
		}
	}
}

func FuzzDecodeDraw(f *testing.F) {
	f.Add([]byte(`{"k":"stroke","id":"s1","c":"#ff0000","w":4,"p":[0,0,0.5,0.5]}`))
	f.Add([]byte(`{"k":"laser","x":0.5,"y":0.5}`))
	f.Add([]byte(`{"k":"clear"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeDraw(data)
		if err != nil {
			return
		}
		if len(m.Points) > 2*MaxDrawPoints || len(m.Points)%2 != 0 {
			t.Fatalf("accepted %d coordinates", len(m.Points))
		}
		for _, v := range append(m.Points, m.X, m.Y) {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("accepted coordinate %v", v)
			}
		}
		if m.Kind == DrawStroke && (m.Width < MinStrokeWidth || m.Width > MaxStrokeWidth || !colorRE.MatchString(m.Color)) {
			t.Fatalf("accepted stroke %+v", m)
		}
	})
}

func FuzzDecodeScreenshot(f *testing.F) {
	f.Add([]byte(`{"k":"request","id":"1"}`))
	f.Add([]byte(`{"k":"begin","id":"1","size":10,"w":2,"h":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeScreenshot(data)
		if err == nil && (m.Size < 0 || m.Size > MaxScreenshot) {
			t.Fatalf("accepted size %d", m.Size)
		}
	})
}

package protocol

import (
	"errors"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Type
		wantErr error
	}{
		{"hello with code", `{"v":1,"type":"agent.hello","id":"1","payload":{"code":"abc","os":"linux"}}`, TypeAgentHello, nil},
		{"hello with pin", `{"v":1,"type":"agent.hello","payload":{"pin":"123456"}}`, TypeAgentHello, nil},
		{"hello without code or pin", `{"v":1,"type":"agent.hello","payload":{}}`, "", ErrMalformed},
		{"hello with short pin", `{"v":1,"type":"agent.hello","payload":{"pin":"12345"}}`, "", ErrMalformed},
		{"hello with letters in pin", `{"v":1,"type":"agent.hello","payload":{"pin":"12345a"}}`, "", ErrMalformed},
		{"offer", `{"v":1,"type":"rtc.offer","sid":"s","payload":{"type":"offer","sdp":"v=0"}}`, TypeOffer, nil},
		{"hello resuming", `{"v":1,"type":"agent.hello","payload":{"sid":"s","secret":"x","deviceId":"d"}}`, TypeAgentHello, nil},
		{"hello resuming without secret", `{"v":1,"type":"agent.hello","payload":{"sid":"s"}}`, "", ErrMalformed},
		{"hello with code and resume", `{"v":1,"type":"agent.hello","payload":{"code":"c","sid":"s","secret":"x"}}`, "", ErrMalformed},
		{"ice restart offer", `{"v":1,"type":"rtc.offer","sid":"s","payload":{"type":"offer","sdp":"v=0","restart":true}}`, TypeOffer, nil},
		{"start", `{"v":1,"type":"session.start","sid":"s","payload":{}}`, TypeSessionStart, nil},
		{"hold", `{"v":1,"type":"session.hold","sid":"s","payload":{"on":true}}`, TypeSessionHold, nil},
		{"callback with a message", `{"v":1,"type":"session.callback","sid":"s","payload":{"message":"Call me at noon.\nThanks"}}`, TypeSessionCallback, nil},
		{"callback message too long", `{"v":1,"type":"session.callback","sid":"s","payload":{"message":"` + strings.Repeat("é", MaxCallbackMessage+1) + `"}}`, "", ErrMalformed},
		{"callback message with a bidi override", `{"v":1,"type":"session.callback","sid":"s","payload":{"message":"a\u202eb"}}`, "", ErrMalformed},
		{"transfer with comment", `{"v":1,"type":"session.transfer","sid":"s","payload":{"to":"claire","comment":"printer"}}`, TypeSessionTransfer, nil},
		{"transfer cancel", `{"v":1,"type":"session.transfer","sid":"s","payload":{"cancel":true}}`, TypeSessionTransfer, nil},
		{"transfer to nobody", `{"v":1,"type":"session.transfer","sid":"s","payload":{"comment":"x"}}`, "", ErrMalformed},
		{"transfer cancel naming someone", `{"v":1,"type":"session.transfer","sid":"s","payload":{"cancel":true,"to":"claire"}}`, "", ErrMalformed},
		{"transfer comment with a bidi override", `{"v":1,"type":"session.transfer","sid":"s","payload":{"to":"claire","comment":"see invoice\u202efdp.exe"}}`, "", ErrMalformed},
		{"transfer comment on two lines", `{"v":1,"type":"session.transfer","sid":"s","payload":{"to":"claire","comment":"printer\nthird floor"}}`, TypeSessionTransfer, nil},
		{"transfer comment too long", `{"v":1,"type":"session.transfer","sid":"s","payload":{"to":"claire","comment":"` + strings.Repeat("é", MaxTransferComment+1) + `"}}`, "", ErrMalformed},
		{"answer typed as offer", `{"v":1,"type":"rtc.answer","payload":{"type":"offer","sdp":"v=0"}}`, "", ErrMalformed},
		{"candidate", `{"v":1,"type":"rtc.candidate","payload":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0"}}`, TypeCandidate, nil},
		{"path relayed via tcp", `{"v":1,"type":"rtc.path","sid":"s","payload":{"candidate":"relay","relayProtocol":"tcp"}}`, TypePath, nil},
		{"path with unknown candidate type", `{"v":1,"type":"rtc.path","payload":{"candidate":"teleport"}}`, "", ErrMalformed},
		{"path with unknown relay protocol", `{"v":1,"type":"rtc.path","payload":{"candidate":"relay","relayProtocol":"smoke"}}`, "", ErrMalformed},
		{"rtc config", `{"v":1,"type":"rtc.config","payload":{"iceServers":[{"urls":["stun:x:3478"]}]}}`, TypeRTCConfig, nil},
		{"session open without payload", `{"v":1,"type":"session.open","sid":"s"}`, TypeSessionOpen, nil},
		{"end by customer", `{"v":1,"type":"session.end","payload":{"reason":"customer"}}`, TypeSessionEnd, nil},
		{"end with unknown reason", `{"v":1,"type":"session.end","payload":{"reason":"aliens"}}`, "", ErrMalformed},
		{"permission request naming who asks", `{"v":1,"type":"permission.request","payload":{"permission":"clipboard","tech":"bob","name":"Bob"}}`, TypePermissionRequest, nil},
		{"permission request with a too long requester", `{"v":1,"type":"permission.request","payload":{"permission":"clipboard","tech":"bob","name":"` + strings.Repeat("b", 201) + `"}}`, "", ErrMalformed},
		{"unknown permission", `{"v":1,"type":"permission.request","payload":{"permission":"root"}}`, "", ErrMalformed},
		{"unknown type", `{"v":1,"type":"nope"}`, "", ErrUnknownType},
		{"wrong version", `{"v":2,"type":"session.open"}`, "", ErrVersion},
		{"unknown envelope field", `{"v":1,"type":"session.open","extra":1}`, "", ErrMalformed},
		{"unknown payload field", `{"v":1,"type":"session.end","payload":{"reason":"customer","x":1}}`, "", ErrMalformed},
		{"trailing data", `{"v":1,"type":"session.open"} {}`, "", ErrMalformed},
		{"not json", `hello`, "", ErrMalformed},
		{"empty", ``, "", ErrMalformed},
		{"too large", `{"v":1,"type":"rtc.offer","payload":{"type":"offer","sdp":"` + strings.Repeat("x", MaxMessageSize) + `"}}`, "", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.in))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decode error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (m.Type != tt.want || m.Body == nil) {
				t.Fatalf("Decode = %s %T", m.Type, m.Body)
			}
		})
	}
}

func TestDecodeKeepsIDOfRefusedMessage(t *testing.T) {
	m, err := Decode([]byte(`{"v":1,"type":"nope","id":"42"}`))
	if err == nil || m.ID != "42" || CodeOf(err) != CodeUnknownType {
		t.Fatalf("id %q code %s err %v", m.ID, CodeOf(err), err)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	b, err := Encode(TypeAnswer, "7", "sid", Answer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: "v=0"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if a := m.Body.(*Answer); a.SDP != "v=0" || m.SID != "sid" || m.ID != "7" {
		t.Fatalf("round trip = %+v", m)
	}
}

func TestDecodeInput(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"move", `{"k":"move","x":0.5,"y":1}`, nil},
		{"click", `{"k":"button","b":2,"d":true,"x":0,"y":0}`, nil},
		{"key", `{"k":"key","c":"KeyA","d":true}`, nil},
		{"text", `{"k":"text","t":"é€日本"}`, nil},
		{"move outside", `{"k":"move","x":1.5,"y":0}`, ErrMalformed},
		{"negative", `{"k":"move","x":-0.1,"y":0}`, ErrMalformed},
		{"bad button", `{"k":"button","b":7,"x":0,"y":0}`, ErrMalformed},
		{"empty key", `{"k":"key","d":true}`, ErrMalformed},
		{"empty text", `{"k":"text","t":""}`, ErrMalformed},
		{"huge wheel", `{"k":"wheel","dy":1000,"x":0,"y":0}`, ErrMalformed},
		{"unknown kind", `{"k":"teleport"}`, ErrMalformed},
		{"unknown field", `{"k":"move","x":0,"y":0,"z":1}`, ErrMalformed},
		{"too large", `{"k":"text","t":"` + strings.Repeat("a", MaxInputSize) + `"}`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeInput([]byte(tt.in)); !errors.Is(err, tt.wantErr) {
				t.Fatalf("DecodeInput error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"v":1,"type":"agent.hello","payload":{"pin":"123456"}}`))
	f.Add([]byte(`{"v":1,"type":"rtc.offer","sid":"s","payload":{"type":"offer","sdp":"v=0"}}`))
	f.Add([]byte(`{"v":1,"type":"session.end","payload":{"reason":"customer"}}`))
	f.Add([]byte(`{"v":1,"type":"rtc.candidate","payload":{"candidate":"x","sdpMLineIndex":0}}`))
	f.Add([]byte(`{"v":1,"type":"audit","payload":{"event":"file.sent","name":"a.txt","size":3,"sha256":"` + strings.Repeat("0", 64) + `"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			if CodeOf(err) == "" {
				t.Fatal("error without a code")
			}
			return
		}
		// Whatever decodes must encode and decode again to the same type.
		b, err := Encode(m.Type, m.ID, m.SID, m.Body)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, err := Decode(b)
		if err != nil || m2.Type != m.Type {
			t.Fatalf("re-decode %s: %v", b, err)
		}
	})
}

func FuzzDecodeInput(f *testing.F) {
	f.Add([]byte(`{"k":"move","x":0.5,"y":0.5}`))
	f.Add([]byte(`{"k":"text","t":"é"}`))
	f.Add([]byte(`{"k":"key","c":"Enter","d":true}`))
	f.Add([]byte(`{"k":"scan","c":"KeyQ","d":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := DecodeInput(data)
		if err != nil {
			return
		}
		if ev.Kind == InputMove && (ev.X < 0 || ev.X > 1 || ev.Y < 0 || ev.Y > 1) {
			t.Fatalf("accepted out-of-range move %+v", ev)
		}
	})
}

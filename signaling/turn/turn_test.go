package turn

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

func TestCredentials(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	name, pw := Credentials("s3cret", "sid-1", now.Add(time.Hour))
	if name != "1800003600:sid-1" {
		t.Fatalf("username %q", name)
	}
	// The value coturn computes for the same secret and username.
	if pw != Password("s3cret", name) || pw == Password("other", name) {
		t.Fatal("password does not depend on the secret alone")
	}
	tests := []struct {
		name    string
		user    string
		want    string
		wantErr error
	}{
		{"valid", name, "sid-1", nil},
		{"expired", "1799999999:sid-1", "", ErrExpired},
		{"no user", "1800003600", "", ErrBadUsername},
		{"not a time", "soon:sid-1", "", ErrBadUsername},
		{"empty user", "1800003600:", "", ErrBadUsername},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.user, now)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Check(%q) = %q, %v; want %q, %v", tt.user, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestICEServersListEmbeddedAndExternal(t *testing.T) {
	s := start(t, Config{External: []string{"turn:relay.example.com:3478?transport=udp"}})
	ice := s.ICEServers("sid-2")
	if len(ice) != 2 || !strings.HasPrefix(ice[0].URLs[0], "stun:127.0.0.1:") {
		t.Fatalf("ice servers %+v", ice)
	}
	turn := ice[1]
	if len(turn.URLs) != 3 || !strings.HasSuffix(turn.URLs[1], "?transport=tcp") || turn.URLs[2] != "turn:relay.example.com:3478?transport=udp" {
		t.Fatalf("turn urls %v", turn.URLs)
	}
	if !strings.HasSuffix(turn.Username, ":sid-2") || turn.Credential != Password("secret", turn.Username) {
		t.Fatalf("credentials %q %q", turn.Username, turn.Credential)
	}
}

// TestRelayedConnection connects two real pion peers that may only use relay
// candidates, once over TURN/UDP and once over TURN/TCP, and sends a message.
func TestRelayedConnection(t *testing.T) {
	s := start(t, Config{})
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			ice := s.ICEServers("sid-3")[1]
			var urls []string
			for _, u := range ice.URLs {
				if strings.HasSuffix(u, "transport="+transport) {
					urls = append(urls, u)
				}
			}
			ice.URLs = urls
			connectRelayed(t, []webrtc.ICEServer{ice})
			if n := s.Allocations(); n == 0 {
				t.Fatal("no TURN allocation while relayed")
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		ice := s.ICEServers("sid-4")[1]
		ice.Credential = Password("not the secret", ice.Username)
		pc := newPC(t, []webrtc.ICEServer{ice})
		if _, err := pc.CreateDataChannel("x", nil); err != nil {
			t.Fatal(err)
		}
		done := webrtc.GatheringCompletePromise(pc)
		offer, _ := pc.CreateOffer(nil)
		if err := pc.SetLocalDescription(offer); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("gathering did not finish")
		}
		if strings.Contains(pc.LocalDescription().SDP, "typ relay") {
			t.Fatal("a relay was allocated with a wrong password")
		}
	})
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Listen, cfg.Host, cfg.Secret = "127.0.0.1:0", "127.0.0.1", "secret"
	if cfg.RelayIP == nil {
		cfg.RelayIP = net.IPv4(127, 0, 0, 1)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newPC(t *testing.T, ice []webrtc.ICEServer) *webrtc.PeerConnection {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: ice, ICETransportPolicy: webrtc.ICETransportPolicyRelay})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

func connectRelayed(t *testing.T, ice []webrtc.ICEServer) {
	t.Helper()
	a, b := newPC(t, ice), newPC(t, ice)
	got := make(chan string, 1)
	b.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			select {
			case got <- string(m.Data):
			default:
			}
		})
	})
	dc, err := a.CreateDataChannel("x", nil)
	if err != nil {
		t.Fatal(err)
	}
	dc.OnOpen(func() { _ = dc.SendText("through the relay") })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Full gathering before each description: no trickle to race with.
	offer, err := a.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(a)
	must(t, a.SetLocalDescription(offer))
	<-gathered
	must(t, b.SetRemoteDescription(*a.LocalDescription()))
	answer, err := b.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered = webrtc.GatheringCompletePromise(b)
	must(t, b.SetLocalDescription(answer))
	<-gathered
	must(t, a.SetRemoteDescription(*b.LocalDescription()))
	select {
	case m := <-got:
		if m != "through the relay" {
			t.Fatalf("got %q", m)
		}
	case <-ctx.Done():
		t.Fatal("no message through the relay")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

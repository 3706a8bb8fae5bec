package server_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// enrollDevice has tc ask the customer of a live session for unattended
// access, and the customer's agent agree with a new device key. It returns
// the key and the device ID the server gave.
func enrollDevice(t *testing.T, n st.Node, tc *st.Tech, host string) (ed25519.PrivateKey, string) {
	t.Helper()
	sid, console, agent := liveSession(t, n, tc, protocol.AgentHello{Hostname: host, OS: "linux"})
	console.Send(protocol.TypeUnattendedAsk, sid, protocol.UnattendedAsk{})
	agent.Expect(protocol.TypeUnattendedAsk)
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	agent.Send(protocol.TypeUnattendedAnswer, sid, protocol.UnattendedAnswer{Allow: true, Key: base64.RawURLEncoding.EncodeToString(pub)})
	id := agent.Expect(protocol.TypeUnattendedEnrolled).Body.(*protocol.UnattendedEnrolled).DeviceID
	if id != sessions.UnattendedID(base64.RawURLEncoding.EncodeToString(pub)) {
		t.Fatalf("device ID %q is not derived from its key", id)
	}
	if a := console.Expect(protocol.TypeUnattendedAnswer).Body.(*protocol.UnattendedAnswer); !a.Allow {
		t.Fatal("the technician was not told the customer agreed")
	}
	return key, id
}

// deviceHello is a fresh hello of device id signed with key.
func deviceHello(id string, key ed25519.PrivateKey) protocol.DeviceHello {
	h := protocol.DeviceHello{DeviceID: id, Time: time.Now().UnixMilli(), Nonce: rand.Text(), Hostname: "pc-1", OS: "linux"}
	protocol.SignDeviceHello(&h, key)
	return h
}

// helloAnswer sends hello on a new device socket and returns the answer: a
// welcome, or an error.
func helloAnswer(t *testing.T, n st.Node, h protocol.DeviceHello) protocol.Message {
	t.Helper()
	c := st.Dial(t, n.URL+"/ws/device", nil)
	defer c.Close()
	c.Send(protocol.TypeDeviceHello, "", h)
	m, err := c.Read(10 * time.Second)
	if err != nil {
		t.Fatalf("device hello: %v", err)
	}
	return m
}

// A device proves its identity with a fresh signature of its own key: an
// unknown device, another's ID, an old or replayed hello and a revoked
// device are refused, and every refusal is audited.
func TestDeviceHelloRefusals(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	key, id := enrollDevice(t, n, admin, "pc-1")
	otherKey, otherID := enrollDevice(t, n, admin, "pc-2")

	good := deviceHello(id, key)
	if m := helloAnswer(t, n, good); m.Type != protocol.TypeDeviceWelcome {
		t.Fatalf("the enrolled device was refused: %+v", m.Body)
	}
	stale := deviceHello(id, key)
	stale.Time = time.Now().Add(-time.Hour).UnixMilli()
	protocol.SignDeviceHello(&stale, key)
	_, strangerKey, _ := ed25519.GenerateKey(rand.Reader)
	forged := deviceHello(id, key)
	forged.Nonce = rand.Text() // the signature no longer matches
	for _, tc := range []struct {
		name  string
		hello protocol.DeviceHello
		why   string
	}{
		{"replayed hello", good, "replayed"},
		{"another device's ID", deviceHello(otherID, key), "wrong key"},
		{"a key of its own on another's ID", deviceHello(id, strangerKey), "wrong key"},
		{"an unknown device", deviceHello("0123456789abcdef", strangerKey), "not enrolled"},
		{"an hour-old hello", stale, "out of date"},
		{"an altered hello", forged, "wrong key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := helloAnswer(t, n, tc.hello)
			if e, ok := m.Body.(*protocol.Error); !ok || e.Code != protocol.CodeForbidden {
				t.Fatalf("answer %s %+v, want a forbidden error", m.Type, m.Body)
			}
			found := false
			for _, e := range auditEvents(t, admin, "type=device.refused") {
				found = found || (strings.Contains(e.Detail, tc.hello.DeviceID) && strings.Contains(e.Detail, tc.why))
			}
			if !found {
				t.Errorf("no device.refused entry saying %q for %s", tc.why, tc.hello.DeviceID)
			}
		})
	}

	// The other device revokes its access itself: it is never let in again.
	c := st.Dial(t, n.URL+"/ws/device", nil)
	c.Send(protocol.TypeDeviceHello, "", deviceHello(otherID, otherKey))
	c.Expect(protocol.TypeDeviceWelcome)
	c.Send(protocol.TypeDeviceRevoke, "", protocol.DeviceRevoke{})
	if _, err := c.Read(10 * time.Second); err == nil {
		t.Log("the server answered the revocation before closing")
	}
	m := helloAnswer(t, n, deviceHello(otherID, otherKey))
	if e, ok := m.Body.(*protocol.Error); !ok || e.Code != protocol.CodeRevoked {
		t.Fatalf("a revoked device's hello: %s %+v", m.Type, m.Body)
	}
}

// An agent cannot enroll its computer unless the technician asked.
func TestUnattendedAnswerNeedsAsking(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	sid, _, agent := liveSession(t, n, admin, protocol.AgentHello{Hostname: "pc-1"})
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	id := agent.Send(protocol.TypeUnattendedAnswer, sid, protocol.UnattendedAnswer{Allow: true, Key: base64.RawURLEncoding.EncodeToString(pub)})
	for {
		m := agent.Expect(protocol.TypeError)
		if m.ID == id {
			if e := m.Body.(*protocol.Error); e.Code != protocol.CodeForbidden {
				t.Fatalf("error %+v, want forbidden", e)
			}
			break
		}
	}
	if h := helloAnswer(t, n, deviceHello(sessions.UnattendedID(base64.RawURLEncoding.EncodeToString(pub)), key)); h.Type == protocol.TypeDeviceWelcome {
		t.Fatal("a device enrolled without being asked")
	}
}

// A technician sees and reaches only the computers of their own group, and
// only with the unattended permission; another group's computer does not
// exist for them.
func TestComputersOfOtherGroupsAreHidden(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	key, id := enrollDevice(t, n, admin, "reception-pc")
	c := st.Dial(t, n.URL+"/ws/device", nil)
	c.Send(protocol.TypeDeviceHello, "", deviceHello(id, key))
	c.Expect(protocol.TypeDeviceWelcome)

	admin.PutGroup(t, "other", permsBut()...)
	admin.CreateTechnician(t, "bob", "Bob", techPassword, "other")
	admin.PutGroup(t, "default", permsBut(access.Unattended)...)
	admin.CreateTechnician(t, "eve", "Eve", techPassword, "default")
	bob := st.LogInAs(t, n, "bob", techPassword)
	eve := st.LogInAs(t, n, "eve", techPassword)

	if code, page := admin.Get(t, "/console/computers"); code != http.StatusOK || !strings.Contains(page, id) {
		t.Fatalf("the administrator's Computers page: %d", code)
	}
	if code, page := bob.Get(t, "/console/computers"); code != http.StatusOK || strings.Contains(page, id) {
		t.Errorf("another group's technician sees the computer (%d)", code)
	}
	if code, _ := bob.Post(t, "/console/computers/"+id+"/connect", nil); code != http.StatusNotFound {
		t.Errorf("another group's technician connecting: %d, want 404", code)
	}
	if code, page := eve.Get(t, "/console/computers"); code != http.StatusForbidden || strings.Contains(page, id) {
		t.Errorf("a technician without the unattended permission: %d", code)
	}
	// Refused as any address of the page is, whether the computer exists or not.
	if code, _ := eve.Post(t, "/console/computers/"+id+"/connect", nil); code != http.StatusForbidden {
		t.Errorf("a technician without the unattended permission connecting: %d, want 403", code)
	}
}

// A node that stops marks its devices offline even when its NATS
// connection is gone before their sockets' ends are written: the node
// clears them when it starts again, and the Computers page never shows a
// computer online that no node holds.
func TestDevicesOfAStoppedNodeShowOffline(t *testing.T) {
	natsURL := natstest.Server(t)
	a := st.StartNode(t, natsURL, "node-a")
	admin := st.LogIn(t, a)
	key, id := enrollDevice(t, a, admin, "pc-1")
	c := st.Dial(t, a.URL+"/ws/device", nil)
	c.Send(protocol.TypeDeviceHello, "", deviceHello(id, key))
	c.Expect(protocol.TypeDeviceWelcome)
	a.Stop()
	a = st.StartNode(t, natsURL, "node-a")
	admin = st.LogIn(t, a)
	_, page := admin.Get(t, "/console/computers")
	if strings.Contains(page, ">Online<") || !strings.Contains(page, id) {
		t.Fatal("a computer whose node stopped shows online")
	}
}

package protocol

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Messages of unattended access: a computer the technician may come back to
// when nobody sits at it (added 2026-12-07, additive to version 1).
const (
	// TypeUnattendedAsk (console → server → agent) asks the customer of an
	// attended session for unattended access to their computer.
	TypeUnattendedAsk Type = "unattended.ask"
	// TypeUnattendedAnswer (agent → server) is the customer's answer: on
	// yes, the device's public key and the time window they agreed to.
	TypeUnattendedAnswer Type = "unattended.answer"
	// TypeUnattendedEnrolled (server → agent) says the device is enrolled,
	// under which ID.
	TypeUnattendedEnrolled Type = "unattended.enrolled"
	// TypeDeviceHello (device → server) is the first message of an
	// unattended device on /ws/device: its ID, proven by a signature of a
	// fresh nonce and the time with its device key.
	TypeDeviceHello Type = "device.hello"
	// TypeDeviceWelcome (server → device) accepts the device.
	TypeDeviceWelcome Type = "device.welcome"
	// TypeDeviceConnect (server → device) asks the device to join a new
	// session, the technician's, with the invitation code given.
	TypeDeviceConnect Type = "device.connect"
	// TypeDeviceRevoke (device → server) says the customer withdrew
	// unattended access from the computer.
	TypeDeviceRevoke Type = "device.revoke"
)

// PermissionUnattended is the customer's question about unattended access
// (TypeUnattendedAsk); the agent's, never a console's to ask as a
// permission.
const PermissionUnattended Permission = "unattended"

// MaxHelloSkew is how far a device hello's time may be from the server's.
const MaxHelloSkew = 5 * time.Minute

// Hours are a time window: the same From–To (HH:MM; To may be 24:00, the
// end of the day) on each of Days, in time zone Zone (an IANA name), by
// the wall clock there (so daylight saving time moves nothing). A To
// before From spans midnight: the night belongs to the day it began
// (Friday 22:00–06:00 ends on Saturday morning). No day means always.
type Hours struct {
	Zone string         `json:"zone,omitempty"`
	Days []time.Weekday `json:"days,omitempty"`
	From string         `json:"from,omitempty"`
	To   string         `json:"to,omitempty"`
}

// endOfDay is 24:00 in minutes.
const endOfDay = 24 * 60

// minutes parses HH:MM (or 24:00) into minutes since midnight.
func minutes(hm string) (int, bool) {
	if hm == "24:00" {
		return endOfDay, true
	}
	t, err := time.Parse("15:04", hm)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Validate checks the hours.
func (h Hours) Validate() error {
	if len(h.Days) == 0 {
		return nil
	}
	if len(h.Days) > 7 {
		return fmt.Errorf("%w: more than 7 days", ErrBadHours)
	}
	if _, err := time.LoadLocation(h.Zone); err != nil || h.Zone == "" {
		return fmt.Errorf("%w: time zone %q", ErrBadHours, h.Zone)
	}
	for _, d := range h.Days {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("%w: day %d", ErrBadHours, d)
		}
	}
	from, ok1 := minutes(h.From)
	to, ok2 := minutes(h.To)
	if !ok1 || !ok2 || from == endOfDay || to == from {
		return fmt.Errorf("%w: hours %q–%q", ErrBadHours, h.From, h.To)
	}
	return nil
}

// OpenAt reports whether the hours are open at t (in their own zone).
func (h Hours) OpenAt(t time.Time) bool {
	if len(h.Days) == 0 {
		return true
	}
	loc, err := time.LoadLocation(h.Zone)
	if err != nil {
		return false
	}
	local := t.In(loc)
	from, _ := minutes(h.From)
	to, _ := minutes(h.To)
	m := local.Hour()*60 + local.Minute()
	if from < to {
		return h.on(local.Weekday()) && m >= from && m < to
	}
	// Overnight: the evening of one of Days, or the morning after it.
	return h.on(local.Weekday()) && m >= from || h.on((local.Weekday()+6)%7) && m < to
}

// on reports whether d is one of h's days.
func (h Hours) on(d time.Weekday) bool { return slices.Contains(h.Days, d) }

// UnattendedAsk is the payload of TypeUnattendedAsk.
type UnattendedAsk struct {
	// Window is when the technician asks to connect: the customer sees it
	// and agrees to it or refuses.
	Window Hours `json:"window"`
	// CustomerZone says the window's days and hours are the customer's:
	// the agent puts its computer's time zone in place of Window.Zone (the
	// technician's, kept when the computer's is not known).
	CustomerZone bool `json:"customerZone,omitempty"`
}

func (a *UnattendedAsk) validate() error { return a.Window.Validate() }

// UnattendedAnswer is the payload of TypeUnattendedAnswer.
type UnattendedAnswer struct {
	Allow bool `json:"allow"`
	// Key is the device's Ed25519 public key (base64url, no padding), made
	// on the device; its private half never leaves it. Required with Allow
	// from the agent.
	Key string `json:"key,omitempty"`
	// Window is when the customer allows unattended access.
	Window Hours `json:"window"`
}

func (a *UnattendedAnswer) validate() error {
	// The technician is told the answer without the key.
	if a.Key != "" {
		if _, err := ParseDeviceKey(a.Key); err != nil {
			return err
		}
	}
	return a.Window.Validate()
}

// UnattendedEnrolled is the payload of TypeUnattendedEnrolled.
type UnattendedEnrolled struct {
	DeviceID string `json:"deviceId"`
}

// DeviceHello is the payload of TypeDeviceHello.
type DeviceHello struct {
	DeviceID string `json:"deviceId"`
	// Time is when the hello was made (Unix milliseconds), Nonce 128 random
	// bits (base64url): a hello is good once, near its time.
	Time  int64  `json:"time"`
	Nonce string `json:"nonce"`
	// Sig is the Ed25519 signature (base64url) of DeviceHelloSigned.
	Sig      string `json:"sig"`
	Hostname string `json:"hostname,omitempty"`
	OS       string `json:"os,omitempty"`
	Version  string `json:"version,omitempty"`
}

// DeviceHelloSigned is what a device signs to say hello.
func DeviceHelloSigned(h *DeviceHello) []byte {
	return []byte("lifeline device hello\x00" + h.DeviceID + "\x00" + strconv.FormatInt(h.Time, 10) + "\x00" + h.Nonce)
}

// SignDeviceHello fills h's signature with key.
func SignDeviceHello(h *DeviceHello, key ed25519.PrivateKey) {
	h.Sig = base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, DeviceHelloSigned(h)))
}

// VerifyDeviceHello reports whether h is signed by pub (a key ParseDeviceKey reads).
func VerifyDeviceHello(h *DeviceHello, pub ed25519.PublicKey) bool {
	sig, err := base64.RawURLEncoding.DecodeString(h.Sig)
	return err == nil && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, DeviceHelloSigned(h), sig)
}

func (h *DeviceHello) validate() error {
	switch {
	case len(h.DeviceID) == 0 || len(h.DeviceID) > 64:
		return fmt.Errorf("deviceId required, up to 64 bytes")
	case len(h.Nonce) < 16 || len(h.Nonce) > 64:
		return fmt.Errorf("nonce of 16 to 64 bytes required")
	case len(h.Sig) > 128:
		return fmt.Errorf("sig too long")
	case len(h.Hostname) > 255 || len(h.OS) > 32 || len(h.Version) > 64:
		return fmt.Errorf("field too long")
	}
	return nil
}

// DeviceWelcome is the payload of TypeDeviceWelcome.
type DeviceWelcome struct {
	DeviceID string `json:"deviceId"`
}

// Unattended policies: what happens on the computer when a technician
// connects to it unattended.
const (
	// PolicySilent connects without a word to whoever sits there.
	PolicySilent = "silent"
	// PolicyNotify connects and shows the on-screen indicator all the time
	// the technician is connected.
	PolicyNotify = "notify"
	// PolicyAsk asks whoever sits there, and connects only if they allow
	// it (or, with AllowOnTimeout, when nobody answers within AskSeconds).
	PolicyAsk = "ask"
)

// ValidPolicy reports whether p names a policy.
func ValidPolicy(p string) bool { return p == PolicySilent || p == PolicyNotify || p == PolicyAsk }

// DeviceConnect is the payload of TypeDeviceConnect.
type DeviceConnect struct {
	// Code is the invitation the device joins the new session with.
	Code   string `json:"code"`
	Policy string `json:"policy"`
	// AskSeconds bounds the question of PolicyAsk; AllowOnTimeout connects
	// when it goes unanswered.
	AskSeconds     int    `json:"askSeconds,omitempty"`
	AllowOnTimeout bool   `json:"allowOnTimeout,omitempty"`
	TechnicianName string `json:"technicianName,omitempty"`
}

func (c *DeviceConnect) validate() error {
	if len(c.Code) == 0 || len(c.Code) > 64 || !ValidPolicy(c.Policy) || c.AskSeconds < 0 || c.AskSeconds > 3600 {
		return fmt.Errorf("bad connect request")
	}
	return nil
}

// DeviceRevoke is the payload of TypeDeviceRevoke.
type DeviceRevoke struct{}

// ParseDeviceKey reads a device's public key (base64url Ed25519).
func ParseDeviceKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, ErrBadDeviceKey
	}
	return ed25519.PublicKey(b), nil
}

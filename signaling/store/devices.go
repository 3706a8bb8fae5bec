package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Buckets of unattended access.
const (
	// bucketDevices holds the unattended devices, keyed by device ID.
	bucketDevices = "lifeline_devices"
	// bucketDevicePolicies holds each technician group's policy for its
	// devices, keyed by group ID.
	bucketDevicePolicies = "lifeline_device_policies"
	// bucketDeviceNonces holds the nonces of recent device hellos, so that
	// none is accepted twice.
	bucketDeviceNonces = "lifeline_device_nonces"
)

// DeviceNonceTTL is how long a device hello's nonce is remembered: longer
// than a hello's time may be off (protocol.MaxHelloSkew) either way.
const DeviceNonceTTL = 2*protocol.MaxHelloSkew + time.Minute

// Device is a computer enrolled for unattended access: its owner agreed to
// it in an attended session, and it connects on its own since.
type Device struct {
	// ID is derived from Key (see sessions.UnattendedID), never chosen by
	// the device.
	ID string `json:"id"`
	// Key is the device's Ed25519 public key; the private half never left
	// the device.
	Key  string `json:"key"`
	Name string `json:"name"`
	OS   string `json:"os,omitempty"`
	// GroupID is the technician group whose members may connect to it: the
	// group of the technician it was enrolled with.
	GroupID string `json:"groupId"`
	// Window is when the owner allows unattended access.
	Window protocol.Hours `json:"window"`
	// EnrolledBy and Enrolled: who enrolled it (technician ID and name), when.
	EnrolledBy     string    `json:"enrolledBy"`
	EnrolledByName string    `json:"enrolledByName,omitempty"`
	Enrolled       time.Time `json:"enrolled"`
	// Conn names the device's socket while it is online ("" offline).
	Conn     string    `json:"conn,omitempty"`
	LastSeen time.Time `json:"lastSeen,omitempty"`
	// LastUser is the name of the technician who last connected to it.
	LastUser string `json:"lastUser,omitempty"`
	// Revoked, when set, says who revoked it (an account ID, or "customer")
	// and when: it never connects again.
	Revoked   time.Time `json:"revoked,omitempty"`
	RevokedBy string    `json:"revokedBy,omitempty"`
}

// Online reports whether the device's socket is open.
func (d Device) Online() bool { return d.Conn != "" && d.Revoked.IsZero() }

// DevicePolicy is what a technician group's devices do when a technician
// connects to them unattended.
type DevicePolicy struct {
	// Mode is protocol.PolicySilent, PolicyNotify or PolicyAsk.
	Mode string `json:"mode"`
	// AskSeconds bounds the question of PolicyAsk; AllowOnTimeout
	// connects when nobody answers within it.
	AskSeconds     int  `json:"askSeconds,omitempty"`
	AllowOnTimeout bool `json:"allowOnTimeout,omitempty"`
}

// DefaultDevicePolicy is a group's policy until an administrator sets one:
// the user is told, with the indicator on all the time.
var DefaultDevicePolicy = DevicePolicy{Mode: protocol.PolicyNotify}

// MaxAskSeconds bounds a policy's question.
const MaxAskSeconds = 600

// Validate checks the policy.
func (p DevicePolicy) Validate() error {
	if !protocol.ValidPolicy(p.Mode) || p.AskSeconds < 0 || p.AskSeconds > MaxAskSeconds {
		return ErrInvalid
	}
	return nil
}

// EnrollDevice stores a new device; ErrExists if its ID is taken (the same
// key enrolled twice: the caller updates it instead).
func (s *Store) EnrollDevice(ctx context.Context, d Device) error {
	return create(ctx, s.devices, d.ID, d)
}

// Device reads one device.
func (s *Store) Device(ctx context.Context, id string) (Device, error) {
	var d Device
	_, err := get(ctx, s.devices, id, &d)
	return d, err
}

// Devices lists every device, by name.
func (s *Store) Devices(ctx context.Context) ([]Device, error) {
	return list[Device](ctx, s.devices, s.Device, func(a, b Device) bool {
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

// UpdateDevice changes a device with compare-and-set.
func (s *Store) UpdateDevice(ctx context.Context, id string, fn func(*Device) error) (Device, error) {
	return update(ctx, s.devices, id, fn)
}

// DevicePolicy reads group's policy (DefaultDevicePolicy if none is set).
func (s *Store) DevicePolicy(ctx context.Context, group string) (DevicePolicy, error) {
	p := DefaultDevicePolicy
	_, err := get(ctx, s.devicePolicies, GroupOf(group), &p)
	if errors.Is(err, ErrNotFound) {
		return DefaultDevicePolicy, nil
	}
	return p, err
}

// PutDevicePolicy sets group's policy.
func (s *Store) PutDevicePolicy(ctx context.Context, group string, p DevicePolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return put(ctx, s.devicePolicies, GroupOf(group), p)
}

// UseDeviceNonce records a device hello's nonce: ErrExists if it was seen
// already (a replayed hello).
func (s *Store) UseDeviceNonce(ctx context.Context, deviceID, nonce string) error {
	key := HashKey(deviceID + "\x00" + nonce)
	_, err := s.deviceNonces.Create(ctx, key, []byte{1})
	if errors.Is(err, jetstream.ErrKeyExists) {
		return ErrExists
	}
	return err
}

package sessions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Unattended access: the customer of an attended session agrees to it
// (askUnattended, unattendedAnswer), the computer then connects on its own
// with its device key (DeviceHello), technicians of its group see it
// (Devices) and connect to it (ConnectDevice), and the customer or an
// administrator revokes it (RevokeDevice).

// DeviceSubject is where messages for an unattended device's socket are
// published.
func DeviceSubject(id string) string { return "lifeline.v1.device." + id }

// UnattendedID is the ID of the device holding the private half of key (a
// protocol.ParseDeviceKey key): a device cannot pick another's ID.
func UnattendedID(key string) string {
	h := sha256.Sum256([]byte("lifeline unattended\x00" + key))
	return hex.EncodeToString(h[:16])
}

// askUnattended passes the technician's request for unattended access on
// to the customer's agent; only an answer to it enrolls the computer.
func (s *Service) askUnattended(ctx context.Context, tech auth.Technician, ss store.Session, m protocol.Message, body *protocol.UnattendedAsk) error {
	switch {
	case ss.Unattended != "":
		return ErrAlreadyUnattended
	case !ss.AgentConnected:
		return ErrNotConnected
	}
	if _, err := s.cfg.Store.UpdateSession(ctx, ss.ID, func(ss *store.Session) error {
		ss.UnattendedAsked = true
		return nil
	}); err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.UnattendedAsked, Actor: tech.ID, SessionID: ss.ID})
	return s.deliver(AgentSubject(ss.ID), m.Type, m.ID, ss.ID, body)
}

// unattendedAnswer takes the customer's answer to askUnattended: on yes, the
// computer is enrolled for the technician's group with the public key and
// window the agent sent, and the agent is told its device ID. An answer
// nobody asked for enrolls nothing.
func (s *Service) unattendedAnswer(ctx context.Context, sid string, m protocol.Message, a *protocol.UnattendedAnswer) error {
	if a.Allow && a.Key == "" {
		return protocol.ErrBadDeviceKey
	}
	var asked bool
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		asked, ss.UnattendedAsked = ss.UnattendedAsked, false
		return nil
	})
	if err != nil {
		return err
	}
	if !asked {
		s.record(audit.Event{Type: audit.DeviceRefused, Actor: "customer", SessionID: sid, Detail: "unattended access offered without being asked"})
		return ErrNotAsked
	}
	defer s.publish(TechSubject(ss.TechnicianID, sid), m.Type, m.ID, sid, protocol.UnattendedAnswer{Allow: a.Allow, Window: a.Window})
	if !a.Allow {
		s.record(audit.Event{Type: audit.UnattendedRefused, Actor: "customer", SessionID: sid})
		return nil
	}
	d := store.Device{
		ID: UnattendedID(a.Key), Key: a.Key, Name: ss.Hostname, OS: ss.OS, GroupID: store.GroupOf(ss.GroupID),
		Window: a.Window, EnrolledBy: ss.TechnicianID, EnrolledByName: ss.TechnicianName, Enrolled: time.Now(),
	}
	if d.Name == "" {
		d.Name = ss.CustomerName
	}
	if err := s.cfg.Store.EnrollDevice(ctx, d); err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.DeviceEnrolled, Actor: "customer", SessionID: sid, Detail: fmt.Sprintf("device %s (%s), group %s, window %s", d.ID, d.Name, d.GroupID, windowText(d.Window))})
	s.publish(AgentSubject(sid), protocol.TypeUnattendedEnrolled, "", sid, protocol.UnattendedEnrolled{DeviceID: d.ID})
	return nil
}

// windowText is a window for the audit trail.
func windowText(h protocol.Hours) string {
	if len(h.Days) == 0 {
		return "always"
	}
	return fmt.Sprintf("%v %s–%s %s", h.Days, h.From, h.To, h.Zone)
}

// DeviceHello lets an unattended device in: it must be enrolled, not
// revoked, and prove it holds its key by a signature of a fresh hello (its
// time within protocol.MaxHelloSkew, its nonce never seen). Every refusal
// is audited. connID names the device's socket, ip its address.
func (s *Service) DeviceHello(ctx context.Context, h *protocol.DeviceHello, ip, connID string) (store.Device, error) {
	refuse := func(why string, err error) (store.Device, error) {
		s.record(audit.Event{Type: audit.DeviceRefused, Actor: "device", IP: ip, Detail: fmt.Sprintf("device %s: %s", h.DeviceID, why)})
		return store.Device{}, err
	}
	d, err := s.cfg.Store.Device(ctx, h.DeviceID)
	if errors.Is(err, store.ErrNotFound) {
		return refuse("not enrolled", ErrDeviceRefused)
	} else if err != nil {
		return store.Device{}, err
	}
	pub, err := protocol.ParseDeviceKey(d.Key)
	if err != nil || !protocol.VerifyDeviceHello(h, pub) {
		return refuse("wrong key", ErrDeviceRefused)
	}
	if !d.Revoked.IsZero() {
		return refuse("revoked", ErrDeviceRevoked)
	}
	now := time.Now()
	if skew := now.Sub(time.UnixMilli(h.Time)); skew > protocol.MaxHelloSkew || skew < -protocol.MaxHelloSkew {
		return refuse("hello out of date ("+skew.Round(time.Second).String()+")", ErrDeviceRefused)
	}
	if err := s.cfg.Store.UseDeviceNonce(ctx, d.ID, h.Nonce); errors.Is(err, store.ErrExists) {
		return refuse("replayed hello", ErrDeviceRefused)
	} else if err != nil {
		return store.Device{}, err
	}
	return s.cfg.Store.UpdateDevice(ctx, d.ID, func(d *store.Device) error {
		if !d.Revoked.IsZero() {
			return ErrDeviceRevoked
		}
		d.Conn, d.LastSeen = connID, now
		if host, system := agentNames(&protocol.AgentHello{Hostname: h.Hostname, OS: h.OS}); host != "" {
			d.Name, d.OS = host, system
		}
		return nil
	})
}

// DeviceLeft marks device id offline when its socket connID closes (not
// when an older socket of the same device closes late).
func (s *Service) DeviceLeft(ctx context.Context, id, connID string) {
	_, err := s.cfg.Store.UpdateDevice(ctx, id, func(d *store.Device) error {
		if d.Conn != connID {
			return errUnchanged
		}
		d.Conn, d.LastSeen = "", time.Now()
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		s.log.Warn("device left", "device", id, "err", err)
	}
}

// DeviceConn names device socket conn held by node.
func DeviceConn(node, conn string) string { return node + "/" + conn }

// DevicesOffOn marks offline the devices whose sockets node held: a node
// starting again holds none of them, whether or not it could record their
// ends as it stopped (its NATS connection may close first).
func (s *Service) DevicesOffOn(ctx context.Context, node string) error {
	all, err := s.cfg.Store.Devices(ctx)
	if err != nil {
		return err
	}
	for _, d := range all {
		if !strings.HasPrefix(d.Conn, node+"/") {
			continue
		}
		s.DeviceLeft(ctx, d.ID, d.Conn)
	}
	return nil
}

// mayReach reports whether tech may see and connect to device d: with the
// unattended permission, an administrator any device, others those of
// their own group; a revoked device, administrators only.
func mayReach(tech auth.Technician, d store.Device) bool {
	if tech.IsAdmin() {
		return true
	}
	return tech.Can(access.Unattended) && d.Revoked.IsZero() && d.GroupID == store.GroupOf(tech.GroupID)
}

// Devices lists the unattended devices tech may reach whose name, OS,
// group or last user contains query (case-insensitive; "" lists all).
func (s *Service) Devices(ctx context.Context, tech auth.Technician, query string) ([]store.Device, error) {
	all, err := s.cfg.Store.Devices(ctx)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	var out []store.Device
	for _, d := range all {
		if !mayReach(tech, d) {
			continue
		}
		if q == "" || strings.Contains(strings.ToLower(d.Name+"\x00"+d.OS+"\x00"+d.GroupID+"\x00"+d.LastUser), q) {
			out = append(out, d)
		}
	}
	return out, nil
}

// device returns device id if tech may reach it; ErrNotFound otherwise
// (another group's device does not exist for them).
func (s *Service) device(ctx context.Context, tech auth.Technician, id string) (store.Device, error) {
	d, err := s.cfg.Store.Device(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !mayReach(tech, d)) {
		return d, ErrNotFound
	}
	return d, err
}

// ConnectDevice starts an unattended session of tech with device id: a
// session like an invitation's, marked unattended and audited as such, whose
// invitation the device is sent (with its group's policy) to join. The
// technician then works in it as in any session.
func (s *Service) ConnectDevice(ctx context.Context, tech auth.Technician, id, ip string) (store.Session, error) {
	d, err := s.device(ctx, tech, id)
	if err != nil {
		return store.Session{}, err
	}
	switch {
	case !d.Revoked.IsZero():
		return store.Session{}, ErrDeviceRevoked
	case !d.Online():
		return store.Session{}, ErrDeviceOffline
	case !d.Window.OpenAt(time.Now()):
		return store.Session{}, ErrOutsideWindow
	}
	policy, err := s.cfg.Store.DevicePolicy(ctx, d.GroupID)
	if err != nil {
		return store.Session{}, err
	}
	sid, err := invite.NewToken()
	if err != nil {
		return store.Session{}, err
	}
	if err := s.cfg.Audit.Record(ctx, audit.Event{Type: audit.UnattendedConnect, Actor: tech.ID, SessionID: sid, IP: ip, Detail: fmt.Sprintf("device %s (%s), policy %s", d.ID, d.Name, policy.Mode)}); err != nil {
		return store.Session{}, err
	}
	inv, err := s.cfg.Invites.IssueLink(ctx, sid)
	if err != nil {
		return store.Session{}, err
	}
	now := time.Now()
	ss := store.Session{
		ID: sid, TechnicianID: tech.ID, TechnicianName: tech.Name, CustomerName: d.Name,
		State: session.Connecting, Created: now, Changed: now,
		InviteToken: inv.Token, InviteExpires: inv.Expires,
		GroupID: store.GroupOf(tech.GroupID), Unattended: d.ID,
	}
	if err := s.cfg.Store.CreateSession(ctx, ss); err != nil {
		return store.Session{}, err
	}
	if _, err := s.cfg.Store.UpdateDevice(ctx, d.ID, func(d *store.Device) error {
		d.LastUser = tech.Name
		return nil
	}); err != nil {
		s.log.Warn("device's last user", "device", d.ID, "err", err)
	}
	connect := protocol.DeviceConnect{Code: inv.Token, Policy: policy.Mode, AskSeconds: policy.AskSeconds, AllowOnTimeout: policy.AllowOnTimeout, TechnicianName: tech.Name}
	if err := s.deliver(DeviceSubject(d.ID), protocol.TypeDeviceConnect, "", "", connect); err != nil {
		_, _ = s.end(ctx, sid, Ending{State: session.TimedOut, Actor: "server", Detail: "unattended device unreachable"})
		return store.Session{}, ErrDeviceOffline
	}
	s.log.Info("unattended session created", "sid", sid, "tech", tech.ID, "device", d.ID)
	return ss, nil
}

// RevokeDevice ends unattended access to device id for good: by an
// administrator or a technician who may reach it (tech), or by the
// customer from the computer itself (tech nil, the device's own socket).
// The device's socket is told, and every later hello refused.
func (s *Service) RevokeDevice(ctx context.Context, tech *auth.Technician, id, ip string) error {
	by := "customer"
	if tech != nil {
		if _, err := s.device(ctx, *tech, id); err != nil {
			return err
		}
		by = tech.ID
	}
	_, err := s.cfg.Store.UpdateDevice(ctx, id, func(d *store.Device) error {
		if !d.Revoked.IsZero() {
			return errUnchanged
		}
		d.Revoked, d.RevokedBy = time.Now(), by
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.DeviceRevoked, Actor: by, IP: ip, Detail: "device " + id})
	s.publish(DeviceSubject(id), protocol.TypeError, "", "", protocol.Error{Code: protocol.CodeRevoked, Message: ErrDeviceRevoked.Error()})
	return nil
}

// Device returns device id if tech may reach it; ErrNotFound otherwise.
func (s *Service) Device(ctx context.Context, tech auth.Technician, id string) (store.Device, error) {
	return s.device(ctx, tech, id)
}

// DevicePolicy is group's unattended policy.
func (s *Service) DevicePolicy(ctx context.Context, group string) (store.DevicePolicy, error) {
	return s.cfg.Store.DevicePolicy(ctx, group)
}

// SetDevicePolicy sets group's unattended policy; administrators only.
func (s *Service) SetDevicePolicy(ctx context.Context, tech auth.Technician, group string, p store.DevicePolicy, ip string) error {
	if !tech.IsAdmin() {
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, IP: ip, Detail: "unattended policy"})
		return auth.ErrForbidden
	}
	if err := s.cfg.Store.PutDevicePolicy(ctx, group, p); err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.SettingsChanged, Actor: tech.ID, IP: ip, Detail: fmt.Sprintf("unattended policy of group %s: %s, ask %ds, allow on timeout %v", group, p.Mode, p.AskSeconds, p.AllowOnTimeout)})
	return nil
}

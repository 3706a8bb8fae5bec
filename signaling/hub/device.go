package hub

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Device serves /ws/device: an unattended computer says hello with its
// signed device ID, then waits, idle, until a technician connects to it
// (device.connect) or the customer revokes access from it (device.revoke).
func (h *Hub) Device(w http.ResponseWriter, r *http.Request) {
	log := h.log.With("ws", "device", "remote", r.RemoteAddr)
	c, release, ok := h.acceptBeforeHello(w, r, log, "device")
	if !ok {
		return
	}
	defer release()
	defer c.cancel()
	h.devices.Add(1)
	defer h.devices.Add(-1)

	d, connID, ok := h.deviceHello(c, auth.ClientIP(r))
	release()
	if !ok {
		c.closeAfterFlush()
		return
	}
	log = log.With("device", d.ID)
	c.log = log
	welcomed := make(chan struct{})
	sub, err := h.subscribe(c, sessions.DeviceSubject(d.ID), welcomed, nil)
	if err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	defer sub.Unsubscribe()
	b, _ := protocol.Encode(protocol.TypeDeviceWelcome, "", "", protocol.DeviceWelcome{DeviceID: d.ID})
	c.push(b)
	close(welcomed)
	log.Info("device online")
	h.goPing(c)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.cfg.Sessions.DeviceLeft(ctx, d.ID, connID)
		log.Info("device offline")
	}()
	for {
		m, err := c.read(c.ctx)
		if err != nil {
			return
		}
		if m.Type != protocol.TypeDeviceRevoke {
			c.reply(m.ID, protocol.CodeBadMessage, "a device only says device.revoke")
			continue
		}
		if err := h.cfg.Sessions.RevokeDevice(c.ctx, nil, d.ID, auth.ClientIP(r)); err != nil {
			c.reply(m.ID, sessions.Code(err), sessions.Message(err))
			continue
		}
		c.closeAfterFlush()
		return
	}
}

// deviceHello reads the device's first message and checks it. On failure it
// has already queued the error reply.
func (h *Hub) deviceHello(c *conn, ip string) (d store.Device, connID string, ok bool) {
	ctx, cancel := context.WithTimeout(c.ctx, h.cfg.HelloTimeout)
	defer cancel()
	late := time.AfterFunc(h.cfg.HelloTimeout, func() {
		_ = c.ws.Close(websocket.StatusPolicyViolation, fmt.Sprintf("no device.hello within %v", h.cfg.HelloTimeout))
	})
	defer late.Stop()
	m, err := c.read(c.ctx)
	if err != nil || m.Type != protocol.TypeDeviceHello {
		c.reply(m.ID, protocol.CodeBadMessage, "expected device.hello")
		return d, "", false
	}
	connID, err = invite.NewToken()
	if err != nil {
		c.reply(m.ID, protocol.CodeInternal, "server error")
		return d, "", false
	}
	connID = sessions.DeviceConn(h.cfg.Node, connID)
	d, err = h.cfg.Sessions.DeviceHello(ctx, m.Body.(*protocol.DeviceHello), ip, connID)
	if err != nil {
		c.reply(m.ID, sessions.Code(err), sessions.Message(err))
		return d, "", false
	}
	return d, connID, true
}

package unattended

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/agent/proxy"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Device is the computer's own connection to signaling: outbound only,
// idle until a technician connects, redialled with backoff when it drops.
type Device struct {
	// Settings and Key are the device's (Place.Settings, Place.Key).
	Settings Settings
	Key      ed25519.PrivateKey
	Logger   *slog.Logger
	// Proxy is the HTTP proxy to go through; nil connects directly.
	Proxy *proxy.Dialer
	// MaxBackoff caps the wait between two attempts (default 30 s).
	MaxBackoff time.Duration
	// PingInterval is how often the socket is checked (default 15 s).
	PingInterval time.Duration
	// Connect runs a session a technician opened (one at a time, in the
	// order asked); the device stays connected meanwhile.
	Connect func(ctx context.Context, c protocol.DeviceConnect)
	// Now is the clock (default time.Now), for the window.
	Now func() time.Time
}

// Run keeps the device connected until ctx ends (nil) or the server says
// access was revoked (ErrRevoked).
func (d *Device) Run(ctx context.Context) error {
	if d.MaxBackoff == 0 {
		d.MaxBackoff = 30 * time.Second
	}
	if d.PingInterval == 0 {
		d.PingInterval = 15 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	d.Proxy = direct(d.Proxy)
	var wg sync.WaitGroup
	defer wg.Wait()
	var busy sync.Mutex
	backoff := time.Second
	for {
		welcomed, err := d.once(ctx, &wg, &busy)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrRevoked) {
			return err
		}
		if welcomed {
			backoff = time.Second
		}
		d.Logger.Info("device connection lost; trying again", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(jitter(backoff)):
		}
		backoff = min(2*backoff, d.MaxBackoff)
	}
}

// jitter spreads the attempts of many devices after a server restart:
// between half and all of b.
func jitter(b time.Duration) time.Duration {
	var x [1]byte
	_, _ = rand.Read(x[:])
	return b/2 + b/2*time.Duration(x[0])/255
}

// once connects and serves the device's socket until it drops.
func (d *Device) once(ctx context.Context, wg *sync.WaitGroup, busy *sync.Mutex) (welcomed bool, err error) {
	u, err := session.WSURL(d.Settings.Server, "/ws/device")
	if err != nil {
		return false, err
	}
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DialContext: d.Proxy.DialContext, TLSHandshakeTimeout: 10 * time.Second}}
	ws, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return false, err
	}
	defer ws.CloseNow()
	ws.SetReadLimit(protocol.MaxMessageSize)
	host, _ := os.Hostname()
	h := protocol.DeviceHello{DeviceID: d.Settings.DeviceID, Time: d.Now().UnixMilli(), Nonce: rand.Text(), Hostname: host, OS: runtime.GOOS, Version: session.Version}
	protocol.SignDeviceHello(&h, d.Key)
	b, _ := protocol.Encode(protocol.TypeDeviceHello, "1", "", h)
	if err := ws.Write(dctx, websocket.MessageText, b); err != nil {
		return false, err
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go d.ping(rctx, ws)
	for {
		_, data, err := ws.Read(rctx)
		if err != nil {
			return welcomed, err
		}
		m, err := protocol.Decode(data)
		if err != nil {
			d.Logger.Warn("bad message from server", "err", err)
			continue
		}
		switch body := m.Body.(type) {
		case *protocol.DeviceWelcome:
			welcomed = true
			d.Logger.Info("device online", "device", body.DeviceID)
		case *protocol.Error:
			switch body.Code {
			case protocol.CodeRevoked:
				return welcomed, fmt.Errorf("%w: %s", ErrRevoked, body.Message)
			case protocol.CodeForbidden:
				return welcomed, fmt.Errorf("%w: %s", ErrRefused, body.Message)
			}
			d.Logger.Warn("server refused a message", "code", body.Code, "message", body.Message)
		case *protocol.DeviceConnect:
			if !d.inWindow() {
				continue
			}
			// One session at a time: a new one waits until the one before
			// (ended on the server, its program closing) is over, and the
			// window is checked again then.
			wg.Add(1)
			go func(c protocol.DeviceConnect) {
				defer wg.Done()
				if !busy.TryLock() {
					d.Logger.Info("a session waits its turn: another one runs")
					busy.Lock()
				}
				defer busy.Unlock()
				if ctx.Err() == nil && d.inWindow() {
					d.Connect(ctx, c)
				}
			}(*body)
		}
	}
}

// inWindow reports whether now is in the window the owner agreed to, and
// logs the refusal when it is not.
func (d *Device) inWindow() bool {
	if d.Settings.Window.OpenAt(d.Now()) {
		return true
	}
	d.Logger.Warn("connection outside the window the owner agreed to; refused")
	return false
}

// ping drops the socket when the server stops answering, so that a dead
// link is redialled rather than waited on.
func (d *Device) ping(ctx context.Context, ws *websocket.Conn) {
	t := time.NewTicker(d.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, d.PingInterval)
			err := ws.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				d.Logger.Info("server does not answer; dropping the socket", "err", err)
				ws.CloseNow()
				return
			}
		}
	}
}

// Revoke tells the server the owner withdrew unattended access, then
// removes everything from the computer. The computer's key is gone
// whatever the server answers: it can never connect again.
func Revoke(ctx context.Context, p Place, dialer *proxy.Dialer) (told bool, err error) {
	st, serr := p.Settings()
	key, kerr := p.Key()
	if serr == nil && kerr == nil {
		told = tell(ctx, st, key, dialer) == nil
	}
	if errors.Is(serr, ErrNotInstalled) && errors.Is(kerr, ErrNotInstalled) {
		return false, ErrNotInstalled
	}
	return told, p.Uninstall()
}

// tell says device.revoke on a socket of its own.
func tell(ctx context.Context, st Settings, key ed25519.PrivateKey, dialer *proxy.Dialer) error {
	u, err := session.WSURL(st.Server, "/ws/device")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DialContext: direct(dialer).DialContext}}
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return err
	}
	defer ws.CloseNow()
	h := protocol.DeviceHello{DeviceID: st.DeviceID, Time: time.Now().UnixMilli(), Nonce: rand.Text()}
	protocol.SignDeviceHello(&h, key)
	for _, m := range []struct {
		t protocol.Type
		p any
	}{{protocol.TypeDeviceHello, h}, {protocol.TypeDeviceRevoke, protocol.DeviceRevoke{}}} {
		b, _ := protocol.Encode(m.t, "", "", m.p)
		if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
			return err
		}
	}
	// The server closes the socket once the revocation is recorded.
	for {
		_, data, err := ws.Read(ctx)
		if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
			return nil
		}
		if err != nil {
			return err
		}
		if m, derr := protocol.Decode(data); derr == nil {
			if e, ok := m.Body.(*protocol.Error); ok {
				return fmt.Errorf("%s", e.Message)
			}
		}
	}
}

// direct is d, or a direct connection for nil.
func direct(d *proxy.Dialer) *proxy.Dialer {
	if d == nil {
		d, _ = proxy.New(proxy.Settings{URL: "direct"})
	}
	return d
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/proxy"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/agent/unattended"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// unattendedFlags are the command line of unattended access.
type unattendedFlags struct {
	run, status, remove, page bool
	// noBrowser leaves the page's opening to whoever reads its address.
	noBrowser bool
	// policy, askWait and allowOnTimeout are given by the device to the
	// session it starts for a technician (see connect).
	policy         string
	askSeconds     int
	allowOnTimeout bool
}

// enroller installs this program for unattended access (session.Enroller).
type enroller struct{ place unattended.Place }

func (e enroller) NewKey() (string, error) { return e.place.NewKey() }

func (e enroller) Zone() (string, bool) { return unattended.LocalZone() }

func (e enroller) Install(en session.Enrollment) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return e.place.Install(unattended.Settings{Server: en.Server, DeviceID: en.DeviceID, Window: en.Window,
		Org: en.Org, Technician: en.Technician, Since: time.Now().UTC()}, exe)
}

// sessionPolicy is the grants gate's policy for a session the device
// started, nil for an attended one.
func (f unattendedFlags) sessionPolicy() *session.Policy {
	if f.policy == "" {
		return nil
	}
	return &session.Policy{Mode: f.policy, AskWait: secs(f.askSeconds), AllowOnTimeout: f.allowOnTimeout}
}

// unattendedCommand runs --unattended, --unattended-status and
// --unattended-remove; handled is false for any other command line.
func unattendedCommand(f unattendedFlags, l i18n.Lang, log *slog.Logger, dialer *proxy.Dialer) (code int, handled bool) {
	place := unattended.Place{}
	switch {
	case f.status:
		st, err := place.Settings()
		if errors.Is(err, unattended.ErrNotInstalled) {
			fmt.Println(i18n.T(l, "agent.unattended.none"))
			return 0, true
		} else if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1, true
		}
		fmt.Println(i18n.T(l, "agent.unattended.status", st.Server, session.WindowText(l, st.Window), st.DeviceID))
		return 0, true
	case f.remove:
		told, err := unattended.Revoke(context.Background(), place, dialer)
		switch {
		case errors.Is(err, unattended.ErrNotInstalled):
			fmt.Println(i18n.T(l, "agent.unattended.none"))
			return 0, true
		case err != nil:
			fmt.Fprintln(os.Stderr, err)
			return 1, true
		case told:
			fmt.Println(i18n.T(l, "agent.unattended.removed"))
		default:
			fmt.Println(i18n.T(l, "agent.unattended.removedOff"))
		}
		return 0, true
	case f.page:
		return showPage(place, l, log, dialer, !f.noBrowser), true
	case f.run:
		return runDevice(place, l, log, dialer), true
	}
	return 0, false
}

// runDevice keeps the computer connected for unattended access until it is
// stopped, or revoked (then it exits 0, so that its service manager does
// not start it again).
func runDevice(place unattended.Place, l i18n.Lang, log *slog.Logger, dialer *proxy.Dialer) int {
	st, err := place.Settings()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	key, err := place.Key()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d := &unattended.Device{Settings: st, Key: key, Logger: log, Proxy: dialer,
		Connect: func(ctx context.Context, c protocol.DeviceConnect) {
			if err := place.Remember(unattended.Connection{At: time.Now().UTC(), Technician: c.TechnicianName, Policy: c.Policy}); err != nil {
				log.Warn("the connection is not in the owner's list", "err", err)
			}
			connect(ctx, exe, st.Server, c, log)
		}}
	err = unattended.AsService(ctx, d.Run)
	if errors.Is(err, unattended.ErrRevoked) {
		fmt.Println(i18n.T(l, "agent.unattended.revoked"))
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// pageIdle is how long the owner's page stays up with nobody using it.
const pageIdle = 15 * time.Minute

// showPage serves the owner's unattended access page on loopback and opens
// it, until it is left idle, access is removed from it, or the program is
// stopped.
func showPage(place unattended.Place, l i18n.Lang, log *slog.Logger, dialer *proxy.Dialer, open bool) int {
	pg, err := unattended.NewPage(place, l, func(ctx context.Context) (bool, error) {
		return unattended.Revoke(ctx, place, dialer)
	}, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(i18n.T(l, "agent.page_url", pg.URL()))
	if open {
		if err := consent.OpenURL(pg.URL()); err != nil {
			log.Warn("could not open the page in a browser", "err", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := pg.Run(ctx, pageIdle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// connect runs the session a technician opened, as this same program
// joining with the invitation it was sent, under its group's policy.
func connect(ctx context.Context, exe, server string, c protocol.DeviceConnect, log *slog.Logger) {
	args := []string{"--server", server, "--code", c.Code, "--no-browser", "--unattended-policy", c.Policy}
	if c.AskSeconds > 0 {
		args = append(args, "--unattended-ask", strconv.Itoa(c.AskSeconds))
	}
	if c.AllowOnTimeout {
		args = append(args, "--unattended-allow-on-timeout")
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	log.Info("technician connecting", "technician", c.TechnicianName, "policy", c.Policy)
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		log.Warn("unattended session ended", "err", err)
	}
}

// secs is n seconds.
func secs(n int) time.Duration { return time.Duration(n) * time.Second }

package main

import (
	"image"
	"log/slog"
	"sync/atomic"

	"github.com/lifeline-support/lifeline/agent/chat"
	"github.com/lifeline-support/lifeline/agent/clipboard"
	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/draw"
	"github.com/lifeline-support/lifeline/agent/fileman"
	"github.com/lifeline-support/lifeline/agent/files"
	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/agent/overlay"
	"github.com/lifeline-support/lifeline/agent/pagepeer"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/agent/privacy"
	"github.com/lifeline-support/lifeline/agent/recording"
	"github.com/lifeline-support/lifeline/agent/screenshot"
	"github.com/lifeline-support/lifeline/agent/scripts"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/agent/supervise"
	"github.com/lifeline-support/lifeline/agent/sysinfo"
	"github.com/lifeline-support/lifeline/agent/terminal"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// The drawing holds the technician's input back while it shows, and audits
// the strokes it refuses.
var (
	_ session.InputGuard = (*draw.Draw)(nil)
	_ session.Auditor    = (*draw.Draw)(nil)
	// The badge says when the session is on hold.
	_ session.HoldWatcher = (*indicator.Indicator)(nil)
)

// Private windows are masked in every frame and refuse input aimed at them.
var (
	_ session.Masker      = (*privacy.Privacy)(nil)
	_ session.InputFilter = (*privacy.Privacy)(nil)
)

// Files in flight when the session ends are ended by the agent itself.
var _ session.Ender = (*files.Feature)(nil)

// Files take only their share of a slow link (the Peer's BulkRate).
var _ session.BulkSender = (*files.Feature)(nil)

// The Peer tells what share of the link bulk data may take.
var _ session.RatedPeer = (*peer.Peer)(nil)

// The customer's page is the second peer of the technician's screen and of
// voice; its negotiation ends with the session.
var (
	_ session.PageRelay = (*pagepeer.Relay)(nil)
	_ session.Ender     = (*pagepeer.Relay)(nil)
)

// features builds the agent's features beyond screen and input, mounting their
// panels on the customer's page. Each feature adds its own block here.
func features(ui *consent.UI, log *slog.Logger, lang i18n.Lang, journal *supervise.Journal, indicatorOn bool) ([]session.Feature, error) {
	var fs []session.Feature

	c := chat.New(chat.Config{Logger: log})
	if err := ui.Mount("chat", c); err != nil {
		return nil, err
	}
	fs = append(fs, c)

	fl := files.New(files.Config{Logger: log, Lang: lang, OnLog: c.NoteFunc, Journal: journal})
	if err := ui.Mount("files", fl); err != nil {
		return nil, err
	}
	fs = append(fs, fl)

	// Clipboard sharing needs xclip; without it the rest of the session works.
	// The process exits with the session, so nothing closes it.
	cb, err := clipboard.New(clipboard.Config{Logger: log})
	if err != nil {
		log.Warn("clipboard sharing unavailable", "err", err)
	} else {
		fs = append(fs, cb)
	}

	// Drawing and the laser pointer need an overlay on the screen (see
	// newOverlay); without it the rest of the session works.
	if b, err := newOverlay(); err != nil {
		log.Warn("drawing on the screen unavailable", "err", err)
	} else {
		fs = append(fs, draw.New(overlay.New(b, log), log))
	}

	// The customer keeps chosen windows private: masked in every frame and
	// screenshot before encoding, and closed to the technician's input (see
	// newDesktop). Without a desktop to read, the rest of the session works
	// and the panel says why.
	var maskShot func(*image.RGBA)
	var pv *privacy.Privacy
	if d, err := newDesktop(); err != nil {
		log.Warn("private windows unavailable", "err", err)
	} else {
		pv = privacy.New(privacy.Config{Desktop: d, Logger: log, Lang: lang})
		if err := ui.Mount("privacy", pv); err != nil {
			return nil, err
		}
		fs = append(fs, pv)
		maskShot = pv.MaskRGBA
	}

	// The customer is told in their log of every screenshot and recording, and
	// sees a banner while the technician records.
	fs = append(fs, screenshot.New(screenshot.Config{Logger: log, Mask: maskShot, OnTaken: func() { c.Note("agent.chat.ev.screenshot") }}))
	rec := recording.New(recording.Config{Logger: log, OnNotice: func(on bool) {
		if on {
			c.Note("agent.chat.ev.recording.on")
		} else {
			c.Note("agent.chat.ev.recording.off")
		}
	}})
	if err := ui.Mount("recording", rec); err != nil {
		return nil, err
	}
	fs = append(fs, rec)

	// Terminals run only while the customer allows them; the customer's
	// page says when one is open and closes them all in one click, and
	// their transcript goes to the session's log.
	tm := terminal.New(terminal.Config{Logger: log})
	if err := ui.Mount("terminal", tm); err != nil {
		return nil, err
	}
	fs = append(fs, tm)

	// The technician's screen, shown to the customer, and voice: browser to
	// browser, the customer's page answering the technician's browser; the
	// agent only passes their negotiation on (the page's own WebSocket: no
	// event stream of its own, see sysinfo below).
	var in atomic.Pointer[indicator.Indicator]
	pp := pagepeer.New(pagepeer.Config{Logger: log, OnMic: func(on bool) {
		// The badge says it too while the customer's microphone is on.
		if i := in.Load(); i != nil {
			i.SetMic(on)
		}
	}})
	if err := ui.Mount("pagepeer", pp); err != nil {
		return nil, err
	}
	fs = append(fs, pp)

	// Scripts from the administrator's library run with the same grant
	// ("run commands"), one at a time, their output and exit code in the
	// session's log and their runs in the audit trail.
	fs = append(fs, scripts.New(scripts.Config{Logger: log}))

	// System information, read only but for ending a process, only while
	// the customer allows it; their page says so and takes it back in one
	// click (agent/consent: no panel of its own, whose event stream would
	// take the browser's last connection to the page).
	fs = append(fs, sysinfo.New(sysinfo.Config{Logger: log}))

	// The file manager, only while the customer allows it (their page says
	// so and takes it back in one click, as for system information; their
	// log says what it changed); its
	// downloads and uploads are file transfers like the others, with their
	// SHA-256 in the customer's log and the audit.
	fs = append(fs, fileman.New(fileman.Config{Logger: log, Transfers: fl, OnLog: c.NoteFunc}))

	// The screen itself shows that it is being viewed or controlled: a frame
	// and a badge whose click stops control, then viewing, whose "Hide a
	// window" button (with private windows) hides the window the customer
	// then clicks, and whose End button ends the session once confirmed (see
	// newIndicator). Without it the customer's page and terminal still show
	// it. An unattended session whose policy is silent has none. (in is
	// declared above, for the page peer's microphone.)
	if !indicatorOn {
		log.Info("no on-screen indicator: a silent unattended session")
	} else if d, err := newIndicator(func(z indicator.Zone) {
		if i := in.Load(); i != nil {
			i.Click(z)
		}
	}); err != nil {
		log.Warn("on-screen indicator unavailable", "err", err)
	} else {
		i := indicator.New(d, lang, log)
		i.OnAction(ui.Act)
		if pv != nil {
			i.OnHide(func(at image.Point) {
				if _, err := pv.HideAt(at); err != nil {
					log.Info("no window to hide where the customer clicked", "at", at, "err", err)
				}
			})
		}
		in.Store(i)
		fs = append(fs, i)
	}

	return fs, nil
}

// The terminal reports what it refuses and opens, and writes its transcript
// to the session's log.
var (
	_ session.Auditor   = (*terminal.Terminal)(nil)
	_ session.LogWriter = (*terminal.Terminal)(nil)
	_ session.Auditor   = (*sysinfo.SysInfo)(nil)
	_ session.Auditor   = (*fileman.Manager)(nil)
	_ fileman.Transfers = (*files.Feature)(nil)
	_ session.Auditor   = (*scripts.Scripts)(nil)
	_ session.LogWriter = (*scripts.Scripts)(nil)
	_ session.Ender     = (*scripts.Scripts)(nil)
)

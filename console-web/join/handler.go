// Package join is the customer's way in: the invitation link page, the PIN page at
// /join, and the agent downloads stamped with the server URL and session code.
package join

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/agentcfg"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/orgkey"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Handler serves /s/{token}, /join and /download/.
type Handler struct {
	Invites   *invite.Service
	Store     *store.Store
	PublicURL string
	// Settings returns the organisation's settings; the name customers see comes from there.
	Settings func(context.Context) store.Settings
	// AgentDir holds the agent builds, named lifeline-agent-<os>-<arch>[.exe].
	AgentDir string
	// Keys, if set, stamp every download with the organisation's keys and a
	// key of its own (signaling/orgkey): the agent then accepts only
	// technicians the organisation certified.
	Keys   *orgkey.Keys
	Logger *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /s/{token}", h.link)
	mux.HandleFunc("GET /join", h.pinForm)
	mux.HandleFunc("POST /join", h.pin)
	mux.HandleFunc("GET /download/{token}/{os}", h.download)
}

// Platform is an operating system an agent can be built for.
type Platform struct {
	OS, Arch, Name, Ext string
}

// Platforms lists the agent builds the server knows about, most common first.
var Platforms = []Platform{
	{"windows", "amd64", "Windows", ".exe"},
	{"darwin", "arm64", "macOS", ""},
	{"linux", "amd64", "Linux", ""},
}

func (pl Platform) file() string { return "lifeline-agent-" + pl.OS + "-" + pl.Arch + pl.Ext }

// downloadName is the name the customer's browser saves the agent under.
func (pl Platform) downloadName() string { return "lifeline-support" + pl.Ext }

// guide is what the invitation page says once the download started: where
// this browser put the file, how to open it, and on Linux the one command
// that runs it when the browser dropped its permission to run.
type guide struct {
	Steps   []string
	Command string
	Note    string
}

// guideFor is the guide for the agent of pl downloaded with the browser ua
// names, in p's language.
func guideFor(p layout.Page, pl Platform, ua string) guide {
	name := pl.downloadName()
	g := guide{Steps: []string{p.T("join.after.where."+browserOf(ua), name)}}
	switch pl.OS {
	case "windows":
		g.Steps = append(g.Steps, p.T("join.after.open.windows"))
	case "linux":
		g.Steps = append(g.Steps, p.T("join.after.open.linux"))
		g.Command = "chmod +x ~/Downloads/" + name + " && ~/Downloads/" + name
		g.Note = p.T("join.after.folder")
	default:
		g.Steps = append(g.Steps, p.T("join.after.open.mac"))
	}
	return g
}

// browserOf names the browser family of a User-Agent, for where it shows
// downloads: "edge", "firefox", "chrome", "safari" or "other".
func browserOf(ua string) string {
	switch {
	case strings.Contains(ua, "Edg/"):
		return "edge"
	case strings.Contains(ua, "Firefox/"):
		return "firefox"
	case strings.Contains(ua, "Chrome/"), strings.Contains(ua, "Chromium/"):
		return "chrome"
	case strings.Contains(ua, "Safari/"):
		return "safari"
	}
	return "other"
}

// available reports whether the server has a build for pl.
func (h *Handler) available(pl Platform) bool {
	fi, err := os.Stat(filepath.Join(h.AgentDir, pl.file()))
	return err == nil && fi.Mode().IsRegular()
}

// detect guesses the customer's platform from the User-Agent; ok is false
// when it is none the agent is built for (phones, tablets, Chromebooks) or
// cannot be told.
func detect(ua string) (pl Platform, ok bool) {
	switch {
	case strings.Contains(ua, "Android"), strings.Contains(ua, "CrOS"),
		strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"):
		return Platform{}, false
	case strings.Contains(ua, "Windows"):
		return Platforms[0], true
	case strings.Contains(ua, "Macintosh"), strings.Contains(ua, "Mac OS X"):
		return Platforms[1], true
	case strings.Contains(ua, "Linux"), strings.Contains(ua, "X11"):
		return Platforms[2], true
	}
	return Platform{}, false
}

func (h *Handler) link(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "join.title")
	token := r.PathValue("token")
	sid, err := h.Invites.Check(r.Context(), token)
	if err != nil {
		h.refuse(w, r, p, err)
		return
	}
	s, err := h.Store.Session(r.Context(), sid)
	if err != nil {
		h.refuse(w, r, p, err)
		return
	}
	d := linkData{Token: token, Org: h.Settings(r.Context()).OrgName, Technician: s.TechnicianName, Customer: s.CustomerName, Channel: s.ChannelName}
	d.Mine, d.Known = detect(r.UserAgent())
	for _, pl := range Platforms {
		switch {
		case !h.available(pl):
			d.WindowsSoon = d.WindowsSoon || pl.OS == "windows"
		case d.Known && pl == d.Mine:
			d.Primary = &pl
			d.Guide = guideFor(p, pl, r.UserAgent())
		default:
			d.Others = append(d.Others, pl)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_ = linkView(p, d).Render(r.Context(), w)
}

type linkData struct {
	Token, Org, Technician, Customer string
	// Channel names the channel the customer asked for help on, if any.
	Channel string
	// Mine is the customer's platform, if Known.
	Mine  Platform
	Known bool
	// Primary is the download for Mine, if the server has it; Others are
	// the other downloads it has.
	Primary *Platform
	Others  []Platform
	// WindowsSoon: the server has no Windows agent yet.
	WindowsSoon bool
	// Guide says how to open the Primary download once it started.
	Guide guide
}

// refuse explains why a link cannot be used.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, p layout.Page, err error) {
	Refuse(w, r, p, h.Logger, "join link", err)
}

// Refuse answers a request for an invitation's page that cannot be used:
// gone (410) with why (expired, used, unknown), or a server error logged as
// what. The browser help page says it the same way.
func Refuse(w http.ResponseWriter, r *http.Request, p layout.Page, log *slog.Logger, what string, err error) {
	key := "join.invalid"
	switch {
	case errors.Is(err, invite.ErrExpired):
		key = "join.expired"
	case errors.Is(err, invite.ErrUsed):
		key = "join.used"
	case errors.Is(err, invite.ErrInvalid), errors.Is(err, store.ErrNotFound):
	default:
		log.Error(what, "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		_ = layout.Message(p, p.T("error.title"), p.T("error.server")).Render(r.Context(), w)
		return
	}
	w.WriteHeader(http.StatusGone)
	_ = layout.Message(p, p.T(key), p.T("join.getNew")).Render(r.Context(), w)
}

func (h *Handler) pinForm(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "join.title")
	_ = pinView(p, h.Settings(r.Context()).OrgName, "").Render(r.Context(), w)
}

func (h *Handler) pin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	p := layout.NewPage(w, r, "join.title")
	pin := strings.Join(strings.Fields(r.PostFormValue("pin")), "")
	token, err := h.Invites.RedeemPIN(r.Context(), r.RemoteAddr, pin)
	var rl *invite.RateLimitError
	switch {
	case err == nil:
		http.Redirect(w, r, "/s/"+token, http.StatusSeeOther)
	case errors.As(err, &rl):
		secs := int(rl.RetryAfter.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		msg := p.T("join.tooMany", secs)
		if errors.Is(err, invite.ErrBusy) {
			msg = p.T("join.busy", secs)
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		w.WriteHeader(http.StatusTooManyRequests)
		_ = pinView(p, h.Settings(r.Context()).OrgName, msg).Render(r.Context(), w)
	case errors.Is(err, invite.ErrInvalidPIN):
		w.WriteHeader(http.StatusBadRequest)
		_ = pinView(p, h.Settings(r.Context()).OrgName, p.T("join.badPIN")).Render(r.Context(), w)
	case errors.Is(err, invite.ErrPINForExternal):
		w.WriteHeader(http.StatusBadRequest)
		_ = pinView(p, h.Settings(r.Context()).OrgName, p.T("join.pinForExternal")).Render(r.Context(), w)
	default:
		h.Logger.Error("redeem pin", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		_ = pinView(p, h.Settings(r.Context()).OrgName, p.T("error.server")).Render(r.Context(), w)
	}
}

// download sends the agent for one platform, stamped with this server and the
// invitation's code. "plain" as the token sends an agent that asks for a PIN.
func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "join.title")
	var pl *Platform
	for _, c := range Platforms {
		if c.OS == r.PathValue("os") {
			pl = &c
		}
	}
	if pl == nil || !h.available(*pl) {
		w.WriteHeader(http.StatusNotFound)
		_ = layout.Message(p, p.T("join.noBuild"), p.T("join.noBuildText")).Render(r.Context(), w)
		return
	}
	cfg := agentcfg.Config{Server: h.PublicURL, OrgName: h.Settings(r.Context()).OrgName}
	if token := r.PathValue("token"); token != "plain" {
		if _, err := h.Invites.Check(r.Context(), token); err != nil {
			h.refuse(w, r, p, err)
			return
		}
		cfg.Code = token
	}
	if h.Keys != nil {
		h.Keys.Stamp(&cfg, time.Now())
	}
	f, err := os.Open(filepath.Join(h.AgentDir, pl.file()))
	if err != nil {
		h.Logger.Error("open agent build", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	fi, _ := f.Stat()
	trailer := agentcfg.Trailer(cfg)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, pl.downloadName()))
	w.Header().Set("Content-Length", strconv.FormatInt(fi.Size()+int64(len(trailer)), 10))
	w.Header().Set("Cache-Control", "no-store")
	if err := agentcfg.Stamp(w, f, cfg); err != nil {
		h.Logger.Info("download interrupted", "err", err)
	}
}

package unattended

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// PageFlag is the command line option that opens the owner's page (the
// menu entry runs the installed program with it).
const PageFlag = "--unattended-page"

//go:embed page.html
var pageFS embed.FS

var pageTmpl = template.Must(template.ParseFS(pageFS, "page.html"))

// Page is the owner's page about unattended access, served on loopback to
// this computer's user alone (consent.Loopback, as the customer's page):
// who may connect, when, the last connections, and a button that removes
// unattended access as --unattended-remove does.
type Page struct {
	place  Place
	lang   i18n.Lang
	remove func(context.Context) (told bool, err error)
	log    *slog.Logger
	lb     *consent.Loopback
	// touched gets a value at every request (for the idle stop); removed
	// is closed once access is removed.
	touched chan struct{}
	once    sync.Once
	removed chan struct{}
}

// NewPage listens on loopback for place's page in lang; remove withdraws
// access (Revoke).
func NewPage(place Place, lang i18n.Lang, remove func(context.Context) (bool, error), log *slog.Logger) (*Page, error) {
	lb, err := consent.ListenLoopback()
	if err != nil {
		return nil, fmt.Errorf("unattended page: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	return &Page{place: place, lang: lang, remove: remove, log: log, lb: lb,
		touched: make(chan struct{}, 1), removed: make(chan struct{})}, nil
}

// URL is the page's address (a credential, see consent.Loopback.URL).
func (pg *Page) URL() string { return pg.lb.URL() }

// Run serves the page until ctx ends, nobody asked anything for idle, or
// unattended access was removed (the answer saying so sent).
func (pg *Page) Run(ctx context.Context, idle time.Duration) error {
	srv := &http.Server{Handler: pg, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(pg.log.Handler(), slog.LevelDebug)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(pg.lb.Listener()) }()
	t := time.NewTimer(idle)
	defer t.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-pg.removed:
			break loop
		case <-pg.touched:
			t.Reset(idle)
		case <-t.C:
			break loop
		case err := <-errc:
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// A connection that never sent a request (a browser's preconnect)
		// holds Shutdown for 5 s; every answer was sent: close the rest.
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ServeHTTP serves the page (GET) and its removal (POST remove), after
// the Loopback checks.
func (pg *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sub, ok := pg.lb.Check(w, r)
	if !ok {
		return
	}
	select {
	case pg.touched <- struct{}{}:
	default:
	}
	switch sub {
	case "":
		pg.servePage(w, r)
	case "remove":
		pg.serveRemove(w, r)
	default:
		http.NotFound(w, r)
	}
}

// pageView is the page's template data.
type pageView struct {
	Lang      i18n.Lang
	Nonce     string
	T         map[string]string
	Installed bool
	Who       string
	When      string
	Since     string
	Server    string
	Device    string
	Last      []pageConnection
	Langs     []pageLang
}

type pageConnection struct{ At, Technician, Policy string }

type pageLang struct {
	Code    i18n.Lang
	Current bool
}

func (pg *Page) langOf(r *http.Request) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	return pg.lang
}

func (pg *Page) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	l := pg.langOf(r)
	var n [16]byte
	_, _ = rand.Read(n[:])
	v := pageView{Lang: l, Nonce: base64.StdEncoding.EncodeToString(n[:]), T: map[string]string{}}
	for k, m := range i18n.Table(l, "agent.uapage.") {
		v.T[strings.TrimPrefix(k, "agent.uapage.")] = m
	}
	for _, o := range i18n.Langs {
		v.Langs = append(v.Langs, pageLang{Code: o, Current: o == l})
	}
	if st, err := pg.place.Settings(); err == nil {
		v.Installed = true
		org := st.Org
		if org == "" {
			org = i18n.T(l, "agent.uapage.team")
		}
		v.Who = org
		if st.Technician != "" {
			v.Who = i18n.T(l, "agent.uapage.whoBy", org, st.Technician)
		}
		v.When = session.WindowText(l, st.Window)
		if !st.Since.IsZero() {
			v.Since = i18n.DateTime(l, st.Since.Local())
		}
		if u, err := url.Parse(st.Server); err == nil {
			v.Server = u.Host
		}
		v.Device = st.DeviceID
		list, _ := pg.place.Connections()
		for _, c := range list {
			v.Last = append(v.Last, pageConnection{At: i18n.DateTime(l, c.At.Local()), Technician: c.Technician,
				Policy: i18n.T(l, "agent.uapage.policy."+c.Policy)})
		}
	} else if !errors.Is(err, ErrNotInstalled) {
		pg.log.Warn("unattended settings", "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", fmt.Sprintf("default-src 'none'; script-src 'nonce-%[1]s'; style-src 'nonce-%[1]s'; "+
		"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", v.Nonce))
	if err := pageTmpl.Execute(w, v); err != nil {
		pg.log.Warn("unattended page render", "err", err)
	}
}

// removeAnswer is the answer to POST remove: a sentence for the owner.
type removeAnswer struct {
	Text string `json:"text"`
}

// serveRemove removes unattended access as --unattended-remove does, and
// says what was done.
func (pg *Page) serveRemove(w http.ResponseWriter, r *http.Request) {
	var body struct{}
	if !consent.PagePost(w, r, "application/json") || !consent.DecodeJSON(w, r, &body, 64, "body too large") {
		return
	}
	l := pg.langOf(r)
	told, err := pg.remove(r.Context())
	key := "agent.unattended.removedOff"
	switch {
	case errors.Is(err, ErrNotInstalled):
		key = "agent.unattended.none"
	case err != nil:
		pg.log.Warn("unattended access not removed", "err", err)
		http.Error(w, i18n.T(l, "agent.uapage.failed", err.Error()), http.StatusInternalServerError)
		return
	case told:
		key = "agent.unattended.removed"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(removeAnswer{Text: i18n.T(l, key)})
	pg.once.Do(func() { close(pg.removed) })
}

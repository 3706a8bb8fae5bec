// Package layout holds the page frame every Lifeline page shares, and the choice of
// language for a request.
package layout

import (
	"net/http"

	"github.com/a-h/templ"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

const langCookie = "lifeline_lang"

// Lang picks the language of a request: a ?lang= choice (remembered in a cookie),
// then the cookie, then the browser's Accept-Language.
func Lang(w http.ResponseWriter, r *http.Request) i18n.Lang {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, ok := i18n.Parse(q); ok {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/",
				MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// Page is what the frame needs to know about the page it wraps.
type Page struct {
	Title string
	Lang  i18n.Lang
	// Technician is the logged-in technician's name; empty on public pages.
	Technician string
	CSRF       string
	// Admin shows the administration link.
	Admin bool
	// Reports shows the reports link (administrators and group leads).
	Reports bool
	// Path is the current path, for the language switcher links.
	Path string
	// Header, when set, is shown in the header between the product name and
	// the links (the queue's tabs).
	Header templ.Component
}

// T translates key in the page's language.
func (p Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// NewPage starts a Page for request r.
func NewPage(w http.ResponseWriter, r *http.Request, titleKey string) Page {
	l := Lang(w, r)
	return Page{Title: i18n.T(l, titleKey), Lang: l, Path: r.URL.Path}
}

// Viewer is the logged-in technician as the frame needs it (auth.Technician is one).
type Viewer interface {
	DisplayName() string
	CSRFToken() string
	IsAdmin() bool
	SeesReports() bool
}

// ForTechnician starts a Page for a logged-in technician.
func ForTechnician(w http.ResponseWriter, r *http.Request, titleKey string, v Viewer) Page {
	p := NewPage(w, r, titleKey)
	p.Technician, p.CSRF, p.Admin, p.Reports = v.DisplayName(), v.CSRFToken(), v.IsAdmin(), v.SeesReports()
	return p
}

package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// technician is a logged-in console user.
type technician struct {
	base   string
	client *http.Client
}

// session is a session the technician created.
type session struct {
	ID, Link, PIN string
}

// login logs in as admin.
func login(ctx context.Context, base, password string) (*technician, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	t := &technician{base: base, client: &http.Client{Jar: jar}}
	resp, _, err := t.post(ctx, "/login", url.Values{"username": {"admin"}, "password": {password}})
	if err != nil {
		return nil, fmt.Errorf("log in as admin: %w", err)
	}
	if resp.Request.URL.Path == "/login" {
		return nil, fmt.Errorf("log in as admin: refused (%s)", resp.Status)
	}
	return t, nil
}

var (
	csrfRe   = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	linkRe   = regexp.MustCompile(`id="invite-link"[^>]*value="([^"]*)"`)
	pinRe    = regexp.MustCompile(`id="invite-pin"[^>]*>([0-9]+)<`)
	sidRe    = regexp.MustCompile(`^/console/sessions/([^/]+)$`)
	downRe   = regexp.MustCompile(`id="download"[^>]*href="([^"]*)"`)
	downRe2  = regexp.MustCompile(`href="([^"]*)"[^>]*id="download"`)
	fileName = regexp.MustCompile(`filename="([^"/\\]+)"`)
)

// newSession creates a session for customer from the console and reads its
// invitation link and PIN on the workspace page it lands on.
func (t *technician) newSession(ctx context.Context, customer string) (session, error) {
	_, page, err := get(ctx, t.client, t.base+"/console")
	if err != nil {
		return session{}, fmt.Errorf("open the console: %w", err)
	}
	csrf := find(csrfRe, page)
	resp, page, err := t.post(ctx, "/console/sessions", url.Values{"customer": {customer}, "csrf": {csrf}})
	if err != nil {
		return session{}, fmt.Errorf("create a session: %w", err)
	}
	s := session{ID: find(sidRe, resp.Request.URL.Path), Link: find(linkRe, page), PIN: find(pinRe, page)}
	if s.ID == "" || s.Link == "" || s.PIN == "" {
		return session{}, fmt.Errorf("create a session: no invitation on %s", resp.Request.URL)
	}
	return s, nil
}

// downloadAgent opens the invitation link as the customer (no cookies), follows
// its download button and saves the agent, executable, in dir.
func downloadAgent(ctx context.Context, link, dir string) (string, error) {
	c := &http.Client{}
	_, page, err := get(ctx, c, link)
	if err != nil {
		return "", fmt.Errorf("open the invitation: %w", err)
	}
	href := find(downRe, page)
	if href == "" {
		href = find(downRe2, page)
	}
	base, _ := url.Parse(link)
	ref, err := url.Parse(href)
	if href == "" || err != nil {
		return "", fmt.Errorf("no download button on %s", link)
	}
	u := base.ResolveReference(ref).String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("download the agent: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download the agent: %s: %s", u, resp.Status)
	}
	name := find(fileName, resp.Header.Get("Content-Disposition"))
	if name == "" {
		name = "lifeline-support"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return "", fmt.Errorf("download the agent: %w", err)
	}
	return p, f.Close()
}

func (t *technician) post(ctx context.Context, path string, form url.Values) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t.client, req)
}

func get(ctx context.Context, c *http.Client, u string) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	return do(c, req)
}

// do sends req and reads the whole body; a status other than 2xx is an error,
// except 401 (the login page's wrong password), which login checks itself.
func do(c *http.Client, req *http.Request) (*http.Response, string, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusUnauthorized {
		return nil, "", fmt.Errorf("%s %s: %s", req.Method, resp.Request.URL, resp.Status)
	}
	return resp, string(b), nil
}

// find returns the first group re captures in s, HTML-unescaped, or "".
func find(re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

package consent

import (
	"context"
	"net/http"
	"strconv"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

// ProxyLogin is the user name and password the customer gave for their
// network's proxy. They go to the proxy only: never to the server or the
// technician, never to the log.
type ProxyLogin struct {
	User, Password string
}

// login is the pending question for the proxy's user name and password.
type login struct {
	id    string
	proxy string
	again bool
	done  chan struct{}
	got   ProxyLogin
	err   error
}

// viewLogin is the proxy login form as the page shows it.
type viewLogin struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Again says the proxy refused the last user name and password.
	Again string `json:"again,omitempty"`
}

// Problems reaching the support server, shown on the page by SetProblem:
// catalog keys taking the proxy's address.
const (
	ProblemProxyRefused     = "agent.proxy.refused"
	ProblemProxyUnreachable = "agent.proxy.unreachable"
)

// SetProblem shows why the support server cannot be reached (ProblemProxyRefused,
// ProblemProxyUnreachable, or another "agent." key taking one argument, arg),
// or clears it with an empty key.
func (u *UI) SetProblem(key, arg string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.problemKey == key && u.problemArg == arg {
		return
	}
	u.problemKey, u.problemArg = key, arg
	u.notifyLocked()
}

// AskProxyLogin shows a form for the user name and password that the proxy
// at proxy asks for (again: the last ones were refused) and blocks until the
// customer sends it, ctx ends (ctx.Err()), the session ends (ErrEnded) or the
// UI closes (ErrClosed).
func (u *UI) AskProxyLogin(ctx context.Context, proxy string, again bool) (ProxyLogin, error) {
	u.mu.Lock()
	switch {
	case u.closed:
		u.mu.Unlock()
		return ProxyLogin{}, ErrClosed
	case u.ended:
		u.mu.Unlock()
		return ProxyLogin{}, ErrEnded
	}
	u.seq++
	l := &login{id: "proxy-" + strconv.Itoa(u.seq), proxy: proxy, again: again, done: make(chan struct{})}
	if u.login != nil {
		u.settleLoginLocked(ErrWithdrawn, ProxyLogin{})
	}
	u.login = l
	u.notifyLocked()
	u.mu.Unlock()
	u.log.Info("customer asked for the proxy's user name and password", "proxy", proxy, "again", again)

	select {
	case <-l.done:
	case <-ctx.Done():
		u.mu.Lock()
		if u.login == l {
			u.settleLoginLocked(ctx.Err(), ProxyLogin{})
		}
		u.mu.Unlock()
		<-l.done
	}
	return l.got, l.err
}

// settleLoginLocked answers the pending login, if any. u.mu must be held.
func (u *UI) settleLoginLocked(err error, got ProxyLogin) {
	l := u.login
	if l == nil {
		return
	}
	u.login = nil
	l.got, l.err = got, err
	close(l.done)
	u.notifyLocked()
}

// problemViewLocked adds the problem and the login form to v. u.mu must be held.
func (u *UI) problemViewLocked(lang i18n.Lang, v *view) {
	if u.problemKey != "" && !v.Ended {
		v.Problem = i18n.T(lang, u.problemKey, u.problemArg)
	}
	if l := u.login; l != nil {
		v.Login = &viewLogin{ID: l.id, Text: i18n.T(lang, "agent.proxy.ask", l.proxy)}
		if l.again {
			v.Login.Again = i18n.T(lang, "agent.proxy.again")
		}
	}
}

// proxyBody is the body of POST proxy.
type proxyBody struct {
	ID       string `json:"id"`
	User     string `json:"user"`
	Password string `json:"password"`
}

// serveProxy takes the proxy's user name and password from the page; 409
// if the form named is no longer asked, 400 without a user name.
func (u *UI) serveProxy(w http.ResponseWriter, r *http.Request) {
	var b proxyBody
	if !decodePost(w, r, &b) {
		return
	}
	lang := u.langOf(r)
	if b.User == "" {
		http.Error(w, i18n.T(lang, "agent.proxy.noUser"), http.StatusBadRequest)
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed || u.login == nil || u.login.id != b.ID {
		http.Error(w, i18n.T(lang, "agent.page.stale"), http.StatusConflict)
		return
	}
	u.settleLoginLocked(nil, ProxyLogin{User: b.User, Password: b.Password})
	w.WriteHeader(http.StatusNoContent)
}

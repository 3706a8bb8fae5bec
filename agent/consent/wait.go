package consent

import (
	"net/http"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The channel's waiting limit: a customer who asked for help on a channel
// and still waits for a technician once the limit has passed is told so on
// the page, and chooses to keep waiting (asked again after another limit)
// or to leave a message. The message goes to whoever reads Callbacks (the
// session, which sends it as session.callback); the session then ends with
// ReasonCallback, or reports a refusal with CallbackFailed.

// ReasonCallback is the end of a session whose customer left a message.
const ReasonCallback = "agent.ended.callback"

// SetWaitLimit sets how long the customer waits for a technician before the
// page offers to keep waiting or leave a message; 0 offers nothing. The
// offer counts from the first call with this limit: calling again with the
// same one (each welcome says it) changes nothing.
func (u *UI) SetWaitLimit(d time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if d == u.waitLimit {
		return
	}
	u.waitLimit = d
	u.waitedLong = false
	u.armWaitLocked()
	u.notifyLocked()
}

// armWaitLocked starts counting the waiting limit again, if the customer
// waits for a technician; it stops counting otherwise. u.mu must be held.
func (u *UI) armWaitLocked() {
	u.waitFailed = ""
	if u.waitTimer != nil {
		u.waitTimer.Stop()
		u.waitTimer = nil
	}
	if u.waitLimit <= 0 || u.connected || u.ended || u.closed {
		u.waitedLong = false
		return
	}
	var t *time.Timer
	t = time.AfterFunc(u.waitLimit, func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.waitTimer != t {
			return // stopped or replaced meanwhile
		}
		u.waitTimer = nil
		u.waitedLong = true
		u.notifyLocked()
	})
	u.waitTimer = t
}

// Callbacks delivers the message the customer leaves instead of waiting
// longer ("" when they wrote none).
func (u *UI) Callbacks() <-chan string { return u.callbacks }

// CallbackFailed tells the customer their message could not be left: the
// offer shows again with the reason, and they can retry or keep waiting.
func (u *UI) CallbackFailed() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.leaving = false
	u.waitFailed = "agent.wait.failed"
	u.notifyLocked()
}

// waitBody is the body of POST wait: keep waiting, or leave Message.
type waitBody struct {
	Keep    bool   `json:"keep,omitempty"`
	Message string `json:"message"`
}

// maxWaitBody bounds the body of POST wait: the message in JSON escapes.
const maxWaitBody = protocol.MaxCallbackMessage*12 + 64

// serveWait takes the customer's choice once the waiting limit passed: keep
// waiting (204, asked again after another limit) or leave a message (204
// once handed to the session; the end follows on the events). 409 when the
// offer is not shown (a technician took the request meanwhile), 400 with a
// sentence for a message the server would refuse.
func (u *UI) serveWait(w http.ResponseWriter, r *http.Request) {
	var b waitBody
	lang := u.langOf(r)
	if !PagePost(w, r, "application/json") || !DecodeJSON(w, r, &b, maxWaitBody, i18n.T(lang, "agent.wait.bad", protocol.MaxCallbackMessage)) {
		return
	}
	msg := protocol.SessionCallback{Message: strings.TrimSpace(b.Message)}
	if !b.Keep && msg.Check() != nil {
		http.Error(w, i18n.T(lang, "agent.wait.bad", protocol.MaxCallbackMessage), http.StatusBadRequest)
		return
	}
	u.mu.Lock()
	if !u.waitedLong || u.leaving || u.ended || u.closed {
		u.mu.Unlock()
		http.Error(w, i18n.T(lang, "agent.page.stale"), http.StatusConflict)
		return
	}
	u.waitFailed = ""
	if b.Keep {
		u.waitedLong = false
		u.armWaitLocked()
		u.notifyLocked()
		u.mu.Unlock()
		u.log.Info("customer keeps waiting")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	u.leaving = true
	u.notifyLocked()
	u.mu.Unlock()
	select {
	case u.callbacks <- msg.Message:
		u.log.Info("customer leaves a message instead of waiting")
		w.WriteHeader(http.StatusNoContent)
	case <-r.Context().Done():
		u.CallbackFailed()
	case <-u.ctx.Done():
		http.Error(w, i18n.T(lang, "agent.page.stale"), http.StatusConflict)
	case <-time.After(surveyWait):
		u.CallbackFailed()
		http.Error(w, i18n.T(lang, "agent.wait.failed"), http.StatusServiceUnavailable)
	}
}

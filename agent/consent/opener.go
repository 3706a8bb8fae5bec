package consent

import (
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// openBrowser opens the customer's page in the default browser, best effort
// (see openURL, per OS).
//
// The opener is not killed at Close: on some desktops xdg-open becomes the browser
// itself, and ending the agent must not close the customer's browser. So the
// goroutine that reaps it is, on purpose, not waited for by Close; it ends when the
// opener exits.
func (u *UI) openBrowser() {
	if err := openURL(u.lb.URL(), func(err error) { u.log.Warn("browser opener failed", "err", err) }); err != nil {
		u.log.Warn("could not open the customer page in a browser", "err", err)
	}
}

// OpenURL opens url in the customer's default browser and returns once the
// system took it; like openBrowser, an opener program is reaped in the
// background and never killed. Callers check url first (protocol.CheckURL):
// the opener runs whatever it is given.
func OpenURL(url string) error {
	// Only http(s), whoever calls: anything else could run on the desktop.
	if err := protocol.CheckURL(url); err != nil {
		return err
	}
	return openURL(url, func(error) {})
}

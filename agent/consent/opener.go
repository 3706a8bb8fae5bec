package consent

import (
	"os/exec"
	"runtime"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// openerCommand returns the command that opens url in the default browser.
func openerCommand(url string) (string, []string) {
	switch runtime.GOOS {
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}
	case "darwin":
		return "open", []string{url}
	}
	return "xdg-open", []string{url}
}

// openBrowser starts the OS opener on the page, best effort.
//
// The opener is not killed at Close: on some desktops xdg-open becomes the browser
// itself, and ending the agent must not close the customer's browser. So the
// goroutine that reaps it is, on purpose, not waited for by Close; it ends when the
// opener exits.
func (u *UI) openBrowser() {
	name, args := openerCommand(u.url)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		u.log.Warn("could not open the customer page in a browser", "opener", name, "err", err)
		return
	}
	go func() {
		if err := cmd.Wait(); err != nil {
			u.log.Warn("browser opener failed", "opener", name, "err", err)
		}
	}()
}

// OpenURL starts the OS opener on url (the customer's default browser) and returns
// once it started; like openBrowser, the opener is reaped in the background and
// never killed. Callers check url first (protocol.CheckURL): the opener runs
// whatever it is given.
func OpenURL(url string) error {
	// Only http(s), whoever calls: anything else could run on the desktop.
	if err := protocol.CheckURL(url); err != nil {
		return err
	}
	name, args := openerCommand(url)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

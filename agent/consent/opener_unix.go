//go:build !windows

package consent

import "os/exec"

// openURL starts the desktop's opener on url (xdg-open; macOS, not
// supported yet, would use open) and reaps it in the background, telling
// failed if it fails.
func openURL(url string, failed func(error)) error {
	cmd := exec.Command("xdg-open", url)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		if err := cmd.Wait(); err != nil {
			failed(err)
		}
	}()
	return nil
}

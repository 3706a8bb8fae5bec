//go:build !windows

package files

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// DownloadDir returns the customer's Downloads folder: XDG_DOWNLOAD_DIR (from the
// environment or user-dirs.dirs), else ~/Downloads.
func DownloadDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	if d := os.Getenv("XDG_DOWNLOAD_DIR"); filepath.IsAbs(d) {
		return d, nil
	}
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(cfg) {
		cfg = filepath.Join(home, ".config")
	}
	if f, err := os.Open(filepath.Join(cfg, "user-dirs.dirs")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_DOWNLOAD_DIR=")
			if !ok {
				continue
			}
			v = strings.Trim(v, `"`)
			v = strings.Replace(v, "$HOME", home, 1)
			if filepath.IsAbs(v) && filepath.Clean(v) != filepath.Clean(home) {
				return filepath.Clean(v), nil
			}
		}
	}
	return filepath.Join(home, "Downloads"), nil
}

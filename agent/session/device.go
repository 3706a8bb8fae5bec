package session

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// deviceFile is where the device identity lives, under the user's config directory.
const deviceFile = "lifeline/device-id"

// LoadDeviceID returns this machine's device identity: random, created on
// first use and kept in the user's config directory (dir; empty means
// os.UserConfigDir), so the technician finds earlier sessions and notes of the
// same computer. It identifies a computer, not a person, and proves nothing.
func LoadDeviceID(dir string) (string, error) {
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("device id: %w", err)
		}
		dir = d
	}
	p := filepath.Join(dir, deviceFile)
	if b, err := os.ReadFile(p); err == nil {
		if id := strings.TrimSpace(string(b)); validDeviceID(id) {
			return id, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("device id: %w", err)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", fmt.Errorf("device id: %w", err)
	}
	if err := os.WriteFile(p, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("device id: %w", err)
	}
	return id, nil
}

func validDeviceID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

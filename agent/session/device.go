package session

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// deviceFile is where the device key lives, under the user's config directory.
const deviceFile = "lifeline/device-key"

// LoadDeviceKey returns this machine's device key: 256 random bits, created on
// first use and kept in the user's config directory (dir; empty means
// os.UserConfigDir), readable by the user only. The agent sends it in its
// hello and the server derives the device's identity from it, so the
// technician finds earlier sessions and notes of the same computer, and an
// agent that does not hold the key cannot claim them. It identifies a
// computer, not a person.
func LoadDeviceKey(dir string) (string, error) {
	if dir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("device key: %w", err)
		}
		dir = d
	}
	p := filepath.Join(dir, deviceFile)
	if b, err := os.ReadFile(p); err == nil {
		if key := strings.TrimSpace(string(b)); validDeviceKey(key) {
			return key, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("device key: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := base64.RawURLEncoding.EncodeToString(b)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", fmt.Errorf("device key: %w", err)
	}
	if err := os.WriteFile(p, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("device key: %w", err)
	}
	return key, nil
}

func validDeviceKey(key string) bool {
	b, err := base64.RawURLEncoding.DecodeString(key)
	return err == nil && len(b) == 32
}

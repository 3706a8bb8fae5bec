// Package unattended lets a technician come back to this computer when
// nobody sits at it, after its owner agreed in an attended session: the
// device key made here (its private half never leaves the computer), the
// program installed to start with the user's session (a systemd user unit
// on Linux, a service on Windows), the device's socket to signaling, and
// the owner's way to see and withdraw it.
package unattended

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Errors of unattended access.
var (
	// ErrNotInstalled means this computer is not set up for unattended access.
	ErrNotInstalled = errors.New("unattended access is not set up on this computer")
	// ErrRevoked means the server says unattended access was revoked.
	ErrRevoked = errors.New("unattended access to this computer was revoked")
	// ErrRefused means the server did not let the device in (not enrolled, or
	// its key is not the one enrolled).
	ErrRefused = errors.New("the server refused this computer")
)

// Settings are what the installed program needs to connect on its own.
type Settings struct {
	Server   string         `json:"server"`
	DeviceID string         `json:"deviceId"`
	Window   protocol.Hours `json:"window"`
	// Org and Technician are who asked for unattended access, Since when
	// the owner agreed: the owner's page says so.
	Org        string    `json:"org,omitempty"`
	Technician string    `json:"technician,omitempty"`
	Since      time.Time `json:"since,omitzero"`
}

// Place is where unattended access lives on this computer: Config is the
// user's configuration directory (empty: os.UserConfigDir), under which
// are lifeline/unattended (the key, the settings, a copy of the program,
// the last connections) and, on Linux, the systemd user unit. Menu is the
// folder of the user's menu entries (empty: the system's, see menuDir),
// where the entry that opens the owner's page goes.
type Place struct {
	Config string
	Menu   string
}

func (p Place) base() (string, error) {
	if p.Config != "" {
		return p.Config, nil
	}
	return os.UserConfigDir()
}

// Dir is the folder that holds the key, the settings and the program.
func (p Place) Dir() (string, error) {
	b, err := p.base()
	if err != nil {
		return "", err
	}
	return filepath.Join(b, "lifeline", "unattended"), nil
}

func (p Place) file(name string) (string, error) {
	d, err := p.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, name), nil
}

// NewKey makes a new device key, keeps its private half readable by the
// user only, and returns the public half (for protocol.UnattendedAnswer).
func (p Place) NewKey() (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	f, err := p.file("key")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(f, []byte(base64.RawURLEncoding.EncodeToString(priv.Seed())+"\n"), 0o600); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(pub), nil
}

// Key reads the device key.
func (p Place) Key() (ed25519.PrivateKey, error) {
	f, err := p.file("key")
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(f)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotInstalled
	} else if err != nil {
		return nil, err
	}
	seed, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("device key %s: damaged", f)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Settings reads what Install saved; ErrNotInstalled if nothing is.
func (p Place) Settings() (Settings, error) {
	var s Settings
	f, err := p.file("settings.json")
	if err != nil {
		return s, err
	}
	if found, err := ReadJSON(f, &s); err != nil {
		return s, err
	} else if !found {
		return s, ErrNotInstalled
	}
	return s, nil
}

// ReadJSON reads the JSON file f into v; found is false (and v untouched)
// when there is no such file.
func ReadJSON(f string, v any) (found bool, err error) {
	b, err := os.ReadFile(f)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

// Program is where Install copies the program.
func (p Place) Program() (string, error) { return p.file(programName) }

// Install sets the computer up to connect on its own once enrolled: it
// saves s, copies the program exe there and registers it to start with the
// user's session (installService).
func (p Place) Install(s Settings, exe string) error {
	if _, err := p.Key(); err != nil {
		return err
	}
	f, err := p.file("settings.json")
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		return err
	}
	prog, err := p.Program()
	if err != nil {
		return err
	}
	if err := CopyProgram(exe, prog); err != nil {
		return fmt.Errorf("copy the program: %w", err)
	}
	if err := p.installMenu(prog); err != nil {
		return fmt.Errorf("menu entry: %w", err)
	}
	return p.installService(prog)
}

// Uninstall removes everything Install and NewKey left: the service, the
// menu entry, the program, the settings, the last connections and the key.
func (p Place) Uninstall() error {
	err := errors.Join(p.removeService(), p.removeMenu())
	d, derr := p.Dir()
	if derr != nil {
		return derr
	}
	return errors.Join(err, os.RemoveAll(d))
}

// Connection is one session a technician opened on the device.
type Connection struct {
	At         time.Time `json:"at"`
	Technician string    `json:"technician"`
	Policy     string    `json:"policy"`
}

// keptConnections is how many of the last connections Remember keeps.
const keptConnections = 20

// Remember adds c to the last connections the owner's page lists.
func (p Place) Remember(c Connection) error {
	f, err := p.file("connections.json")
	if err != nil {
		return err
	}
	list, err := p.Connections()
	if err != nil {
		return err
	}
	list = append([]Connection{c}, list...)
	if len(list) > keptConnections {
		list = list[:keptConnections]
	}
	b, _ := json.Marshal(list)
	tmp := f + ".new"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, f)
}

// Connections are the last connections, newest first.
func (p Place) Connections() ([]Connection, error) {
	f, err := p.file("connections.json")
	if err != nil {
		return nil, err
	}
	var list []Connection
	_, err = ReadJSON(f, &list)
	return list, err
}

// CopyProgram copies the program at from to to (mode 0700), through a
// temporary file renamed into place; nothing when they are the same file.
func CopyProgram(from, to string) error {
	if from == to {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := to + ".new"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o700)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, to)
}

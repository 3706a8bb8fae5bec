// Package agentcfg stamps a server URL and session code onto an agent binary, and
// reads them back, so a downloaded agent starts its session on a double-click.
//
// The stamp is a trailer appended to the executable: the JSON config, its length as
// 4 big-endian bytes, then an 8-byte magic. Operating systems ignore bytes after an
// executable's image, and the stamp costs no rebuild per download.
package agentcfg

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Config is what a download carries.
type Config struct {
	// Server is the signaling base URL, e.g. https://support.example.com.
	Server string `json:"server"`
	// Code is the invitation token; empty for a plain agent that asks for a PIN.
	Code string `json:"code,omitempty"`
	// OrgName is the organisation's name when the download was made.
	OrgName string `json:"org,omitempty"`
	// OrgKeys are the organisation's Ed25519 public keys (standard base64):
	// the agent accepts a technician's connection only with a certificate
	// one of them signed (shared/identity). None: nothing is verified (an
	// agent built by hand, or from a server before keys).
	OrgKeys []string `json:"orgKeys,omitempty"`
}

// Keys decodes OrgKeys.
func (c Config) Keys() ([]ed25519.PublicKey, error) {
	var out []ed25519.PublicKey
	for _, k := range c.OrgKeys {
		b, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: bad organisation key", ErrNoStamp)
		}
		out = append(out, ed25519.PublicKey(b))
	}
	return out, nil
}

var magic = []byte("LLAGCFG1")

const maxConfig = 4 << 10

// ErrNoStamp means the binary carries no config.
var ErrNoStamp = errors.New("no config stamped on this agent")

// Stamp writes the agent binary read from r to w, followed by the config trailer.
func Stamp(w io.Writer, r io.Reader, cfg Config) error {
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	_, err := w.Write(Trailer(cfg))
	return err
}

// Trailer returns the bytes appended to a binary to stamp cfg on it.
func Trailer(cfg Config) []byte {
	b, _ := json.Marshal(cfg)
	out := make([]byte, 0, len(b)+4+len(magic))
	out = append(out, b...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
	return append(out, magic...)
}

// Read returns the config stamped on the file at path (usually os.Executable()).
// A stamp whose keys cannot be decoded is refused as damaged.
func Read(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Config{}, err
	}
	size := fi.Size()
	tail := int64(4 + len(magic))
	if size < tail {
		return Config{}, ErrNoStamp
	}
	buf := make([]byte, tail)
	if _, err := f.ReadAt(buf, size-tail); err != nil {
		return Config{}, err
	}
	if !bytes.Equal(buf[4:], magic) {
		return Config{}, ErrNoStamp
	}
	n := int64(binary.BigEndian.Uint32(buf[:4]))
	if n > maxConfig || n > size-tail {
		return Config{}, fmt.Errorf("%w: bad length %d", ErrNoStamp, n)
	}
	js := make([]byte, n)
	if _, err := f.ReadAt(js, size-tail-n); err != nil {
		return Config{}, err
	}
	var cfg Config
	if err := json.Unmarshal(js, &cfg); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrNoStamp, err)
	}
	if _, err := cfg.Keys(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

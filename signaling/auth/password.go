package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2id parameters: OWASP's first recommendation (19 MiB of memory, two
// passes, one lane), a 16-byte salt and a 32-byte key.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

var argonPrefix = fmt.Sprintf("$argon2id$v=%d$", argon2.Version)

// hashPassword hashes any password with argon2id, in the PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$salt$key).
func hashPassword(password string) ([]byte, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Appendf(nil, "%sm=%d,t=%d,p=%d$%s$%s", argonPrefix, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether password matches hash, an argon2id hash (of
// any parameters) or a bcrypt one from before argon2id; stale is true when the
// hash should be replaced by hashPassword's (bcrypt, or other parameters).
func checkPassword(hash []byte, password string) (ok, stale bool) {
	h := string(hash)
	if rest, isArgon := strings.CutPrefix(h, argonPrefix); isArgon {
		var m uint32
		var t uint32
		var p uint8
		parts := strings.Split(rest, "$")
		if len(parts) != 3 {
			return false, false
		}
		if _, err := fmt.Sscanf(parts[0], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 64 {
			return false, false
		}
		b64 := base64.RawStdEncoding
		salt, err1 := b64.DecodeString(parts[1])
		want, err2 := b64.DecodeString(parts[2])
		if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 128 {
			return false, false
		}
		got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
		ok = subtle.ConstantTimeCompare(got, want) == 1
		return ok, ok && (m != argonMemory || t != argonTime || p != argonThreads || len(want) != argonKeyLen)
	}
	if strings.HasPrefix(h, "$2") {
		ok = bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
		return ok, ok
	}
	return false, false
}

// dummyHash is checked when the account does not exist, so that an unknown
// username takes as long as a wrong password.
var dummyHash, _ = hashPassword("lifeline")

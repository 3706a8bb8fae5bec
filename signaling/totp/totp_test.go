package totp

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"hash"
	"strings"
	"testing"
	"time"
)

// TestRFC6238Vectors checks the test vectors of RFC 6238 appendix B (8 digits,
// the seeds of the reference implementation for each hash).
func TestRFC6238Vectors(t *testing.T) {
	seed20 := []byte("12345678901234567890")
	seed32 := []byte("12345678901234567890123456789012")
	seed64 := []byte("1234567890123456789012345678901234567890123456789012345678901234")
	algs := []struct {
		name string
		h    func() hash.Hash
		key  []byte
	}{{"SHA1", sha1.New, seed20}, {"SHA256", sha256.New, seed32}, {"SHA512", sha512.New, seed64}}
	vectors := []struct {
		unix int64
		want [3]string
	}{
		{59, [3]string{"94287082", "46119246", "90693936"}},
		{1111111109, [3]string{"07081804", "68084774", "25091201"}},
		{1111111111, [3]string{"14050471", "67062674", "99943326"}},
		{1234567890, [3]string{"89005924", "91819424", "93441116"}},
		{2000000000, [3]string{"69279037", "90698825", "38618901"}},
		{20000000000, [3]string{"65353130", "77737706", "47863826"}},
	}
	for _, v := range vectors {
		for i, a := range algs {
			got := HOTP(a.h, a.key, uint64(StepAt(time.Unix(v.unix, 0))), 8)
			if got != v.want[i] {
				t.Errorf("T=%d %s: got %s, want %s", v.unix, a.name, got, v.want[i])
			}
		}
	}
}

func TestCodeAndVerify(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111109, 0)
	code, err := Code(strings.ToLower(secret), now)
	if err != nil || code != "081804" {
		t.Fatalf("Code = %q, %v; want the last 6 digits of the RFC vector 07081804", code, err)
	}
	step, ok := Verify(secret, code, now, 0)
	if !ok || step != StepAt(now) {
		t.Fatalf("Verify(now) = %d, %v", step, ok)
	}
	if _, ok := Verify(secret, code, now.Add(Step), 0); !ok {
		t.Error("a code from the previous step should still pass (clock drift)")
	}
	if _, ok := Verify(secret, code, now.Add(3*Step), 0); ok {
		t.Error("a code three steps old passed")
	}
	if _, ok := Verify(secret, code, now, step); ok {
		t.Error("a code passed twice")
	}
	if _, ok := Verify(secret, "000000", now, 0); ok {
		t.Error("a wrong code passed")
	}
	if _, ok := Verify("not base32!", code, now, 0); ok {
		t.Error("a bad secret passed")
	}
}

func TestURI(t *testing.T) {
	u := URI("Acme IT", "alice", "ABC")
	if !strings.HasPrefix(u, "otpauth://totp/Acme%20IT:alice?") || !strings.Contains(u, "secret=ABC") || !strings.Contains(u, "issuer=Acme+IT") {
		t.Errorf("URI = %s", u)
	}
}

package protocol

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const testSHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func TestDecodeFile(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"offer", `{"k":"offer","id":"t1","n":1,"name":"report.pdf","size":2100000}`, nil},
		{"empty file", `{"k":"offer","id":"t1","n":1,"name":"a","size":0}`, nil},
		{"accept", `{"k":"accept","id":"t1"}`, nil},
		{"decline", `{"k":"decline","id":"t1"}`, nil},
		{"cancel", `{"k":"cancel","id":"t1"}`, nil},
		{"done", `{"k":"done","id":"t1","sha256":"` + testSHA + `"}`, nil},
		{"result", `{"k":"result","id":"t1","sha256":"` + testSHA + `"}`, nil},
		{"error", `{"k":"error","id":"t1","reason":"disk_full"}`, nil},
		{"mismatch", `{"k":"error","id":"t1","reason":"hash_mismatch","sha256":"` + testSHA + `"}`, nil},
		{"unknown kind", `{"k":"delete","id":"t1"}`, ErrMalformed},
		{"unknown field", `{"k":"accept","id":"t1","path":"/etc"}`, ErrMalformed},
		{"no id", `{"k":"accept"}`, ErrMalformed},
		{"bad id", `{"k":"accept","id":"a b"}`, ErrMalformed},
		{"empty name", `{"k":"offer","id":"t1","n":1,"name":"","size":1}`, ErrMalformed},
		{"negative size", `{"k":"offer","id":"t1","n":1,"name":"a","size":-1}`, ErrMalformed},
		{"huge size", `{"k":"offer","id":"t1","n":1,"name":"a","size":1099511627777}`, ErrMalformed},
		{"n zero", `{"k":"offer","id":"t1","name":"a","size":1}`, ErrMalformed},
		{"done without hash", `{"k":"done","id":"t1"}`, ErrMalformed},
		{"upper-case hash", `{"k":"done","id":"t1","sha256":"` + strings.ToUpper(testSHA) + `"}`, ErrMalformed},
		{"short hash", `{"k":"done","id":"t1","sha256":"abc"}`, ErrMalformed},
		{"unknown reason", `{"k":"error","id":"t1","reason":"oops"}`, ErrMalformed},
		{"offer fields elsewhere", `{"k":"accept","id":"t1","name":"x"}`, ErrMalformed},
		{"trailing", `{"k":"accept","id":"t1"} {}`, ErrMalformed},
		{"too large", `{"k":"offer","id":"t1","n":1,"size":1,"name":"` + strings.Repeat("a", 8000) + `"}`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeFile([]byte(tt.in))
			if tt.wantErr == nil && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestFileChunk(t *testing.T) {
	b := AppendFileChunkHeader(nil, 7, 1<<33)
	b = append(b, "hello"...)
	c, err := DecodeFileChunk(b)
	if err != nil || c.N != 7 || c.Offset != 1<<33 || string(c.Data) != "hello" {
		t.Fatalf("got %+v, %v", c, err)
	}
	for _, bad := range [][]byte{nil, b[:FileChunkHeader], make([]byte, MaxFileChunk+1), AppendFileChunkHeader(nil, 1, MaxFileSize+1)} {
		if len(bad) == FileChunkHeader && bytes.Equal(bad[:4], []byte{0, 0, 0, 1}) {
			bad = append(bad, 'x')
		}
		if _, err := DecodeFileChunk(bad); err == nil {
			t.Errorf("chunk of %d bytes accepted", len(bad))
		}
	}
}

func FuzzDecodeFile(f *testing.F) {
	f.Add([]byte(`{"k":"offer","id":"t1","n":1,"name":"report.pdf","size":2100000}`))
	f.Add([]byte(`{"k":"done","id":"t1","sha256":"` + testSHA + `"}`))
	f.Add([]byte(`{"k":"error","id":"t1","reason":"disk_full"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeFile(data)
		if err != nil {
			return
		}
		if !transferID.MatchString(m.ID) || m.Size < 0 || m.Size > MaxFileSize {
			t.Fatalf("accepted %+v", m)
		}
		if _, err := DecodeFileChunk(data); err == nil && len(data) > MaxFileChunk {
			t.Fatal("oversized chunk accepted")
		}
	})
}

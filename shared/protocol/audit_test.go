package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeAudit(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	tests := []struct {
		name    string
		payload string
		wantErr error
	}{
		{"file sent", `{"event":"file.sent","name":"fix.sh","size":10,"sha256":"` + sum + `"}`, nil},
		{"refusal", `{"event":"agent.refused","detail":"input without control"}`, nil},
		{"recording", `{"event":"recording.started"}`, nil},
		{"unknown event", `{"event":"login.ok"}`, ErrMalformed},
		{"file without hash", `{"event":"file.received","name":"a"}`, ErrMalformed},
		{"bad hash", `{"event":"file.sent","name":"a","sha256":"` + strings.ToUpper(sum) + `"}`, ErrMalformed},
		{"negative size", `{"event":"file.sent","name":"a","size":-1,"sha256":"` + sum + `"}`, ErrMalformed},
		{"long detail", `{"event":"agent.refused","detail":"` + strings.Repeat("x", MaxAuditDetail+1) + `"}`, ErrMalformed},
		{"long name", `{"event":"file.sent","name":"` + strings.Repeat("x", MaxAuditName+1) + `","sha256":"` + sum + `"}`, ErrMalformed},
		{"unknown field", `{"event":"agent.refused","who":"me"}`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(`{"v":1,"type":"audit","payload":` + tt.payload + `}`))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decode error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

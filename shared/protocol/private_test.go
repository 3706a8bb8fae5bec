package protocol

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseProgramsBoundsTheOrganisationsList(t *testing.T) {
	got, err := ParsePrograms(" KeePassXC, thunderbird\nkeepassxc;1password  org.gnome.Evolution ")
	if err != nil || !slices.Equal(got, []string{"keepassxc", "thunderbird", "1password", "org.gnome.evolution"}) {
		t.Fatalf("ParsePrograms = %q, %v", got, err)
	}
	if got, err := ParsePrograms(""); err != nil || len(got) != 0 {
		t.Fatalf("an empty list: %q, %v", got, err)
	}
	for name, s := range map[string]string{
		"markup":    "<script>",
		"too long":  strings.Repeat("a", MaxProgramName+1),
		"too many":  many(MaxPrivatePrograms + 1),
		"bidi":      "keepass\u202exc",
		"non-ASCII": "kéepass",
	} {
		if _, err := ParsePrograms(s); !errors.Is(err, ErrBadPrograms) {
			t.Errorf("%s: %v, want ErrBadPrograms", name, err)
		}
	}
}

// many is a list of n different program names.
func many(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "p%d,", i)
	}
	return b.String()
}

package protocol

import (
	"errors"
	"strings"
	"testing"
)

// Paths that are not UTF-8 travel as raw bytes and come back the same;
// names are shown escaped.
func TestFMPathsAndNames(t *testing.T) {
	for _, p := range []string{"/home/marie/a b", "/home/marie/\xff\xfe", "C:\\Users\\marie\\é", "/tmp/new\nline"} {
		w := FMWirePath(p)
		if got, err := FMLocalPath(w); err != nil || got != p {
			t.Errorf("FMLocalPath(FMWirePath(%q)) = %q, %v", p, got, err)
		}
	}
	if w := FMWirePath("/x/\xff"); !strings.HasPrefix(w, FMRawPrefix) {
		t.Errorf("raw path travels as %q", w)
	}
	for in, want := range map[string]string{"plain é": "plain é", "a\nb\tc": `a\nb\tc`, "\xff\xfeok": `\xff\xfeok`, "bell\x07": `bell\x07`} {
		if got := FMDisplay(in); got != want {
			t.Errorf("FMDisplay(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := FMLocalPath("b64:***"); !errors.Is(err, ErrBadFileManager) {
		t.Errorf("bad raw path: %v", err)
	}
}

func TestDecodeFMRequest(t *testing.T) {
	if r, err := DecodeFMRequest([]byte(`{"id":"1","op":"copy","path":"/a","to":"/b"}`)); err != nil || r.To != "/b" {
		t.Fatalf("copy: %+v, %v", r, err)
	}
	if r, err := DecodeFMRequest([]byte(`{"id":"2","op":"cancel","target":"1"}`)); err != nil || r.Target != "1" {
		t.Fatalf("cancel: %+v, %v", r, err)
	}
	for _, bad := range []string{
		`{"id":"1","op":"cancel"}`,
		`{"id":"1","op":"cancel","target":"` + strings.Repeat("x", 65) + `"}`,
		`{"id":"1","op":"chmod","path":"/a"}`,
		`{"id":"1","op":"list"}`,
		`{"id":"1","op":"copy","path":"/a"}`,
		`{"id":"1","op":"rename","path":"/a"}`,
		`{"id":"1","op":"list","path":"/a","sort":"owner"}`,
		`{"id":"1","op":"list","path":"/a","page":-1}`,
		`{"id":"1","op":"upload","path":"/a","transfer":"../x"}`,
		`{"id":"1","op":"list","path":"/a","cmd":"rm"}`,
		`{"id":"1","op":"mkdir","path":"/a","name":"` + strings.Repeat("x", MaxFMName+1) + `"}`,
		`{"id":"1","op":"list","path":"` + strings.Repeat("x", MaxFMPath+1) + `"}`,
	} {
		if _, err := DecodeFMRequest([]byte(bad)); !errors.Is(err, ErrBadFileManager) {
			t.Errorf("DecodeFMRequest(%.80s) = %v, want ErrBadFileManager", bad, err)
		}
	}
}

package agentcfg

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestStampAndRead(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "agent")
	var out bytes.Buffer
	want := Config{Server: "https://support.example.com", Code: "abcdefghijklmnopqrstuvwxyz"}
	if err := Stamp(&out, strings.NewReader("\x7fELF fake binary"), want); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, out.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bin)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Read = %+v, %v; want %+v", got, err, want)
	}
}

func TestUnstampedAndDamaged(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty":      {},
		"plain":      []byte("just a binary without any stamp at all"),
		"bad length": append([]byte("xx"), append([]byte{0xff, 0xff, 0xff, 0xff}, magic...)...),
		"bad json":   append([]byte("{nope"), append([]byte{0, 0, 0, 5}, magic...)...),
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(p, data, 0o644)
		if _, err := Read(p); !errors.Is(err, ErrNoStamp) {
			t.Errorf("%s: Read = %v, want ErrNoStamp", name, err)
		}
	}
}

// A stamped Go program still runs and reads its own stamp.
func TestStampedProgramRuns(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("linux only")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	os.WriteFile(src, []byte(`package main
import ("fmt";"os";"github.com/lifeline-support/lifeline/shared/agentcfg")
func main(){ exe,_ := os.Executable(); c, err := agentcfg.Read(exe); fmt.Print(c.Code, err) }`), 0o644)
	bin := filepath.Join(dir, "prog")
	build := exec.Command("go", "build", "-o", bin, src)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	plain, _ := os.ReadFile(bin)
	var stamped bytes.Buffer
	Stamp(&stamped, bytes.NewReader(plain), Config{Server: "http://x", Code: "the-code"})
	os.WriteFile(bin, stamped.Bytes(), 0o755)
	out, err := exec.Command(bin).Output()
	if err != nil || string(out) != "the-code<nil>" {
		t.Fatalf("stamped program printed %q, %v", out, err)
	}
}

// A stamp whose organisation key was altered is damaged, not "no keys": an
// agent that verified nothing would be what an attacker wants.
func TestStampWithBadOrgKeyIsDamaged(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "agent")
	var out bytes.Buffer
	if err := Stamp(&out, strings.NewReader("\x7fELF"), Config{Server: "https://x", OrgKeys: []string{"bm90IGEga2V5"}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, out.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bin); !errors.Is(err, ErrNoStamp) || err == ErrNoStamp { //nolint:errorlint // the bare sentinel means "none"
		t.Fatalf("Read = %v, want a damaged stamp", err)
	}
}

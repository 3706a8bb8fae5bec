package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestTerminalID(t *testing.T) {
	for label, want := range map[string]bool{
		"terminal:a1":                          true,
		"terminal:x-y_Z":                       true,
		"terminal:":                            false,
		"terminal:../x":                        false,
		"terminal:a b":                         false,
		"terminals:a":                          false,
		"terminal:" + string(make([]byte, 65)): false,
	} {
		if _, ok := TerminalID(label); ok != want {
			t.Errorf("TerminalID(%q) ok = %v, want %v", label, ok, want)
		}
	}
}

// A resize with absurd sizes, or any other control, is refused.
func TestDecodeTerminalControlRefusesAbsurdSizes(t *testing.T) {
	if c, err := DecodeTerminalControl([]byte(`{"type":"resize","cols":120,"rows":40}`)); err != nil || c.Cols != 120 {
		t.Fatalf("a normal resize: %+v %v", c, err)
	}
	for _, bad := range []string{
		`{"type":"resize","cols":100000,"rows":40}`,
		`{"type":"resize","cols":80,"rows":-1}`,
		`{"type":"resize","cols":0,"rows":0}`,
		`{"type":"resize","cols":1e20,"rows":40}`,
		`{"type":"exit","code":0}`,
		`not json`,
	} {
		if _, err := DecodeTerminalControl([]byte(bad)); !errors.Is(err, ErrBadTerminal) {
			t.Errorf("DecodeTerminalControl(%s) = %v, want ErrBadTerminal", bad, err)
		}
	}
}

// A PID to end must be a real process's: not 0 or negative (process groups),
// not 1 (init), not beyond the kernel's limit.
func TestDecodeSysInfoRequestValidatesPIDs(t *testing.T) {
	if r, err := DecodeSysInfoRequest([]byte(`{"id":"1","op":"kill","pid":4242}`)); err != nil || r.PID != 4242 {
		t.Fatalf("a normal kill: %+v %v", r, err)
	}
	for _, bad := range []string{
		`{"op":"kill","pid":0}`,
		`{"op":"kill","pid":-1}`,
		`{"op":"kill","pid":1}`,
		`{"op":"kill","pid":99999999}`,
		`{"op":"kill","pid":"12"}`,
		`{"op":"rm -rf"}`,
		`{"op":"processes","sort":"name; ls"}`,
		`{"op":"processes","page":-1}`,
	} {
		if _, err := DecodeSysInfoRequest([]byte(bad)); !errors.Is(err, ErrBadSysInfo) {
			t.Errorf("DecodeSysInfoRequest(%s) = %v, want ErrBadSysInfo", bad, err)
		}
	}
}

// A service action names a known action and a service that cannot be read
// as an option nor as another kind of systemd unit (a target that powers
// off) or a path: a plain name or a ".service"; the event log's level is one of the known ones.
func TestDecodeSysInfoRequestValidatesServicesAndLevels(t *testing.T) {
	for _, good := range []string{
		`{"op":"service","action":"restart","name":"cups"}`,
		`{"op":"service","action":"stop","name":"Print Spooler"}`,
		`{"op":"service","action":"restart","name":"cups.service"}`,
		`{"op":"service","action":"restart","name":"getty@tty1.service"}`,
		`{"op":"events","level":"warning","filter":"disk"}`,
		`{"op":"applications","page":2,"desc":true}`,
	} {
		if _, err := DecodeSysInfoRequest([]byte(good)); err != nil {
			t.Errorf("DecodeSysInfoRequest(%s) = %v", good, err)
		}
	}
	for _, bad := range []string{
		`{"op":"service","action":"enable","name":"cups"}`,
		`{"op":"service","action":"stop","name":""}`,
		`{"op":"service","action":"stop","name":"--force"}`,
		`{"op":"service","action":"stop","name":"a\nb"}`,
		`{"op":"service","action":"start","name":"poweroff.target"}`,
		`{"op":"service","action":"start","name":"reboot.target"}`,
		`{"op":"service","action":"stop","name":"dev-sda1.mount"}`,
		`{"op":"service","action":"stop","name":".service"}`,
		`{"op":"service","action":"stop","name":"a/b"}`,
		`{"op":"service","action":"stop","name":"/etc/x.service"}`,
		`{"op":"service","action":"stop","name":"a\\b"}`,
		`{"op":"service","action":"stop","name":"` + strings.Repeat("x", 257) + `"}`,
		`{"op":"events","level":"verbose"}`,
	} {
		if _, err := DecodeSysInfoRequest([]byte(bad)); !errors.Is(err, ErrBadSysInfo) {
			t.Errorf("DecodeSysInfoRequest(%s) = %v, want ErrBadSysInfo", bad, err)
		}
	}
}

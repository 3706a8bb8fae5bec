package unattended

import (
	"encoding/binary"
	"errors"
	"testing"
	"unicode/utf16"
)

// readShortcut decodes what Shortcut.Bytes writes, following [MS-SHLLINK]
// as a reader does: the header, the LinkInfo's Unicode local path, then
// the counted strings the flags announce.
func readShortcut(b []byte) (Shortcut, error) {
	var s Shortcut
	bad := errors.New("not a shell link")
	if len(b) < linkHeaderSize || binary.LittleEndian.Uint32(b) != linkHeaderSize || [16]byte(b[4:20]) != linkCLSID {
		return s, bad
	}
	flags := binary.LittleEndian.Uint32(b[20:])
	if binary.LittleEndian.Uint32(b[60:]) != swShowNormal {
		return s, bad
	}
	at := linkHeaderSize
	if flags&linkHasLinkInfo == 0 {
		return s, bad
	}
	info := b[at:]
	size := binary.LittleEndian.Uint32(info)
	if binary.LittleEndian.Uint32(info[4:]) < 0x24 || binary.LittleEndian.Uint32(info[8:])&volumeIDAndPath == 0 {
		return s, bad
	}
	vol := info[binary.LittleEndian.Uint32(info[12:]):]
	if binary.LittleEndian.Uint32(vol[4:]) != driveFixed {
		return s, bad
	}
	wide := info[binary.LittleEndian.Uint32(info[28:]):size]
	var u []uint16
	for i := 0; i+1 < len(wide) && (wide[i] != 0 || wide[i+1] != 0); i += 2 {
		u = append(u, binary.LittleEndian.Uint16(wide[i:]))
	}
	s.Target = string(utf16.Decode(u))
	at += int(size)
	str := func() string {
		n := int(binary.LittleEndian.Uint16(b[at:]))
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[at+2+2*i:])
		}
		at += 2 + 2*n
		return string(utf16.Decode(u))
	}
	if flags&linkHasName != 0 {
		s.Description = str()
	}
	if flags&linkHasArguments != 0 {
		s.Args = str()
	}
	if len(b) != at+4 || binary.LittleEndian.Uint32(b[at:]) != 0 {
		return s, errors.New("no terminal block where expected")
	}
	return s, nil
}

// A shortcut reads back as written, with a user folder that is not ASCII.
func TestShortcutRoundTrip(t *testing.T) {
	want := Shortcut{Target: `C:\Users\Zoé\AppData\Roaming\lifeline\unattended\lifeline-agent.exe`, Args: PageFlag,
		Description: "Voir qui peut se connecter à cet ordinateur"}
	got, err := readShortcut(want.Bytes())
	if err != nil || got != want {
		t.Fatalf("read back %+v, %v; want %+v", got, err, want)
	}
}

package unattended

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
)

// Shortcut is a Windows shell link (.lnk, [MS-SHLLINK]): the program it
// runs, with its arguments, and the description shown on hover. It is
// written without the shell's COM objects, so that it can be made and
// checked on any system.
type Shortcut struct {
	Target, Args, Description string
}

// shell link header constants ([MS-SHLLINK] 2.1, 2.3).
const (
	linkHeaderSize   = 0x4c
	linkHasLinkInfo  = 1 << 1
	linkHasName      = 1 << 2
	linkHasArguments = 1 << 5
	linkIsUnicode    = 1 << 7
	fileAttrNormal   = 0x80
	swShowNormal     = 1
	linkInfoHeader   = 0x24 // with the Unicode offsets
	volumeIDAndPath  = 1
	driveFixed       = 3
)

// linkCLSID is 00021401-0000-0000-C000-000000000046, as stored.
var linkCLSID = [16]byte{0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}

// Bytes encodes the shortcut: a header, the target as a local path (ANSI
// and Unicode), the description and arguments as Unicode strings, and the
// terminal block.
func (s Shortcut) Bytes() []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	le(uint32(linkHeaderSize))
	b.Write(linkCLSID[:])
	flags := uint32(linkHasLinkInfo | linkIsUnicode)
	if s.Description != "" {
		flags |= linkHasName
	}
	if s.Args != "" {
		flags |= linkHasArguments
	}
	le(flags)
	le(uint32(fileAttrNormal))
	b.Write(make([]byte, 24)) // creation, access, write times
	le(uint32(0))             // file size
	le(int32(0))              // icon index
	le(uint32(swShowNormal))
	b.Write(make([]byte, 2+2+4+4)) // hot key, reserved

	// LinkInfo: a VolumeID for a fixed drive with no label, then the
	// path, an empty suffix, and both again in UTF-16.
	volume := []byte{}
	volume = binary.LittleEndian.AppendUint32(volume, 0x11)
	volume = binary.LittleEndian.AppendUint32(volume, driveFixed)
	volume = binary.LittleEndian.AppendUint32(volume, 0) // serial number
	volume = binary.LittleEndian.AppendUint32(volume, 0x10)
	volume = append(volume, 0)
	ansi := append(ansiOf(s.Target), 0)
	wide := append(utf16LE(s.Target), 0, 0)
	volumeAt := uint32(linkInfoHeader)
	pathAt := volumeAt + uint32(len(volume))
	suffixAt := pathAt + uint32(len(ansi))
	widePathAt := suffixAt + 1
	wideSuffixAt := widePathAt + uint32(len(wide))
	size := wideSuffixAt + 2
	for _, v := range []uint32{size, linkInfoHeader, volumeIDAndPath, volumeAt, pathAt, 0, suffixAt, widePathAt, wideSuffixAt} {
		le(v)
	}
	b.Write(volume)
	b.Write(ansi)
	b.WriteByte(0)
	b.Write(wide)
	b.Write([]byte{0, 0})

	for _, str := range []string{s.Description, s.Args} {
		if str == "" {
			continue
		}
		u := utf16.Encode([]rune(str))
		le(uint16(len(u)))
		le(u)
	}
	le(uint32(0)) // terminal block
	return b.Bytes()
}

// ansiOf is s with what is not ASCII replaced by '?': the Unicode path is
// the one Windows reads when it is there.
func ansiOf(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0x7e || r < 0x20 {
			r = '?'
		}
		out = append(out, byte(r))
	}
	return out
}

func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(u))
	for _, c := range u {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out
}

package protocol

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"unicode/utf8"
)

// File transfer channels. The console creates them all, before its offer:
//
//   - ChannelFileControl ("file"): reliable, ordered, text messages only; each is
//     one FileMessage in JSON (DecodeFile).
//   - ChannelFileData+"0".."3" ("file-data-0" …): reliable, ordered, binary
//     messages only; each is one FileChunk (DecodeFileChunk). Chunks of one
//     transfer are spread over these channels, so they may arrive out of order:
//     the receiver writes each at its offset.
//
// A transfer, in either direction (sender S, receiver R):
//
//	S → R  {"k":"offer","id":ID,"n":N,"name":NAME,"size":SIZE}
//	R → S  {"k":"accept","id":ID}     or {"k":"decline","id":ID}
//	S → R  binary chunks [N uint32][offset uint64][bytes], offset+len ≤ SIZE
//	S → R  {"k":"done","id":ID,"sha256":HEX}   after the last chunk is queued
//	R → S  {"k":"result","id":ID,"sha256":HEX}  the received file's hash, once
//	                                          every byte is written and checked;
//	       or {"k":"error","id":ID,"reason":R, "sha256":HEX?}
//	either {"k":"cancel","id":ID}              at any time; both sides drop it
//
// N is the sender's transfer number: chunks whose N is not the receiver's current
// transfer are dropped. Each side sends at most one file at a time (a second
// offer while one is running is answered with error "busy"). The receiver keeps the
// file only if its SHA-256 equals the sender's; otherwise it removes it and
// answers error "hash_mismatch". A channel closing fails every running transfer.
const (
	// ChannelFileControl carries FileMessage values.
	ChannelFileControl = ChannelFilePrefix
	// ChannelFileData starts the label of each channel that carries FileChunk values.
	ChannelFileData = ChannelFilePrefix + "-data-"
	// FileDataChannels is how many data channels the console opens.
	FileDataChannels = 4
)

// Limits of file transfers.
const (
	// MaxFileChunk bounds one binary message on a data channel, header included.
	MaxFileChunk = 64 << 10
	// FileChunkHeader is the size of a chunk's header.
	FileChunkHeader = 12
	// MaxFileName bounds a file name, in bytes.
	MaxFileName = 255 * 4
	// MaxFileSize bounds a transfer's size (1 TiB).
	MaxFileSize = 1 << 40
)

// FileKind names a file control message.
type FileKind string

// File control message kinds.
const (
	FileOffer   FileKind = "offer"
	FileAccept  FileKind = "accept"
	FileDecline FileKind = "decline"
	FileDone    FileKind = "done"
	FileResult  FileKind = "result"
	FileError   FileKind = "error"
	FileCancel  FileKind = "cancel"
	// FileResume asks the receiver to go on with a transfer its connection
	// dropped (id, n and size of the offer): it answers FileAccept with the
	// Offset of what it holds, in order from the start, and the SHA256 of
	// those bytes, which the sender checks against its own file before
	// sending the rest (a partial file that differs is never resumed), or
	// FileError when it holds nothing to resume.
	FileResume FileKind = "resume"
)

// FileReason says why a transfer failed (FileError).
type FileReason string

// Failure reasons.
const (
	FileBusy         FileReason = "busy"
	FileDiskFull     FileReason = "disk_full"
	FileWriteFailed  FileReason = "write_failed"
	FileReadFailed   FileReason = "read_failed"
	FileHashMismatch FileReason = "hash_mismatch"
	FileProtocol     FileReason = "protocol"
)

// FileMessage is one message on the file control channel.
type FileMessage struct {
	Kind FileKind `json:"k"`
	// ID names the transfer; chosen by the sender.
	ID string `json:"id"`
	// N is the number in each chunk's header (offer only).
	N uint32 `json:"n,omitempty"`
	// Name is the file's name as the sender has it (offer only); receivers
	// sanitise it before use.
	Name string `json:"name,omitempty"`
	// Size is the file's size in bytes (offer only).
	Size int64 `json:"size,omitempty"`
	// SHA256 is a lower-case hex digest (done, result, some errors).
	SHA256 string     `json:"sha256,omitempty"`
	Reason FileReason `json:"reason,omitempty"`
	// Offset is where a resumed transfer goes on (accept of a resume).
	Offset int64 `json:"offset,omitempty"`
}

var (
	transferID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	hexSHA256  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// DecodeFile parses and validates one file control message.
func DecodeFile(data []byte) (FileMessage, error) {
	var m FileMessage
	if len(data) > MaxFileName*6+512 {
		return m, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &m); err != nil {
		return m, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !transferID.MatchString(m.ID) {
		return m, fmt.Errorf("%w: bad transfer id", ErrMalformed)
	}
	if m.SHA256 != "" && !hexSHA256.MatchString(m.SHA256) {
		return m, fmt.Errorf("%w: bad sha256", ErrMalformed)
	}
	switch m.Kind {
	case FileOffer, FileResume:
		switch {
		case m.Kind == FileOffer && (m.Name == "" || len(m.Name) > MaxFileName || !utf8.ValidString(m.Name)):
			return m, fmt.Errorf("%w: bad file name", ErrMalformed)
		case m.Size < 0 || m.Size > MaxFileSize:
			return m, fmt.Errorf("%w: bad file size", ErrMalformed)
		case m.N == 0:
			return m, fmt.Errorf("%w: transfer number 0", ErrMalformed)
		}
	case FileDone, FileResult:
		if m.SHA256 == "" {
			return m, fmt.Errorf("%w: %s without sha256", ErrMalformed, m.Kind)
		}
	case FileError:
		switch m.Reason {
		case FileBusy, FileDiskFull, FileWriteFailed, FileReadFailed, FileHashMismatch, FileProtocol:
		default:
			return m, fmt.Errorf("%w: unknown reason %q", ErrMalformed, m.Reason)
		}
	case FileAccept, FileDecline, FileCancel:
	default:
		return m, fmt.Errorf("%w: unknown file kind %q", ErrMalformed, m.Kind)
	}
	if m.Offset < 0 || m.Offset > MaxFileSize || (m.Offset != 0 && m.Kind != FileAccept) {
		return m, fmt.Errorf("%w: bad offset", ErrMalformed)
	}
	if m.Kind == FileResume && m.Name != "" {
		return m, fmt.Errorf("%w: name on resume", ErrMalformed)
	}
	if m.Kind != FileOffer && m.Kind != FileResume && (m.Name != "" || m.Size != 0 || m.N != 0) {
		return m, fmt.Errorf("%w: offer fields on %s", ErrMalformed, m.Kind)
	}
	return m, nil
}

// FileChunk is one binary message on a file data channel.
type FileChunk struct {
	// N is the transfer number from the offer.
	N uint32
	// Offset is where Data goes in the file.
	Offset int64
	Data   []byte
}

// DecodeFileChunk parses one binary chunk; Data aliases data.
func DecodeFileChunk(data []byte) (FileChunk, error) {
	var c FileChunk
	if len(data) > MaxFileChunk {
		return c, fmt.Errorf("%w: chunk of %d bytes", ErrTooLarge, len(data))
	}
	if len(data) <= FileChunkHeader {
		return c, fmt.Errorf("%w: chunk of %d bytes", ErrMalformed, len(data))
	}
	c.N = binary.BigEndian.Uint32(data)
	off := binary.BigEndian.Uint64(data[4:])
	if off > MaxFileSize {
		return c, fmt.Errorf("%w: offset %d", ErrMalformed, off)
	}
	c.Offset = int64(off)
	c.Data = data[FileChunkHeader:]
	return c, nil
}

// AppendFileChunkHeader appends the header of a chunk of transfer n at offset.
func AppendFileChunkHeader(b []byte, n uint32, offset int64) []byte {
	b = binary.BigEndian.AppendUint32(b, n)
	return binary.BigEndian.AppendUint64(b, uint64(offset))
}

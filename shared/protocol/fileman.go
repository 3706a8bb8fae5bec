package protocol

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The workspace's file manager: the technician browses and changes the
// customer's files. It needs its own technician permission (DeniedFileManager)
// and the customer's grant (PermissionFileManager); the agent refuses the
// channel, and every request, otherwise. Transfers from the panel go through
// the file channels (file.go), with their SHA-256.
const (
	// PermissionFileManager lets the technician browse, change and transfer
	// the customer's files from the file manager.
	PermissionFileManager Permission = "filemanager"
	// DeniedFileManager: the technician's group does not allow the file manager.
	DeniedFileManager = "filemanager"
	// ChannelFileManager carries FMRequest (console → agent) and FMReply
	// (agent → console) as JSON text; reliable, ordered. (Not "file…": that
	// prefix names the transfer channels.)
	ChannelFileManager = "fm"
)

// File manager requests (FMRequest.Op).
const (
	// FMHome answers the customer's home folder (Path) and its listing.
	FMHome = "home"
	// FMList lists Path: sorted, filtered and paged by the agent.
	FMList = "list"
	// FMMkdir creates the folder Name in Path.
	FMMkdir = "mkdir"
	// FMRename renames Path to Name, in the same folder.
	FMRename = "rename"
	// FMDelete moves Path to the trash (the XDG trash, the Recycle Bin).
	FMDelete = "delete"
	// FMCopy and FMMove copy or move Path into the folder To.
	FMCopy = "copy"
	FMMove = "move"
	// FMCancel cancels the copy or move whose request ID is Target, running
	// or still waiting: what it made so far is removed. It is answered at
	// once, not after the requests before it.
	FMCancel = "cancel"
	// FMDownload sends the file Path to the technician on the file channels.
	FMDownload = "download"
	// FMUpload makes the agent take the technician's transfer Transfer (an
	// offer on the file channels) into the folder Path without asking the
	// customer again.
	FMUpload = "upload"
)

// File manager sort keys (FMRequest.Sort); folders always come first.
const (
	FMSortName = "name"
	FMSortSize = "size"
	FMSortDate = "date"
)

// Bounds of the file manager.
const (
	// MaxFMPage bounds the entries of one listing page.
	MaxFMPage = 500
	// MaxFMPath bounds a path, in bytes (as the console sends it).
	MaxFMPath = 8192
	// MaxFMName bounds a name, in bytes.
	MaxFMName = 1024
)

// FMRawPrefix starts a path that is not valid UTF-8 on the customer's
// machine: the rest is the path's bytes in base64 (RawURLEncoding). Real
// paths are absolute ("/…", "C:\…"), so the prefix cannot be mistaken for one.
const FMRawPrefix = "b64:"

// FMWirePath is how path travels: as itself when it is valid UTF-8,
// otherwise FMRawPrefix and its bytes.
func FMWirePath(path string) string {
	if utf8.ValidString(path) {
		return path
	}
	return FMRawPrefix + base64.RawURLEncoding.EncodeToString([]byte(path))
}

// FMLocalPath undoes FMWirePath.
func FMLocalPath(wire string) (string, error) {
	rest, ok := strings.CutPrefix(wire, FMRawPrefix)
	if !ok {
		return wire, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return "", fmt.Errorf("%w: bad raw path", ErrBadFileManager)
	}
	return string(b), nil
}

// FMDisplay writes a name for people: invalid UTF-8 bytes as \xNN and
// control characters (newlines, tabs…) as \n, \t or \xNN, the rest as is.
func FMDisplay(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, name[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(name[i : i+n])
		}
		i += n
	}
	return b.String()
}

// FMRequest is a console's request on ChannelFileManager.
type FMRequest struct {
	// ID is echoed in the reply.
	ID string `json:"id"`
	Op string `json:"op"`
	// Path is what the request acts on (a wire path: FMWirePath).
	Path string `json:"path,omitempty"`
	// To is the destination folder of a copy or move (a wire path).
	To string `json:"to,omitempty"`
	// Name is the new folder's or the new name (mkdir, rename), UTF-8.
	Name string `json:"name,omitempty"`
	// Page, Sort, Desc, Filter and Hidden choose the entries listed.
	Page   int    `json:"page,omitempty"`
	Sort   string `json:"sort,omitempty"`
	Desc   bool   `json:"desc,omitempty"`
	Filter string `json:"filter,omitempty"`
	Hidden bool   `json:"hidden,omitempty"`
	// Transfer is the ID of the technician's coming offer (upload).
	Transfer string `json:"transfer,omitempty"`
	// Target is the ID of the request to cancel (cancel).
	Target string `json:"target,omitempty"`
}

// DecodeFMRequest parses and validates one request's form; the agent
// validates its paths against the machine.
func DecodeFMRequest(data []byte) (FMRequest, error) {
	var r FMRequest
	if len(data) > 3*MaxFMPath {
		return r, fmt.Errorf("%w: request of %d bytes", ErrBadFileManager, len(data))
	}
	if err := strict(data, &r); err != nil {
		return r, fmt.Errorf("%w: %v", ErrBadFileManager, err)
	}
	needPath := r.Op != FMHome && r.Op != FMCancel
	switch {
	case len(r.ID) > 64:
		return r, fmt.Errorf("%w: id too long", ErrBadFileManager)
	case r.Op != FMHome && r.Op != FMList && r.Op != FMMkdir && r.Op != FMRename && r.Op != FMDelete &&
		r.Op != FMCopy && r.Op != FMMove && r.Op != FMDownload && r.Op != FMUpload && r.Op != FMCancel:
		return r, fmt.Errorf("%w: unknown op %q", ErrBadFileManager, r.Op)
	case needPath && r.Path == "":
		return r, fmt.Errorf("%w: %s without a path", ErrBadFileManager, r.Op)
	case len(r.Path) > MaxFMPath || len(r.To) > MaxFMPath:
		return r, fmt.Errorf("%w: path too long", ErrBadFileManager)
	case (r.Op == FMCopy || r.Op == FMMove) && r.To == "":
		return r, fmt.Errorf("%w: %s without a destination", ErrBadFileManager, r.Op)
	case (r.Op == FMMkdir || r.Op == FMRename) && r.Name == "":
		return r, fmt.Errorf("%w: %s without a name", ErrBadFileManager, r.Op)
	case len(r.Name) > MaxFMName:
		return r, fmt.Errorf("%w: name too long", ErrBadFileManager)
	case r.Page < 0 || r.Page > 1<<20:
		return r, fmt.Errorf("%w: page %d", ErrBadFileManager, r.Page)
	case len(r.Filter) > 256:
		return r, fmt.Errorf("%w: filter too long", ErrBadFileManager)
	case r.Sort != "" && r.Sort != FMSortName && r.Sort != FMSortSize && r.Sort != FMSortDate:
		return r, fmt.Errorf("%w: unknown sort %q", ErrBadFileManager, r.Sort)
	case r.Op == FMCancel && (r.Target == "" || len(r.Target) > 64):
		return r, fmt.Errorf("%w: cancel without the request's id", ErrBadFileManager)
	case r.Op == FMUpload && !transferID.MatchString(r.Transfer):
		return r, fmt.Errorf("%w: upload without a transfer id", ErrBadFileManager)
	}
	return r, nil
}

// FMReply answers an FMRequest: Error (a sentence for the technician), or
// what the operation gives.
type FMReply struct {
	ID    string `json:"id"`
	Op    string `json:"op"`
	Error string `json:"error,omitempty"`
	// Code names the error for the console's catalog (ws.fm.err.<code>):
	// not_granted, bad_path, bad_name, too_long, not_found, permission,
	// in_use, disk_full, exists, not_dir, not_file, into_itself, protected,
	// no_trash, busy, cancelled, failed.
	Code string `json:"code,omitempty"`
	// Listing is the folder listed (home, list).
	Listing *FMListing `json:"listing,omitempty"`
	// Path is what the operation made or acted on (its wire path).
	Path string `json:"path,omitempty"`
	// Size is the size of the file being downloaded.
	Size int64 `json:"size,omitempty"`
	// Done says the operation worked.
	Done bool `json:"done,omitempty"`
}

// FMListing is one page of a folder.
type FMListing struct {
	// Path is the folder (wire path); Crumbs its ancestors, root first.
	Path   string    `json:"path"`
	Crumbs []FMCrumb `json:"crumbs"`
	// Sep is the customer's path separator.
	Sep   string    `json:"sep"`
	Total int       `json:"total"`
	Page  int       `json:"page"`
	Pages int       `json:"pages"`
	List  []FMEntry `json:"list"`
}

// FMCrumb is one folder of a breadcrumb trail.
type FMCrumb struct {
	Name string `json:"name"` // for display (FMDisplay)
	Path string `json:"path"` // wire path
}

// FMEntry is one entry of a folder.
type FMEntry struct {
	// Name is for display (FMDisplay); Path is the wire path to send back.
	Name string `json:"name"`
	Path string `json:"path"`
	// Raw says the name is not valid UTF-8 (shown escaped).
	Raw    bool  `json:"raw,omitempty"`
	Dir    bool  `json:"dir,omitempty"`
	Link   bool  `json:"link,omitempty"`
	Hidden bool  `json:"hidden,omitempty"`
	Size   int64 `json:"size"`
	// Modified is the last change, Unix milliseconds.
	Modified int64 `json:"modified"`
}

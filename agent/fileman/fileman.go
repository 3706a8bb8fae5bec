// Package fileman is the technician's file manager on the customer's
// machine: it lists folders (sorted, filtered and paged here, so a folder of
// 100,000 entries stays responsive), makes folders, renames, deletes to the
// trash (the XDG trash on Linux, the Recycle Bin on Windows), copies and
// moves, and hands downloads and uploads to the file transfers (agent/files)
// with their SHA-256. It serves the "fm" data channel only while the customer
// allows the file manager, and re-checks that grant on every request. Every
// path the console sends is checked here; nothing goes through a shell.
package fileman

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/files"
	"github.com/lifeline-support/lifeline/agent/requests"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Transfers moves files between the customer and the technician on the file
// channels (agent/files.Feature).
type Transfers interface {
	// Expect makes the technician's offer of transfer id go into dir
	// without asking the customer again.
	Expect(id, dir string) error
	// SendFile offers the file at path to the technician and sends it in the
	// background; it returns the file's size.
	SendFile(path string) (int64, error)
}

// Config configures a Manager.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Home returns the customer's home folder; nil means os.UserHomeDir.
	Home func() (string, error)
	// Transfers carries downloads and uploads; nil means none.
	Transfers Transfers
	// Trash moves a path to the trash; nil means the system's (per OS).
	Trash func(path string) error
	// OnLog, if set, gets each change, to show in the customer's running
	// log (render writes it in a language).
	OnLog func(render func(i18n.Lang) string)
}

// requestQueue bounds the requests waiting on one channel.
const requestQueue = 16

// Manager serves the file manager channel (a session.Feature and Auditor).
// Methods are safe for concurrent use.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // guards granted, report, running and cancelled
	granted bool
	report  func(protocol.Audit)
	// running cancels the copies and moves being served, by request ID;
	// cancelled holds the IDs of waiting ones cancelled before they began.
	running   map[string]context.CancelFunc
	cancelled map[string]bool
}

// maxCancelled bounds the cancels of requests not begun that are kept.
const maxCancelled = 64

// New returns the feature.
func New(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Home == nil {
		cfg.Home = os.UserHomeDir
	}
	if cfg.Trash == nil {
		cfg.Trash = moveToTrash
	}
	return &Manager{cfg: cfg, log: cfg.Logger.With("component", "fileman")}
}

// Handles reports whether label is the file manager's channel.
func (m *Manager) Handles(label string) bool { return label == protocol.ChannelFileManager }

// SetGrants records whether the customer allows the file manager.
func (m *Manager) SetGrants(p protocol.Permissions) {
	m.mu.Lock()
	m.granted = p.FileManager
	m.mu.Unlock()
}

// SetAudit gives the feature the audit reporter.
func (m *Manager) SetAudit(report func(protocol.Audit)) {
	m.mu.Lock()
	m.report = report
	m.mu.Unlock()
}

// Attach takes the channel; requests are answered in order, on a goroutine
// of their own (a copy may take a while).
func (m *Manager) Attach(dc *webrtc.DataChannel) {
	requests.ServeUrgent(dc, requestQueue, m.log, "file manager", func(b []byte) any { return m.Handle(b) }, m.urgent)
}

// urgent answers a cancel at once, without waiting behind the copy it
// cancels; other requests go to the queue.
func (m *Manager) urgent(b []byte) (any, bool) {
	req, err := protocol.DecodeFMRequest(b)
	if err != nil || req.Op != protocol.FMCancel {
		return nil, false
	}
	return m.Handle(b), true
}

// begin registers the copy or move of request id and returns its context,
// or ErrCancelled when it was cancelled while it waited.
func (m *Manager) begin(id string) (context.Context, func(), error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cancelled[id] {
		delete(m.cancelled, id)
		return nil, nil, ErrCancelled
	}
	ctx, cancel := context.WithCancel(context.Background())
	if m.running == nil {
		m.running = map[string]context.CancelFunc{}
	}
	m.running[id] = cancel
	return ctx, func() {
		m.mu.Lock()
		delete(m.running, id)
		m.mu.Unlock()
		cancel()
	}, nil
}

// cancel cancels the copy or move of request id: running, or waiting (then
// it is refused when its turn comes).
func (m *Manager) cancel(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.running[id]; ok {
		c()
		return
	}
	if m.cancelled == nil || len(m.cancelled) >= maxCancelled {
		m.cancelled = map[string]bool{}
	}
	m.cancelled[id] = true
}

// Handle answers one request. Without the customer's grant it does nothing
// but refuse, and audits the refusal.
func (m *Manager) Handle(b []byte) protocol.FMReply {
	req, err := protocol.DecodeFMRequest(b)
	if err != nil {
		return protocol.FMReply{ID: req.ID, Op: req.Op, Error: err.Error(), Code: "failed"}
	}
	m.mu.Lock()
	granted := m.granted
	m.mu.Unlock()
	if !granted {
		m.log.Warn("file manager request without the customer's grant refused", "op", req.Op)
		m.audit(protocol.Audit{Event: protocol.AuditRefused, Detail: "file manager (" + req.Op + ") without the customer's grant"})
		return fail(req, ErrNotGranted)
	}
	out, err := m.do(req)
	if err != nil {
		e := classify(err)
		m.log.Info("file manager request failed", "op", req.Op, "code", e.Code, "err", err)
		return fail(req, e)
	}
	out.ID, out.Op = req.ID, req.Op
	return out
}

func fail(req protocol.FMRequest, e *Error) protocol.FMReply {
	return protocol.FMReply{ID: req.ID, Op: req.Op, Error: e.Error(), Code: e.Code}
}

func (m *Manager) audit(a protocol.Audit) {
	m.mu.Lock()
	r := m.report
	m.mu.Unlock()
	if r != nil {
		r(a)
	}
}

// changes are how each change is written in the audit trail.
var changes = map[string]string{
	protocol.FMMkdir:  "folder made: %s",
	protocol.FMRename: "renamed: %s → %s",
	protocol.FMDelete: "moved to the trash: %s",
	protocol.FMMove:   "moved: %s → %s",
	protocol.FMCopy:   "copied: %s → %s",
}

// changed audits a change (op) of the customer's files, and writes it in
// the customer's log (agent.fm.log.<op>).
func (m *Manager) changed(op string, paths ...string) {
	args := make([]any, len(paths))
	for i, p := range paths {
		args[i] = protocol.FMDisplay(p)
	}
	d := fmt.Sprintf(changes[op], args...)
	m.log.Info("files changed for the technician", "what", d)
	m.audit(protocol.Audit{Event: protocol.AuditFileChanged, Detail: clip(d, protocol.MaxAuditDetail)})
	if m.cfg.OnLog != nil {
		m.cfg.OnLog(func(lang i18n.Lang) string { return i18n.T(lang, "agent.fm.log."+op, args...) })
	}
}

// clip cuts s to at most n bytes on a character boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n-len("…")]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func (m *Manager) do(req protocol.FMRequest) (protocol.FMReply, error) {
	var out protocol.FMReply
	if req.Op == protocol.FMHome {
		home, err := m.cfg.Home()
		if err != nil {
			return out, err
		}
		req.Path = protocol.FMWirePath(home)
		l, err := list(home, req)
		out.Listing = &l
		return out, err
	}
	if req.Op == protocol.FMCancel {
		m.cancel(req.Target)
		m.log.Info("copy or move cancelled by the technician", "request", req.Target)
		out.Done = true
		return out, nil
	}
	p, err := local(req.Path)
	if err != nil {
		return out, err
	}
	switch req.Op {
	case protocol.FMList:
		l, err := list(p, req)
		out.Listing = &l
		return out, err
	case protocol.FMMkdir:
		if err := validName(req.Name); err != nil {
			return out, err
		}
		dst := filepath.Join(p, req.Name)
		if err := os.Mkdir(dst, 0o755); err != nil {
			return out, err
		}
		m.changed(protocol.FMMkdir, dst)
		out.Path = protocol.FMWirePath(dst)
	case protocol.FMRename:
		if err := m.changeable(p); err != nil {
			return out, err
		}
		if err := validName(req.Name); err != nil {
			return out, err
		}
		dst := filepath.Join(filepath.Dir(p), req.Name)
		if err := renameNew(p, dst); err != nil {
			return out, err
		}
		m.changed(protocol.FMRename, p, dst)
		out.Path = protocol.FMWirePath(dst)
	case protocol.FMDelete:
		if err := m.changeable(p); err != nil {
			return out, err
		}
		if _, err := os.Lstat(p); err != nil {
			return out, err
		}
		if err := m.cfg.Trash(p); err != nil {
			return out, err
		}
		m.changed(protocol.FMDelete, p)
	case protocol.FMCopy, protocol.FMMove:
		to, err := local(req.To)
		if err != nil {
			return out, err
		}
		ctx, end, err := m.begin(req.ID)
		if err != nil {
			return out, err
		}
		defer end()
		dst, err := m.copyOrMove(ctx, req.Op, p, to)
		if err != nil {
			return out, err
		}
		out.Path = protocol.FMWirePath(dst)
	case protocol.FMDownload:
		if m.cfg.Transfers == nil {
			return out, ErrNoTransfers
		}
		fi, err := os.Stat(p)
		if err != nil {
			return out, err
		}
		if !fi.Mode().IsRegular() {
			return out, ErrNotFile
		}
		size, err := m.cfg.Transfers.SendFile(p)
		if err != nil {
			return out, transferErr(err)
		}
		out.Path, out.Size = protocol.FMWirePath(p), size
	case protocol.FMUpload:
		if m.cfg.Transfers == nil {
			return out, ErrNoTransfers
		}
		if err := isDir(p); err != nil {
			return out, err
		}
		if err := m.cfg.Transfers.Expect(req.Transfer, p); err != nil {
			return out, transferErr(err)
		}
		out.Path = protocol.FMWirePath(p)
	}
	out.Done = true
	return out, nil
}

// transferErr names the transfers' own refusals.
func transferErr(err error) error {
	switch {
	case errors.Is(err, files.ErrBusy):
		return ErrBusy
	case errors.Is(err, files.ErrNotConnected):
		return ErrNoTransfers
	}
	return err
}

// local turns a wire path into the customer's path: absolute, cleaned, no
// NUL byte.
func local(wire string) (string, error) {
	p, err := protocol.FMLocalPath(wire)
	if err != nil || p == "" || strings.ContainsRune(p, 0) || !filepath.IsAbs(p) {
		return "", ErrBadPath
	}
	return filepath.Clean(p), nil
}

// maxName is the longest name most file systems take, in bytes.
const maxName = 255

// validName checks a new name for one entry of a folder.
func validName(name string) error {
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsRune(name, 0) || strings.ContainsAny(name, badNameChars):
		return ErrBadName
	case !nameOK(name):
		return ErrBadName
	case len(name) > maxName:
		return ErrTooLong
	}
	return nil
}

// changeable refuses to rename, delete or move the home folder itself or the
// top of a disk.
func (m *Manager) changeable(p string) error {
	if filepath.Dir(p) == p {
		return ErrProtected
	}
	if home, err := m.cfg.Home(); err == nil && filepath.Clean(home) == p {
		return ErrProtected
	}
	return nil
}

func isDir(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return ErrNotDir
	}
	return nil
}

// taken reports ErrExists when something (even a dangling link) is at p.
func taken(p string) error {
	if _, err := os.Lstat(p); err == nil {
		return ErrExists
	} else if !os.IsNotExist(err) {
		return err
	}
	return nil
}

// renameNew renames src to dst, never replacing what is at dst (not even
// one made between a check and the rename: renameNoReplace, per OS).
func renameNew(src, dst string) error {
	if _, err := os.Lstat(src); err != nil {
		return err
	}
	if err := taken(dst); err != nil {
		return err
	}
	return renameNoReplace(src, dst)
}

// within reports whether p is dir or inside it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// copyOrMove copies or moves src into the folder to, under its own name,
// never replacing anything; it returns the new path.
func (m *Manager) copyOrMove(ctx context.Context, op, src, to string) (string, error) {
	if op == protocol.FMMove {
		if err := m.changeable(src); err != nil {
			return "", err
		}
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return "", err
	}
	if err := isDir(to); err != nil {
		return "", err
	}
	dst := filepath.Join(to, filepath.Base(src))
	if fi.IsDir() && within(dst, src) {
		return "", ErrIntoItself
	}
	if err := taken(dst); err != nil {
		return "", err
	}
	if op == protocol.FMMove {
		err := renameNoReplace(src, dst)
		if err != nil && crossDevice(err) {
			// Another disk: copy, then remove the original once copied.
			if err = copyTree(ctx, src, dst); err == nil {
				err = os.RemoveAll(src)
			} else {
				_ = os.RemoveAll(dst) // the original stays whole
			}
		}
		if err != nil {
			return "", err
		}
		m.changed(protocol.FMMove, src, dst)
		return dst, nil
	}
	if err := copyTree(ctx, src, dst); err != nil {
		// What was made so far is ours (dst was free): leave nothing half done.
		_ = os.RemoveAll(dst)
		return "", err
	}
	m.changed(protocol.FMCopy, src, dst)
	return dst, nil
}

// copyTree copies src to the new path dst: folders with their content,
// files, and symbolic links as links (never followed, so no loop).
// It stops with ErrCancelled once ctx is cancelled.
func copyTree(ctx context.Context, src, dst string) error {
	if ctx.Err() != nil {
		return ErrCancelled
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case fi.IsDir():
		if err := os.Mkdir(dst, fi.Mode().Perm()|0o700); err != nil {
			return err
		}
		ents, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := copyTree(ctx, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
		return os.Chmod(dst, fi.Mode().Perm())
	case fi.Mode().IsRegular():
		return copyFile(ctx, src, dst, fi)
	}
	return &Error{"failed", "a special file (device, socket or pipe) cannot be copied: " + protocol.FMDisplay(src)}
}

func copyFile(ctx context.Context, src, dst string, fi fs.FileInfo) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	// 1 MiB at a time, through plain Writer and Reader (no copy_file_range:
	// a cancel is seen between two pieces).
	if _, err := io.CopyBuffer(struct{ io.Writer }{out}, cancellable{ctx, in}, make([]byte, 1<<20)); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chtimes(dst, fi.ModTime(), fi.ModTime())
}

// list reads the folder dir and returns the page req asks for: folders
// first, then by name, size or date; hidden entries only when asked; the
// filter matches names without regard to case. Only the entries of the page
// are read in full when sorting by name.
func list(dir string, req protocol.FMRequest) (protocol.FMListing, error) {
	out := protocol.FMListing{Path: protocol.FMWirePath(dir), Sep: string(filepath.Separator), Crumbs: crumbs(dir)}
	f, err := os.Open(dir)
	if err != nil {
		return out, err
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return out, err
	}
	filter := strings.ToLower(strings.TrimSpace(req.Filter))
	type row struct {
		e     fs.DirEntry
		lower string
		info  fs.FileInfo
		dir   bool
	}
	rows := make([]row, 0, len(ents))
	for _, e := range ents {
		name := e.Name()
		if !req.Hidden && hidden(name, e) {
			continue
		}
		lower := strings.ToLower(name)
		if filter != "" && !strings.Contains(lower, filter) && !strings.Contains(strings.ToLower(protocol.FMDisplay(name)), filter) {
			continue
		}
		rows = append(rows, row{e: e, lower: lower, dir: e.IsDir()})
	}
	// Links to folders list as folders: one more stat per link only.
	for i := range rows {
		if rows[i].e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(dir, rows[i].e.Name())); err == nil && fi.IsDir() {
				rows[i].dir = true
			}
		}
	}
	byInfo := req.Sort == protocol.FMSortSize || req.Sort == protocol.FMSortDate
	if byInfo {
		for i := range rows {
			rows[i].info, _ = rows[i].e.Info()
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if a.dir != b.dir {
			if a.dir {
				return -1
			}
			return 1
		}
		c := 0
		switch {
		case !byInfo || a.info == nil || b.info == nil:
		case req.Sort == protocol.FMSortDate:
			c = a.info.ModTime().Compare(b.info.ModTime())
		case !a.dir:
			// (A folder's own size says nothing of its content, and the
			// listing shows none: folders by size go by name.)
			c = cmp(a.info.Size(), b.info.Size())
		}
		if c == 0 {
			c = strings.Compare(a.lower, b.lower)
		}
		if c == 0 {
			c = strings.Compare(a.e.Name(), b.e.Name())
		}
		if req.Desc {
			c = -c
		}
		return c
	})
	// (Folders stay first either way: the order above only turns the rest.)
	out.Total = len(rows)
	out.Page = req.Page
	out.Pages = max(1, (len(rows)+protocol.MaxFMPage-1)/protocol.MaxFMPage)
	start := min(req.Page*protocol.MaxFMPage, len(rows))
	page := rows[start:min(start+protocol.MaxFMPage, len(rows))]
	out.List = make([]protocol.FMEntry, 0, len(page))
	for _, r := range page {
		name := r.e.Name()
		p := filepath.Join(dir, name)
		e := protocol.FMEntry{Name: protocol.FMDisplay(name), Path: protocol.FMWirePath(p), Raw: !utf8.ValidString(name),
			Dir: r.dir, Link: r.e.Type()&fs.ModeSymlink != 0, Hidden: hidden(name, r.e)}
		info := r.info
		if info == nil {
			info, _ = r.e.Info()
		}
		if info != nil {
			if !r.dir {
				e.Size = info.Size()
			}
			e.Modified = info.ModTime().UnixMilli()
		}
		out.List = append(out.List, e)
	}
	return out, nil
}

func cmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// crumbs lists dir's folders from the top of its disk down to dir.
func crumbs(dir string) []protocol.FMCrumb {
	var out []protocol.FMCrumb
	for p := dir; ; p = filepath.Dir(p) {
		name := filepath.Base(p)
		if filepath.Dir(p) == p {
			name = p
		}
		out = append(out, protocol.FMCrumb{Name: protocol.FMDisplay(name), Path: protocol.FMWirePath(p)})
		if filepath.Dir(p) == p || len(out) > 512 {
			break
		}
	}
	slices.Reverse(out)
	return out
}

// cancellable reads r until ctx is cancelled, then fails with ErrCancelled
// (checked at each read: a copy stops within one buffer).
type cancellable struct {
	ctx context.Context
	r   io.Reader
}

func (c cancellable) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, ErrCancelled
	}
	return c.r.Read(p)
}

// Package files hands files over in both directions during a session: the
// technician sends one the customer accepts (and chooses where to save), and the
// customer sends one from their page. Files are streamed, written under a
// temporary name, checked by SHA-256 and only then given their final name.
package files

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/congestion"
	"github.com/lifeline-support/lifeline/agent/supervise"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Flow control of each data channel: stop queueing above highWater, resume when
// pion reports the buffer under lowWater.
const (
	highWater = 1 << 20
	lowWater  = 256 << 10
	chunkData = protocol.MaxFileChunk - protocol.FileChunkHeader
)

// Sink is a file being received. *os.File is one; tests wrap it to fail writes.
type Sink interface {
	io.WriterAt
	io.ReaderAt
	Sync() error
	Close() error
}

// Config configures a Feature.
type Config struct {
	Logger *slog.Logger
	Lang   i18n.Lang
	// DownloadDir is the default folder for received files; nil means DownloadDir.
	DownloadDir func() (string, error)
	// Create creates a new file at path for writing, failing if it exists; nil
	// means os.OpenFile with O_EXCL. Tests replace it at this OS edge.
	Create func(path string) (Sink, error)
	// OnLog, if set, also gets every line of the panel's log, to show in the
	// customer's running log with the chat (render writes it in a language).
	// It is called with the Feature's lock held and must not call back.
	OnLog func(render func(i18n.Lang) string)
	// Journal, if set, is told of every partial file once created and once
	// gone, so that the agent's supervisor removes it if this process dies.
	Journal *supervise.Journal
}

// Feature serves the file channels and the customer's files panel.
type Feature struct {
	cfg Config
	log *slog.Logger

	// mu guards the fields below. Lock order: mu before a transfer's own
	// lock (view reads a transfer under mu); never take mu holding one.
	mu      sync.Mutex
	ctl     *webrtc.DataChannel
	data    []*dataChan
	next    int
	in      *incoming
	out     *outgoing
	changed chan struct{}
	history []entry
	closed  bool
	audit   func(protocol.Audit)
	stray   int                 // chunks dropped for lack of an accepted transfer
	expect  map[string]expected // uploads the file manager announced, by transfer ID
	budget  *congestion.Budget  // paces what goes out to the connection's share (SetBulkRate)
	// colleagues are the control channels of the technician's colleagues
	// (AttachHelper): never the file manager's.
	colleagues map[*webrtc.DataChannel]bool
}

// SetBulkRate makes files sent from now on follow rate, in bits per second
// (0: no limit): the share of the connection's bandwidth estimate that
// files may take without starving the screen and the input (see
// congestion.Controller.BulkRate). The session sets it for each connection.
func (f *Feature) SetBulkRate(rate func() int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.budget = congestion.NewBudget(rate)
}

// SetAudit sets where the feature reports files that crossed and data it
// dropped, for the organisation's audit trail.
func (f *Feature) SetAudit(report func(protocol.Audit)) {
	f.mu.Lock()
	f.audit = report
	f.mu.Unlock()
}

// report hands an event to the audit reporter, if any. f.mu must not be held.
func (f *Feature) report(a protocol.Audit) {
	f.mu.Lock()
	r := f.audit
	f.mu.Unlock()
	if r != nil {
		r(a)
	}
}

// dataChan is one open data channel with its flow-control signal.
type dataChan struct {
	dc  *webrtc.DataChannel
	low chan struct{}
}

// entry is one line of the panel's log, rendered in the page's language.
type entry struct {
	At   time.Time
	Key  string
	Args []any
	// SHA is the file's SHA-256, shown in the line's details, not in it.
	SHA string
}

// New returns a Feature.
func New(cfg Config) *Feature {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DownloadDir == nil {
		cfg.DownloadDir = DownloadDir
	}
	if cfg.Create == nil {
		cfg.Create = func(path string) (Sink, error) {
			return os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		}
	}
	return &Feature{cfg: cfg, log: cfg.Logger, changed: make(chan struct{}), colleagues: map[*webrtc.DataChannel]bool{}}
}

// Handles reports whether label is a file channel.
func (f *Feature) Handles(label string) bool {
	return label == protocol.ChannelFileControl || strings.HasPrefix(label, protocol.ChannelFileData)
}

// SetGrants does nothing: the customer accepts each incoming file explicitly.
func (f *Feature) SetGrants(protocol.Permissions) {}

// Attach takes a file channel of the current connection.
func (f *Feature) Attach(dc *webrtc.DataChannel) { f.attach(dc, nil) }

// AttachHelper takes a file channel of a colleague of the technician the
// lead granted files (session.HelperFeature): they may offer the customer a
// file, asked and received as the technician's are, each message only while
// allowed says so. The customer's own files keep going to the technician's
// connection, and a colleague's chunks count only for a transfer offered on
// their own connection.
func (f *Feature) AttachHelper(dc *webrtc.DataChannel, _ string, allowed func() bool) {
	f.attach(dc, allowed)
}

// attach attaches the handlers of file channel dc: of the technician's
// current connection (allowed nil) or of a colleague's, whose every message
// allowed must let through.
func (f *Feature) attach(dc *webrtc.DataChannel, allowed func() bool) {
	may := func() bool {
		if allowed == nil || allowed() {
			return true
		}
		f.log.Warn("file message of a colleague not granted files dropped", "label", dc.Label())
		return false
	}
	if dc.Label() == protocol.ChannelFileControl {
		f.mu.Lock()
		if allowed == nil {
			f.ctl = dc
		} else {
			f.colleagues[dc] = true
		}
		f.mu.Unlock()
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			if !m.IsString || !may() {
				return
			}
			msg, err := protocol.DecodeFile(m.Data)
			if err != nil {
				f.log.Warn("file message refused", "err", err)
				return
			}
			f.onControl(dc, msg)
		})
		dc.OnClose(func() {
			f.mu.Lock()
			if f.ctl == dc {
				f.ctl = nil
			}
			delete(f.colleagues, dc)
			f.mu.Unlock()
			// Only the transfers of this connection: a new one may already
			// carry another (pion reports the close on a goroutine, late).
			f.failAll(dc, reasonDisconnected)
		})
		return
	}
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if !m.IsString && may() {
			f.onChunk(dc, m.Data)
		}
	})
	if allowed != nil {
		return // the customer's files never leave on a colleague's channel
	}
	d := &dataChan{dc: dc, low: make(chan struct{}, 1)}
	dc.OnOpen(func() {
		dc.SetBufferedAmountLowThreshold(lowWater)
		f.mu.Lock()
		f.data = append(f.data, d)
		f.mu.Unlock()
	})
	// Runs on the SCTP read loop: never block here.
	dc.OnBufferedAmountLow(func() {
		select {
		case d.low <- struct{}{}:
		default:
		}
	})
	dc.OnClose(func() {
		f.mu.Lock()
		for i, x := range f.data {
			if x == d {
				f.data = append(f.data[:i], f.data[i+1:]...)
				break
			}
		}
		f.mu.Unlock()
	})
}

// Close fails every transfer (removing partial files) and ends the panel's streams.
func (f *Feature) Close() error {
	f.failAll(nil, reasonDisconnected)
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		f.notifyLocked()
	}
	f.mu.Unlock()
	return nil
}

// SessionEnded ends the transfers still running as the session ends: their
// partial files are removed and the customer's log says why. The panel stays,
// with its log of the files that crossed.
func (f *Feature) SessionEnded() { f.failAll(nil, reasonEnded) }

// sendControl sends a control message on the current connection's control
// channel, if it is up.
func (f *Feature) sendControl(m protocol.FileMessage) {
	f.mu.Lock()
	ctl := f.ctl
	f.mu.Unlock()
	f.sendOn(ctl, m)
}

// sendOn sends a control message on ctl (a transfer's own channel: the
// console that offered or accepted it), if it is up.
func (f *Feature) sendOn(ctl *webrtc.DataChannel, m protocol.FileMessage) {
	if ctl == nil {
		return
	}
	b, _ := json.Marshal(m)
	if err := ctl.SendText(string(b)); err != nil {
		f.log.Debug("file message not sent", "err", err)
	}
}

// notifyLocked wakes the panel's event streams. f.mu must be held.
func (f *Feature) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// logLocked adds a line to the panel's log. f.mu must be held.
func (f *Feature) logLocked(key string, args ...any) {
	f.addLocked(entry{At: time.Now(), Key: key, Args: args})
}

// addLocked adds e to the panel's log, and its line (without the details)
// to the session's log. f.mu must be held.
func (f *Feature) addLocked(e entry) {
	f.history = append(f.history, e)
	if len(f.history) > 100 {
		f.history = f.history[1:]
	}
	if f.cfg.OnLog != nil {
		f.cfg.OnLog(func(lang i18n.Lang) string { return render(lang, e) })
	}
	f.notifyLocked()
}

func (f *Feature) onControl(ctl *webrtc.DataChannel, m protocol.FileMessage) {
	switch m.Kind {
	case protocol.FileOffer:
		f.onOffer(ctl, m)
	case protocol.FileDone:
		f.mu.Lock()
		in := f.in
		f.mu.Unlock()
		if in != nil && in.id == m.ID && in.conn() == ctl {
			in.done(m.SHA256)
		}
	case protocol.FileResume:
		f.mu.Lock()
		in := f.in
		f.mu.Unlock()
		if in != nil && in.id == m.ID && !f.isColleague(ctl) {
			in.resume(ctl, m)
		} else {
			f.sendOn(ctl, protocol.FileMessage{Kind: protocol.FileError, ID: m.ID, Reason: protocol.FileProtocol})
		}
	case protocol.FileCancel:
		f.mu.Lock()
		in, out := f.in, f.out
		f.mu.Unlock()
		if in != nil && in.id == m.ID && in.conn() == ctl {
			in.end(nil, "agent.files.log.cancelledByTech", in.name)
		}
		if out != nil && out.id == m.ID && out.ctl == ctl {
			out.stop(m)
		}
	case protocol.FileAccept, protocol.FileDecline, protocol.FileResult, protocol.FileError:
		f.mu.Lock()
		out := f.out
		f.mu.Unlock()
		if out != nil && out.id == m.ID && out.ctl == ctl {
			out.reply(m)
		}
	}
}

// isColleague reports whether ctl is a colleague's control channel.
func (f *Feature) isColleague(ctl *webrtc.DataChannel) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.colleagues[ctl]
}

// Reasons a transfer stops that only this side names (nothing is sent: the
// other side cannot hear, or ends its own side itself).
const (
	reasonDisconnected reasonKey = "disconnected"
	reasonEnded        reasonKey = "ended"
)

// failAll ends the running transfers of the connection whose control
// channel is ctl (every transfer if ctl is nil), for why, as when that
// connection closes or the session ends.
func (f *Feature) failAll(ctl *webrtc.DataChannel, why reasonKey) {
	f.mu.Lock()
	in, out := f.in, f.out
	f.mu.Unlock()
	if in != nil && (ctl == nil || in.conn() == ctl) {
		// A connection that dropped may come back: the file waits for the
		// technician's console to resume it.
		if ctl == nil || !in.suspend() {
			in.end(nil, "agent.files.log.failedIn", in.name, why)
		} else {
			f.log.Info("file transfer suspended until the technician's console resumes it", "name", in.name)
		}
	}
	if out != nil && (ctl == nil || out.ctl == ctl) {
		out.stop(protocol.FileMessage{Kind: protocol.FileError, Reason: protocol.FileReason(why)})
	}
}

// reasonOf classifies a write error.
func reasonOf(err error) protocol.FileReason {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return protocol.FileDiskFull
	}
	return protocol.FileWriteFailed
}

// newID returns a random transfer id.
func newID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// progress tracks bytes moved for the progress bar.
type progress struct {
	size    int64
	bytes   atomic.Int64
	started time.Time
}

// view is a transfer as the panel shows it.
type transferView struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Size     int64   `json:"size"`
	Bytes    int64   `json:"bytes"`
	State    string  `json:"state"`
	Speed    float64 `json:"speed"` // bytes per second
	Left     float64 `json:"left"`  // seconds, -1 if unknown
	SizeText string  `json:"sizeText"`
	Text     string  `json:"text"`
}

func (p *progress) view(lang i18n.Lang, id, name, state string) *transferView {
	v := &transferView{ID: id, Name: name, Size: p.size, Bytes: p.bytes.Load(), State: state, Left: -1, SizeText: HumanSize(p.size)}
	if !p.started.IsZero() {
		if el := time.Since(p.started).Seconds(); el > 0.2 && v.Bytes > 0 {
			v.Speed = float64(v.Bytes) / el
			v.Left = float64(p.size-v.Bytes) / v.Speed
		}
	}
	v.Text = i18n.T(lang, "agent.files.progress", HumanSize(v.Bytes), HumanSize(p.size), HumanSize(int64(v.Speed)))
	if v.Left >= 0 {
		v.Text += " · " + i18n.T(lang, "agent.files.left", fmt.Sprintf("%.0f", v.Left))
	}
	return v
}

// HumanSize writes a size the way people read it ("2.1 MB").
func HumanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// hashOf returns the hex SHA-256 of the first size bytes of r.
func hashOf(r io.ReaderAt, size int64) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// uniquePath gives the file its final name in dir without ever replacing a file:
// "name", else "name (1)", "name (2)"…, linked atomically (no overwrite race).
func uniquePath(tmp, dir, name string) (string, error) {
	for i := 0; i < 1000; i++ {
		n := name
		if i > 0 {
			n = numbered(name, i)
		}
		dst := filepath.Join(dir, n)
		err := os.Link(tmp, dst)
		if err == nil {
			_ = os.Remove(tmp)
			return dst, nil
		}
		if errors.Is(err, os.ErrExist) {
			continue
		}
		// No hard links here (some file systems): check, then rename.
		if _, serr := os.Lstat(dst); serr == nil {
			continue
		}
		if err := os.Rename(tmp, dst); err != nil {
			return "", err
		}
		return dst, nil
	}
	return "", fmt.Errorf("files: no free name for %q", name)
}

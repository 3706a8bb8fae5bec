package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/congestion"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// incoming is the file the technician is sending, from offer to verdict.
type incoming struct {
	f        *Feature
	ctl      *webrtc.DataChannel // the control channel it was offered on
	id       string
	n        uint32
	name     string // sanitised
	progress progress

	mu        sync.Mutex
	state     string // offered, receiving, suspended, verifying
	sink      Sink
	tmp, dir  string
	senderSHA string
	ended     bool
	// contig is how much of the file is written in order from its start;
	// ahead holds the chunks written past it (offset → end). A resume goes
	// on from contig.
	contig int64
	ahead  map[int64]int64
	// expire ends a suspended transfer the sender did not resume in time.
	expire *time.Timer
}

// resumeWindow is how long a transfer whose connection dropped waits for
// the sender to resume it before its partial file is removed.
const resumeWindow = 2 * time.Minute

func (f *Feature) onOffer(ctl *webrtc.DataChannel, m protocol.FileMessage) {
	f.mu.Lock()
	if old := f.in; old != nil && old.stale(old.n) {
		// The console whose connection dropped gave up (a reload): a new
		// file replaces the one waiting to be resumed.
		f.mu.Unlock()
		old.end(nil, "agent.files.log.failedIn", old.name, reasonDisconnected)
		f.mu.Lock()
	}
	if f.in != nil {
		f.mu.Unlock()
		f.sendOn(ctl, protocol.FileMessage{Kind: protocol.FileError, ID: m.ID, Reason: protocol.FileBusy})
		return
	}
	in := &incoming{f: f, ctl: ctl, id: m.ID, n: m.N, name: Sanitize(m.Name), state: "offered"}
	in.progress.size = m.Size
	f.in = in
	var dir string
	var announced bool
	if !f.colleagues[ctl] {
		dir, announced = f.takeExpectedLocked(m.ID)
	}
	f.notifyLocked()
	f.mu.Unlock()
	f.log.Info("file offered", "name", in.name, "size", m.Size, "fileManager", announced)
	if announced {
		// The file manager checked the folder: taken without asking again.
		go func() {
			if err := in.accept(dir); err != nil {
				f.log.Warn("file manager upload not accepted", "dir", dir, "err", err)
				in.fail(reasonOf(err))
			}
		}()
	}
}

// errBadFolder means the folder the customer typed is not an existing folder.
var errBadFolder = errors.New("not an existing folder")

// accept starts receiving into dir (the default folder if empty).
func (in *incoming) accept(dir string) error {
	if dir == "" {
		d, err := in.f.cfg.DownloadDir()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		dir = d
	}
	if !filepath.IsAbs(dir) {
		return errBadFolder
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return errBadFolder
	}
	if err := in.open(dir); err != nil {
		return err
	}
	// Outside in.mu: the panel takes f.mu, then in.mu (see Feature.view).
	in.f.sendOn(in.conn(), protocol.FileMessage{Kind: protocol.FileAccept, ID: in.id})
	in.f.mu.Lock()
	in.f.notifyLocked()
	in.f.mu.Unlock()
	return nil
}

// open creates the partial file in dir and starts receiving. It holds in.mu,
// and takes no other lock: whoever holds f.mu may be waiting for in.mu.
func (in *incoming) open(dir string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.state != "offered" || in.ended {
		return errStale
	}
	var err error
	for i := 0; i < 100; i++ {
		name := in.name
		if i > 0 {
			name = numbered(name, i)
		}
		in.tmp = filepath.Join(dir, partName(name))
		in.sink, err = in.f.cfg.Create(in.tmp)
		if err == nil {
			// Only once created: a file that was there is not ours to remove.
			in.f.cfg.Journal.Partial(in.tmp, false)
		}
		if !errors.Is(err, os.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	in.dir = dir
	in.state = "receiving"
	in.progress.started = time.Now()
	return nil
}

// errStale means the transfer named is no longer the one waiting.
var errStale = errors.New("transfer no longer pending")

func (f *Feature) onChunk(dc *webrtc.DataChannel, data []byte) {
	c, err := protocol.DecodeFileChunk(data)
	if err != nil {
		return
	}
	f.mu.Lock()
	in := f.in
	f.mu.Unlock()
	if in != nil && in.stale(c.N) {
		return
	}
	if in == nil || !in.receiving(c.N) || !sameConnection(in.conn(), dc) {
		// Data the customer never accepted: dropped, and reported.
		f.mu.Lock()
		f.stray++
		n := f.stray
		f.mu.Unlock()
		if n == 1 || n%100 == 0 {
			f.log.Warn("file data without an accepted transfer dropped", "dropped", n)
			f.report(protocol.Audit{Event: protocol.AuditRefused, Detail: fmt.Sprintf("file data without an accepted transfer, %d chunks dropped", n)})
		}
		return
	}
	in.write(c)
}

// sameConnection reports whether data channels a and b belong to one peer
// connection: a transfer's chunks come on the connection that offered it.
func sameConnection(a, b *webrtc.DataChannel) bool {
	return a == nil || b == nil || a.Transport() == b.Transport()
}

// receiving reports whether chunks of transfer n are expected now.
func (in *incoming) receiving(n uint32) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.state == "receiving" && in.n == n && !in.ended
}

// conn is the control channel the transfer goes on (nil while suspended).
func (in *incoming) conn() *webrtc.DataChannel {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.ctl
}

// stale reports whether chunks of transfer n may still come from a
// connection that dropped (they are dropped quietly).
func (in *incoming) stale(n uint32) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return (in.state == "suspended" || in.state == "resuming") && in.n == n
}

func (in *incoming) write(c protocol.FileChunk) {
	in.mu.Lock()
	if in.state != "receiving" || c.N != in.n || in.ended {
		in.mu.Unlock()
		return
	}
	sink := in.sink
	in.mu.Unlock()
	if c.Offset+int64(len(c.Data)) > in.progress.size {
		in.fail(protocol.FileProtocol)
		return
	}
	if _, err := sink.WriteAt(c.Data, c.Offset); err != nil {
		in.f.log.Warn("file write", "err", err)
		in.fail(reasonOf(err))
		return
	}
	in.wrote(c.Offset, c.Offset+int64(len(c.Data)))
	in.checkComplete()
}

// wrote records that [off, end) is written: the progress is what is
// written in order from the start.
func (in *incoming) wrote(off, end int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if off > in.contig {
		if in.ahead == nil {
			in.ahead = map[int64]int64{}
		}
		in.ahead[off] = max(in.ahead[off], end)
	} else {
		in.contig = max(in.contig, end)
	}
	for {
		next, ok := in.ahead[in.contig]
		if !ok {
			break
		}
		delete(in.ahead, in.contig)
		in.contig = max(in.contig, next)
	}
	in.progress.bytes.Store(in.contig)
}

// suspend keeps the transfer (and its partial file) for resumeWindow after
// its connection dropped; it reports false if the transfer was not
// receiving (then nothing can be resumed).
func (in *incoming) suspend() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.state != "receiving" || in.ended {
		return false
	}
	in.state = "suspended"
	in.ctl = nil
	clear(in.ahead) // what came past the gap is sent again
	in.expire = time.AfterFunc(resumeWindow, func() {
		in.end(nil, "agent.files.log.failedIn", in.name, reasonDisconnected)
	})
	return true
}

// resume goes on with a suspended transfer on ctl: it answers the sender
// with the offset it holds and the SHA-256 of those bytes.
func (in *incoming) resume(ctl *webrtc.DataChannel, m protocol.FileMessage) {
	in.mu.Lock()
	if in.state == "receiving" && in.ctl != ctl && !in.ended {
		// The console's new connection came before the old one's close
		// reached us (pion reports it late): it is dropped now.
		in.state = "suspended"
		clear(in.ahead)
	}
	if in.state != "suspended" || in.ended || m.N != in.n || m.Size != in.progress.size {
		in.mu.Unlock()
		in.f.sendOn(ctl, protocol.FileMessage{Kind: protocol.FileError, ID: m.ID, Reason: protocol.FileProtocol})
		return
	}
	if in.expire != nil {
		in.expire.Stop()
	}
	in.state = "resuming"
	sink, off := in.sink, in.contig
	in.mu.Unlock()
	sum, err := hashOf(sink, off)
	in.mu.Lock()
	if in.state != "resuming" || in.ended {
		in.mu.Unlock()
		return
	}
	if err != nil {
		in.mu.Unlock()
		in.fail(protocol.FileWriteFailed)
		return
	}
	in.ctl = ctl
	in.state = "receiving"
	in.mu.Unlock()
	f := in.f
	f.log.Info("file resumed", "name", in.name, "offset", off, "prefixSHA256", sum)
	f.mu.Lock()
	f.logLocked("agent.files.log.resumedIn", HumanSize(off), in.name)
	f.mu.Unlock()
	f.sendOn(ctl, protocol.FileMessage{Kind: protocol.FileAccept, ID: in.id, Offset: off, SHA256: sum})
	in.checkComplete()
}

func (in *incoming) done(sha string) {
	in.mu.Lock()
	in.senderSHA = sha
	in.mu.Unlock()
	in.checkComplete()
}

func (in *incoming) checkComplete() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.state == "receiving" && !in.ended && in.senderSHA != "" && in.progress.bytes.Load() >= in.progress.size {
		in.state = "verifying"
		go in.finish()
	}
}

// finish syncs and hashes the temporary file, then gives it its final name or
// removes it.
func (in *incoming) finish() {
	in.mu.Lock()
	sink, want := in.sink, in.senderSHA
	in.mu.Unlock()
	if err := sink.Sync(); err != nil {
		in.fail(reasonOf(err))
		return
	}
	got, err := hashOf(sink, in.progress.size)
	if err != nil {
		in.fail(protocol.FileWriteFailed)
		return
	}
	if got != want {
		in.end(&protocol.FileMessage{Kind: protocol.FileError, ID: in.id, Reason: protocol.FileHashMismatch, SHA256: got},
			"agent.files.log.failedIn", in.name, in.f.reasonText(protocol.FileHashMismatch))
		return
	}
	in.mu.Lock()
	if in.ended {
		in.mu.Unlock()
		return
	}
	in.ended = true
	err = in.sink.Close()
	var dst string
	if err == nil {
		dst, err = uniquePath(in.tmp, in.dir, in.name)
	}
	in.mu.Unlock()
	f := in.f
	if err != nil {
		in.removePartial()
		f.log.Warn("file save", "err", err)
		// The customer's log first: when the technician hears the verdict,
		// the customer's side already shows it.
		f.detachIn(in, "agent.files.log.failedIn", in.name, f.reasonText(reasonOf(err)))
		f.sendOn(in.conn(), protocol.FileMessage{Kind: protocol.FileError, ID: in.id, Reason: reasonOf(err)})
		return
	}
	f.cfg.Journal.Partial(in.tmp, true) // renamed to dst
	f.log.Info("file received", "path", dst, "size", in.progress.size, "sha256", got)
	f.report(protocol.Audit{Event: protocol.AuditFileSent, Name: filepath.Base(dst), Size: in.progress.size, SHA256: got})
	f.detachInSHA(in, got, "agent.files.log.received", filepath.Base(dst), HumanSize(in.progress.size), dst)
	f.sendOn(in.conn(), protocol.FileMessage{Kind: protocol.FileResult, ID: in.id, SHA256: got})
}

// removePartial removes the partial file and tells the journal.
func (in *incoming) removePartial() {
	_ = os.Remove(in.tmp)
	in.f.cfg.Journal.Partial(in.tmp, true)
}

// fail ends the transfer with an error the sender is told about.
func (in *incoming) fail(r protocol.FileReason) {
	in.end(&protocol.FileMessage{Kind: protocol.FileError, ID: in.id, Reason: r}, "agent.files.log.failedIn", in.name, in.f.reasonText(r))
}

// end stops the transfer, removes the partial file, tells the sender msg (if not
// nil) and logs key.
func (in *incoming) end(msg *protocol.FileMessage, key string, args ...any) {
	in.mu.Lock()
	if in.ended {
		in.mu.Unlock()
		return
	}
	in.ended = true
	if in.expire != nil {
		in.expire.Stop()
	}
	if in.sink != nil {
		_ = in.sink.Close()
		in.removePartial()
	}
	in.mu.Unlock()
	in.f.log.Info("file not received", "name", in.name, "why", key, "args", args)
	// The customer's log first, as in done.
	in.f.detachIn(in, key, args...)
	if msg != nil {
		in.f.sendOn(in.conn(), *msg)
	}
}

func (f *Feature) detachIn(in *incoming, key string, args ...any) {
	f.detachInSHA(in, "", key, args...)
}

// detachInSHA is detachIn with the file's SHA-256 for the log line's details.
func (f *Feature) detachInSHA(in *incoming, sha, key string, args ...any) {
	f.mu.Lock()
	if f.in == in {
		f.in = nil
	}
	f.addLocked(entry{At: time.Now(), Key: key, Args: args, SHA: sha})
	f.mu.Unlock()
}

// reasonText is a failure reason in the agent's language (for slog and args; the
// panel renders keys in its own language).
func (f *Feature) reasonText(r protocol.FileReason) reasonKey { return reasonKey(r) }

// reasonKey is a failure reason rendered by the panel in the page's language.
type reasonKey protocol.FileReason

// outgoing is the file the customer is sending, from offer to verdict.
type outgoing struct {
	f        *Feature
	ctl      *webrtc.DataChannel // the control channel it was offered on
	id       string
	n        uint32
	name     string
	progress progress
	ctx      context.Context
	cancel   context.CancelFunc
	replies  chan protocol.FileMessage

	mu    sync.Mutex
	state string // waiting, sending, verifying
}

// reply delivers the receiver's answer; never blocks.
func (o *outgoing) reply(m protocol.FileMessage) {
	select {
	case o.replies <- m:
	default:
	}
}

// stop ends the transfer because of m (a cancel or a lost connection).
func (o *outgoing) stop(m protocol.FileMessage) {
	o.reply(m)
	o.cancel()
}

func (o *outgoing) setState(s string) {
	o.mu.Lock()
	o.state = s
	o.mu.Unlock()
	o.f.mu.Lock()
	o.f.notifyLocked()
	o.f.mu.Unlock()
}

var errBusy = errors.New("a file is already being sent")
var errNotConnected = errors.New("the technician is not connected")

// send offers a file read from r (size bytes) to the technician and streams it
// once accepted. It returns when the technician has checked the file, or with
// the reason it was not.
func (f *Feature) send(ctx context.Context, name string, size int64, r io.Reader) error {
	f.mu.Lock()
	if f.out != nil {
		f.mu.Unlock()
		return errBusy
	}
	if f.ctl == nil {
		f.mu.Unlock()
		return errNotConnected
	}
	o := &outgoing{f: f, ctl: f.ctl, id: newID(), name: Sanitize(name), replies: make(chan protocol.FileMessage, 8), state: "waiting"}
	o.ctx, o.cancel = context.WithCancel(ctx)
	defer o.cancel()
	o.progress.size = size
	f.out = o
	f.notifyLocked()
	n := uint32(time.Now().UnixNano()) | 1
	o.n = n
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		if f.out == o {
			f.out = nil
		}
		f.notifyLocked()
		f.mu.Unlock()
	}()

	f.sendOn(o.ctl, protocol.FileMessage{Kind: protocol.FileOffer, ID: o.id, N: n, Name: o.name, Size: size})
	var m protocol.FileMessage
	select {
	case m = <-o.replies:
	case <-o.ctx.Done():
		return f.outEnded(o, o.ctx.Err(), protocol.FileMessage{})
	}
	if m.Kind != protocol.FileAccept {
		return f.outEnded(o, nil, m)
	}
	o.setState("sending")
	o.progress.started = time.Now()
	h := sha256.New()
	// pion copies what Send queues, so one buffer serves every chunk.
	chunk := make([]byte, protocol.MaxFileChunk)
	var off int64
	for off < size {
		buf := protocol.AppendFileChunkHeader(chunk[:0], n, off)
		k, err := io.ReadFull(r, buf[protocol.FileChunkHeader:protocol.FileChunkHeader+int(min(int64(f.bulkChunk()), size-off))])
		if o.ctx.Err() != nil {
			// Cancelled, or the customer's page stopped the upload (its
			// request's context ends as the body breaks off).
			err = o.ctx.Err()
		}
		if err != nil {
			select {
			case m = <-o.replies:
				return f.outEnded(o, nil, m)
			default:
			}
			if errors.Is(err, context.Canceled) {
				return f.outEnded(o, err, protocol.FileMessage{})
			}
			f.sendOn(o.ctl, protocol.FileMessage{Kind: protocol.FileCancel, ID: o.id})
			select {
			case m = <-o.replies:
				return f.outEnded(o, nil, m)
			default:
			}
			return f.outEnded(o, err, protocol.FileMessage{Kind: protocol.FileError, Reason: protocol.FileReadFailed})
		}
		buf = buf[:protocol.FileChunkHeader+k]
		h.Write(buf[protocol.FileChunkHeader:])
		if err := f.sendChunk(o, buf); err != nil {
			select {
			case m = <-o.replies:
				return f.outEnded(o, nil, m)
			default:
			}
			return f.outEnded(o, err, protocol.FileMessage{})
		}
		off += int64(k)
		o.progress.bytes.Store(off)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	o.setState("verifying")
	f.sendOn(o.ctl, protocol.FileMessage{Kind: protocol.FileDone, ID: o.id, SHA256: sum})
	select {
	case m = <-o.replies:
	case <-o.ctx.Done():
		return f.outEnded(o, o.ctx.Err(), protocol.FileMessage{})
	}
	if m.Kind == protocol.FileResult && m.SHA256 == sum {
		f.log.Info("file sent", "name", o.name, "size", size, "sha256", sum)
		f.report(protocol.Audit{Event: protocol.AuditFileReceived, Name: o.name, Size: size, SHA256: sum})
		f.mu.Lock()
		f.addLocked(entry{At: time.Now(), Key: "agent.files.log.sent", Args: []any{o.name, HumanSize(size)}, SHA: sum})
		f.mu.Unlock()
		return nil
	}
	if m.Kind == protocol.FileResult {
		m = protocol.FileMessage{Kind: protocol.FileError, Reason: protocol.FileHashMismatch}
	}
	return f.outEnded(o, nil, m)
}

// errCancelled and the like are what the customer's upload request answers.
var (
	errCancelled = errors.New("cancelled")
	errDeclined  = errors.New("declined")
)

// outEnded logs why a send ended and returns the error for the page.
func (f *Feature) outEnded(o *outgoing, err error, m protocol.FileMessage) error {
	var key string
	var args []any
	var ret error
	switch {
	case m.Kind == protocol.FileDecline:
		key, args, ret = "agent.files.log.declined", []any{o.name}, errDeclined
	case m.Kind == protocol.FileCancel:
		key, args, ret = "agent.files.log.cancelledByTech", []any{o.name}, errCancelled
	case m.Kind == "" && errors.Is(err, context.Canceled):
		// The customer's Cancel (or their page gone): the technician is told.
		key, args, ret = "agent.files.log.cancelledByYou", []any{o.name}, errCancelled
		f.sendOn(o.ctl, protocol.FileMessage{Kind: protocol.FileCancel, ID: o.id})
	case m.Kind == protocol.FileError:
		key, args = "agent.files.log.failedOut", []any{o.name, reasonKey(m.Reason)}
		ret = fmt.Errorf("%s", m.Reason)
	default:
		key, args = "agent.files.log.failedOut", []any{o.name, reasonKey(protocol.FileReadFailed)}
		ret = err
		f.sendOn(o.ctl, protocol.FileMessage{Kind: protocol.FileCancel, ID: o.id})
	}
	f.log.Info("file not sent", "name", o.name, "why", key, "err", err, "reason", m.Reason)
	f.mu.Lock()
	f.logLocked(key, args...)
	f.mu.Unlock()
	return ret
}

// bulkChunk is how much file data a chunk carries now: less on a slow link
// (see congestion.Budget.Chunk).
func (f *Feature) bulkChunk() int {
	f.mu.Lock()
	b := f.budget
	f.mu.Unlock()
	if b == nil {
		return chunkData
	}
	return b.Chunk(protocol.MaxFileChunk) - protocol.FileChunkHeader
}

// sendChunk queues one chunk on the emptiest data channel, once the
// connection's budget lets it go, waiting while that channel's buffer is
// above its window (highWater, less on a slow link: see congestion.Budget).
func (f *Feature) sendChunk(o *outgoing, b []byte) error {
	f.mu.Lock()
	if len(f.data) == 0 {
		f.mu.Unlock()
		return errNotConnected
	}
	// The emptiest channel, starting after the last one used: a channel slowed
	// by a retransmission does not hold up the others.
	d := f.data[f.next%len(f.data)]
	for i := 1; i < len(f.data); i++ {
		if x := f.data[(f.next+i)%len(f.data)]; x.dc.BufferedAmount() < d.dc.BufferedAmount() {
			d = x
		}
	}
	f.next++
	budget := f.budget
	f.mu.Unlock()
	if budget == nil {
		budget = congestion.NewBudget(nil)
	}
	for wait := budget.Take(len(b)); wait > 0; wait = budget.Take(len(b)) {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-o.ctx.Done():
			t.Stop()
			return o.ctx.Err()
		}
	}
	if window := uint64(budget.Window(highWater)); d.dc.BufferedAmount() > window {
		// OnBufferedAmountLow wakes us; the timer only guards against a missed
		// signal (the threshold is crossed once per drain) and a window under
		// the threshold.
		d.dc.SetBufferedAmountLowThreshold(min(lowWater, window/2))
		t := time.NewTimer(50 * time.Millisecond)
		defer t.Stop()
		for d.dc.BufferedAmount() > window {
			select {
			case <-d.low:
			case <-o.ctx.Done():
				return o.ctx.Err()
			case <-t.C:
				t.Reset(50 * time.Millisecond)
			}
		}
	}
	return d.dc.Send(b)
}

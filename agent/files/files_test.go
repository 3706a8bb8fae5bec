package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

func TestSanitize(t *testing.T) {
	long := strings.Repeat("é", 300) + ".pdf"
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{"a/b", "b"},
		{`C:\Users\x\evil.exe`, "evil.exe"},
		{"..", "file"},
		{"../..", "_"},
		{"CON", "_CON"},
		{"con.txt", "_con.txt"},
		{"LPT9.log", "_LPT9.log"},
		{"COM1", "_COM1"},
		{"x\x00y", "x_y"},
		{"a\nb\tc", "a_b_c"},
		{"…", "…"},
		{"name. . ", "name"},
		{".bashrc", "bashrc"},
		{"a:b*c?.txt", "a_b_c_.txt"},
		{"abc\u202Etxt.exe", "abc_txt.exe"},
		{"", "file"},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := Sanitize(long)
	if len(got) > maxNameBytes || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "é") {
		t.Errorf("long name: %q (%d bytes)", got, len(got))
	}
}

func TestUniquePathNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"a (1).txt", "a (2).txt"} {
		tmp := filepath.Join(dir, partName("a.txt"))
		if err := os.WriteFile(tmp, []byte{byte(i)}, 0o600); err != nil {
			t.Fatal(err)
		}
		dst, err := uniquePath(tmp, dir, "a.txt")
		if err != nil || filepath.Base(dst) != want {
			t.Fatalf("got %q, %v; want %q", dst, err, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "old" {
		t.Fatal("existing file overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, partName("a.txt"))); !os.IsNotExist(err) {
		t.Fatal("temporary file left")
	}
}

// fullDisk fails writes with ENOSPC once more than room bytes were written.
type fullDisk struct {
	*os.File
	mu   sync.Mutex
	room int64
}

func (d *fullDisk) WriteAt(p []byte, off int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.room -= int64(len(p)); d.room < 0 {
		return 0, &os.PathError{Op: "write", Path: d.Name(), Err: syscall.ENOSPC}
	}
	return d.File.WriteAt(p, off)
}

// console is the technician's side of the file channels, on a real pion peer.
type console struct {
	t    testing.TB
	ctl  *webrtc.DataChannel
	data []*webrtc.DataChannel
	msgs chan protocol.FileMessage
	mu   sync.Mutex
	got  map[int64][]byte
	// count, if set, only counts the bytes received (benchmarks) instead of
	// keeping them in got.
	count *atomic.Int64
	pc    *webrtc.PeerConnection
}

// pair connects a console peer to an agent peer serving f, on loopback.
func pair(t testing.TB, f *Feature) *console {
	return pairWith(t, f, nil)
}

// pairWith is pair; if count is not nil the console only counts what it receives.
func pairWith(t testing.TB, f *Feature, count *atomic.Int64) *console {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetSCTPMaxReceiveBufferSize(8 << 20)
	if testSettings != nil {
		testSettings(&se)
	}
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
	pc1, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	pc2, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc1.Close(); _ = pc2.Close() })
	var agentCtl atomic.Pointer[webrtc.DataChannel]
	pc2.OnDataChannel(func(dc *webrtc.DataChannel) {
		if f.Handles(dc.Label()) {
			f.Attach(dc)
		}
		if dc.Label() == protocol.ChannelFileControl {
			agentCtl.Store(dc)
		}
	})
	f.mu.Lock()
	before := len(f.data)
	f.mu.Unlock()
	c := &console{t: t, msgs: make(chan protocol.FileMessage, 16), got: map[int64][]byte{}, count: count, pc: pc1}
	c.ctl, _ = pc1.CreateDataChannel(protocol.ChannelFileControl, nil)
	c.ctl.OnMessage(func(m webrtc.DataChannelMessage) {
		msg, err := protocol.DecodeFile(m.Data)
		if err != nil {
			t.Errorf("agent sent %q: %v", m.Data, err)
			return
		}
		c.msgs <- msg
	})
	open := make(chan struct{}, 8)
	c.ctl.OnOpen(func() { open <- struct{}{} })
	for i := range protocol.FileDataChannels {
		dc, _ := pc1.CreateDataChannel(protocol.ChannelFileData+string(rune('0'+i)), nil)
		dc.OnOpen(func() { open <- struct{}{} })
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			ch, err := protocol.DecodeFileChunk(m.Data)
			if err == nil && c.count != nil {
				c.count.Add(int64(len(ch.Data)))
			} else if err == nil {
				c.mu.Lock()
				c.got[ch.Offset] = append([]byte(nil), ch.Data...)
				c.mu.Unlock()
			}
		})
		c.data = append(c.data, dc)
	}
	offer, _ := pc1.CreateOffer(nil)
	g1 := webrtc.GatheringCompletePromise(pc1)
	_ = pc1.SetLocalDescription(offer)
	<-g1
	if err := pc2.SetRemoteDescription(*pc1.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	ans, _ := pc2.CreateAnswer(nil)
	g2 := webrtc.GatheringCompletePromise(pc2)
	_ = pc2.SetLocalDescription(ans)
	<-g2
	if err := pc1.SetRemoteDescription(*pc2.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	for range 1 + protocol.FileDataChannels {
		select {
		case <-open:
		case <-time.After(10 * time.Second):
			t.Fatal("channels did not open")
		}
	}
	waitUntil(t, "agent channels", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.ctl != nil && f.ctl == agentCtl.Load() && len(f.data) == before+protocol.FileDataChannels
	})
	return c
}

// testSettings, if set, adjusts pair's SettingEngine (benchmarks).
var testSettings func(*webrtc.SettingEngine)

func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (c *console) send(m protocol.FileMessage) {
	b, _ := json.Marshal(m)
	if err := c.ctl.SendText(string(b)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *console) next() protocol.FileMessage {
	c.t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-time.After(10 * time.Second):
		c.t.Fatal("no file message from the agent")
		return protocol.FileMessage{}
	}
}

// chunks sends content as transfer n, round robin over the data channels.
func (c *console) chunks(n uint32, content []byte) { c.chunksAt(n, 0, content) }

// chunksAt sends content as the part of transfer n that starts at base.
func (c *console) chunksAt(n uint32, base int, content []byte) {
	for off, i := 0, 0; off < len(content); i++ {
		end := min(off+chunkData, len(content))
		b := protocol.AppendFileChunkHeader(nil, n, int64(base+off))
		b = append(b, content[off:end]...)
		dc := c.data[i%len(c.data)]
		for dc.BufferedAmount() > highWater {
			time.Sleep(time.Millisecond)
		}
		if err := dc.Send(b); err != nil {
			c.t.Fatal(err)
		}
		off = end
	}
}

func hexSum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func newFeature(t testing.TB, dir string, create func(string) (Sink, error)) *Feature {
	return New(Config{DownloadDir: func() (string, error) { return dir, nil }, Create: create})
}

func offerAndAccept(t testing.TB, f *Feature, c *console, name string, size int) string {
	t.Helper()
	id := "t" + hex.EncodeToString([]byte(name))[:8]
	c.send(protocol.FileMessage{Kind: protocol.FileOffer, ID: id, N: 7, Name: name, Size: int64(size)})
	waitUntil(t, "the offer", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.in != nil })
	f.mu.Lock()
	in := f.in
	f.mu.Unlock()
	if err := in.accept(""); err != nil {
		t.Fatal(err)
	}
	if m := c.next(); m.Kind != protocol.FileAccept {
		t.Fatalf("got %+v, want accept", m)
	}
	return id
}

func entries(dir string) []string {
	es, _ := os.ReadDir(dir)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestReceive(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "passwd"), []byte("keep"), 0o600)
	f := newFeature(t, dir, nil)
	c := pair(t, f)
	content := bytes.Repeat([]byte("lifeline "), 300_000) // 2.7 MB
	id := offerAndAccept(t, f, c, "../../etc/passwd", len(content))
	c.chunks(7, content)
	c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: id, SHA256: hexSum(content)})
	if m := c.next(); m.Kind != protocol.FileResult || m.SHA256 != hexSum(content) {
		t.Fatalf("got %+v", m)
	}
	b, err := os.ReadFile(filepath.Join(dir, "passwd (1)"))
	if err != nil || !bytes.Equal(b, content) {
		t.Fatalf("received file wrong: %v", err)
	}
	if got := entries(dir); len(got) != 2 {
		t.Fatalf("folder holds %q", got)
	}
	if v, _, _ := f.view("en"); !strings.Contains(v.Log[len(v.Log)-1].Text, "File received: passwd (1), 2.7 MB") || v.Log[len(v.Log)-1].Detail != "SHA-256 "+hexSum(content) {
		t.Fatalf("log %+v", v.Log)
	}
}

func TestReceiveHashMismatchRemovesFile(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, dir, nil)
	c := pair(t, f)
	content := bytes.Repeat([]byte{1}, 200_000)
	id := offerAndAccept(t, f, c, "a.bin", len(content))
	c.chunks(7, content)
	c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: id, SHA256: hexSum([]byte("other"))})
	if m := c.next(); m.Kind != protocol.FileError || m.Reason != protocol.FileHashMismatch {
		t.Fatalf("got %+v", m)
	}
	waitUntil(t, "cleanup", func() bool { return len(entries(dir)) == 0 })
}

func TestReceiveCancelRemovesPartial(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, dir, nil)
	c := pair(t, f)
	content := bytes.Repeat([]byte{2}, 500_000)
	id := offerAndAccept(t, f, c, "a.bin", 1_000_000)
	c.chunks(7, content)
	waitUntil(t, "the partial file", func() bool { return len(entries(dir)) == 1 })
	if e := entries(dir)[0]; e != ".a.bin.lifeline-part" {
		t.Fatalf("partial file named %q", e)
	}
	c.send(protocol.FileMessage{Kind: protocol.FileCancel, ID: id})
	waitUntil(t, "cleanup", func() bool { return len(entries(dir)) == 0 })
	waitUntil(t, "the end", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.in == nil })
}

func TestReceiveDiskFull(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, dir, func(p string) (Sink, error) {
		file, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		return &fullDisk{File: file, room: 300_000}, nil
	})
	c := pair(t, f)
	content := bytes.Repeat([]byte{3}, 1_000_000)
	offerAndAccept(t, f, c, "big.iso", len(content))
	go c.chunks(7, content)
	if m := c.next(); m.Kind != protocol.FileError || m.Reason != protocol.FileDiskFull {
		t.Fatalf("got %+v", m)
	}
	waitUntil(t, "cleanup", func() bool { return len(entries(dir)) == 0 })
	v, _, _ := f.view("en")
	if last := v.Log[len(v.Log)-1].Text; !strings.Contains(last, "the disk is full") {
		t.Fatalf("log says %q", last)
	}
}

func TestSend(t *testing.T) {
	f := newFeature(t, t.TempDir(), nil)
	c := pair(t, f)
	content := bytes.Repeat([]byte("customer "), 400_000)
	errc := make(chan error, 1)
	go func() {
		errc <- f.send(context.Background(), "a/notes.txt", int64(len(content)), bytes.NewReader(content))
	}()
	m := c.next()
	if m.Kind != protocol.FileOffer || m.Name != "notes.txt" || m.Size != int64(len(content)) {
		t.Fatalf("offer %+v", m)
	}
	c.send(protocol.FileMessage{Kind: protocol.FileAccept, ID: m.ID})
	done := c.next()
	if done.Kind != protocol.FileDone || done.SHA256 != hexSum(content) {
		t.Fatalf("done %+v", done)
	}
	waitUntil(t, "every chunk", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := 0
		for _, b := range c.got {
			n += len(b)
		}
		return n == len(content)
	})
	c.send(protocol.FileMessage{Kind: protocol.FileResult, ID: m.ID, SHA256: done.SHA256})
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestSendCancelledByTechnician(t *testing.T) {
	f := newFeature(t, t.TempDir(), nil)
	c := pair(t, f)
	pr, pw := ioPipe()
	defer pw.Close()
	errc := make(chan error, 1)
	go func() { errc <- f.send(context.Background(), "x.bin", 1<<30, pr) }()
	m := c.next()
	c.send(protocol.FileMessage{Kind: protocol.FileAccept, ID: m.ID})
	_, _ = pw.Write(make([]byte, 100_000))
	c.send(protocol.FileMessage{Kind: protocol.FileCancel, ID: m.ID})
	// The send may already have ended and cleared its state.
	waitUntil(t, "the cancel", func() bool { out := o(f); return out == nil || out.ctx.Err() != nil })
	_ = pw.Close()
	select {
	case err := <-errc:
		if err != errCancelled {
			t.Fatalf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("send did not stop")
	}
}

func ioPipe() (*os.File, *os.File) {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	return r, w
}

func o(f *Feature) *outgoing { f.mu.Lock(); defer f.mu.Unlock(); return f.out }

// The console made a new connection (an ICE restart that did not take, the
// customer's program run again): the old connection's file channel closing
// late must not end the transfer running on the new one, least of all
// without a word to the technician, who would wait for it forever.
func TestOldConnectionClosingKeepsTransferOfNewOne(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, dir, nil)
	old := pair(t, f)
	c := pair(t, f)
	content := bytes.Repeat([]byte("new connection "), 100_000) // 1.5 MB
	id := offerAndAccept(t, f, c, "report.pdf", len(content))
	c.chunks(7, content[:len(content)/2])
	_ = old.pc.Close()
	waitUntil(t, "the old channels gone", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.data) == protocol.FileDataChannels
	})
	c.chunksAt(7, len(content)/2, content[len(content)/2:])
	c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: id, SHA256: hexSum(content)})
	if m := c.next(); m.Kind != protocol.FileResult || m.SHA256 != hexSum(content) {
		t.Fatalf("got %+v, want the result", m)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "report.pdf")); err != nil || !bytes.Equal(b, content) {
		t.Fatalf("received file wrong: %v", err)
	}
}

// The session ends with a file half received: the partial file goes at once,
// by this process (not left to the supervisor), and the customer's log says
// why.
func TestSessionEndedRemovesPartial(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, dir, nil)
	c := pair(t, f)
	content := bytes.Repeat([]byte{4}, 500_000)
	offerAndAccept(t, f, c, "a.bin", 1_000_000)
	c.chunks(7, content)
	waitUntil(t, "the partial file", func() bool { return len(entries(dir)) == 1 })
	f.SessionEnded()
	if got := entries(dir); len(got) != 0 {
		t.Fatalf("after the end the folder holds %q", got)
	}
	v, _, _ := f.view("en")
	if last := v.Log[len(v.Log)-1].Text; last != "File transfer failed: a.bin: the session ended, the partial file was removed" {
		t.Fatalf("log says %q", last)
	}
	if v.Closed {
		t.Fatal("the panel closed: the customer's log of files must stay")
	}
}

// The customer clicks Accept while their panel reads the transfer (its event
// stream does every 250 ms while a file is offered): accept held the
// transfer's lock and took the feature's, the panel held the feature's and
// took the transfer's. Both stuck: the offer stayed on the customer's page,
// the file never arrived, its partial file stayed (the soak's "small file
// not received", with a partial file left).
func TestAcceptWhileThePanelReadsDoesNotDeadlock(t *testing.T) {
	dir := t.TempDir()
	var f *Feature
	viewed := make(chan struct{})
	f = newFeature(t, dir, func(p string) (Sink, error) {
		// accept holds the transfer's lock here; the panel reads now.
		go func() { f.view("en"); close(viewed) }()
		waitUntil(t, "the panel holding the feature's lock", func() bool {
			if f.mu.TryLock() {
				f.mu.Unlock()
				return false
			}
			return true
		})
		return os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	})
	c := pair(t, f)
	content := bytes.Repeat([]byte("soak "), 13_000)
	c.send(protocol.FileMessage{Kind: protocol.FileOffer, ID: "t1", N: 7, Name: "soak.txt", Size: int64(len(content))})
	waitUntil(t, "the offer", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.in != nil })
	f.mu.Lock()
	in := f.in
	f.mu.Unlock()
	accepted := make(chan error, 1)
	go func() { accepted <- in.accept("") }()
	select {
	case err := <-accepted:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("accept and the panel are stuck on each other's lock")
	}
	select {
	case <-viewed:
	case <-time.After(10 * time.Second):
		t.Fatal("the panel is stuck")
	}
	if m := c.next(); m.Kind != protocol.FileAccept {
		t.Fatalf("got %+v, want accept", m)
	}
	c.chunks(7, content)
	c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: "t1", SHA256: hexSum(content)})
	if m := c.next(); m.Kind != protocol.FileResult {
		t.Fatalf("got %+v, want the result", m)
	}
}

// Issue 17: a file sent to the technician went at SCTP's pace, whatever the
// link: on a slow uplink it filled the router's queue ahead of the screen.
// Now it follows the connection's bulk rate (a share of the bandwidth
// estimate): at 2 Mbit/s, 512 KiB cannot leave in less than the time the
// rate gives them (less the first burst). A lower bound only: a slow
// machine makes it longer, never shorter.
func TestSendFollowsTheBulkRate(t *testing.T) {
	f := newFeature(t, t.TempDir(), nil)
	const rate = 2_000_000
	f.SetBulkRate(func() int { return rate })
	var got atomic.Int64
	c := pairWith(t, f, &got)
	content := bytes.Repeat([]byte("slow link "), 512<<10/10)
	errc := make(chan error, 1)
	start := time.Now()
	go func() {
		errc <- f.send(context.Background(), "a/big.bin", int64(len(content)), bytes.NewReader(content))
	}()
	m := c.next()
	c.send(protocol.FileMessage{Kind: protocol.FileAccept, ID: m.ID})
	done := c.next()
	if done.Kind != protocol.FileDone {
		t.Fatalf("done %+v", done)
	}
	waitUntil(t, "every byte", func() bool { return got.Load() == int64(len(content)) })
	took := time.Since(start)
	least := time.Duration(float64(len(content)-2*protocol.MaxFileChunk) * 8 / rate * float64(time.Second))
	t.Logf("%d bytes at a bulk rate of %d kbit/s took %v (at least %v)", len(content), rate/1000, took.Round(time.Millisecond), least)
	if took < least {
		t.Errorf("%d bytes went in %v at a bulk rate of %d kbit/s; the rate allows no less than %v", len(content), took, rate/1000, least)
	}
	c.send(protocol.FileMessage{Kind: protocol.FileResult, ID: m.ID, SHA256: done.SHA256})
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// The technician's connection drops half way through a file: the partial
// file is kept, and on the new connection the console resumes it. The
// agent answers with what it holds in order and the SHA-256 of those bytes,
// the console sends the rest, and the file is whole. A resume that does not
// match the transfer (another size) is refused, and a file never resumed
// goes when the session ends.
func TestReceiveResumesAfterTheConnectionDrops(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, dir, nil)
	old := pair(t, f)
	content := bytes.Repeat([]byte("resume me "), 300_000) // 3 MB
	id := offerAndAccept(t, f, old, "big.iso", len(content))
	half := len(content) / 2
	old.chunks(7, content[:half])
	waitUntil(t, "the first half written", func() bool { return inOf(f).progress.bytes.Load() == int64(half) })
	_ = old.pc.Close()
	waitUntil(t, "the transfer suspended", func() bool { in := inOf(f); return in != nil && in.stale(7) })
	if got := entries(dir); len(got) != 1 || got[0] != ".big.iso.lifeline-part" {
		t.Fatalf("the partial file is not kept: %v", got)
	}

	c := pair(t, f)
	c.send(protocol.FileMessage{Kind: protocol.FileResume, ID: id, N: 7, Size: int64(len(content) + 1)})
	if m := c.next(); m.Kind != protocol.FileError {
		t.Fatalf("a resume of another size: %+v", m)
	}
	c.send(protocol.FileMessage{Kind: protocol.FileResume, ID: id, N: 7, Size: int64(len(content))})
	m := c.next()
	if m.Kind != protocol.FileAccept || m.Offset != int64(half) || m.SHA256 != hexSum(content[:half]) {
		t.Fatalf("resume answered %+v, want offset %d", m, half)
	}
	c.chunksAt(7, half, content[half:])
	c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: id, SHA256: hexSum(content)})
	if m := c.next(); m.Kind != protocol.FileResult || m.SHA256 != hexSum(content) {
		t.Fatalf("got %+v, want the result", m)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "big.iso")); err != nil || !bytes.Equal(b, content) {
		t.Fatalf("received file wrong: %v", err)
	}
	f.mu.Lock()
	history := fmt.Sprint(f.history)
	f.mu.Unlock()
	if !strings.Contains(history, "agent.files.log.resumedIn") {
		t.Errorf("the log does not say it resumed: %s", history)
	}

	// Dropped again and never resumed: the session's end removes it.
	offerAndAccept(t, f, c, "other.iso", len(content))
	c.chunks(7, content[:half])
	_ = c.pc.Close()
	waitUntil(t, "the second transfer suspended", func() bool { in := inOf(f); return in != nil && in.stale(7) })
	f.SessionEnded()
	waitUntil(t, "the partial file removed", func() bool { return len(entries(dir)) == 1 })
}

// inOf is the transfer coming in, read under f.mu.
func inOf(f *Feature) *incoming { f.mu.Lock(); defer f.mu.Unlock(); return f.in }

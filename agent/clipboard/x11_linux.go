package clipboard

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// xTimeout bounds one xclip run: an owner that never answers must not stall sync.
const xTimeout = 3 * time.Second

// x11 is the X clipboard (the CLIPBOARD selection) of one display. It reads and
// sets the text with xclip, which handles every selection protocol detail (INCR
// for large texts, UTF8_STRING and STRING targets) and, once it sets the text,
// stays running on its own as the selection's owner until someone else copies.
// Changes of owner are reported by XFixes when the server has it; otherwise the
// caller polls.
type x11 struct {
	display string
	bin     string
	conn    *xgb.Conn     // nil when XFixes is not available
	changes chan struct{} // one pending notice of a new owner; nil without XFixes
	wg      sync.WaitGroup
}

// openX11 finds xclip and subscribes to owner changes of CLIPBOARD on display
// ("" means $DISPLAY). A display without XFixes is not an error: changes is nil.
func openX11(display string) (*x11, error) {
	if display == "" {
		display = os.Getenv("DISPLAY")
	}
	bin, err := exec.LookPath("xclip")
	if err != nil {
		return nil, ErrNoXclip
	}
	x := &x11{display: display, bin: bin}
	if conn, err := watchOwner(display); err == nil {
		x.conn = conn
		x.changes = make(chan struct{}, 1)
		x.wg.Add(1)
		go x.readEvents()
	}
	return x, nil
}

// watchOwner opens an X connection that receives an XFixes event each time a
// client takes ownership of CLIPBOARD (every copy does).
func watchOwner(display string) (*xgb.Conn, error) {
	// xgb prints "could not get authority info" to stderr on a display without
	// Xauthority (Xvfb): that is not for the customer's terminal.
	xgb.Logger = log.New(io.Discard, "", 0)
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*xgb.Conn, error) { conn.Close(); return nil, err }
	if err := xfixes.Init(conn); err != nil {
		return fail(err)
	}
	if _, err := xfixes.QueryVersion(conn, 5, 0).Reply(); err != nil {
		return fail(err)
	}
	atom, err := xproto.InternAtom(conn, false, uint16(len("CLIPBOARD")), "CLIPBOARD").Reply()
	if err != nil {
		return fail(err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	mask := uint32(xfixes.SelectionEventMaskSetSelectionOwner |
		xfixes.SelectionEventMaskSelectionWindowDestroy | xfixes.SelectionEventMaskSelectionClientClose)
	if err := xfixes.SelectSelectionInputChecked(conn, root, atom.Atom, mask).Check(); err != nil {
		return fail(err)
	}
	return conn, nil
}

// readEvents turns XFixes events into notices on changes until the connection closes.
func (x *x11) readEvents() {
	defer x.wg.Done()
	for {
		ev, err := x.conn.WaitForEvent()
		if ev == nil && err == nil {
			return // connection closed
		}
		if _, ok := ev.(xfixes.SelectionNotifyEvent); ok {
			select {
			case x.changes <- struct{}{}:
			default: // one notice pending is enough
			}
		}
	}
}

// close stops watching; xclip processes that own the selection keep running, so
// the customer can still paste what the technician sent.
func (x *x11) close() {
	if x.conn != nil {
		x.conn.Close()
	}
	x.wg.Wait()
}

func (x *x11) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, x.bin, append([]string{"-selection", "clipboard"}, args...)...)
	if x.display != "" {
		cmd.Args = append(cmd.Args, "-display", x.display)
	}
	return cmd
}

// read returns the clipboard text: ErrNoText if there is none (no owner, or not
// text), ErrTooLarge if it is over protocol.MaxClipboard bytes.
func (x *x11) read(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, xTimeout)
	defer cancel()
	cmd := x.command(ctx, "-o")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	b, rerr := io.ReadAll(io.LimitReader(out, protocol.MaxClipboard+1))
	if len(b) > protocol.MaxClipboard {
		cancel() // stop xclip: the rest is not wanted
		_ = cmd.Wait()
		return "", ErrTooLarge
	}
	werr := cmd.Wait()
	switch {
	case rerr != nil:
		return "", rerr
	case werr != nil || len(b) == 0:
		return "", ErrNoText // xclip says "target ... not available" and exits 1
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}

// write makes text the clipboard's content. xclip reads it, then forks and owns
// the selection in the background until another client takes it.
func (x *x11) write(ctx context.Context, text string) error {
	ctx, cancel := context.WithTimeout(ctx, xTimeout)
	defer cancel()
	cmd := x.command(ctx, "-i")
	cmd.Stdin = strings.NewReader(text)
	// Stdout and stderr stay /dev/null: the background xclip keeps them open, so
	// with a pipe Run would wait until someone else copies.
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("xclip -i on display %q: %w", x.display, err)
	}
	return nil
}

// system is the clipboard of the desktop the agent runs on: on X11, the
// CLIPBOARD selection through xclip.
type system = x11

// openSystem opens the clipboard of display ("" means $DISPLAY).
func openSystem(display string) (*system, error) { return openX11(display) }

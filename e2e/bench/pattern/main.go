// Command pattern fills an X11 screen with a benchmark workload and says, on
// stdout, when it drew what, so a benchmark can time the remote screen.
//
// The window covers the whole screen. Its bottom strip (the last 48 rows; the
// top centre is where the agent shows the customer its "being viewed"
// indicator) holds:
//   - a frame counter: 32 blocks of 40×40 pixels, 48 pixels apart from x=16,
//     the 16 bits of the counter (most significant first) then their
//     complement, white for 1 and black for 0, so a decoder can reject torn or
//     smeared frames;
//   - a click target (x 1600–1899) that turns from black to white, or back, on
//     every mouse button press anywhere in the window.
//
// Below it, the mode decides:
//   - static: a screen of text, drawn once;
//   - typing: the same text appears character by character, about 10 a second;
//   - scroll: a terminal scrolling full screen, one line every 1/60 s, and the
//     counter advances with every step;
//   - counter: the static screen, with only the counter advancing, 60 times a
//     second (a small change: a clock, a progress bar).
//
// Output lines: "ready" once the window is up, "c <value> <unix-ns>" for every
// counter value (the time just before its drawing was sent to the X server),
// "b <unix-ns>" for every button press.
//
// Usage:
//
//	pattern -mode scroll
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// Layout of the bottom strip (y relative to its top); the benchmark's decoder
// uses the same numbers.
const (
	stripH    = 48
	blockSize = 40
	blockStep = 48
	blockX0   = 16
	blockY0   = 4
	targetX0  = 1600
	targetX1  = 1900
	lineH     = 13 // the "fixed" font's line height
	charW     = 6
)

func main() {
	mode := flag.String("mode", "static", "static, typing, scroll or counter")
	hz := flag.Float64("hz", 60, "scroll or counter steps per second")
	flag.Parse()
	if err := run(*mode, *hz); err != nil {
		log.SetFlags(0)
		log.Fatalf("pattern: %v", err)
	}
}

type screen struct {
	conn            *xgb.Conn
	win             xproto.Window
	w, h            int
	black, white    xproto.Gcontext
	text            xproto.Gcontext
	out             *bufio.Writer
	counter         uint16
	target          bool
	rng             *rand.Rand
	typeX, typeLine int
}

func run(mode string, hz float64) error {
	if mode != "static" && mode != "typing" && mode != "scroll" && mode != "counter" {
		return fmt.Errorf("unknown mode %q", mode)
	}
	xgb.Logger = log.New(io.Discard, "", 0)
	conn, err := xgb.NewConn()
	if err != nil {
		return err
	}
	defer conn.Close()
	setup := xproto.Setup(conn)
	root := setup.DefaultScreen(conn)
	s := &screen{conn: conn, w: int(root.WidthInPixels), h: int(root.HeightInPixels),
		out: bufio.NewWriter(os.Stdout), rng: rand.New(rand.NewPCG(1, 2))}
	if s.win, err = xproto.NewWindowId(conn); err != nil {
		return err
	}
	err = xproto.CreateWindowChecked(conn, root.RootDepth, s.win, root.Root, 0, 0,
		uint16(s.w), uint16(s.h), 0, xproto.WindowClassInputOutput, root.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{root.WhitePixel, 1, xproto.EventMaskExposure | xproto.EventMaskButtonPress}).Check()
	if err != nil {
		return fmt.Errorf("create window: %w", err)
	}
	font, err := xproto.NewFontId(conn)
	if err != nil {
		return err
	}
	if err := xproto.OpenFontChecked(conn, font, uint16(len("fixed")), "fixed").Check(); err != nil {
		return fmt.Errorf("open font: %w", err)
	}
	gc := func(fg, bg uint32) (xproto.Gcontext, error) {
		id, err := xproto.NewGcontextId(conn)
		if err != nil {
			return 0, err
		}
		return id, xproto.CreateGCChecked(conn, id, xproto.Drawable(s.win),
			xproto.GcForeground|xproto.GcBackground|xproto.GcFont|xproto.GcGraphicsExposures,
			[]uint32{fg, bg, uint32(font), 0}).Check()
	}
	if s.black, err = gc(root.BlackPixel, root.WhitePixel); err != nil {
		return err
	}
	if s.white, err = gc(root.WhitePixel, root.BlackPixel); err != nil {
		return err
	}
	if s.text, err = gc(root.BlackPixel, root.WhitePixel); err != nil {
		return err
	}
	if err := xproto.MapWindowChecked(conn, s.win).Check(); err != nil {
		return fmt.Errorf("map window: %w", err)
	}

	events := make(chan xgb.Event, 16)
	go func() {
		defer close(events)
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if ev != nil {
				events <- ev
			}
		}
	}()
	for ev := range events { // wait until the window is on screen
		if _, ok := ev.(xproto.ExposeEvent); ok {
			break
		}
	}
	s.paintAll(mode != "typing")
	s.sync()
	fmt.Fprintln(s.out, "ready")
	s.out.Flush()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	var tick <-chan time.Time
	switch mode {
	case "scroll", "counter":
		t := time.NewTicker(time.Duration(float64(time.Second) / hz))
		defer t.Stop()
		tick = t.C
	case "typing":
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-sig:
			s.out.Flush()
			return nil
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			if _, ok := ev.(xproto.ButtonPressEvent); ok {
				fmt.Fprintf(s.out, "b %d\n", time.Now().UnixNano())
				s.target = !s.target
				s.paintTarget()
				s.sync()
				s.out.Flush()
			}
		case <-tick:
			switch mode {
			case "scroll":
				s.scrollStep()
			case "counter":
				s.counterStep()
			default:
				s.typeStep()
			}
			s.out.Flush()
		}
	}
}

// sync waits until the X server has done every request sent so far.
func (s *screen) sync() { _, _ = xproto.GetInputFocus(s.conn).Reply() }

func (s *screen) fill(gc xproto.Gcontext, r ...xproto.Rectangle) {
	if len(r) > 0 {
		xproto.PolyFillRectangle(s.conn, xproto.Drawable(s.win), gc, r)
	}
}

// paintAll draws the strip and, when withText, a screen of text.
func (s *screen) paintAll(withText bool) {
	s.fill(s.white, xproto.Rectangle{Width: uint16(s.w), Height: uint16(s.h)})
	s.fill(s.black, xproto.Rectangle{Y: int16(s.h - stripH), Width: uint16(s.w), Height: stripH})
	s.paintCounter()
	s.paintTarget()
	if withText {
		for y := lineH; y <= s.h-stripH; y += lineH {
			s.drawLine(y)
		}
	}
}

func (s *screen) paintCounter() {
	var ones, zeros []xproto.Rectangle
	v := uint32(s.counter)<<16 | uint32(^s.counter)
	for i := range 32 {
		r := xproto.Rectangle{X: int16(blockX0 + i*blockStep), Y: int16(s.h - stripH + blockY0), Width: blockSize, Height: blockSize}
		if v&(1<<(31-i)) != 0 {
			ones = append(ones, r)
		} else {
			zeros = append(zeros, r)
		}
	}
	s.fill(s.white, ones...)
	s.fill(s.black, zeros...)
}

func (s *screen) paintTarget() {
	gc := s.black
	if s.target {
		gc = s.white
	}
	s.fill(gc, xproto.Rectangle{X: targetX0, Y: int16(s.h - stripH + blockY0), Width: targetX1 - targetX0, Height: blockSize})
}

var words = strings.Fields(`lifeline agent session video encoder frame packet
	remote desktop screen customer technician signaling offer answer candidate
	kernel: [  12.345678] usb 1-1: new high-speed device number 2 using xhci_hcd
	GET /index.html 200 OK 1532 bytes in 3 ms ERROR WARN INFO DEBUG 0x7f3a12
	the quick brown fox jumps over the lazy dog 42 17 2026-11-22T07:50:00Z`)

// line returns a line of random words of up to n characters.
func (s *screen) line(n int) string {
	var b strings.Builder
	for b.Len() < n-12 {
		b.WriteString(words[s.rng.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.String()
}

// drawLine draws a line of text whose baseline is y, across the screen.
func (s *screen) drawLine(y int) {
	text := s.line(s.w / charW)
	for x := 0; len(text) > 0; x += 255 * charW {
		n := min(len(text), 255)
		xproto.ImageText8(s.conn, byte(n), xproto.Drawable(s.win), s.text, int16(x), int16(y-3), text[:n])
		text = text[n:]
	}
}

// scrollStep scrolls the text up one line, writes a new bottom line and
// advances the counter, then logs the counter's value and time.
func (s *screen) scrollStep() {
	top := 0
	lines := (s.h - stripH) / lineH
	bottom := top + lines*lineH
	s.counter++
	at := time.Now().UnixNano()
	xproto.CopyArea(s.conn, xproto.Drawable(s.win), xproto.Drawable(s.win), s.text,
		0, int16(top+lineH), 0, int16(top), uint16(s.w), uint16(bottom-top-lineH))
	s.fill(s.white, xproto.Rectangle{Y: int16(bottom - lineH), Width: uint16(s.w), Height: lineH})
	s.drawLine(bottom)
	s.paintCounter()
	s.sync()
	fmt.Fprintf(s.out, "c %d %d\n", s.counter, at)
}

// counterStep advances the counter alone and logs its value and time.
func (s *screen) counterStep() {
	s.counter++
	at := time.Now().UnixNano()
	s.paintCounter()
	s.sync()
	fmt.Fprintf(s.out, "c %d %d\n", s.counter, at)
}

// typeStep types one character, as someone writing in an editor would.
func (s *screen) typeStep() {
	const margin = 8
	cols := (s.w - 2*margin) / charW / 2 // a text column of half the screen
	if s.typeX >= cols {
		s.typeX = 0
		s.typeLine++
		if (s.typeLine+2)*lineH > s.h-stripH {
			s.typeLine = 0
			s.fill(s.white, xproto.Rectangle{Width: uint16(s.w), Height: uint16(s.h - stripH)})
		}
	}
	c := "abcdefghijklmnopqrstuvwxyz    "[s.rng.IntN(30)]
	y := (s.typeLine + 1) * lineH
	xproto.ImageText8(s.conn, 1, xproto.Drawable(s.win), s.text, int16(margin+s.typeX*charW), int16(y-3), string(c))
	s.typeX++
	s.sync()
}

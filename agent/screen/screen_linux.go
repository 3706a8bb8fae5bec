package screen

import (
	"fmt"
	"image"
	"os"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

func connect() (*xgb.Conn, error) {
	display := os.Getenv("DISPLAY")
	if display == "" {
		return nil, ErrNoDisplay
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDisplay, err)
	}
	return conn, nil
}

// Monitors lists the monitors of the X display named by DISPLAY: the whole
// of X screen 0 first, then the Xinerama heads of screen 0 when there are
// several side by side, then every other X screen.
func Monitors() ([]protocol.Monitor, error) {
	conn, err := connect()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	roots := xproto.Setup(conn).Roots
	if len(roots) == 0 {
		return nil, ErrNoDisplay
	}
	mons := []protocol.Monitor{{Screen: 0, W: int(roots[0].WidthInPixels), H: int(roots[0].HeightInPixels)}}
	mons = append(mons, heads(conn)...)
	for i, r := range roots[1:] {
		mons = append(mons, protocol.Monitor{Screen: i + 1, W: int(r.WidthInPixels), H: int(r.HeightInPixels)})
	}
	if len(mons) > protocol.MaxMonitors {
		mons = mons[:protocol.MaxMonitors]
	}
	return mons, nil
}

// heads returns the Xinerama heads of screen 0 when there are at least two
// that do not overlap (Xvfb with +xinerama stacks its screens at 0,0, which
// is no layout a person sees).
func heads(conn *xgb.Conn) []protocol.Monitor {
	if xinerama.Init(conn) != nil {
		return nil
	}
	active, err := xinerama.IsActive(conn).Reply()
	if err != nil || active.State == 0 {
		return nil
	}
	reply, err := xinerama.QueryScreens(conn).Reply()
	if err != nil || len(reply.ScreenInfo) < 2 {
		return nil
	}
	var rects []image.Rectangle
	var mons []protocol.Monitor
	for _, s := range reply.ScreenInfo {
		r := image.Rect(int(s.XOrg), int(s.YOrg), int(s.XOrg)+int(s.Width), int(s.YOrg)+int(s.Height))
		for _, o := range rects {
			if r.Overlaps(o) {
				return nil
			}
		}
		rects = append(rects, r)
		mons = append(mons, protocol.Monitor{Screen: 0, X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()})
	}
	return mons
}

// Grabber captures rectangles of any X screen with GetImage on its own X
// connection, opened at the first Grab. It is slower than the shared-memory
// capture of screen 0 and serves the other X screens.
type Grabber struct {
	mu   sync.Mutex
	conn *xgb.Conn
}

// Grab captures monitor m into dst (reallocated when its size differs).
func (g *Grabber) Grab(m protocol.Monitor, dst *image.RGBA) (*image.RGBA, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn == nil {
		conn, err := connect()
		if err != nil {
			return nil, err
		}
		g.conn = conn
	}
	setup := xproto.Setup(g.conn)
	if m.Screen < 0 || m.Screen >= len(setup.Roots) {
		return nil, fmt.Errorf("screen: no X screen %d", m.Screen)
	}
	root := setup.Roots[m.Screen]
	if root.RootDepth != 24 && root.RootDepth != 32 {
		return nil, ErrUnsupportedFormat
	}
	reply, err := xproto.GetImage(g.conn, xproto.ImageFormatZPixmap, xproto.Drawable(root.Root),
		int16(m.X), int16(m.Y), uint16(m.W), uint16(m.H), 0xffffffff).Reply()
	if err != nil {
		return nil, fmt.Errorf("screen: get image: %w", err)
	}
	if len(reply.Data) < m.W*m.H*4 || setup.ImageByteOrder != xproto.ImageOrderLSBFirst {
		return nil, ErrUnsupportedFormat
	}
	if dst == nil || dst.Rect.Dx() != m.W || dst.Rect.Dy() != m.H {
		dst = image.NewRGBA(image.Rect(0, 0, m.W, m.H))
	}
	toRGBA(dst, reply.Data, m.W, m.H)
	return dst, nil
}

// Close closes the X connection. It is safe to call more than once.
func (g *Grabber) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		g.conn.Close()
		g.conn = nil
	}
	return nil
}

package draw

import (
	"image/color"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/agent/overlay"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// surface is a fake overlay that records what the feature asks.
type surface struct {
	strokes map[string][]float64
	colors  map[string]color.RGBA
	laser   bool
	x, y    float64
	resets  int
	full    error // what Add returns
}

func newSurface() *surface {
	return &surface{strokes: map[string][]float64{}, colors: map[string]color.RGBA{}}
}

func (s *surface) Add(id string, c color.RGBA, w int, p []float64) error {
	if s.full != nil {
		return s.full
	}
	s.strokes[id] = append(s.strokes[id], p...)
	s.colors[id] = c
	return nil
}
func (s *surface) Clear()             { s.strokes = map[string][]float64{} }
func (s *surface) Laser(x, y float64) { s.laser, s.x, s.y = true, x, y }
func (s *surface) LaserOff()          { s.laser = false }
func (s *surface) Reset()             { s.resets++; s.Clear(); s.LaserOff() }
func (s *surface) Showing() bool      { return len(s.strokes) > 0 || s.laser }

func TestDrawNeedsTheViewGrant(t *testing.T) {
	s := newSurface()
	d := New(s, nil)
	stroke := []byte(`{"k":"stroke","id":"a","c":"#ff8000","w":3,"p":[0.1,0.2]}`)

	d.Handle(stroke)
	d.Handle([]byte(`{"k":"laser","x":0.5,"y":0.5}`))
	if len(s.strokes) != 0 || s.laser {
		t.Fatal("drew without the view grant")
	}

	d.SetGrants(protocol.Permissions{View: true})
	d.Handle(stroke)
	d.Handle([]byte(`{"k":"laser","x":0.5,"y":0.25}`))
	if got := s.strokes["a"]; len(got) != 2 || s.colors["a"] != (color.RGBA{R: 255, G: 128, A: 255}) {
		t.Fatalf("stroke a = %v %v", got, s.colors["a"])
	}
	if !s.laser || s.x != 0.5 || s.y != 0.25 {
		t.Fatalf("laser %v at %v,%v", s.laser, s.x, s.y)
	}

	// Invalid messages change nothing.
	d.Handle([]byte(`{"k":"stroke","id":"b","c":"#ff0000","w":3,"p":[2,2]}`))
	d.Handle([]byte(`not json`))
	if len(s.strokes) != 1 {
		t.Fatalf("an invalid stroke was drawn: %v", s.strokes)
	}

	d.Handle([]byte(`{"k":"clear"}`))
	if len(s.strokes) != 0 {
		t.Fatal("clear left strokes")
	}

	// Losing the view grant erases everything, and later strokes are dropped.
	d.Handle(stroke)
	d.SetGrants(protocol.Permissions{})
	if s.resets != 1 || len(s.strokes) != 0 || s.laser {
		t.Fatalf("after view revoked: resets %d, strokes %v, laser %v", s.resets, s.strokes, s.laser)
	}
	d.Handle(stroke)
	if len(s.strokes) != 0 {
		t.Fatal("drew after the view grant was revoked")
	}
}

// While a stroke or the laser shows on the customer's screen, the feature
// holds the technician's input back (the session's grants gate asks it), and
// a stroke refused for covering too much is audited.
func TestDrawHoldsInputWhileShown(t *testing.T) {
	s := newSurface()
	d := New(s, nil)
	guard, ok := any(d).(interface{ HoldsInput() bool })
	if !ok {
		t.Fatal("the draw feature never holds input back")
	}
	var audits []protocol.Audit
	if a, ok := any(d).(interface{ SetAudit(func(protocol.Audit)) }); ok {
		a.SetAudit(func(a protocol.Audit) { audits = append(audits, a) })
	}
	d.SetGrants(protocol.Permissions{View: true, Control: true})
	if guard.HoldsInput() {
		t.Fatal("input held with nothing drawn")
	}
	d.Handle([]byte(`{"k":"stroke","id":"a","c":"#ff8000","w":3,"p":[0.1,0.2]}`))
	if !guard.HoldsInput() {
		t.Fatal("input let through under a stroke")
	}
	d.Handle([]byte(`{"k":"clear"}`))
	d.Handle([]byte(`{"k":"laser","x":0.5,"y":0.5}`))
	if !guard.HoldsInput() {
		t.Fatal("input let through while the laser is on")
	}
	d.Handle([]byte(`{"k":"laser_off"}`))
	if guard.HoldsInput() {
		t.Fatal("input held after the drawing was erased and the laser hidden")
	}

	s.full = overlay.ErrCovered
	d.Handle([]byte(`{"k":"stroke","id":"b","c":"#ff8000","w":32,"p":[0,0.5,1,0.5]}`))
	if len(audits) != 1 || audits[0].Event != protocol.AuditRefused || !strings.Contains(audits[0].Detail, "covers too much") {
		t.Fatalf("a refused stroke was audited as %+v", audits)
	}
}

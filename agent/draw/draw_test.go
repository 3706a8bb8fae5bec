package draw

import (
	"image/color"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// surface is a fake overlay that records what the feature asks.
type surface struct {
	strokes map[string][]float64
	colors  map[string]color.RGBA
	laser   bool
	x, y    float64
	resets  int
}

func newSurface() *surface {
	return &surface{strokes: map[string][]float64{}, colors: map[string]color.RGBA{}}
}

func (s *surface) Add(id string, c color.RGBA, w int, p []float64) error {
	s.strokes[id] = append(s.strokes[id], p...)
	s.colors[id] = c
	return nil
}
func (s *surface) Clear()             { s.strokes = map[string][]float64{} }
func (s *surface) Laser(x, y float64) { s.laser, s.x, s.y = true, x, y }
func (s *surface) LaserOff()          { s.laser = false }
func (s *surface) Reset()             { s.resets++; s.Clear(); s.LaserOff() }

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

package privacy

import "image"

// subtract returns the parts of rs outside c: each rectangle cut into at
// most four (above, below, left, right of c).
func subtract(rs []image.Rectangle, c image.Rectangle) []image.Rectangle {
	out := rs[:0:0]
	for _, r := range rs {
		in := r.Intersect(c)
		if in.Empty() {
			out = append(out, r)
			continue
		}
		for _, p := range []image.Rectangle{
			{Min: r.Min, Max: image.Pt(r.Max.X, in.Min.Y)},                        // above
			{Min: image.Pt(r.Min.X, in.Max.Y), Max: r.Max},                        // below
			{Min: image.Pt(r.Min.X, in.Min.Y), Max: image.Pt(in.Min.X, in.Max.Y)}, // left
			{Min: image.Pt(in.Max.X, in.Min.Y), Max: image.Pt(r.Max.X, in.Max.Y)}, // right
		} {
			if !p.Empty() {
				out = append(out, p)
			}
		}
	}
	return out
}

// visible returns the parts of windows[i] that no window above it hides:
// its rectangle less the opaque parts of every later window that occludes.
func visible(windows []TopLevel, i int) []image.Rectangle {
	rs := []image.Rectangle{windows[i].Rect}
	for _, above := range windows[i+1:] {
		if !above.Occludes {
			continue
		}
		parts := above.Shape
		if parts == nil {
			parts = []image.Rectangle{above.Rect}
		}
		for _, p := range parts {
			rs = subtract(rs, p)
			if len(rs) == 0 {
				return nil
			}
		}
	}
	return rs
}

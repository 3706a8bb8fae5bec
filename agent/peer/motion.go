package peer

import (
	"bytes"
	"image"

	"github.com/lifeline-support/lifeline/agent/encode"
	"github.com/lifeline-support/lifeline/agent/indicator"
)

// Fast motion (scrolling, a window dragged, a video playing) is streamed at
// half resolution in the auto preset. A scrolled 1080p screen costs VP8
// 60 ms and ~450 kB a frame on this kind of machine once the picture moves
// further between frames than libvpx's realtime motion search reaches; the
// frame rate then falls and each frame moves further still. Half the pixels
// keep the frame rate up, and motion stays within reach. When the screen
// settles, full resolution (and a sharp picture) returns.
const (
	motionRowStep = 8          // rows sampled: one in motionRowStep
	motionBusy    = 0.30       // share of sampled rows that changed, for a busy frame
	motionQuiet   = 0.05       // at most this share for a quiet one
	motionEnter   = 2          // busy frames in a row to go to half resolution
	motionLeave   = 6          // quiet frames in a row to come back
	motionMinArea = 1600 * 900 // smaller crops (1280×720, 1440×900) are always sent whole
	// motionMargin is how many columns at each side of the crop are not
	// looked at: the indicator's frame around the screen changes every row
	// when it appears or changes colour, and moves nothing.
	motionMargin = indicator.Frame
)

// motion tells, frame after frame, whether the screen moves fast.
type motion struct {
	rows   []byte // the last frame's sampled rows
	rect   image.Rectangle
	moving bool
	busy   int // busy frames in a row
	quiet  int // quiet frames in a row
	// minArea is the smallest crop halved when it moves; 0 means
	// motionMinArea (a slow network lowers it: see congestion.Limits).
	minArea int
	// changed is the share of the crop the last frame changed, from the
	// sampled rows (each changed row counts from its first changed pixel to
	// its last); 1 when unknown (the first frame of a crop).
	changed float64
}

// fast looks at the crop of img, notes the share of it that changed, and
// reports whether to halve it.
func (m *motion) fast(img encode.Pixels, crop image.Rectangle) bool {
	minArea := m.minArea
	if minArea == 0 {
		minArea = motionMinArea
	}
	m.changed = 1
	if crop.Dx() > 2*motionMargin {
		crop.Min.X, crop.Max.X = crop.Min.X+motionMargin, crop.Max.X-motionMargin
	}
	rowBytes := 4 * crop.Dx()
	n := (crop.Dy() + motionRowStep - 1) / motionRowStep
	if crop != m.rect || len(m.rows) != n*rowBytes {
		m.reset()
		m.rect = crop
		m.rows = make([]byte, n*rowBytes)
		m.copyRows(img, crop, rowBytes)
		return false
	}
	changed, span := 0, 0
	for i := range n {
		off := img.Offset(crop.Min.X, crop.Min.Y+i*motionRowStep)
		row, was := img.Pix[off:off+rowBytes], m.rows[i*rowBytes:(i+1)*rowBytes]
		if !bytes.Equal(row, was) {
			changed++
			span += changedSpan(row, was)
			copy(was, row)
		}
	}
	m.changed = float64(span) / float64(n*rowBytes)
	if crop.Dx()*crop.Dy() < minArea {
		m.moving, m.busy, m.quiet = false, 0, 0
		return false
	}
	share := float64(changed) / float64(n)
	switch {
	case share >= motionBusy:
		m.busy++
		m.quiet = 0
	case share <= motionQuiet:
		m.quiet++
		m.busy = 0
	default:
		m.busy, m.quiet = 0, 0
	}
	if !m.moving && m.busy >= motionEnter {
		m.moving = true
	} else if m.moving && m.quiet >= motionLeave {
		m.moving = false
	}
	return m.moving
}

// changedSpan returns how many bytes of a and b (as long as each other)
// lie from the first that differs to the last, both included.
func changedSpan(a, b []byte) int {
	const chunk = 64
	first, last := -1, -1
	for i := 0; i < len(a); i += chunk {
		j := min(i+chunk, len(a))
		if !bytes.Equal(a[i:j], b[i:j]) {
			for first = i; a[first] == b[first]; first++ {
			}
			break
		}
	}
	if first < 0 {
		return 0
	}
	for i := len(a); i > first; i -= chunk {
		j := max(i-chunk, first)
		if !bytes.Equal(a[j:i], b[j:i]) {
			for last = i - 1; a[last] == b[last]; last-- {
			}
			break
		}
	}
	return last - first + 1
}

func (m *motion) copyRows(img encode.Pixels, crop image.Rectangle, rowBytes int) {
	for i := 0; i*rowBytes < len(m.rows); i++ {
		off := img.Offset(crop.Min.X, crop.Min.Y+i*motionRowStep)
		copy(m.rows[i*rowBytes:], img.Pix[off:off+rowBytes])
	}
}

func (m *motion) reset() {
	m.moving, m.busy, m.quiet = false, 0, 0
}

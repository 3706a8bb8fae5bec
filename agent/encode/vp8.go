// Package encode holds the agent's video encoders: a realtime VP8 encoder over
// libvpx, tuned for screen content, that plugs into pion/mediadevices.
//
// mediadevices' own vpx wrapper (v0.10.0) cannot set cpu-used, screen-content
// mode, threads or token partitions, and passes microseconds in a millisecond
// timebase (so libvpx's rate control thinks every frame lasts a thousand
// times longer than it does). This one sets them and also skips frames that
// did not change.
package encode

// #cgo pkg-config: vpx
// #include <stdlib.h>
// #include <string.h>
// #include <vpx/vpx_encoder.h>
// #include <vpx/vp8cx.h>
//
// static vpx_codec_iface_t *vp8_iface(void) { return vpx_codec_vp8_cx(); }
// static vpx_codec_ctx_t *new_ctx(void) { return calloc(1, sizeof(vpx_codec_ctx_t)); }
// static vpx_image_t *new_image(void) { return calloc(1, sizeof(vpx_image_t)); }
// static vpx_codec_enc_cfg_t *new_cfg(void) { return calloc(1, sizeof(vpx_codec_enc_cfg_t)); }
// static int set_int(vpx_codec_ctx_t *c, int id, int v) { return vpx_codec_control_(c, id, v); }
// static int set_uint(vpx_codec_ctx_t *c, int id, unsigned int v) { return vpx_codec_control_(c, id, v); }
//
// static int last_q(vpx_codec_ctx_t *c) {
//   int q = -1;
//   vpx_codec_control_(c, VP8E_GET_LAST_QUANTIZER_64, &q);
//   return q;
// }
//
// // set_active marks the macroblocks libvpx codes in the next frames (rows x
// // cols, 1 = code, 0 = keep as it is); a NULL map codes them all. libvpx
// // copies the map.
// static int set_active(vpx_codec_ctx_t *c, unsigned char *map, unsigned int rows, unsigned int cols) {
//   vpx_active_map_t m = { map, rows, cols };
//   return vpx_codec_control_(c, VP8E_SET_ACTIVEMAP, &m);
// }
//
// // encode points the image at Go memory only for the call: with no
// // look-ahead libvpx copies what it keeps.
// static vpx_codec_err_t encode(vpx_codec_ctx_t *c, vpx_image_t *img,
//     int w, int h, int ystride, int cstride,
//     unsigned char *y, unsigned char *cb, unsigned char *cr,
//     vpx_codec_pts_t pts, unsigned long dur, vpx_enc_frame_flags_t flags) {
//   vpx_img_wrap(img, VPX_IMG_FMT_I420, w, h, 1, y);
//   img->planes[0] = y; img->planes[1] = cb; img->planes[2] = cr;
//   img->stride[0] = ystride; img->stride[1] = cstride; img->stride[2] = cstride;
//   vpx_codec_err_t err = vpx_codec_encode(c, img, pts, dur, flags, VPX_DL_REALTIME);
//   img->planes[0] = img->planes[1] = img->planes[2] = 0;
//   return err;
// }
//
// // next copies the encoder's output frames, one after the other, into buf
// // (of size cap); it returns the length, or -1 if buf is too small, and
// // sets *key when a frame is a keyframe.
// static long next(vpx_codec_ctx_t *c, unsigned char *buf, long cap, int *key) {
//   vpx_codec_iter_t it = NULL;
//   const vpx_codec_cx_pkt_t *p;
//   long n = 0;
//   *key = 0;
//   while ((p = vpx_codec_get_cx_data(c, &it)) != NULL) {
//     if (p->kind != VPX_CODEC_CX_FRAME_PKT) continue;
//     if (n + (long)p->data.frame.sz > cap) return -1;
//     memcpy(buf + n, p->data.frame.buf, p->data.frame.sz);
//     n += p->data.frame.sz;
//     if (p->data.frame.flags & VPX_FRAME_IS_KEY) *key = 1;
//   }
//   return n;
// }
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// VP8 builds realtime VP8 encoders. The zero value of a field means its
// default (see DefaultVP8).
type VP8 struct {
	// BitRate is the target in bits per second.
	BitRate int
	// CPUUsed is libvpx's speed/quality trade-off, -16…16; higher is faster.
	// Negative values let libvpx pick the speed to stay under a CPU budget.
	CPUUsed int
	// Threads is the number of encoding threads.
	Threads int
	// ScreenContent is VP8's screen-content mode: 0 off, 1 on, 2 on with
	// frame dropping when the rate runs over.
	ScreenContent int
	// StaticThreshold skips macroblocks that changed less than this.
	StaticThreshold int
	// SkipUnchanged stops encoding while the picture does not change: after
	// RefineFrames more frames (which sharpen the still picture) only one frame
	// every IdleInterval goes out.
	SkipUnchanged bool
	RefineFrames  int
	IdleInterval  time.Duration
	// SharpQuantizer is the finest coding (libvpx's quantizer, 0–63) a
	// refinement could improve on: a change coded at it or finer (a click
	// or a typed letter on a still screen) is not refined. Refine frames of
	// such a change code nothing and still cost ~0.5 kB each at 1080p.
	// Negative: always refine.
	SharpQuantizer int
	// KeyFrameInterval is the least time between two keyframes made on the
	// browser's request (PLI/FIR): on a lossy link it asks after each loss
	// it cannot repair, and a 1080p keyframe is many frames' worth of bits
	// that cause more loss. A request within it waits for it to pass; one
	// keyframe then answers every request. Negative: no limit.
	KeyFrameInterval time.Duration
}

// DefaultVP8 is the agent's encoder configuration, chosen with
// BenchmarkVP8Scroll1080p (1080p terminal scrolling 26 px a frame, CPU time
// per frame on a busy 2-core machine):
//   - CPUUsed -6 (libvpx picks its speed to stay within about 6/16 of a
//     core, as libwebrtc does) found the scroll: ~28 ms and ~40–90 kB a
//     frame, where every fixed speed 0–16 coded it afresh: ~45 ms, ~435 kB;
//   - one thread: libvpx's VP8 threads spin while they wait, and on a busy
//     machine two threads cost 4–6× the CPU for the same frame;
//   - screen-content mode 1 or 2 made scrolling frames 2–4× larger.
var DefaultVP8 = VP8{
	BitRate:         2_500_000,
	CPUUsed:         -6,
	Threads:         1,
	ScreenContent:   0,
	StaticThreshold: 1,
	SkipUnchanged:   true,
	RefineFrames:    5,
	IdleInterval:    time.Second,
	SharpQuantizer:  10,
	// KeyFrameInterval: at most one keyframe a second for losses.
	KeyFrameInterval: time.Second,
}

// RTPCodec is VP8 at 90 kHz.
func (p *VP8) RTPCodec() *codec.RTPCodec { return codec.NewRTPVP8Codec(90000) }

// BuildVideoEncoder opens an encoder for frames of r, whose size is in m.
func (p *VP8) BuildVideoEncoder(r video.Reader, m prop.Media) (codec.ReadCloser, error) {
	e := &encoder{p: *p, r: r, start: time.Now()}
	if e.p.BitRate <= 0 {
		e.p.BitRate = DefaultVP8.BitRate
	}
	if e.p.Threads <= 0 {
		e.p.Threads = 1
	}
	if e.p.IdleInterval <= 0 {
		e.p.IdleInterval = DefaultVP8.IdleInterval
	}
	if m.Width <= 0 || m.Height <= 0 {
		return nil, fmt.Errorf("%w: bad size %dx%d", ErrEncode, m.Width, m.Height)
	}
	e.ctx, e.img, e.cfg = C.new_ctx(), C.new_image(), C.new_cfg()
	// libvpx takes 75–150 ms to set up for 720p–1080p (fresh memory), and
	// mediadevices builds the encoder inside the answer to the browser's
	// offer: set up beside it, so the answer (and the ICE checks waiting for
	// it) does not wait. The first frame waits for it on e.mu; if it failed,
	// that frame tries again and reports the error.
	go func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if !e.closed && !e.opened {
			_ = e.open(m.Width, m.Height)
		}
	}()
	return e, nil
}

// ErrEncode wraps libvpx's failures.
var ErrEncode = errors.New("encode: VP8")

type encoder struct {
	p     VP8
	r     video.Reader
	start time.Time

	// conv converts frames of convSize to I420. It is made anew for each
	// frame size: mediadevices' ToI420 keeps buffers that corrupt the heap
	// when frames get smaller.
	conv     video.Reader
	convSize image.Point
	pending  image.Image
	// last is the I420 of the picture last converted; lastRelease gives its
	// buffers back. Owned by Read.
	last        *image.YCbCr
	lastRelease func()

	mu      sync.Mutex // guards everything below and the C state
	ctx     *C.vpx_codec_ctx_t
	img     *C.vpx_image_t
	cfg     *C.vpx_codec_enc_cfg_t
	opened  bool
	w, h    int
	bitRate int // what cfg holds, in bits per second
	wantKey bool
	lastKey time.Time // when the last keyframe was made to order
	closed  bool

	out       []byte
	prev      []byte // the last changed picture as captured, for SkipUnchanged
	prevRect  image.Rectangle
	planes    [][]byte // reused by skip, one frame at a time
	unchanged int      // frames in a row equal to prev
	idle      bool     // the static threshold is idleStaticThreshold
	lastSent  time.Time
	lastPTS   int64
	// active marks the macroblocks of the last change (mbRows × mbCols),
	// empty when unknown; dirty those changed since the picture was last
	// refined (dirtyAll: all of them); activeSet says libvpx holds a map.
	active         []byte
	mbRows, mbCols int
	dirty          []byte
	dirtyAll       bool
	refined        bool // the refinements of the last change are done
	sharp          bool // the last change or refinement was coded finely
	activeSet      bool
}

func vpxErr(what string, code C.vpx_codec_err_t) error {
	return fmt.Errorf("%w: %s: %s", ErrEncode, what, C.GoString(C.vpx_codec_err_to_string(code)))
}

// open (re)initialises libvpx for w×h frames. e.mu is held or e is new.
func (e *encoder) open(w, h int) error {
	if e.opened {
		C.vpx_codec_destroy(e.ctx)
		e.opened = false
	}
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: bad size %dx%d", ErrEncode, w, h)
	}
	iface := C.vp8_iface()
	if code := C.vpx_codec_enc_config_default(iface, e.cfg, 0); code != 0 {
		return vpxErr("default config", code)
	}
	c := e.cfg
	c.g_w, c.g_h = C.uint(w), C.uint(h)
	c.g_timebase.num, c.g_timebase.den = 1, 1_000_000 // microseconds
	c.g_threads = C.uint(e.p.Threads)
	c.g_lag_in_frames = 0
	c.g_pass = C.VPX_RC_ONE_PASS
	c.g_error_resilient = 0
	c.rc_end_usage = C.VPX_CBR
	c.rc_target_bitrate = C.uint(e.p.BitRate / 1000)
	c.rc_min_quantizer, c.rc_max_quantizer = 2, 63
	c.rc_undershoot_pct, c.rc_overshoot_pct = 100, 15
	c.rc_buf_initial_sz, c.rc_buf_optimal_sz, c.rc_buf_sz = 500, 600, 1000
	c.rc_dropframe_thresh = 0
	c.rc_resize_allowed = 0
	c.kf_mode = C.VPX_KF_DISABLED // keyframes on the browser's request (PLI/FIR) only
	c.kf_min_dist, c.kf_max_dist = 0, 0
	if code := C.vpx_codec_enc_init_ver(e.ctx, iface, c, 0, C.VPX_ENCODER_ABI_VERSION); code != 0 {
		return vpxErr("init", code)
	}
	e.opened = true
	controls := []struct {
		id   C.int
		v    int
		name string
	}{
		{C.VP8E_SET_CPUUSED, e.p.CPUUsed, "cpu-used"},
		{C.VP8E_SET_NOISE_SENSITIVITY, 0, "noise sensitivity"},
		{C.VP8E_SET_STATIC_THRESHOLD, e.p.StaticThreshold, "static threshold"},
		{C.VP8E_SET_TOKEN_PARTITIONS, tokenPartitions(e.p.Threads), "token partitions"},
		{C.VP8E_SET_MAX_INTRA_BITRATE_PCT, 300, "max intra bitrate"},
		{C.VP8E_SET_SCREEN_CONTENT_MODE, e.p.ScreenContent, "screen content mode"},
	}
	for _, s := range controls {
		if code := C.set_int(e.ctx, s.id, C.int(s.v)); code != 0 {
			return vpxErr(s.name, C.vpx_codec_err_t(code))
		}
	}
	e.w, e.h, e.bitRate = w, h, e.p.BitRate
	e.idle, e.activeSet = false, false
	return nil
}

// tokenPartitions lets each thread write its own share of the frame.
func tokenPartitions(threads int) int {
	switch {
	case threads >= 8:
		return 3
	case threads >= 4:
		return 2
	case threads >= 2:
		return 1
	}
	return 0
}

func (e *encoder) free() {
	if e.opened {
		C.vpx_codec_destroy(e.ctx)
		e.opened = false
	}
	C.free(unsafe.Pointer(e.ctx))
	C.free(unsafe.Pointer(e.img))
	C.free(unsafe.Pointer(e.cfg))
	e.ctx, e.img, e.cfg = nil, nil, nil
}

// Read encodes the next frame that needs sending and returns it. With
// SkipUnchanged it waits (reading frames) while the picture stays the same;
// a frame equal to the last one is compared as captured, before any
// conversion, so a still screen costs one comparison a frame.
func (e *encoder) Read() ([]byte, func(), error) {
	for {
		raw, rawRelease, err := e.r.Read()
		if err != nil {
			return nil, func() {}, err
		}
		if e.skip(raw) {
			rawRelease()
			continue
		}
		img, err := e.i420(raw)
		rawRelease()
		if err != nil {
			return nil, func() {}, err
		}
		out, send, err := e.encode(img)
		if err != nil || send {
			return out, func() {}, err
		}
	}
}

// skip counts frames equal to the last changed one and reports whether this
// one need not be encoded: it is the same, the refinement frames are done, no
// keyframe is due, and the idle refresh is not due either.
func (e *encoder) skip(img image.Image) bool {
	if !e.p.SkipUnchanged {
		return false
	}
	planes := pixels(img, e.planes[:0])
	e.planes = planes
	if planes == nil { // a format we do not compare: always encode
		e.unchanged = 0
		e.active = e.active[:0]
		return false
	}
	if img.Bounds() == e.prevRect && equalPlanes(e.prev, planes) {
		e.unchanged++
	} else {
		e.changedBlocks(img)
		e.prev, e.prevRect = e.prev[:0], img.Bounds()
		for _, p := range planes {
			e.prev = append(e.prev, p...)
		}
		e.unchanged = 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.keyDue(time.Now()) && e.refinedNow() && time.Since(e.lastSent) < e.p.IdleInterval
}

// keyDue reports whether the next frame is a keyframe: one was asked for
// and KeyFrameInterval has passed since the last one made to order (the
// first request, at the start, is answered at once). e.mu is held.
func (e *encoder) keyDue(now time.Time) bool {
	return e.wantKey && (e.p.KeyFrameInterval < 0 || e.lastKey.IsZero() || now.Sub(e.lastKey) >= e.p.KeyFrameInterval)
}

// refinedNow reports whether the picture, unchanged for e.unchanged frames,
// needs no more refining: RefineFrames went, or the last change or
// refinement was already coded finely. e.mu is held.
func (e *encoder) refinedNow() bool {
	return e.unchanged > e.p.RefineFrames || (e.sharp && e.unchanged > 0)
}

// changedBlocks sets e.active to the 16×16 macroblocks in which img (I420)
// differs from the picture before it (in e.prev), or clears it when it
// cannot tell (the first picture, another size or kind).
func (e *encoder) changedBlocks(img image.Image) {
	e.active = e.active[:0]
	y, ok := img.(*image.YCbCr)
	if !ok || y.SubsampleRatio != image.YCbCrSubsampleRatio420 || img.Bounds() != e.prevRect {
		return
	}
	w, h := y.Rect.Dx(), y.Rect.Dy()
	if len(e.prev) != len(y.Y)+len(y.Cb)+len(y.Cr) {
		return
	}
	py, pcb := e.prev[:len(y.Y)], e.prev[len(y.Y):len(y.Y)+len(y.Cb)]
	pcr := e.prev[len(y.Y)+len(y.Cb):]
	e.mbRows, e.mbCols = (h+15)/16, (w+15)/16
	e.active = slices.Grow(e.active, e.mbRows*e.mbCols)[:e.mbRows*e.mbCols]
	clear(e.active)
	for r := range e.mbRows {
		for c := range e.mbCols {
			x0, x1 := c*16, min(c*16+16, w)
			changed := false
			for row := r * 16; row < min(r*16+16, h) && !changed; row++ {
				o := row * y.YStride
				changed = !bytes.Equal(y.Y[o+x0:o+x1], py[o+x0:o+x1])
			}
			for row := r * 8; row < min(r*8+8, (h+1)/2) && !changed; row++ {
				o := row * y.CStride
				cx0, cx1 := x0/2, (x1+1)/2
				changed = !bytes.Equal(y.Cb[o+cx0:o+cx1], pcb[o+cx0:o+cx1]) || !bytes.Equal(y.Cr[o+cx0:o+cx1], pcr[o+cx0:o+cx1])
			}
			if changed {
				e.active[r*e.mbCols+c] = 1
			}
		}
	}
}

// pixels appends to planes those that make up img's picture, for comparing
// frames: nil if img is a type it does not know.
func pixels(img image.Image, planes [][]byte) [][]byte {
	switch m := img.(type) {
	case *image.RGBA:
		return append(planes, m.Pix)
	case *image.YCbCr:
		return append(planes, m.Y, m.Cb, m.Cr)
	}
	return nil
}

// equalPlanes reports whether planes, one after the other, equal prev.
func equalPlanes(prev []byte, planes [][]byte) bool {
	for _, p := range planes {
		if len(prev) < len(p) || !bytes.Equal(prev[:len(p)], p) {
			return false
		}
		prev = prev[len(p):]
	}
	return len(prev) == 0
}

// i420 returns raw as I420. The picture last converted is kept (with its
// pooled buffers) until the next conversion, so an unchanged picture (a
// still screen's refinements and idle refreshes) is not converted again.
func (e *encoder) i420(raw image.Image) (*image.YCbCr, error) {
	if e.unchanged > 0 && e.last != nil && e.last.Rect == raw.Bounds() {
		return e.last, nil
	}
	if e.lastRelease != nil {
		e.lastRelease()
	}
	e.last, e.lastRelease = nil, nil
	y, release, err := e.toI420(raw)
	if err != nil {
		return nil, err
	}
	if image.Image(y) != raw { // converted: ours until the next conversion
		e.last, e.lastRelease = y, release
	} else {
		release()
	}
	return y, nil
}

// toI420 returns img as I420, converting it if needed.
func (e *encoder) toI420(img image.Image) (*image.YCbCr, func(), error) {
	if y, ok := img.(*image.YCbCr); ok && y.SubsampleRatio == image.YCbCrSubsampleRatio420 {
		return y, func() {}, nil
	}
	if size := img.Bounds().Size(); e.conv == nil || size != e.convSize {
		e.conv = video.ToI420(video.ReaderFunc(func() (image.Image, func(), error) {
			return e.pending, func() {}, nil
		}))
		e.convSize = size
	}
	e.pending = img
	out, release, err := e.conv.Read()
	e.pending = nil
	if err != nil {
		return nil, func() {}, err
	}
	return out.(*image.YCbCr), release, nil
}

// encode encodes y unless it can be skipped; send says whether out is a frame.
func (e *encoder) encode(y *image.YCbCr) (out []byte, send bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, false, io.EOF
	}
	w, h := y.Rect.Dx(), y.Rect.Dy()
	resized := false
	if w != e.w || h != e.h {
		if err := e.open(w, h); err != nil {
			return nil, false, err
		}
		resized = true
	}
	now := time.Now()
	asked := e.keyDue(now)
	key := resized || asked // a new size starts with a keyframe
	// An idle refresh of a picture already refined says "nothing changed":
	// with a huge static threshold every macroblock is skipped, where the
	// rate control would otherwise spend the idle time's budget sharpening a
	// picture nobody can see get sharper.
	idle := e.p.SkipUnchanged && !key && e.refinedNow()
	if idle != e.idle {
		threshold := e.p.StaticThreshold
		if idle {
			threshold = idleStaticThreshold
		}
		if code := C.set_int(e.ctx, C.VP8E_SET_STATIC_THRESHOLD, C.int(threshold)); code != 0 {
			return nil, false, vpxErr("static threshold", C.vpx_codec_err_t(code))
		}
		e.idle = idle
	}
	if e.bitRate != e.p.BitRate {
		e.cfg.rc_target_bitrate = C.uint(e.p.BitRate / 1000)
		if code := C.vpx_codec_enc_config_set(e.ctx, e.cfg); code != 0 {
			return nil, false, vpxErr("set bit rate", code)
		}
		e.bitRate = e.p.BitRate
	}
	// A picture that just changed is coded where it changed only: the rest
	// is as sharp as the frames before made it, and re-coding it (what
	// libvpx does for blocks whose last coding is not exact) made a click
	// on a still screen a whole-picture frame. The refine frames that
	// follow code every block again, to sharpen.
	if err := e.setActive(e.activeMap(key)); err != nil {
		return nil, false, err
	}
	pts := now.Sub(e.start).Microseconds()
	// A frame's duration is its share of the bit budget, and libvpx's idea
	// of the frame rate, which its realtime speed follows. After a still
	// spell the time since the last frame is up to a second; the first
	// change counts as a frame of a steady stream instead of a second's
	// worth of budget and a frame rate of one.
	dur := min(max(1, pts-e.lastPTS), maxFrameDuration)
	if e.lastPTS == 0 {
		dur = 33_333
	}
	var flags C.vpx_enc_frame_flags_t
	if key {
		flags |= C.VPX_EFLAG_FORCE_KF
	}
	code := C.encode(e.ctx, e.img, C.int(w), C.int(h), C.int(y.YStride), C.int(y.CStride),
		(*C.uchar)(unsafe.Pointer(&y.Y[0])), (*C.uchar)(unsafe.Pointer(&y.Cb[0])), (*C.uchar)(unsafe.Pointer(&y.Cr[0])),
		C.vpx_codec_pts_t(pts), C.ulong(dur), flags)
	if code != 0 {
		return nil, false, vpxErr("encode", code)
	}
	if asked {
		e.lastKey = now
	}
	e.lastPTS, e.lastSent = pts, now
	if !e.refinedNow() {
		// A small change (or its refinement) coded finely needs no more
		// refining. Large changes (scrolling) keep their refinements: without
		// them the bench's scrolling cost twice the bits and 40% more CPU.
		e.sharp = e.smallChange() && int(C.last_q(e.ctx)) <= e.p.SharpQuantizer
	}
	if cap(e.out) < w*h {
		e.out = make([]byte, w*h*3/2)
	}
	var isKey C.int
	n := C.next(e.ctx, (*C.uchar)(unsafe.Pointer(&e.out[:cap(e.out)][0])), C.long(cap(e.out)), &isKey)
	if n < 0 {
		return nil, false, fmt.Errorf("%w: frame larger than %d bytes", ErrEncode, cap(e.out))
	}
	if isKey != 0 {
		e.wantKey = false // any keyframe answers the requests waiting
	}
	return bytes.Clone(e.out[:n]), true, nil
}

// activeMap returns the macroblocks to code in this frame, nil for all: for
// a change, those that changed; for its refinements, all that changed since
// the picture was last refined. It keeps that account in e.dirty. A
// keyframe codes all.
func (e *encoder) activeMap(key bool) []byte {
	switch {
	case !e.p.SkipUnchanged || key:
		e.dirty, e.dirtyAll, e.refined = e.dirty[:0], true, false
	case e.unchanged == 0 && len(e.active) > 0:
		if e.refined {
			e.dirty, e.dirtyAll, e.refined = e.dirty[:0], false, false
		}
		if len(e.dirty) != len(e.active) {
			e.dirty = append(e.dirty[:0], e.active...)
		} else {
			for i, a := range e.active {
				e.dirty[i] |= a
			}
		}
		return e.active
	case e.unchanged == 0: // a change of unknown extent
		e.dirty, e.dirtyAll, e.refined = e.dirty[:0], true, false
	case !e.refinedNow():
		e.refined = e.unchanged == e.p.RefineFrames
		if !e.dirtyAll && len(e.dirty) > 0 {
			return e.dirty
		}
	default: // refined: an idle refresh codes nothing anyway
		e.refined = true
	}
	return nil
}

// smallChange reports whether the blocks changed since the last refinement
// are known and at most a quarter of the picture.
func (e *encoder) smallChange() bool {
	if e.dirtyAll || len(e.dirty) == 0 {
		return false
	}
	n := 0
	for _, d := range e.dirty {
		n += int(d)
	}
	return n*4 <= len(e.dirty)
}

// setActive gives libvpx its active map: m (mbRows × mbCols), or none.
func (e *encoder) setActive(m []byte) error {
	var code C.int
	switch {
	case m != nil:
		code = C.set_active(e.ctx, (*C.uchar)(unsafe.Pointer(&m[0])), C.uint(e.mbRows), C.uint(e.mbCols))
	case e.activeSet:
		code = C.set_active(e.ctx, nil, C.uint(e.mbRows), C.uint(e.mbCols))
	default:
		return nil
	}
	if code != 0 {
		return vpxErr("active map", C.vpx_codec_err_t(code))
	}
	e.activeSet = m != nil
	return nil
}

// maxFrameDuration is the longest duration, in microseconds, a frame is
// given: that of a frame in a stream at 15 frames per second.
const maxFrameDuration = 66_666

// idleStaticThreshold makes libvpx skip every macroblock of an unchanged
// picture (the threshold is on a macroblock's prediction error).
const idleStaticThreshold = 1 << 24

// ForceKeyFrame makes the next frame a keyframe (the browser sent PLI or
// FIR), or the first one once KeyFrameInterval has passed since the last.
func (e *encoder) ForceKeyFrame() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.wantKey = true
	return nil
}

// SetBitRate changes the target bit rate from the next frame on.
func (e *encoder) SetBitRate(bps int) error {
	if bps < 1000 {
		return fmt.Errorf("%w: bit rate %d too low", ErrEncode, bps)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.p.BitRate = bps
	return nil
}

// Controller gives mediadevices the keyframe and bit rate controls.
func (e *encoder) Controller() codec.EncoderController { return e }

// Close frees libvpx. It is safe to call more than once.
func (e *encoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	e.free()
	return nil
}

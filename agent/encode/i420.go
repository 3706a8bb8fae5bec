package encode

// #include <stdint.h>
//
// // rgb reads the pixel at p (4 bytes: R,G,B,X or, with bgr, B,G,R,X), or
// // with step 2 the average of the 2x2 block at p (rows stride apart).
// static inline void rgb(const uint8_t *p, int stride, int step, int bgr, int *r, int *g, int *b) {
//   int c0, c1, c2;
//   if (step == 2) {
//     const uint8_t *q = p + stride;
//     c0 = (p[0] + p[4] + q[0] + q[4] + 2) >> 2;
//     c1 = (p[1] + p[5] + q[1] + q[5] + 2) >> 2;
//     c2 = (p[2] + p[6] + q[2] + q[6] + 2) >> 2;
//   } else {
//     c0 = p[0]; c1 = p[1]; c2 = p[2];
//   }
//   if (bgr) { *r = c2; *g = c1; *b = c0; } else { *r = c0; *g = c1; *b = c2; }
// }
//
// // to_i420 converts w x h output pixels (w and h even) to I420, reading
// // source pixels from src (row stride sstride) step apart: one output pixel
// // is a source pixel, or with step 2 the average of a 2x2 block. Colours are
// // ITU-R BT.601 full range, as mediadevices converts; gray leaves chroma
// // neutral. Each output 2x2 block's chroma is that of its mean colour.
// static void to_i420(const uint8_t *src, int sstride, int bgr, int step, int gray,
//     int w, int h, uint8_t *y, int ystride, uint8_t *u, uint8_t *v, int cstride) {
//   for (int oy = 0; oy < h; oy += 2) {
//     const uint8_t *s0 = src + (long)oy * step * sstride;
//     const uint8_t *s1 = s0 + (long)step * sstride;
//     uint8_t *y0 = y + (long)oy * ystride, *y1 = y0 + ystride;
//     uint8_t *cu = u + (long)(oy / 2) * cstride, *cv = v + (long)(oy / 2) * cstride;
//     for (int ox = 0; ox < w; ox += 2) {
//       int r[4], g[4], b[4];
//       int off = ox * step * 4;
//       rgb(s0 + off, sstride, step, bgr, &r[0], &g[0], &b[0]);
//       rgb(s0 + off + step * 4, sstride, step, bgr, &r[1], &g[1], &b[1]);
//       rgb(s1 + off, sstride, step, bgr, &r[2], &g[2], &b[2]);
//       rgb(s1 + off + step * 4, sstride, step, bgr, &r[3], &g[3], &b[3]);
//       y0[ox] = (77 * r[0] + 150 * g[0] + 29 * b[0]) >> 8;
//       y0[ox + 1] = (77 * r[1] + 150 * g[1] + 29 * b[1]) >> 8;
//       y1[ox] = (77 * r[2] + 150 * g[2] + 29 * b[2]) >> 8;
//       y1[ox + 1] = (77 * r[3] + 150 * g[3] + 29 * b[3]) >> 8;
//       if (gray) {
//         cu[ox / 2] = cv[ox / 2] = 128;
//         continue;
//       }
//       int sr = r[0] + r[1] + r[2] + r[3], sg = g[0] + g[1] + g[2] + g[3], sb = b[0] + b[1] + b[2] + b[3];
//       cu[ox / 2] = (-43 * sr - 85 * sg + 128 * sb + 0x20000) >> 10;
//       cv[ox / 2] = (128 * sr - 107 * sg - 21 * sb + 0x20000) >> 10;
//     }
//   }
// }
import "C"

import (
	"image"
	"unsafe"
)

// Pixels is a picture of 4-byte pixels in memory, as X11 and image.RGBA
// hold them: R,G,B,X, or B,G,R,X when BGR is set (an X11 screen of 24-bit
// colour on a little-endian machine).
type Pixels struct {
	Pix    []byte
	Stride int
	Rect   image.Rectangle
	BGR    bool
}

// Shape is what ToI420 makes of a picture: a crop of it (within its Rect),
// optionally halved (each 2×2 block averaged) and in grey.
type Shape struct {
	Crop image.Rectangle
	Half bool
	Gray bool
}

// Size is the size of the picture ToI420 makes: the crop, halved if asked,
// rounded down to even numbers (I420 subsamples colour by two).
func (s Shape) Size() image.Point {
	step := 1
	if s.Half {
		step = 2
	}
	return image.Pt((s.Crop.Dx()/step)&^1, (s.Crop.Dy()/step)&^1)
}

// ToI420 converts the part of src that s says into dst, in one pass, and
// returns dst; dst is reallocated when it is nil or of another size. It
// returns nil if the result would be empty or the crop is not within src.
func ToI420(dst *image.YCbCr, src Pixels, s Shape) *image.YCbCr {
	size := s.Size()
	if size.X < 2 || size.Y < 2 || !s.Crop.In(src.Rect) {
		return nil
	}
	if off := src.Offset(s.Crop.Max.X-1, s.Crop.Max.Y-1); off+4 > len(src.Pix) || src.Stride < 4*src.Rect.Dx() {
		return nil
	}
	if dst == nil || dst.Rect.Size() != size || dst.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		dst = image.NewYCbCr(image.Rectangle{Max: size}, image.YCbCrSubsampleRatio420)
	}
	step, bgr, gray := 1, 0, 0
	if s.Half {
		step = 2
	}
	if src.BGR {
		bgr = 1
	}
	if s.Gray {
		gray = 1
	}
	C.to_i420((*C.uint8_t)(unsafe.Pointer(&src.Pix[src.Offset(s.Crop.Min.X, s.Crop.Min.Y)])), C.int(src.Stride),
		C.int(bgr), C.int(step), C.int(gray), C.int(size.X), C.int(size.Y),
		(*C.uint8_t)(unsafe.Pointer(&dst.Y[0])), C.int(dst.YStride),
		(*C.uint8_t)(unsafe.Pointer(&dst.Cb[0])), (*C.uint8_t)(unsafe.Pointer(&dst.Cr[0])), C.int(dst.CStride))
	return dst
}

// Offset is where pixel (x, y) starts in p.Pix.
func (p Pixels) Offset(x, y int) int {
	return (y-p.Rect.Min.Y)*p.Stride + (x-p.Rect.Min.X)*4
}

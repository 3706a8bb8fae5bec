package screenshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"math/bits"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// The X library logs "could not get authority info" on every connection to
// a display without a cookie file, as Xvfb is.
func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// GrabX11 reads the whole default screen of display ("" means $DISPLAY) at its
// native resolution, as the X server holds it (XGetImage of the root window).
func GrabX11(display string) (*image.RGBA, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("screenshot: open the X display: %w", err)
	}
	defer conn.Close()
	setup := xproto.Setup(conn)
	scr := setup.DefaultScreen(conn)
	w, h := int(scr.WidthInPixels), int(scr.HeightInPixels)

	var vis *xproto.VisualInfo
	for _, d := range scr.AllowedDepths {
		for i, v := range d.Visuals {
			if v.VisualId == scr.RootVisual {
				vis = &d.Visuals[i]
			}
		}
	}
	if vis == nil || vis.Class != xproto.VisualClassTrueColor {
		return nil, errors.New("screenshot: the X display is not TrueColor")
	}
	bpp, pad := 0, 0
	for _, f := range setup.PixmapFormats {
		if f.Depth == scr.RootDepth {
			bpp, pad = int(f.BitsPerPixel), int(f.ScanlinePad)
		}
	}
	if bpp != 16 && bpp != 24 && bpp != 32 {
		return nil, fmt.Errorf("screenshot: %d bits per pixel is not supported", bpp)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if setup.ImageByteOrder == xproto.ImageOrderMSBFirst {
		order = binary.BigEndian
	}

	img := image.NewRGBA(image.Rect(0, 0, w, h))
	stride := ((w*bpp + pad - 1) / pad) * pad / 8
	// Read in bands, so one reply stays well under the X server's limits.
	band := max(1, (8<<20)/stride)
	for y0 := 0; y0 < h; y0 += band {
		bh := min(band, h-y0)
		r, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(scr.Root),
			0, int16(y0), uint16(w), uint16(bh), 0xffffffff).Reply()
		if err != nil {
			return nil, fmt.Errorf("screenshot: read the screen: %w", err)
		}
		if len(r.Data) < stride*bh {
			return nil, fmt.Errorf("screenshot: short image: %d bytes for %d rows", len(r.Data), bh)
		}
		for y := range bh {
			row := r.Data[y*stride:]
			out := img.Pix[(y0+y)*img.Stride:]
			for x := range w {
				var v uint32
				switch bpp {
				case 32:
					v = order.Uint32(row[x*4:])
				case 24:
					b := row[x*3 : x*3+3]
					if order == binary.LittleEndian {
						v = uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
					} else {
						v = uint32(b[2]) | uint32(b[1])<<8 | uint32(b[0])<<16
					}
				case 16:
					v = uint32(order.Uint16(row[x*2:]))
				}
				out[x*4+0] = channel(v, vis.RedMask)
				out[x*4+1] = channel(v, vis.GreenMask)
				out[x*4+2] = channel(v, vis.BlueMask)
				out[x*4+3] = 0xff
			}
		}
	}
	return img, nil
}

// channel extracts the colour channel of mask from pixel v, as 8 bits.
func channel(v, mask uint32) uint8 {
	if mask == 0 {
		return 0
	}
	shift := bits.TrailingZeros32(mask)
	width := bits.OnesCount32(mask)
	c := (v & mask) >> shift
	switch {
	case width == 8:
		return uint8(c)
	case width > 8:
		return uint8(c >> (width - 8))
	default: // spread the bits over 8: 5 bits 11111 → 255
		return uint8(c * 255 / (1<<width - 1))
	}
}

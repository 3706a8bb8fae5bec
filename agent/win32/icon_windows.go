package win32

import (
	"image"
	"unsafe"
)

var (
	procSendMessageTimeoutW = user32.NewProc("SendMessageTimeoutW")
	procGetClassLongPtrW    = user32.NewProc("GetClassLongPtrW")
	procGetIconInfo         = user32.NewProc("GetIconInfo")
	procCreateIconIndirect  = user32.NewProc("CreateIconIndirect")
	procGetObjectW          = gdi32.NewProc("GetObjectW")
	procGetDIBits           = gdi32.NewProc("GetDIBits")
	procCreateBitmap        = gdi32.NewProc("CreateBitmap")
)

const (
	wmGetIcon = 0x007F
	wmSetIcon = 0x0080
	// iconBig is the large icon the program set; iconSmall2 the small one
	// it set or the system made.
	iconBig, iconSmall2 = 1, 2
	smtoAbortIfHung     = 0x0002
	// gclpHIcon and gclpHIconSm are the window class's large and small
	// icons.
	gclpHIcon   = ^uintptr(14 - 1) // -14
	gclpHIconSm = ^uintptr(34 - 1) // -34
	// maxIconSide bounds the icons read, in pixels.
	maxIconSide = 256
)

type iconInfo struct {
	fIcon              int32
	xHotspot, yHotspot uint32
	hbmMask, hbmColor  uintptr
}

type bitmap struct {
	Type, Width, Height, WidthBytes int32
	Planes, BitsPixel               uint16
	Bits                            uintptr
}

// iconOf returns hwnd's icon handle: the one it answers WM_GETICON with
// (large, nearer the list's size once scaled, then small; a window that does not answer within 100 ms is
// skipped: a hung program must not hold the agent), else its class's.
// Nothing is to be freed.
func iconOf(hwnd uintptr) uintptr {
	for _, which := range []uintptr{iconBig, iconSmall2} {
		var h uintptr
		if ok, _, _ := procSendMessageTimeoutW.Call(hwnd, wmGetIcon, which, 0, smtoAbortIfHung, 100, uintptr(unsafe.Pointer(&h))); ok != 0 && h != 0 {
			return h
		}
	}
	for _, idx := range []uintptr{gclpHIcon, gclpHIconSm} {
		if h, _, _ := procGetClassLongPtrW.Call(hwnd, idx); h != 0 {
			return h
		}
	}
	return 0
}

// Icon returns hwnd's program's icon as a picture, nil if it has none (or
// one larger than 256 pixels).
func Icon(hwnd uintptr) *image.NRGBA {
	h := iconOf(hwnd)
	if h == 0 {
		return nil
	}
	var ii iconInfo
	if ok, _, _ := procGetIconInfo.Call(h, uintptr(unsafe.Pointer(&ii))); ok == 0 {
		return nil
	}
	defer procDeleteObject.Call(ii.hbmMask)
	if ii.hbmColor == 0 {
		return nil // a monochrome icon: no picture worth showing
	}
	defer procDeleteObject.Call(ii.hbmColor)
	var bm bitmap
	if n, _, _ := procGetObjectW.Call(ii.hbmColor, unsafe.Sizeof(bm), uintptr(unsafe.Pointer(&bm))); n == 0 {
		return nil
	}
	w, ht := int(bm.Width), int(bm.Height)
	if w <= 0 || ht <= 0 || w > maxIconSide || ht > maxIconSide {
		return nil
	}
	bgra := dibits(ii.hbmColor, w, ht)
	if bgra == nil {
		return nil
	}
	// Icons without alpha (all zero) take their transparency from the mask.
	alpha := false
	for i := 3; i < len(bgra); i += 4 {
		alpha = alpha || bgra[i] != 0
	}
	var mask []byte
	if !alpha {
		mask = dibits(ii.hbmMask, w, ht)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, ht))
	for i := 0; i < w*ht; i++ {
		a := bgra[i*4+3]
		if !alpha {
			a = 0xff
			if mask != nil && mask[i*4] != 0 { // a set mask pixel is transparent
				a = 0
			}
		}
		img.Pix[i*4], img.Pix[i*4+1], img.Pix[i*4+2], img.Pix[i*4+3] = bgra[i*4+2], bgra[i*4+1], bgra[i*4], a
	}
	return img
}

// dibits reads bitmap bm (w×h) as 32-bit top-down BGRA, nil on failure.
func dibits(bm uintptr, w, h int) []byte {
	dc, _, _ := procGetDC.Call(0)
	if dc == 0 {
		return nil
	}
	defer procReleaseDC.Call(0, dc)
	bi := bitmapInfoHeader{Width: int32(w), Height: -int32(h), Planes: 1, BitCount: 32}
	bi.Size = uint32(unsafe.Sizeof(bi))
	// GetDIBits may write a colour table after the header: room for 256.
	var room struct {
		bitmapInfoHeader
		colours [256]uint32
	}
	room.bitmapInfoHeader = bi
	out := make([]byte, w*h*4)
	const dibRGBColors = 0
	if n, _, _ := procGetDIBits.Call(dc, bm, 0, uintptr(h), uintptr(unsafe.Pointer(&out[0])), uintptr(unsafe.Pointer(&room)), dibRGBColors); int(n) != h {
		return nil
	}
	return out
}

// SetIcon gives window hwnd (of this process) a w×h icon of one colour
// (0xAARRGGBB), as a program sets its own; for tests. The icon lives until
// the process ends.
func SetIcon(hwnd uintptr, w, h int, argb uint32) error {
	pix := make([]uint32, w*h)
	for i := range pix {
		pix[i] = argb
	}
	color, _, err := procCreateBitmap.Call(uintptr(w), uintptr(h), 1, 32, uintptr(unsafe.Pointer(&pix[0])))
	if color == 0 {
		return fail("CreateBitmap", err)
	}
	defer procDeleteObject.Call(color)
	mask, _, err := procCreateBitmap.Call(uintptr(w), uintptr(h), 1, 1, 0)
	if mask == 0 {
		return fail("CreateBitmap", err)
	}
	defer procDeleteObject.Call(mask)
	ii := iconInfo{fIcon: 1, hbmMask: mask, hbmColor: color}
	icon, _, err := procCreateIconIndirect.Call(uintptr(unsafe.Pointer(&ii)))
	if icon == 0 {
		return fail("CreateIconIndirect", err)
	}
	procSendMessageTimeoutW.Call(hwnd, wmSetIcon, iconBig, icon, smtoAbortIfHung, 1000, 0)
	return nil
}

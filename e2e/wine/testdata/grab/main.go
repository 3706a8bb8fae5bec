//go:build windows

// Command grab reads the screen with GDI, as a Windows agent can (GetDC of
// the whole screen, BitBlt into a bitmap, GetDIBits), and prints its size
// and the colour of each pixel asked for:
//
//	grab X Y [X Y...]  →  "screen W H" then "X Y R G B" per pixel
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

var (
	user32 = syscall.NewLazyDLL("user32.dll")
	gdi32  = syscall.NewLazyDLL("gdi32.dll")

	getSystemMetrics       = user32.NewProc("GetSystemMetrics")
	getDC                  = user32.NewProc("GetDC")
	releaseDC              = user32.NewProc("ReleaseDC")
	createCompatibleDC     = gdi32.NewProc("CreateCompatibleDC")
	createCompatibleBitmap = gdi32.NewProc("CreateCompatibleBitmap")
	selectObject           = gdi32.NewProc("SelectObject")
	bitBlt                 = gdi32.NewProc("BitBlt")
	getDIBits              = gdi32.NewProc("GetDIBits")
	deleteObject           = gdi32.NewProc("DeleteObject")
	deleteDC               = gdi32.NewProc("DeleteDC")
)

const (
	smXVirtualScreen  = 76
	smYVirtualScreen  = 77
	smCXVirtualScreen = 78
	smCYVirtualScreen = 79
	srcCopy           = 0x00CC0020
	dibRGBColors      = 0
)

type bitmapInfo struct {
	Size          uint32
	Width, Height int32
	Planes        uint16
	BitCount      uint16
	Compression   uint32
	SizeImage     uint32
	XPelsPerMeter int32
	YPelsPerMeter int32
	ClrUsed       uint32
	ClrImportant  uint32
	Colors        [1]uint32
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "grab:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 || len(args)%2 != 0 {
		return fmt.Errorf("usage: grab X Y [X Y...]")
	}
	x0, _, _ := getSystemMetrics.Call(smXVirtualScreen)
	y0, _, _ := getSystemMetrics.Call(smYVirtualScreen)
	w, _, _ := getSystemMetrics.Call(smCXVirtualScreen)
	h, _, _ := getSystemMetrics.Call(smCYVirtualScreen)
	if w == 0 || h == 0 {
		return fmt.Errorf("no screen (%dx%d)", w, h)
	}
	screen, _, _ := getDC.Call(0)
	if screen == 0 {
		return fmt.Errorf("GetDC failed")
	}
	defer releaseDC.Call(0, screen)
	mem, _, _ := createCompatibleDC.Call(screen)
	defer deleteDC.Call(mem)
	bmp, _, _ := createCompatibleBitmap.Call(screen, w, h)
	defer deleteObject.Call(bmp)
	old, _, _ := selectObject.Call(mem, bmp)
	if ok, _, err := bitBlt.Call(mem, 0, 0, w, h, screen, x0, y0, srcCopy); ok == 0 {
		return fmt.Errorf("BitBlt: %v", err)
	}
	selectObject.Call(mem, old) // GetDIBits wants the bitmap deselected

	// A top-down (negative height) 32-bit BGRX copy of the screen.
	bi := bitmapInfo{Width: int32(w), Height: -int32(h), Planes: 1, BitCount: 32}
	bi.Size = uint32(unsafe.Offsetof(bi.Colors))
	pix := make([]byte, int(w)*int(h)*4)
	if n, _, err := getDIBits.Call(screen, bmp, 0, h, uintptr(unsafe.Pointer(&pix[0])), uintptr(unsafe.Pointer(&bi)), dibRGBColors); n == 0 {
		return fmt.Errorf("GetDIBits: %v", err)
	}
	fmt.Printf("screen %d %d\n", w, h)
	for i := 0; i < len(args); i += 2 {
		x, err1 := strconv.Atoi(args[i])
		y, err2 := strconv.Atoi(args[i+1])
		if err1 != nil || err2 != nil || x < 0 || y < 0 || x >= int(w) || y >= int(h) {
			return fmt.Errorf("bad pixel %s,%s", args[i], args[i+1])
		}
		o := (y*int(w) + x) * 4
		fmt.Printf("%d %d %d %d %d\n", x, y, pix[o+2], pix[o+1], pix[o])
	}
	return nil
}

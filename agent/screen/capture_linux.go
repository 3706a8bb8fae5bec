package screen

// #cgo pkg-config: x11 xext
// #include <stdlib.h>
// #include <sys/ipc.h>
// #include <sys/shm.h>
// #include <X11/Xlib.h>
// #include <X11/Xutil.h>
// #include <X11/extensions/XShm.h>
//
// // Xlib's default error handler ends the process. Capture's calls are
// // checked through their results instead (an X error during XShmGetImage,
// // say because the screen got smaller, makes it return 0), so errors are
// // only counted.
// static int errors;
// static int count_error(Display *d, XErrorEvent *e) { errors++; return 0; }
// static void quiet_errors(void) { XSetErrorHandler(count_error); }
//
// static int is_bgrx(Display *d, int screen) {
//   Visual *v = DefaultVisual(d, screen);
//   return DefaultDepth(d, screen) >= 24 && v->red_mask == 0xff0000 && v->green_mask == 0xff00 && v->blue_mask == 0xff;
// }
//
// // root_size reads the root window's current size from the server (it
// // changes with RandR).
// static int root_size(Display *d, int screen, int *w, int *h) {
//   Window root; int x, y; unsigned int uw, uh, bw, depth;
//   if (!XGetGeometry(d, RootWindow(d, screen), &root, &x, &y, &uw, &uh, &bw, &depth)) return 0;
//   *w = uw; *h = uh;
//   return 1;
// }
//
// // shm_image makes a w x h XShm image in a new shared memory segment that
// // the server attaches; NULL if any step fails (nothing is left behind).
// static XImage *shm_image(Display *d, int screen, XShmSegmentInfo *info, int w, int h) {
//   XImage *img = XShmCreateImage(d, DefaultVisual(d, screen), DefaultDepth(d, screen), ZPixmap, NULL, info, w, h);
//   if (!img) return NULL;
//   if (img->bits_per_pixel != 32) { XDestroyImage(img); return NULL; }
//   info->shmid = shmget(IPC_PRIVATE, (size_t)img->bytes_per_line * img->height, IPC_CREAT | 0600);
//   if (info->shmid < 0) { XDestroyImage(img); return NULL; }
//   info->shmaddr = img->data = shmat(info->shmid, NULL, 0);
//   shmctl(info->shmid, IPC_RMID, NULL); // freed once both sides detach
//   if (info->shmaddr == (char *)-1) { img->data = NULL; XDestroyImage(img); return NULL; }
//   info->readOnly = False;
//   int before = errors;
//   if (!XShmAttach(d, info)) { shmdt(info->shmaddr); img->data = NULL; XDestroyImage(img); return NULL; }
//   XSync(d, False);
//   if (errors != before) { shmdt(info->shmaddr); img->data = NULL; XDestroyImage(img); return NULL; }
//   return img;
// }
//
// static void free_shm_image(Display *d, XShmSegmentInfo *info, XImage *img) {
//   XShmDetach(d, info);
//   XSync(d, False);
//   shmdt(info->shmaddr);
//   img->data = NULL;
//   XDestroyImage(img);
// }
//
// static int get_image(Display *d, int screen, XImage *img) {
//   return XShmGetImage(d, RootWindow(d, screen), img, 0, 0, AllPlanes);
// }
import "C"

import (
	"fmt"
	"image"
	"log/slog"
	"os"
	"sync"
	"time"
	"unsafe"
)

// Capture reads an X screen through shared memory (MIT-SHM): the X server
// writes the pixels straight into memory this process maps, and frames are
// handed out as they lie there, without a copy. It follows the screen's size
// when RandR changes it.
type Capture struct {
	screen   int
	interval time.Duration

	mu     sync.Mutex // one Read at a time; Close waits for it
	dp     *C.Display
	info   C.XShmSegmentInfo
	img    *C.XImage
	frame  Frame
	next   time.Time
	closed bool
}

var quietErrors sync.Once

// OpenCapture opens X screen n of $DISPLAY for capture at most fps times a
// second. It fails with ErrNoDisplay without an X server, and with
// ErrUnsupportedFormat unless the screen has 24-bit colour in 32-bit pixels
// and the server offers shared memory. log is for what the capture has to
// say; X11 capture has nothing (Windows' says whether it uses DXGI or GDI).
func OpenCapture(n int, fps float64, log *slog.Logger) (*Capture, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, ErrNoDisplay
	}
	if fps <= 0 {
		return nil, fmt.Errorf("screen: capture rate %v", fps)
	}
	quietErrors.Do(func() { C.quiet_errors() })
	dp := C.XOpenDisplay(nil)
	if dp == nil {
		return nil, ErrNoDisplay
	}
	c := &Capture{screen: n, interval: time.Duration(float64(time.Second) / fps), dp: dp}
	if n < 0 || n >= int(C.XScreenCount(dp)) {
		C.XCloseDisplay(dp)
		return nil, fmt.Errorf("screen: no X screen %d", n)
	}
	if C.XShmQueryExtension(dp) == 0 || C.is_bgrx(dp, C.int(n)) == 0 {
		C.XCloseDisplay(dp)
		return nil, ErrUnsupportedFormat
	}
	if err := c.resize(); err != nil {
		C.XCloseDisplay(dp)
		return nil, err
	}
	// The first capture into new shared memory is slow (both sides fault
	// its pages in: 40–100 ms for 720p on a busy machine); do it now, beside
	// the caller, so that the first frame someone waits for is not.
	c.mu.Lock()
	go func() {
		defer c.mu.Unlock()
		if !c.closed {
			C.get_image(c.dp, C.int(c.screen), c.img)
		}
	}()
	return c, nil
}

// resize makes the shared image the size of the root window now.
func (c *Capture) resize() error {
	var w, h C.int
	if C.root_size(c.dp, C.int(c.screen), &w, &h) == 0 {
		return fmt.Errorf("%w: cannot read the screen's size", ErrNoDisplay)
	}
	if c.img != nil {
		if int(w) == int(c.img.width) && int(h) == int(c.img.height) {
			return nil
		}
		C.free_shm_image(c.dp, &c.info, c.img)
		c.img = nil
	}
	img := C.shm_image(c.dp, C.int(c.screen), &c.info, w, h)
	if img == nil {
		return fmt.Errorf("%w: no shared memory image of %dx%d", ErrUnsupportedFormat, w, h)
	}
	c.img = img
	c.frame.Stride = int(img.bytes_per_line)
	c.frame.Rect = image.Rect(0, 0, int(w), int(h))
	c.frame.Pix = unsafe.Slice((*byte)(unsafe.Pointer(img.data)), c.frame.Stride*int(h))
	return nil
}

// Read waits for the next capture time (the frame rate's pace, counted from
// the last Read when it came late) and captures the screen. The frame is
// valid until the next Read or Close. A capture that fails wraps
// ErrUnreadable.
func (c *Capture) Read() (*Frame, error) {
	c.waitTurn()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	c.advance()
	// The root window's size is read each time (a round trip to the X
	// server): a screen that grew would otherwise still capture as its old
	// top-left corner. One that shrank between the two requests fails the
	// capture; its size is then read once more.
	if err := c.resize(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if C.get_image(c.dp, C.int(c.screen), c.img) == 0 {
		if err := c.resize(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		if C.get_image(c.dp, C.int(c.screen), c.img) == 0 {
			return nil, fmt.Errorf("%w: capture of X screen %d failed", ErrUnreadable, c.screen)
		}
	}
	c.frame.Seq++
	return &c.frame, nil
}

// Close frees the shared memory and the X connection. It is safe to call
// more than once.
func (c *Capture) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.img != nil {
		C.free_shm_image(c.dp, &c.info, c.img)
		c.img = nil
	}
	C.XCloseDisplay(c.dp)
	c.frame.Pix = nil
	return nil
}

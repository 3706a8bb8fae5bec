package win32

import (
	"errors"
	"fmt"
	"image"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// DXGI Desktop Duplication, called through the COM interfaces' method tables
// as Microsoft documents them (dxgi.h, dxgi1_2.h, d3d11.h): a Direct3D 11
// device on the default adapter, IDXGIOutput1::DuplicateOutput for each of
// its outputs, AcquireNextFrame, the dirty and moved rectangles, the pointer
// shape, and the desktop image copied into a CPU-readable staging texture.

var (
	d3d11                 = windows.NewLazySystemDLL("d3d11.dll")
	procD3D11CreateDevice = d3d11.NewProc("D3D11CreateDevice")
)

// HRESULTs the duplication handles.
const (
	dxgiErrorAccessLost  = 0x887A0026 // the desktop switched, the mode changed: duplicate again
	dxgiErrorWaitTimeout = 0x887A0027 // no new frame in the time given
	dxgiErrorMoreData    = 0x887A0003 // the buffer given is too small
)

// ErrNotNow means duplication is refused for a while only: the secure
// desktop is shown (E_ACCESSDENIED), another program holds it full-screen
// or too many duplicate it (DXGI_ERROR_NOT_CURRENTLY_AVAILABLE), or the
// session is disconnected. Other failures (not implemented, an old driver)
// last.
var ErrNotNow = errors.New("win32: desktop duplication is not available now")

// ErrAccessLost means the duplication of an output ended (a desktop switch
// to the lock screen or a UAC prompt, a mode change, a full-screen program):
// Windows documents that it must be duplicated again.
var ErrAccessLost = errors.New("win32: desktop duplication lost its access")

// Method numbers in the interfaces' tables (IUnknown's three first).
const (
	vtQueryInterface = 0
	vtRelease        = 2

	vtDXGIDeviceGetAdapter  = 7  // IDXGIDevice, after IDXGIObject's four
	vtDXGIAdapterEnumOutput = 7  // IDXGIAdapter::EnumOutputs
	vtDXGIOutputGetDesc     = 7  // IDXGIOutput::GetDesc
	vtDXGIOutput1Duplicate  = 22 // IDXGIOutput1::DuplicateOutput, after IDXGIOutput's twelve
	vtDuplGetDesc           = 7  // IDXGIOutputDuplication
	vtDuplAcquireNextFrame  = 8
	vtDuplGetDirtyRects     = 9
	vtDuplGetMoveRects      = 10
	vtDuplGetPointerShape   = 11
	vtDuplReleaseFrame      = 14
	vtDeviceCreateTexture2D = 5  // ID3D11Device
	vtContextMap            = 14 // ID3D11DeviceContext, after ID3D11DeviceChild's four
	vtContextUnmap          = 15
	vtContextCopyResource   = 47
)

var (
	iidIDXGIDevice     = windows.GUID{Data1: 0x54ec77fa, Data2: 0x1377, Data3: 0x44e6, Data4: [8]byte{0x8c, 0x32, 0x88, 0xfd, 0x5f, 0x44, 0xc8, 0x4c}}
	iidIDXGIOutput1    = windows.GUID{Data1: 0x00cddea8, Data2: 0x939b, Data3: 0x4b83, Data4: [8]byte{0xa3, 0x40, 0xa6, 0x85, 0x22, 0x66, 0x66, 0xcc}}
	iidID3D11Texture2D = windows.GUID{Data1: 0x6f15aaf2, Data2: 0xd208, Data3: 0x4e89, Data4: [8]byte{0x9a, 0xb4, 0x48, 0x95, 0x35, 0xd3, 0x4f, 0x9c}}
)

// object is a COM object as its interface pointer sees it: the address of
// its method table first. A *object is the interface pointer.
type object struct{ vtbl *[64]uintptr }

type com = *object

// call calls method n of the interface with args (the interface first).
func (c *object) call(n int, args ...uintptr) uintptr {
	r, _, _ := syscall.SyscallN(c.vtbl[n], append([]uintptr{uintptr(unsafe.Pointer(c))}, args...)...)
	return r
}

// hr calls method n and turns a failed HRESULT into an error naming what.
func (c *object) hr(what string, n int, args ...uintptr) error {
	if r := uint32(c.call(n, args...)); r&0x80000000 != 0 {
		return hresultError(what, r)
	}
	return nil
}

func (c *object) release() {
	if c != nil {
		c.call(vtRelease)
	}
}

func (c *object) query(iid *windows.GUID) (com, error) {
	var out com
	err := c.hr("QueryInterface", vtQueryInterface, uintptr(unsafe.Pointer(iid)), uintptr(unsafe.Pointer(&out)))
	return out, err
}

func hresultError(what string, r uint32) error {
	const (
		eAccessDenied                = 0x80070005
		dxgiErrorNotCurrentlyAvail   = 0x887A0022
		dxgiErrorSessionDisconnected = 0x887A0028
	)
	switch r {
	case dxgiErrorAccessLost:
		return fmt.Errorf("%s: %w", what, ErrAccessLost)
	case eAccessDenied, dxgiErrorNotCurrentlyAvail, dxgiErrorSessionDisconnected:
		return fmt.Errorf("%s: HRESULT 0x%08X: %w", what, r, ErrNotNow)
	}
	return errors.Join(ErrCall, fmt.Errorf("%s: HRESULT 0x%08X", what, r))
}

type outputDesc struct {
	DeviceName        [32]uint16
	Desktop           Rect
	AttachedToDesktop int32
	Rotation          uint32
	Monitor           uintptr
}

type outduplDesc struct {
	Width, Height              uint32
	RefreshNum, RefreshDen     uint32
	Format, Scanline, Scaling  uint32
	Rotation                   uint32
	DesktopImageInSystemMemory int32
}

type frameInfo struct {
	LastPresentTime     int64
	LastMouseUpdateTime int64
	AccumulatedFrames   uint32
	RectsCoalesced      int32
	ProtectedMaskedOut  int32
	PointerX, PointerY  int32
	PointerVisible      int32
	TotalMetadataSize   uint32
	PointerShapeSize    uint32
}

type pointerShapeInfo struct {
	Type, Width, Height, Pitch uint32
	HotX, HotY                 int32
}

type texture2DDesc struct {
	Width, Height, MipLevels, ArraySize, Format uint32
	SampleCount, SampleQuality                  uint32
	Usage, BindFlags, CPUAccessFlags, MiscFlags uint32
}

type mappedSubresource struct {
	Data       unsafe.Pointer
	RowPitch   uint32
	DepthPitch uint32
}

// Duplication duplicates every output of the default adapter.
type Duplication struct {
	device, context com
	// Outputs are the duplicated outputs, as the adapter lists them.
	Outputs []*DupOutput
}

// DupOutput is one duplicated output (a monitor).
type DupOutput struct {
	d       *Duplication
	output  com  // IDXGIOutput1
	dupl    com  // IDXGIOutputDuplication
	staging com  // ID3D11Texture2D the desktop image is copied into
	held    bool // a frame is acquired
	mapped  bool // its image is mapped

	// Desktop is the output's rectangle in the virtual screen.
	Desktop Rect
	rects   []byte // GetFrameDirtyRects and GetFrameMoveRects' buffer
	shape   []byte
}

// OpenDuplication creates a Direct3D 11 device on the default adapter and
// duplicates each of its outputs attached to the desktop. It fails where
// duplication is not available (a remote session, an old driver, Wine), on
// a rotated output, and while the secure desktop is shown.
func OpenDuplication() (*Duplication, error) {
	if err := d3d11.Load(); err != nil {
		return nil, fail("load d3d11.dll", err)
	}
	const (
		driverTypeHardware = 1
		sdkVersion         = 7
	)
	d := &Duplication{}
	r, _, _ := procD3D11CreateDevice.Call(0, driverTypeHardware, 0, 0, 0, 0, sdkVersion,
		uintptr(unsafe.Pointer(&d.device)), 0, uintptr(unsafe.Pointer(&d.context)))
	if uint32(r)&0x80000000 != 0 || d.device == nil {
		return nil, hresultError("D3D11CreateDevice", uint32(r))
	}
	if err := d.open(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Duplication) open() error {
	dxgiDevice, err := d.device.query(&iidIDXGIDevice)
	if err != nil {
		return err
	}
	defer dxgiDevice.release()
	var adapter com
	if err := dxgiDevice.hr("IDXGIDevice::GetAdapter", vtDXGIDeviceGetAdapter, uintptr(unsafe.Pointer(&adapter))); err != nil {
		return err
	}
	defer adapter.release()
	const dxgiErrorNotFound = 0x887A0002
	for i := 0; ; i++ {
		var output com
		r := uint32(adapter.call(vtDXGIAdapterEnumOutput, uintptr(i), uintptr(unsafe.Pointer(&output))))
		if r == dxgiErrorNotFound {
			break
		}
		if r&0x80000000 != 0 {
			return hresultError("IDXGIAdapter::EnumOutputs", r)
		}
		var desc outputDesc
		err := output.hr("IDXGIOutput::GetDesc", vtDXGIOutputGetDesc, uintptr(unsafe.Pointer(&desc)))
		if err == nil && desc.AttachedToDesktop == 0 {
			output.release()
			continue
		}
		if err == nil && desc.Rotation > 1 { // DXGI_MODE_ROTATION_IDENTITY is 1 (0: unspecified)
			err = fail("a rotated output", nil)
		}
		var output1 com
		if err == nil {
			output1, err = output.query(&iidIDXGIOutput1)
		}
		output.release()
		if err != nil {
			return err
		}
		o := &DupOutput{d: d, output: output1, Desktop: desc.Desktop}
		d.Outputs = append(d.Outputs, o)
		if err := o.duplicate(); err != nil {
			return err
		}
	}
	if len(d.Outputs) == 0 {
		return fail("no output attached to the desktop", nil)
	}
	return nil
}

// duplicate (again) starts the output's duplication and makes its staging
// texture.
func (o *DupOutput) duplicate() error {
	o.Release()
	o.dupl.release()
	o.dupl = nil
	o.staging.release()
	o.staging = nil
	if err := o.output.hr("IDXGIOutput1::DuplicateOutput", vtDXGIOutput1Duplicate, uintptr(unsafe.Pointer(o.d.device)), uintptr(unsafe.Pointer(&o.dupl))); err != nil {
		return err
	}
	var desc outduplDesc
	o.dupl.call(vtDuplGetDesc, uintptr(unsafe.Pointer(&desc)))
	const (
		formatB8G8R8A8 = 87 // the duplicated desktop's format, always
		usageStaging   = 3
		cpuAccessRead  = 0x20000
	)
	td := texture2DDesc{Width: desc.Width, Height: desc.Height, MipLevels: 1, ArraySize: 1, Format: formatB8G8R8A8,
		SampleCount: 1, Usage: usageStaging, CPUAccessFlags: cpuAccessRead}
	return o.d.device.hr("ID3D11Device::CreateTexture2D", vtDeviceCreateTexture2D, uintptr(unsafe.Pointer(&td)), 0, uintptr(unsafe.Pointer(&o.staging)))
}

// Reopen duplicates the output again, after ErrAccessLost.
func (o *DupOutput) Reopen() error { return o.duplicate() }

// PointerShape is a pointer shape as GetFramePointerShape gives it: Type 1
// monochrome (Height counts the AND and the XOR masks), 2 colour, 4 masked
// colour.
type PointerShape struct {
	Type, Width, Height, Pitch int
	Pix                        []byte
}

// DupFrame is what one output reports for a frame.
type DupFrame struct {
	// Pix is the output's whole desktop image (B, G, R, A; Pitch bytes a
	// row), valid until Release.
	Pix   []byte
	Pitch int
	// Dirty and Moved are the rectangles that changed (for Moved, their
	// destinations), in the output's coordinates.
	Dirty, Moved []image.Rectangle
	// PointerMoved says Pointer and PointerVisible are news: the pointer's
	// top-left corner in the output's coordinates.
	PointerMoved   bool
	Pointer        image.Point
	PointerVisible bool
	// Shape is the pointer's new shape, nil when unchanged.
	Shape *PointerShape
}

// Acquire waits up to timeoutMs for the output's next frame. It returns
// nil, nil when nothing changed in that time. After a frame, Release must
// be called before the next Acquire.
func (o *DupOutput) Acquire(timeoutMs int) (*DupFrame, error) {
	var info frameInfo
	var resource com
	r := uint32(o.dupl.call(vtDuplAcquireNextFrame, uintptr(timeoutMs), uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&resource))))
	if r == dxgiErrorWaitTimeout {
		return nil, nil
	}
	if r&0x80000000 != 0 {
		return nil, hresultError("IDXGIOutputDuplication::AcquireNextFrame", r)
	}
	o.held = true
	defer resource.release()
	f := &DupFrame{}
	if info.LastMouseUpdateTime != 0 {
		f.PointerMoved = true
		f.Pointer = image.Pt(int(info.PointerX), int(info.PointerY))
		f.PointerVisible = info.PointerVisible != 0
	}
	if info.PointerShapeSize > 0 {
		if cap(o.shape) < int(info.PointerShapeSize) {
			o.shape = make([]byte, info.PointerShapeSize)
		}
		var need uint32
		var si pointerShapeInfo
		if err := o.dupl.hr("GetFramePointerShape", vtDuplGetPointerShape, uintptr(info.PointerShapeSize), uintptr(unsafe.Pointer(&o.shape[0])), uintptr(unsafe.Pointer(&need)), uintptr(unsafe.Pointer(&si))); err != nil {
			o.Release()
			return nil, err
		}
		f.Shape = &PointerShape{Type: int(si.Type), Width: int(si.Width), Height: int(si.Height), Pitch: int(si.Pitch), Pix: o.shape[:info.PointerShapeSize]}
	}
	if info.LastPresentTime == 0 || info.AccumulatedFrames == 0 {
		return f, nil // only the pointer changed: the image is the last one
	}
	var err error
	if f.Moved, err = o.rectsOf(info.TotalMetadataSize, vtDuplGetMoveRects, 24, 8); err == nil {
		f.Dirty, err = o.rectsOf(info.TotalMetadataSize, vtDuplGetDirtyRects, 16, 0)
	}
	if err != nil {
		o.Release()
		return nil, err
	}
	tex, err := resource.query(&iidID3D11Texture2D)
	if err != nil {
		o.Release()
		return nil, err
	}
	defer tex.release()
	ctx := o.d.context
	ctx.call(vtContextCopyResource, uintptr(unsafe.Pointer(o.staging)), uintptr(unsafe.Pointer(tex)))
	const mapRead = 1
	var m mappedSubresource
	if err := ctx.hr("ID3D11DeviceContext::Map", vtContextMap, uintptr(unsafe.Pointer(o.staging)), 0, mapRead, 0, uintptr(unsafe.Pointer(&m))); err != nil {
		o.Release()
		return nil, err
	}
	o.mapped = true
	h := int(o.Desktop.Bottom - o.Desktop.Top)
	f.Pix = unsafe.Slice((*byte)(m.Data), int(m.RowPitch)*h)
	f.Pitch = int(m.RowPitch)
	return f, nil
}

// rectsOf reads the frame's move (method GetFrameMoveRects, 24 bytes each,
// the RECT after a POINT) or dirty rectangles (16 bytes each, at 0).
func (o *DupOutput) rectsOf(size uint32, method, each, at int) ([]image.Rectangle, error) {
	if size == 0 {
		return nil, nil
	}
	if cap(o.rects) < int(size) {
		o.rects = make([]byte, size)
	}
	buf := o.rects[:size]
	var used uint32
	r := uint32(o.dupl.call(method, uintptr(size), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&used))))
	if r&0x80000000 != 0 && r != dxgiErrorMoreData {
		return nil, hresultError("IDXGIOutputDuplication::GetFrameRects", r)
	}
	var rects []image.Rectangle
	for i := 0; i+each <= int(used); i += each {
		p := (*Rect)(unsafe.Pointer(&buf[i+at]))
		rects = append(rects, image.Rect(int(p.Left), int(p.Top), int(p.Right), int(p.Bottom)))
	}
	return rects, nil
}

// Release gives the frame back to Windows (and unmaps its image).
func (o *DupOutput) Release() {
	if !o.held {
		return
	}
	o.held = false
	if o.mapped {
		o.mapped = false
		o.d.context.call(vtContextUnmap, uintptr(unsafe.Pointer(o.staging)), 0)
	}
	o.dupl.call(vtDuplReleaseFrame)
}

// Close ends every duplication and frees the device. It is safe to call
// more than once.
func (d *Duplication) Close() {
	for _, o := range d.Outputs {
		o.Release()
		o.staging.release()
		o.dupl.release()
		o.output.release()
	}
	d.Outputs = nil
	d.context.release()
	d.device.release()
	d.context, d.device = nil, nil
}

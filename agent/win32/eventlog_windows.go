package win32

import (
	"errors"
	"html"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The Windows Event Log through wevtapi: each log queried newest first, each
// event rendered as XML and its message worded by its provider.
var (
	wevtapi                  = windows.NewLazySystemDLL("wevtapi.dll")
	procEvtQuery             = wevtapi.NewProc("EvtQuery")
	procEvtNext              = wevtapi.NewProc("EvtNext")
	procEvtRender            = wevtapi.NewProc("EvtRender")
	procEvtClose             = wevtapi.NewProc("EvtClose")
	procEvtOpenPublisherMeta = wevtapi.NewProc("EvtOpenPublisherMetadata")
	procEvtFormatMessage     = wevtapi.NewProc("EvtFormatMessage")
)

const (
	evtQueryChannelPath      = 0x1
	evtQueryReverseDirection = 0x200
	evtRenderEventXML        = 1
	evtFormatMessageEvent    = 1
	evtNextBatch             = 64
	evtNextTimeoutMs         = 5000
)

// Event is an event of a Windows log: rendered as XML, and its message as
// its provider words it ("" when the provider's messages cannot be read).
type Event struct {
	XML, Message string
}

// ReadEvents reads up to limit events of the Windows log named log (such
// as "Application") that match the XPath query, newest first, through
// wevtapi (Windows Vista and later).
func ReadEvents(log, query string, limit int) ([]Event, error) {
	if err := procEvtQuery.Find(); err != nil {
		return nil, err
	}
	pubs := map[string]uintptr{}
	defer func() {
		for _, h := range pubs {
			evtClose(h)
		}
	}()
	path, _ := windows.UTF16PtrFromString(log)
	q, _ := windows.UTF16PtrFromString(query)
	rs, _, err := procEvtQuery.Call(0, uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(q)), evtQueryChannelPath|evtQueryReverseDirection)
	if rs == 0 {
		return nil, err
	}
	defer evtClose(rs)
	var out []Event
	var events [evtNextBatch]uintptr
	buf := make([]uint16, 4096)
	for len(out) < limit {
		var n uint32
		ok, _, err := procEvtNext.Call(rs, evtNextBatch, uintptr(unsafe.Pointer(&events[0])), evtNextTimeoutMs, 0, uintptr(unsafe.Pointer(&n)))
		if ok == 0 {
			if errors.Is(err, windows.ERROR_NO_MORE_ITEMS) {
				break
			}
			if len(out) == 0 {
				return nil, err
			}
			break
		}
		for _, ev := range events[:n] {
			if len(out) < limit {
				var x string
				if x, buf = renderXML(ev, buf); x != "" {
					out = append(out, Event{XML: x, Message: formatMessage(providerOf(x), ev, pubs)})
				}
			}
			evtClose(ev)
		}
	}
	return out, nil
}

// renderXML renders event ev as XML, growing buf as needed ("" if it cannot).
func renderXML(ev uintptr, buf []uint16) (string, []uint16) {
	for range 2 {
		var used, props uint32
		ok, _, err := procEvtRender.Call(0, ev, evtRenderEventXML, uintptr(len(buf)*2), uintptr(unsafe.Pointer(&buf[0])),
			uintptr(unsafe.Pointer(&used)), uintptr(unsafe.Pointer(&props)))
		if ok != 0 {
			return windows.UTF16ToString(buf[:min(int(used/2), len(buf))]), buf
		}
		if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) || int(used/2) <= len(buf) {
			return "", buf
		}
		buf = make([]uint16, used/2+1)
	}
	return "", buf
}

// formatMessage is event ev's message as its provider words it ("" when
// the provider's metadata or message cannot be read). pubs caches the
// providers' metadata handles (0: none).
func formatMessage(provider string, ev uintptr, pubs map[string]uintptr) string {
	if provider == "" {
		return ""
	}
	h, seen := pubs[provider]
	if !seen {
		p, _ := windows.UTF16PtrFromString(provider)
		h, _, _ = procEvtOpenPublisherMeta.Call(0, uintptr(unsafe.Pointer(p)), 0, 0, 0)
		pubs[provider] = h
	}
	if h == 0 {
		return ""
	}
	buf := make([]uint16, 1024)
	for range 2 {
		var used uint32
		ok, _, err := procEvtFormatMessage.Call(h, ev, 0, 0, 0, evtFormatMessageEvent, uintptr(len(buf)), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&used)))
		if ok != 0 {
			return windows.UTF16ToString(buf[:min(int(used), len(buf))])
		}
		if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) || int(used) <= len(buf) {
			return ""
		}
		buf = make([]uint16, used+1)
	}
	return ""
}

func evtClose(h uintptr) {
	if h != 0 {
		_, _, _ = procEvtClose.Call(h)
	}
}

// providerOf is the provider's name in an event rendered as XML.
func providerOf(x string) string {
	_, rest, ok := strings.Cut(x, "<Provider Name=")
	if !ok || rest == "" {
		return ""
	}
	q := rest[0]
	name, _, ok := strings.Cut(rest[1:], string(q))
	if !ok {
		return ""
	}
	return html.UnescapeString(name)
}

package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// HTTPConfig bounds what one request may hold: a client that sends slowly,
// never reads, or sends too much gets cut off instead of holding a
// connection and a goroutine.
type HTTPConfig struct {
	// ReadTimeout bounds reading a request, headers and body.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response. WebSockets have none once
	// upgraded (the hub pings them); agent downloads are bounded by their
	// progress instead (DownloadStall, DownloadMinRate).
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection with no request.
	IdleTimeout time.Duration
	// DownloadStall ends an agent download that made no progress (the
	// client read nothing) for this long.
	DownloadStall time.Duration
	// DownloadMinRate (bytes a second) bounds a whole agent download: it
	// gets WriteTimeout plus its size at this rate, then ends, so that a
	// reader trickling just enough to dodge DownloadStall cannot hold it.
	DownloadMinRate int64
	// DownloadsPerAddress bounds the agent downloads one client address
	// (an IPv6 /64) has under way on this node at once.
	DownloadsPerAddress int
	// MaxHeaderBytes bounds the request headers.
	MaxHeaderBytes int
	// MaxBody bounds every request body; handlers set tighter bounds.
	MaxBody int64
}

// DefaultHTTP are the limits used for zero fields of HTTPConfig.
var DefaultHTTP = HTTPConfig{
	ReadTimeout:         30 * time.Second,
	WriteTimeout:        60 * time.Second,
	IdleTimeout:         2 * time.Minute,
	DownloadStall:       30 * time.Second,
	DownloadMinRate:     16 << 10, // a 30 MB agent in about half an hour
	DownloadsPerAddress: 8,
	MaxHeaderBytes:      64 << 10,
	MaxBody:             4 << 20,
}

// withDefaults fills the zero fields of c from DefaultHTTP.
func (c HTTPConfig) withDefaults() HTTPConfig {
	d := DefaultHTTP
	if c.ReadTimeout == 0 {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.DownloadStall == 0 {
		c.DownloadStall = d.DownloadStall
	}
	if c.DownloadMinRate == 0 {
		c.DownloadMinRate = d.DownloadMinRate
	}
	if c.DownloadsPerAddress == 0 {
		c.DownloadsPerAddress = d.DownloadsPerAddress
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if c.MaxBody == 0 {
		c.MaxBody = d.MaxBody
	}
	return c
}

// server returns an http.Server for h with c's limits.
func (c HTTPConfig) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           c.bound(h),
		ReadHeaderTimeout: min(10*time.Second, c.ReadTimeout),
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    c.MaxHeaderBytes,
	}
}

// bound caps every request body at MaxBody. WebSockets need nothing:
// net/http clears a connection's deadlines when it is hijacked, and the hub
// pings its sockets.
func (c HTTPConfig) bound(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, c.MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// downloads bounds agent downloads (paths under /download/): how many one
// client address has under way at once, and how long each may take (see
// DownloadStall, DownloadMinRate). It must see the client's own address,
// so it goes inside the trusted proxies' handler. The count is this node's:
// a download is a connection to it.
func (c HTTPConfig) downloads(next http.Handler) http.Handler {
	var mu sync.Mutex
	active := map[string]int{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/download/") {
			next.ServeHTTP(w, r)
			return
		}
		key := store.AddrKey(auth.ClientIP(r))
		mu.Lock()
		full := active[key] >= c.DownloadsPerAddress
		if !full {
			active[key]++
		}
		mu.Unlock()
		if full {
			w.Header().Set("Retry-After", strconv.Itoa(int(c.DownloadStall.Seconds())))
			http.Error(w, i18n.T(i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")), "download.busy"), http.StatusTooManyRequests)
			return
		}
		defer func() {
			mu.Lock()
			if active[key]--; active[key] <= 0 {
				delete(active, key)
			}
			mu.Unlock()
		}()
		next.ServeHTTP(&downloadWriter{ResponseWriter: w, rc: http.NewResponseController(w), cfg: c, start: time.Now()}, r)
	})
}

// downloadWriter moves the write deadline of a download before each write:
// DownloadStall from now, never past the download's whole bound (its
// Content-Length at DownloadMinRate, plus WriteTimeout).
type downloadWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	cfg   HTTPConfig
	start time.Time
	end   time.Time // zero until the first write
}

func (d *downloadWriter) Write(b []byte) (int, error) {
	if d.end.IsZero() {
		size, _ := strconv.ParseInt(d.Header().Get("Content-Length"), 10, 64)
		d.end = d.start.Add(d.cfg.WriteTimeout + time.Duration(max(size, 0)/d.cfg.DownloadMinRate)*time.Second)
	}
	deadline := time.Now().Add(d.cfg.DownloadStall)
	if deadline.After(d.end) {
		deadline = d.end
	}
	if err := d.rc.SetWriteDeadline(deadline); err != nil {
		return 0, err
	}
	return d.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (d *downloadWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

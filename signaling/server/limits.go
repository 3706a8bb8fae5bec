package server

import (
	"net/http"
	"strings"
	"time"
)

// HTTPConfig bounds what one request may hold: a client that sends slowly,
// never reads, or sends too much gets cut off instead of holding a
// connection and a goroutine.
type HTTPConfig struct {
	// ReadTimeout bounds reading a request, headers and body.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response. WebSockets have none once
	// upgraded (the hub pings them); agent downloads get DownloadTimeout.
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection with no request.
	IdleTimeout time.Duration
	// DownloadTimeout bounds sending an agent download, for slow links.
	DownloadTimeout time.Duration
	// MaxHeaderBytes bounds the request headers.
	MaxHeaderBytes int
	// MaxBody bounds every request body; handlers set tighter bounds.
	MaxBody int64
}

// DefaultHTTP are the limits used for zero fields of HTTPConfig.
var DefaultHTTP = HTTPConfig{
	ReadTimeout:     30 * time.Second,
	WriteTimeout:    60 * time.Second,
	IdleTimeout:     2 * time.Minute,
	DownloadTimeout: time.Hour,
	MaxHeaderBytes:  64 << 10,
	MaxBody:         4 << 20,
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
	if c.DownloadTimeout == 0 {
		c.DownloadTimeout = d.DownloadTimeout
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

// bound caps every request body at MaxBody and lengthens the write deadline
// of agent downloads. WebSockets need nothing: net/http clears a
// connection's deadlines when it is hijacked, and the hub pings its sockets.
func (c HTTPConfig) bound(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/download/") {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(c.DownloadTimeout))
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, c.MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

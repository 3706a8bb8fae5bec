package xshape

import (
	"errors"
	"fmt"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// ErrMissing means the X server has no SHAPE extension.
var ErrMissing = errors.New("the X server has no SHAPE extension")

// Use enables SHAPE requests on conn. Unlike shape.Init it leaves xgb's
// process-wide event tables alone: Init writes them on every call, while the
// reader goroutine of every other connection reads them, which is a data race
// (and a possible crash) in a process with several X connections, as the
// agent is. Callers never ask for SHAPE events, so they do not need them.
func Use(conn *xgb.Conn) error {
	r, err := xproto.QueryExtension(conn, uint16(len("SHAPE")), "SHAPE").Reply()
	switch {
	case err != nil:
		return fmt.Errorf("query SHAPE: %w", err)
	case !r.Present:
		return ErrMissing
	}
	conn.ExtLock.Lock()
	conn.Extensions["SHAPE"] = r.MajorOpcode
	conn.ExtLock.Unlock()
	return nil
}

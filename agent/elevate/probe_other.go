//go:build !linux && !windows

package elevate

import "runtime"

// probe: other systems have no elevation built in.
func probe() Facts { return Facts{OS: runtime.GOOS} }

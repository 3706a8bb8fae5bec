package elevate

import (
	"errors"
	"testing"
)

// Every case of the decision: already elevated, the system's prompt
// possible (as an administrator, or with an administrator's credentials),
// and each reason it is not, told to the technician.
func TestDecide(t *testing.T) {
	linux := Facts{OS: "linux", Pkexec: true, PolkitAgent: true, Desktop: true, Admin: true}
	windows := Facts{OS: "windows", Desktop: true, Admin: true}
	with := func(f Facts, change func(*Facts)) Facts { change(&f); return f }
	for _, tc := range []struct {
		name        string
		facts       Facts
		method      string
		credentials bool
		err         error
	}{
		{"linux, an administrator", linux, MethodPkexec, false, nil},
		{"linux, not an administrator: credentials", with(linux, func(f *Facts) { f.Admin = false }), MethodPkexec, true, nil},
		{"linux, already root", with(linux, func(f *Facts) { f.Elevated = true }), "", false, ErrAlready},
		{"linux, no pkexec", with(linux, func(f *Facts) { f.Pkexec = false }), "", false, ErrNoPkexec},
		{"linux, no polkit agent", with(linux, func(f *Facts) { f.PolkitAgent = false }), "", false, ErrNoAgent},
		{"linux, no desktop", with(linux, func(f *Facts) { f.Desktop = false }), "", false, ErrNoDesktop},
		{"windows, an administrator: consent", windows, MethodRunAs, false, nil},
		{"windows, a standard user: credentials", with(windows, func(f *Facts) { f.Admin = false }), MethodRunAs, true, nil},
		{"windows, elevated already (or a service)", with(windows, func(f *Facts) { f.Elevated = true }), "", false, ErrAlready},
		{"windows, no interactive desktop", with(windows, func(f *Facts) { f.Desktop = false }), "", false, ErrNoDesktop},
		{"macOS", Facts{OS: "darwin", Desktop: true}, "", false, ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.facts)
			if d.Method != tc.method || d.Credentials != tc.credentials || !errors.Is(d.Err, tc.err) || (tc.err == nil) != (d.Err == nil) {
				t.Errorf("Decide(%+v) = %+v, want method %q, credentials %v, err %v", tc.facts, d, tc.method, tc.credentials, tc.err)
			}
		})
	}
}

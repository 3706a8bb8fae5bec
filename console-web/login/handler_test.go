package login

import "testing"

// TestSafeNextRefusesBypasses feeds safeNext the known open-redirect bypasses:
// each must fall back to the console, and plain same-site paths must pass.
func TestSafeNextRefusesBypasses(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/console", "/console"},
		{"/sessions/abc?tab=chat#files", "/sessions/abc?tab=chat#files"},
		{"/admin", "/admin"},
		{"", "/console"},
		{"console", "/console"},
		{"https://evil.example/", "/console"},
		{"//evil.example", "/console"},
		{"/\\evil.example", "/console"},
		{"\\\\evil.example", "/console"},
		{"/\t/evil.example", "/console"},
		{"/\n/evil.example", "/console"},
		{"/\r/evil.example", "/console"},
		{"/\x00/evil.example", "/console"},
		{"/ /evil.example", "/console"},
		{"/%09/evil.example", "/console"},
		{"/%2F/evil.example", "/console"},
		{"/%5Cevil.example", "/console"},
		{"/\u202e/evil.example", "/console"},
		{"javascript:alert(1)", "/console"},
		{"/\xff", "/console"},
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

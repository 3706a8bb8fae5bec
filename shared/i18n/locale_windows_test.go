package i18n

import (
	"os"
	"testing"
)

// On Windows, with no LANG, the agent speaks the user's language: run under
// Wine with a French locale (LIFELINE_TEST_LOCALE=fr), it picks French.
func TestFromEnvReadsTheWindowsLocale(t *testing.T) {
	want, ok := Parse(os.Getenv("LIFELINE_TEST_LOCALE"))
	if !ok {
		t.Skip("LIFELINE_TEST_LOCALE names no language: run by e2e/wine's TestWindowsUnitTestsUnderWine")
	}
	t.Logf("Windows user locale: %q", systemLocale())
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		t.Setenv(v, "")
	}
	if got := FromEnv(); got != want {
		t.Fatalf("FromEnv = %s with the Windows locale %q, want %s", got, systemLocale(), want)
	}
}

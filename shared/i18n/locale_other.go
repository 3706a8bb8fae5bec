//go:build !windows

package i18n

// systemLocale is empty where the environment (LANG and friends) is the
// system's locale.
func systemLocale() string { return "" }

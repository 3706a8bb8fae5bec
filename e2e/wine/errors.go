package wine

import "errors"

// ErrNotInstalled means wine64 or the mingw C compiler is missing (go tool
// task deps installs both).
var ErrNotInstalled = errors.New("wine64 or x86_64-w64-mingw32-gcc is not installed (go tool task deps installs them)")

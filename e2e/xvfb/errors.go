package xvfb

import "errors"

// ErrNotInstalled means there is no Xvfb on PATH: apt-get install xvfb.
var ErrNotInstalled = errors.New("xvfb: no Xvfb on PATH (apt-get install xvfb)")

// errDisplayTaken means Xvfb exited without reporting ready, most likely
// because another server took the display number first.
var errDisplayTaken = errors.New("display number taken")

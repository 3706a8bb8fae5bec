package e2e

import "errors"

// errChromiumOnly is what a Chromium-only step (CDP: permissions, focus
// emulation, raw mouse events) says when the technician is in Firefox.
var errChromiumOnly = errors.New("this step drives Chromium over CDP; the technician is in Firefox")

// errScript is a JavaScript exception in the page, or a value that is not JSON.
var errScript = errors.New("script error")

// Package static embeds the console's stylesheet and ES modules.
package static

import "embed"

// FS holds the files served under /static/: the stylesheet, the modules and
// the product's icon (icon.svg, linked by every page; favicon.ico, the
// agent's Windows icon, also served at /favicon.ico), and the vendored
// terminal emulator (vendor/xterm, with its licences).
//
//go:embed *.css *.js *.svg *.ico vendor
var FS embed.FS

// Package static embeds the console's stylesheet and ES modules.
package static

import "embed"

// FS holds the files served under /static/: the one stylesheet, the ES
// modules, the product's icon (icon.svg, linked by every page; favicon.ico,
// the agent's Windows icon, also served at /favicon.ico), the icons (Lucide,
// ISC licence in icons/LICENSE; only the ones the pages use are vendored,
// from lucide-static 1.87.0) and the vendored terminal emulator
// (vendor/xterm, with its licences).
//
//go:embed *.css *.js *.svg *.ico icons vendor
var FS embed.FS

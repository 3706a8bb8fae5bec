// Package static embeds the console's stylesheet and ES modules.
package static

import "embed"

// FS holds the files served under /static/: the stylesheet, the modules and
// the product's icon (icon.svg, linked by every page; favicon.ico, the
// agent's Windows icon, also served at /favicon.ico).
//
//go:embed *.css *.js *.svg *.ico
var FS embed.FS

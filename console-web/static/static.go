// Package static embeds the console's stylesheet and ES modules.
package static

import "embed"

// FS holds the files served under /static/.
//
//go:embed *.css *.js
var FS embed.FS

//go:build !windows

package fileman

import "io/fs"

// badNameChars cannot be in a name on this system.
const badNameChars = "/"

// nameOK accepts every other name: Linux names are bytes.
func nameOK(string) bool { return true }

// hidden reports whether an entry is hidden: a dot file.
func hidden(name string, _ fs.DirEntry) bool { return len(name) > 0 && name[0] == '.' }

package orgkey

import "errors"

// ErrBadFile means the key file exists but cannot be read as one.
var ErrBadFile = errors.New("organisation key file is damaged: restore it from your offline copy, or move it away to start with a new key (customers' downloaded programs will then need a new download)")

// ErrOpenFile means the key file can be read by other users than the server's.
var ErrOpenFile = errors.New("organisation key file is readable by other users: run chmod 600 on it")

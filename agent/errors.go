package main

import "errors"

// errOldWindows means Windows is older than 10, which the agent does not
// support.
var errOldWindows = errors.New("Windows 10 or later is needed")

package main

import "errors"

// errNotOnWindows means a feature of the agent has no Windows version yet;
// the session goes on without it.
var errNotOnWindows = errors.New("not available on Windows yet")

// errOldWindows means Windows is older than 10, which the agent does not
// support.
var errOldWindows = errors.New("Windows 10 or later is needed")

package main

import "errors"

// errNotOnWindows means a feature of the agent has no Windows version yet;
// the session goes on without it.
var errNotOnWindows = errors.New("not available on Windows yet")

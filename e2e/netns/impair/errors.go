package main

import "errors"

// Errors the queue reports; each says which step of talking to the kernel
// failed.
var (
	// ErrBind is returned when the kernel refuses to hand over a queue
	// (another program holds that number, or nfnetlink_queue is missing).
	ErrBind = errors.New("cannot bind the netfilter queue")
	// ErrShortMessage is returned for a netlink message too short to parse.
	ErrShortMessage = errors.New("short netlink message")
)

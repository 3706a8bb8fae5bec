//go:build !windows

package main

import "errors"

type desktop struct{}

func openDefault() (desktop, error) {
	return desktop{}, errors.New("a Windows program: run it under Wine")
}

func (desktop) close()               {}
func (desktop) setAccess(bool) error { return nil }

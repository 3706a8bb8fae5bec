//go:build !linux

package sysinfo

import "github.com/lifeline-support/lifeline/shared/protocol"

// noSource is the source of systems whose information is not read yet
// (Windows, macOS): every request gets ErrUnavailable, a sentence for the
// technician.
type noSource struct{}

func newSource() source { return noSource{} }

func (noSource) dashboard() (protocol.Dashboard, error) { return protocol.Dashboard{}, ErrUnavailable }
func (noSource) processes() ([]sample, error)           { return nil, ErrUnavailable }
func (noSource) name(int) (string, error)               { return "", ErrUnavailable }
func (noSource) kill(int) error                         { return ErrUnavailable }
func (noSource) ticksPerSecond() float64                { return 1 }

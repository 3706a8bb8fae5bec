//go:build !linux && !windows

package sysinfo

import "github.com/lifeline-support/lifeline/shared/protocol"

// noInventory is the inventory of systems not read yet (macOS): every tab
// answers ErrUnavailable.
type noInventory struct{}

func newInventory() inventory { return noInventory{} }

func (noInventory) elevated() bool                          { return false }
func (noInventory) services() ([]protocol.Entry, error)     { return nil, ErrUnavailable }
func (noInventory) service(string, string) error            { return ErrUnavailable }
func (noInventory) applications() ([]protocol.Entry, error) { return nil, ErrUnavailable }
func (noInventory) startup() ([]protocol.Entry, error)      { return nil, ErrUnavailable }
func (noInventory) drivers() ([]protocol.Entry, error)      { return nil, ErrUnavailable }
func (noInventory) events(string) ([]protocol.Entry, error) { return nil, ErrUnavailable }

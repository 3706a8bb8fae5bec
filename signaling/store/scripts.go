package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// bucketScripts holds the administrator's script library, keyed by script ID.
const bucketScripts = "lifeline_scripts"

// MaxScriptDescription bounds a script's description, in bytes.
const MaxScriptDescription = 1000

// Script is one script of the library: what a technician of one of its
// Groups runs on a customer's machine, with its attached files.
type Script struct {
	ID          string                `json:"id"`
	Name        string                `json:"name"`
	Description string                `json:"description,omitempty"`
	Lang        string                `json:"lang"`
	Text        string                `json:"text"`
	Files       []protocol.ScriptFile `json:"files,omitempty"`
	// Groups are the technician groups that may run it.
	Groups []string `json:"groups,omitempty"`
	// AtStart are the groups that run it at the start of each of their
	// sessions, once the customer allows commands: a group has at most
	// one such script (PutScript takes the group off the others).
	AtStart []string `json:"atStart,omitempty"`
}

// Run is what the agent is sent to run the script.
func (s Script) Run() protocol.ScriptRun {
	return protocol.ScriptRun{Name: s.Name, Lang: s.Lang, Text: s.Text, Files: s.Files}
}

// For reports whether group may run the script.
func (s Script) For(group string) bool { return slices.Contains(s.Groups, GroupOf(group)) }

// Validate checks the script as the agent will (protocol.ScriptRun.Check)
// and its description and groups; a group that runs it at the start of
// its sessions must be allowed to run it.
func (s Script) Validate() error {
	if err := s.Run().Check(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(s.Description) > MaxScriptDescription || !utf8.ValidString(s.Description) {
		return fmt.Errorf("%w: description over %d bytes or not UTF-8", ErrInvalid, MaxScriptDescription)
	}
	for _, g := range s.AtStart {
		if !slices.Contains(s.Groups, g) {
			return fmt.Errorf("%w: group %s runs the script at the start of its sessions but may not run it", ErrInvalid, g)
		}
	}
	return nil
}

// NewScriptID returns a new script's ID.
func NewScriptID() string { return strings.ToLower(rand.Text()) }

// Script reads one script.
func (s *Store) Script(ctx context.Context, id string) (Script, error) {
	var v Script
	_, err := get(ctx, s.scripts, id, &v)
	return v, err
}

// Scripts lists the library, by name.
func (s *Store) Scripts(ctx context.Context) ([]Script, error) {
	return list[Script](ctx, s.scripts, s.Script, func(a, b Script) bool {
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

// PutScript creates or replaces a script, and takes the groups that run
// it at the start of their sessions off any other script.
func (s *Store) PutScript(ctx context.Context, v Script) error {
	if !ValidKey(v.ID) {
		return ErrInvalid
	}
	if err := v.Validate(); err != nil {
		return err
	}
	if err := put(ctx, s.scripts, v.ID, v); err != nil {
		return err
	}
	if len(v.AtStart) == 0 {
		return nil
	}
	all, err := s.Scripts(ctx)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID == v.ID {
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(o.AtStart), func(g string) bool { return slices.Contains(v.AtStart, g) })
		if len(kept) != len(o.AtStart) {
			o.AtStart = kept
			if err := put(ctx, s.scripts, o.ID, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteScript removes a script.
func (s *Store) DeleteScript(ctx context.Context, id string) error {
	if !ValidKey(id) {
		return ErrNotFound
	}
	return s.scripts.Delete(ctx, id)
}

// ScriptsFor lists the scripts group may run, and the one it runs at the
// start of its sessions (nil if none).
func (s *Store) ScriptsFor(ctx context.Context, group string) ([]Script, *Script, error) {
	all, err := s.Scripts(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []Script
	var start *Script
	for _, v := range all {
		if !v.For(group) {
			continue
		}
		out = append(out, v)
		if slices.Contains(v.AtStart, GroupOf(group)) && start == nil {
			c := v
			start = &c
		}
	}
	return out, start, nil
}

// errScriptNotAllowed is returned by ScriptFor for a script the group may
// not run: the same as one that does not exist.
var errScriptNotAllowed = fmt.Errorf("script: %w", ErrNotFound)

// ScriptFor reads script id if group may run it; ErrNotFound otherwise.
func (s *Store) ScriptFor(ctx context.Context, id, group string) (Script, error) {
	v, err := s.Script(ctx, id)
	if err != nil {
		return Script{}, err
	}
	if !v.For(group) {
		return Script{}, errScriptNotAllowed
	}
	return v, nil
}

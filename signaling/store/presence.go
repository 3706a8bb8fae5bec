package store

import (
	"context"
	"errors"
	"time"
)

// bucketPresence holds each technician's chosen status and when their console
// was last seen.
const bucketPresence = "lifeline_presence"

// Status is a technician's availability as they set it.
type Status string

// Statuses. Busy is not chosen: it follows from the number of active sessions.
const (
	StatusOnline Status = "online"
	StatusAway   Status = "away"
	StatusBusy   Status = "busy"
	// StatusOffline: no console seen recently.
	StatusOffline Status = "offline"
)

// Presence is a technician's status as stored.
type Presence struct {
	TechnicianID string    `json:"technicianId"`
	Name         string    `json:"name"`
	Status       Status    `json:"status"` // online or away
	Seen         time.Time `json:"seen"`
	// AutoStart opens waiting sessions by itself in the technician's queue.
	AutoStart bool `json:"autoStart,omitempty"`
}

// PresenceFresh is how long a console counts as there after it was last seen.
const PresenceFresh = 30 * time.Second

// UpdatePresence changes a technician's presence, creating it if needed.
func (s *Store) UpdatePresence(ctx context.Context, techID string, fn func(*Presence) error) (Presence, error) {
	if err := create(ctx, s.presence, techID, Presence{TechnicianID: techID, Status: StatusOnline}); err != nil && !errors.Is(err, ErrExists) {
		return Presence{}, err
	}
	return update(ctx, s.presence, techID, fn)
}

// Presences lists every technician's stored presence.
func (s *Store) Presences(ctx context.Context) ([]Presence, error) {
	keys, err := s.presence.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []Presence
	for k := range keys.Keys() {
		var p Presence
		if _, err := get(ctx, s.presence, k, &p); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// Presence reads one technician's presence (zero, offline, if never seen).
func (s *Store) Presence(ctx context.Context, techID string) (Presence, error) {
	var p Presence
	_, err := get(ctx, s.presence, techID, &p)
	if errors.Is(err, ErrNotFound) {
		return Presence{TechnicianID: techID, Status: StatusOffline}, nil
	}
	return p, err
}

// Effective is the status others see at now: offline when the console has not
// been seen lately, busy at busyAt active sessions or more (0: never busy).
func (p Presence) Effective(now time.Time, active, busyAt int) Status {
	switch {
	case p.Seen.IsZero() || now.Sub(p.Seen) > PresenceFresh:
		return StatusOffline
	case p.Status == StatusAway:
		return StatusAway
	case busyAt > 0 && active >= busyAt:
		return StatusBusy
	}
	return StatusOnline
}

package sessions

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Why a custom field's value was refused (FieldsError holds one per field).
var (
	// ErrFieldRequired means a required field was left empty.
	ErrFieldRequired = errors.New("this field is required")
	// ErrFieldTooLong means a value over store.MaxFieldValue characters.
	ErrFieldTooLong = fmt.Errorf("at most %d characters", store.MaxFieldValue)
	// ErrFieldHidden means a value that is not UTF-8 or holds invisible or
	// direction-changing characters (text.CheckName).
	ErrFieldHidden = errors.New("not UTF-8, or holds invisible or direction-changing characters")
	// ErrFieldOption means a choice field's value is not one of its options.
	ErrFieldOption = errors.New("not one of the field's options")
	// ErrNoField means the custom field does not exist (any more).
	ErrNoField = errors.New("no such custom field")
)

// FieldsError maps the ID of each custom field whose value was refused to
// the reason (ErrFieldRequired, ...).
type FieldsError map[string]error

func (e FieldsError) Error() string {
	ids := make([]string, 0, len(e))
	for id := range e {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id + ": " + e[id].Error()
	}
	return "custom fields: " + strings.Join(parts, "; ")
}

// checkValue checks one value of field f (spaces around it trimmed) and
// returns it; "" with no error means an optional field left empty.
func checkValue(f store.CustomField, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && f.Required:
		return "", ErrFieldRequired
	case v == "":
		return "", nil
	case !utf8.ValidString(v) || text.CheckName(v) != nil:
		return "", ErrFieldHidden
	case utf8.RuneCountInString(v) > store.MaxFieldValue:
		return "", ErrFieldTooLong
	case f.Kind == store.FieldChoice && !f.HasOption(v):
		return "", ErrFieldOption
	}
	return v, nil
}

// CheckFields checks the values a technician gave (field ID → value) against
// the field definitions defs and returns them as the session keeps them, in
// the definitions' order; a FieldsError names every field refused. Values
// of fields not defined (deleted while the form was open) are left out.
func CheckFields(defs []store.CustomField, values map[string]string) ([]store.FieldValue, error) {
	var out []store.FieldValue
	bad := FieldsError{}
	for _, f := range defs {
		v, err := checkValue(f, values[f.ID])
		if err != nil {
			bad[f.ID] = err
			continue
		}
		if v != "" {
			out = append(out, store.FieldValue{ID: f.ID, Name: f.Name, Value: v})
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return out, nil
}

// SetField changes the value of custom field id in session sid: only the
// session's technician may, while it is open. The value follows the rules of
// CheckFields (a FieldsError says why not); the change is audited.
func (s *Service) SetField(ctx context.Context, tech auth.Technician, sid, id, value string) (store.Session, error) {
	defs, err := s.cfg.Store.CustomFields(ctx)
	if err != nil {
		return store.Session{}, err
	}
	var def *store.CustomField
	for i := range defs {
		if defs[i].ID == id {
			def = &defs[i]
		}
	}
	if def == nil {
		return store.Session{}, ErrNoField
	}
	v, err := checkValue(*def, value)
	if err != nil {
		return store.Session{}, FieldsError{id: err}
	}
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.TechnicianID != tech.ID {
			return ErrNotFound
		}
		if ss.State.Closed() {
			return ErrClosed
		}
		ss.Fields = setValue(ss.Fields, store.FieldValue{ID: id, Name: def.Name, Value: v})
		ss.Changed = time.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return ss, ErrNotFound
	}
	if err != nil {
		return ss, err
	}
	s.record(audit.Event{Type: audit.SessionFieldSet, Actor: tech.ID, SessionID: sid, Detail: def.Name + " = " + v})
	s.publishState(ss)
	return ss, nil
}

// setValue replaces (or adds, or with an empty value removes) a field's
// value in values.
func setValue(values []store.FieldValue, v store.FieldValue) []store.FieldValue {
	out := make([]store.FieldValue, 0, len(values)+1)
	done := false
	for _, x := range values {
		if x.ID == v.ID {
			done = true
			if v.Value == "" {
				continue
			}
			x = v
		}
		out = append(out, x)
	}
	if !done && v.Value != "" {
		out = append(out, v)
	}
	return out
}

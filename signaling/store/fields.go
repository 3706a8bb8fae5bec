package store

import (
	"context"
	"errors"
)

// Custom session field kinds.
const (
	// FieldText is a line of free text.
	FieldText = "text"
	// FieldChoice is one of the field's options.
	FieldChoice = "choice"
)

// Limits of custom session fields.
const (
	// MaxFields bounds the custom fields an organisation defines.
	MaxFields = 20
	// MaxFieldOptions bounds the options of a choice field.
	MaxFieldOptions = 30
	// MaxFieldValue bounds a field's value and each option, in characters.
	MaxFieldValue = 200
)

// CustomField is a session field the administrator defines: technicians
// fill it when they create a session, see it in the queue and the history,
// and reports filter by it.
type CustomField struct {
	// ID names the field in sessions; it never changes, so renaming the
	// field keeps the values already given.
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`              // FieldText or FieldChoice
	Options  []string `json:"options,omitempty"` // FieldChoice only
	Required bool     `json:"required,omitempty"`
}

// HasOption reports whether v is one of the field's options.
func (f CustomField) HasOption(v string) bool {
	for _, o := range f.Options {
		if o == v {
			return true
		}
	}
	return false
}

// FieldValue is a custom field's value in a session. The field's name is
// kept beside it, so the value stays readable after the field is deleted.
type FieldValue struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// FieldValueOf returns the value of field id in values, and whether it is set.
func FieldValueOf(values []FieldValue, id string) (string, bool) {
	for _, v := range values {
		if v.ID == id {
			return v.Value, true
		}
	}
	return "", false
}

// fieldsKey is where the field definitions live in the settings bucket.
const fieldsKey = "fields"

type fieldList struct {
	Fields []CustomField `json:"fields"`
}

// CustomFields lists the organisation's custom session fields, in the order
// the administrator gave them.
func (s *Store) CustomFields(ctx context.Context) ([]CustomField, error) {
	var l fieldList
	_, err := get(ctx, s.settings, fieldsKey, &l)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return l.Fields, err
}

// UpdateCustomFields changes the field definitions with compare-and-set; fn
// may refuse with an error.
func (s *Store) UpdateCustomFields(ctx context.Context, fn func([]CustomField) ([]CustomField, error)) ([]CustomField, error) {
	if err := create(ctx, s.settings, fieldsKey, fieldList{}); err != nil && !errors.Is(err, ErrExists) {
		return nil, err
	}
	l, err := update(ctx, s.settings, fieldsKey, func(l *fieldList) error {
		fs, err := fn(append([]CustomField(nil), l.Fields...))
		if err != nil {
			return err
		}
		if len(fs) > MaxFields {
			return ErrInvalid
		}
		l.Fields = fs
		return nil
	})
	return l.Fields, err
}

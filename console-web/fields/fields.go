// Package fields shows the organisation's custom session fields in forms
// (the invitation form, the queue's editor) and says why a value was refused.
package fields

import (
	"errors"
	"net/http"
	"strings"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Prefix starts the form name of a custom field's input: "field.<id>".
const Prefix = "field."

// FromForm returns the custom field values of a parsed form (field ID → value).
func FromForm(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, vs := range r.PostForm {
		if id, ok := strings.CutPrefix(k, Prefix); ok && len(vs) > 0 {
			out[id] = vs[0]
		}
	}
	return out
}

// Message is the sentence a technician reads beside a field whose value was
// refused for err.
func Message(p layout.Page, err error) string {
	switch {
	case errors.Is(err, sessions.ErrFieldRequired):
		return p.T("fields.required")
	case errors.Is(err, sessions.ErrFieldTooLong):
		return p.T("fields.tooLong", store.MaxFieldValue)
	case errors.Is(err, sessions.ErrFieldHidden):
		return p.T("fields.hidden")
	case errors.Is(err, sessions.ErrFieldOption):
		return p.T("fields.option")
	}
	return p.T("fields.unknown")
}

// Messages turns a sessions.FieldsError into the messages shown beside each
// field (field ID → sentence).
func Messages(p layout.Page, fe sessions.FieldsError) map[string]string {
	out := map[string]string{}
	for id, err := range fe {
		out[id] = Message(p, err)
	}
	return out
}

// Form is what Inputs shows: the definitions, what was typed and why a
// value was refused, by field ID.
type Form struct {
	Defs   []store.CustomField
	Values map[string]string
	Errs   map[string]string
	// IDPrefix starts the inputs' element IDs ("new-field-<id>").
	IDPrefix string
	// Customer is the customer's name as typed, for the invitation form.
	Customer string
	// Compact shows each field's name inside it rather than above it (the
	// queue's header), still naming it for screen readers.
	Compact bool
}

// placeholder is the hint inside a text field: its name when Compact.
func placeholder(f Form, d store.CustomField) string {
	if f.Compact {
		return d.Name
	}
	return ""
}

func (f Form) inputID(d store.CustomField) string { return f.IDPrefix + d.ID }

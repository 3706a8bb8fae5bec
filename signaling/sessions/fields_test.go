package sessions

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/signaling/store"
)

var testFields = []store.CustomField{
	{ID: "ticket", Name: "Ticket", Kind: store.FieldText, Required: true},
	{ID: "topic", Name: "Topic", Kind: store.FieldChoice, Options: []string{"Printer", "Mail"}},
}

func TestCheckFields(t *testing.T) {
	tests := []struct {
		name    string
		values  map[string]string
		want    []store.FieldValue
		wantErr map[string]error
	}{
		{"both", map[string]string{"ticket": " T-42 ", "topic": "Mail"},
			[]store.FieldValue{{ID: "ticket", Name: "Ticket", Value: "T-42"}, {ID: "topic", Name: "Topic", Value: "Mail"}}, nil},
		{"optional left empty", map[string]string{"ticket": "T-1"}, []store.FieldValue{{ID: "ticket", Name: "Ticket", Value: "T-1"}}, nil},
		{"a field no longer defined is left out", map[string]string{"ticket": "T-1", "gone": "x"}, []store.FieldValue{{ID: "ticket", Name: "Ticket", Value: "T-1"}}, nil},
		{"required missing", map[string]string{"topic": "Mail"}, nil, map[string]error{"ticket": ErrFieldRequired}},
		{"required only spaces", map[string]string{"ticket": "   "}, nil, map[string]error{"ticket": ErrFieldRequired}},
		{"not an option", map[string]string{"ticket": "T", "topic": "mail"}, nil, map[string]error{"topic": ErrFieldOption}},
		{"too long", map[string]string{"ticket": strings.Repeat("é", store.MaxFieldValue+1)}, nil, map[string]error{"ticket": ErrFieldTooLong}},
		{"as long as allowed", map[string]string{"ticket": strings.Repeat("é", store.MaxFieldValue)},
			[]store.FieldValue{{ID: "ticket", Name: "Ticket", Value: strings.Repeat("é", store.MaxFieldValue)}}, nil},
		{"bidi override", map[string]string{"ticket": "T-\u202e24"}, nil, map[string]error{"ticket": ErrFieldHidden}},
		{"not UTF-8", map[string]string{"ticket": "T-\xff"}, nil, map[string]error{"ticket": ErrFieldHidden}},
		{"newline", map[string]string{"ticket": "T\n1"}, nil, map[string]error{"ticket": ErrFieldHidden}},
		{"every bad field named", map[string]string{"topic": "Fax"}, nil, map[string]error{"ticket": ErrFieldRequired, "topic": ErrFieldOption}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckFields(testFields, tc.values)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tc.want) {
					t.Fatalf("got %+v, want %+v", got, tc.want)
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Errorf("value %d: %+v, want %+v", i, got[i], tc.want[i])
					}
				}
				return
			}
			var fe FieldsError
			if !errors.As(err, &fe) || len(fe) != len(tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			for id, want := range tc.wantErr {
				if !errors.Is(fe[id], want) {
					t.Errorf("%s: %v, want %v", id, fe[id], want)
				}
			}
		})
	}
}

// Changing one value keeps the others, including those of deleted fields.
func TestSetValueKeepsTheOthers(t *testing.T) {
	old := []store.FieldValue{{ID: "gone", Name: "Old field", Value: "kept"}, {ID: "topic", Name: "Topic", Value: "Mail"}}
	got := setValue(old, store.FieldValue{ID: "topic", Name: "Topic", Value: "Printer"})
	if len(got) != 2 || got[0].Value != "kept" || got[1].Value != "Printer" {
		t.Errorf("changed: %+v", got)
	}
	got = setValue(got, store.FieldValue{ID: "topic", Name: "Topic"})
	if len(got) != 1 || got[0].ID != "gone" {
		t.Errorf("cleared: %+v", got)
	}
	got = setValue(got, store.FieldValue{ID: "ticket", Name: "Ticket", Value: "T-9"})
	if len(got) != 2 || got[1].Value != "T-9" {
		t.Errorf("added: %+v", got)
	}
	if old[1].Value != "Mail" {
		t.Error("the session's old values were changed in place")
	}
}

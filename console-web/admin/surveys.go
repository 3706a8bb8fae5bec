package admin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// surveyKinds are the kinds of question an administrator picks from.
var surveyKinds = []string{protocol.SurveyRating, protocol.SurveyYesNo, protocol.SurveyText}

// spareQuestions is how many empty question rows a group's survey form shows.
const spareQuestions = 3

// surveyFormID is the element ID of group id's survey form.
func surveyFormID(id string) string { return "survey-" + id }

// surveyRow is one question row of a survey form.
type surveyRow struct{ Text, Kind string }

// surveyRows are the question rows of group set's form: as typed when that
// form was refused, else the stored questions, then empty rows.
func surveyRows(f refusedForm, set store.SurveySettings) []surveyRow {
	var rows []surveyRow
	if f.ID == surveyFormID(set.GroupID) {
		kinds := f.Values["kind"]
		for i, q := range f.Values["q"] {
			k := ""
			if i < len(kinds) {
				k = kinds[i]
			}
			rows = append(rows, surveyRow{q, k})
		}
		return rows
	}
	for _, q := range set.Questions {
		rows = append(rows, surveyRow{q.Text, q.Kind})
	}
	for range spareQuestions {
		if len(rows) < protocol.MaxSurveyQuestions {
			rows = append(rows, surveyRow{Kind: protocol.SurveyRating})
		}
	}
	return rows
}

// surveysOf reads every group's surveys, in the groups' order.
func (h *Handler) surveysOf(r *http.Request, groups []store.Group) ([]store.SurveySettings, error) {
	out := make([]store.SurveySettings, 0, len(groups))
	for _, g := range groups {
		s, err := h.Store.SurveySettings(r.Context(), g.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// groupName is the name of group id among groups.
func groupName(groups []store.Group, id string) string {
	for _, g := range groups {
		if g.ID == id {
			return g.Name
		}
	}
	return id
}

func (h *Handler) putSurveys(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusBadRequest, "admin.badSurvey")
		return
	}
	id := r.PostFormValue("group")
	if _, err := h.Store.Group(r.Context(), id); err != nil {
		h.fail(w, r, http.StatusBadRequest, "admin.badGroup")
		return
	}
	set := store.SurveySettings{
		GroupID:            id,
		Customer:           r.PostFormValue("customer") == "on",
		TechnicianRequired: r.PostFormValue("required") == "on",
		Categories:         store.ParseCategories(r.PostFormValue("categories")),
	}
	kinds := r.PostForm["kind"]
	for i, q := range r.PostForm["q"] {
		q = strings.TrimSpace(q)
		if q == "" {
			continue // an empty row asks nothing
		}
		k := protocol.SurveyRating
		if i < len(kinds) {
			k = kinds[i]
		}
		set.Questions = append(set.Questions, protocol.SurveyQuestion{Text: q, Kind: k})
	}
	if err := h.Store.PutSurveySettings(r.Context(), set); err != nil {
		h.refuse(w, r, http.StatusBadRequest, surveyFormID(id), map[string]string{"survey": "admin.badSurvey"}, []string{"survey"}, nil)
		return
	}
	h.done(w, r, audit.SettingsChanged, fmt.Sprintf("surveys of group %s: customer=%v questions=%d technicianRequired=%v categories=%d",
		id, set.Customer, len(set.Questions), set.TechnicianRequired, len(set.Categories)), "admin.done.survey")
}

// categoriesText is a group's categories as the form shows them, one a line.
func categoriesText(set store.SurveySettings) string { return strings.Join(set.Categories, "\n") }

package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Duration writes d as the page and the CSV show it: h:mm:ss.
func Duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// Rating writes an average rating with one decimal ("4.5"), "" without ratings.
func Rating(r Row) string {
	if r.Ratings == 0 {
		return ""
	}
	return strconv.FormatFloat(r.AvgRating(), 'f', 1, 64)
}

// Columns are the report's columns after the row's label, as the CSV's
// header names them; the page shows the same in the reader's language.
var Columns = []string{"sessions", "picked_up", "avg_waiting", "avg_handling", "transfers",
	"resolved", "unresolved", "escalated", "no_outcome", "ratings", "avg_rating"}

// Cells are a row's values in the order of Columns.
func Cells(r Row) []string {
	out := []string{strconv.Itoa(r.Sessions), strconv.Itoa(r.PickedUp), Duration(r.AvgWaiting()), Duration(r.AvgHandling()), strconv.Itoa(r.Transfers)}
	for _, o := range store.Resolutions {
		out = append(out, strconv.Itoa(r.Outcomes[o]))
	}
	return append(out, strconv.Itoa(r.Outcomes[NoOutcome]), strconv.Itoa(r.Ratings), Rating(r))
}

// WriteCSV writes the report: a header, a line per row and the total. A
// label a spreadsheet would run as a formula is written as text.
func WriteCSV(w io.Writer, rep Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{string(rep.By)}, Columns...)); err != nil {
		return err
	}
	for _, r := range rep.Rows {
		if err := cw.Write(append([]string{audit.CSVSafe(r.Label)}, Cells(r)...)); err != nil {
			return err
		}
	}
	if err := cw.Write(append([]string{"total"}, Cells(rep.Total)...)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

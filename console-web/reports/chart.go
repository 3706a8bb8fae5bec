package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/signaling/reports"
)

// chart is a horizontal bar chart drawn on the server as SVG: one bar per
// row of the report.
type chart struct {
	ID, Title string
	Bars      []bar
	Width     int // of the drawing, in SVG units
	Height    int
}

// bar is one bar: its label, the value written after it, and its geometry.
type bar struct {
	Label, Text string
	Y, W        int
}

// Chart geometry, in SVG units.
const (
	chartWidth = 480
	labelWidth = 140
	barArea    = 260
	barHeight  = 20
	barGap     = 8
)

// newChart scales values (one per bar) to barArea, the largest at full
// length (or top, when the scale has a fixed top such as 5 stars).
func newChart(id, title string, labels, texts []string, values []float64, top float64) chart {
	for _, v := range values {
		top = max(top, v)
	}
	c := chart{ID: id, Title: title, Width: chartWidth, Height: max(1, len(values))*(barHeight+barGap) + barGap}
	for i, v := range values {
		w := 0
		if top > 0 {
			w = int(v / top * barArea)
		}
		c.Bars = append(c.Bars, bar{Label: labels[i], Text: texts[i], Y: barGap + i*(barHeight+barGap), W: w})
	}
	return c
}

// charts are the page's charts: sessions, average handling time and
// average rating per row.
func charts(p layout.Page, rep reports.Report) []chart {
	var labels, counts, handling, ratings []string
	var nc, nh, nr []float64
	for _, r := range rep.Rows {
		labels = append(labels, shorten(r.Label, 18))
		counts = append(counts, strconv.Itoa(r.Sessions))
		nc = append(nc, float64(r.Sessions))
		handling = append(handling, reports.Duration(r.AvgHandling()))
		nh = append(nh, r.AvgHandling().Seconds())
		ratings = append(ratings, rating(p, r))
		nr = append(nr, r.AvgRating())
	}
	return []chart{
		newChart("chart-sessions", p.T("reports.col.sessions"), labels, counts, nc, 0),
		newChart("chart-handling", p.T("reports.col.avg_handling"), labels, handling, nh, 0),
		newChart("chart-rating", p.T("reports.col.avg_rating"), labels, ratings, nr, 5),
	}
}

// rating is a row's average rating as the page writes it: the CSV's number
// with the page's decimal separator.
func rating(p layout.Page, r reports.Row) string {
	s := reports.Rating(r)
	if s == "" {
		return "—"
	}
	if p.Lang == i18n.FR {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// shorten cuts a label to n characters with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func itoa(n int) string { return strconv.Itoa(n) }

func coord(n int) string { return fmt.Sprint(n) }

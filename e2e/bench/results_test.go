package bench

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{
		22997.4: "22,997", 1234567: "1,234,567", -4500: "-4,500", 300.9: "301",
		99.04: "99.0", 9.208: "9.208", 0.572: "0.572", 0: "0.000",
	} {
		if got := number(v); got != want {
			t.Errorf("number(%v) = %q, want %q", v, got, want)
		}
	}
}

// Running one benchmark alone keeps the other benchmarks' values and notes
// in the results folder: BENCH=Networks does not zero the Screen keys.
func TestWriteKeepsOtherBenchmarks(t *testing.T) {
	dir := t.TempDir()
	screen := NewResults()
	screen.Set("g2g_ms_p50", 24.7)
	screen.Note("Screen: 3 sessions.")
	if err := screen.Write(dir); err != nil {
		t.Fatal(err)
	}
	net := NewResults()
	net.Set("fps_dsl", 12.5)
	net.Note("Networks: 1 session per network.")
	if err := net.Write(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["g2g_ms_p50"] != 24.7 || got["fps_dsl"] != 12.5 {
		t.Errorf("latest.json after Screen then Networks: g2g_ms_p50 %v, fps_dsl %v; want 24.7 and 12.5", got["g2g_ms_p50"], got["fps_dsl"])
	}
	md, err := os.ReadFile(filepath.Join(dir, "latest.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- Screen: 3 sessions.", "- Networks: 1 session per network.", "24.7 ms (earlier run)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("latest.md lacks %q:\n%s", want, md)
		}
	}
}

// The chart is a PNG of the latency distributions, drawn by gonum/plot.
func TestChartIsAPNG(t *testing.T) {
	dir := t.TempDir()
	r := NewResults()
	r.AddSamples("glass to glass", 20, 22, 25, 31, 48)
	r.AddSamples("click", 30, 35)
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "latest.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 300 {
		t.Fatalf("chart of %v", b)
	}
}

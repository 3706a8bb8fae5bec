// Package bench measures Lifeline with the real stack — Xvfb, the agent, the
// signaling server and headless Chromium on loopback — and writes the results
// to results/latest.json, results/latest.md and results/latest.png.
//
// Run it with `go tool task bench`; `go test` without -bench runs nothing here.
// The numbers are goals, not pass/fail checks: see issue 6.
package bench

// Package e2e runs the real Lifeline stack for end-to-end tests and benchmarks:
// Xvfb as the customer's desktop, the real agent binary, the real signaling binary
// with embedded NATS, and headless Chromium as the technician, driven with chromedp;
// the core story runs with the technician in Firefox ESR too, over WebDriver BiDi
// (Page in browser.go, bidi.go).
package e2e

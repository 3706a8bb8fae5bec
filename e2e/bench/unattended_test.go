package bench

import (
	"context"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
)

// idleDevices is how many unattended devices the memory figure connects.
const idleDevices = 1000

// BenchmarkUnattendedDevices measures what idle unattended devices cost a
// signaling node (its own process, embedded NATS, fresh data): idleDevices
// are enrolled as customers agree in sessions, then their device sockets
// connect and stay idle; the node's RSS growth per device gives devices
// per GiB.
func BenchmarkUnattendedDevices(b *testing.B) {
	for b.Loop() {
		url, pid := startSignaling(b)
		ctx := context.Background()
		load, err := NewLoad(ctx, url, e2e.AdminPassword)
		if err != nil {
			b.Fatal(err)
		}
		devices, err := load.EnrollDevices(ctx, idleDevices, 8)
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
		before := rss(b, pid)
		closeIdle, err := load.IdleDevices(ctx, devices, 16)
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		after := rss(b, pid)
		closeIdle()
		perDevice := (after - before) / idleDevices
		b.ReportMetric(0, "ns/op")
		b.ReportMetric((1<<30)/perDevice, "signaling_idle_devices_per_GiB")
		b.ReportMetric(perDevice/1024, "KiB_per_idle_device")
		results.Set("signaling_idle_devices_per_GiB", (1<<30)/perDevice)
		results.Note("Unattended: %d idle devices grew the node's RSS by %.0f KiB each (%.0f → %.0f MiB).",
			idleDevices, perDevice/1024, before/(1<<20), after/(1<<20))
	}
}

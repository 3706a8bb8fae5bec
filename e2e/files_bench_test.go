package e2e

import (
	"testing"
	"time"
)

// BenchmarkFileTransfer measures technician → customer file transfer, in MB/s,
// while the customer's screen streams to the console.
func BenchmarkFileTransfer(b *testing.B) {
	tech, customer, _ := connectedForFiles(b)
	const size = 200 << 20
	path, _ := MakeFile(b, "bench.bin", size)
	var mbps []float64
	for i := 0; b.Loop(); i++ {
		tech.SendFile(b, path)
		customer.AcceptFile(b)
		start := time.Now()
		waitLong(b, "the file", 5*time.Minute, func() bool { return len(tech.Files(b).Sent) == i+1 })
		mbps = append(mbps, size/1e6/time.Since(start).Seconds())
	}
	b.ReportMetric(percentile(mbps, 50), "file_MBps_with_video")
	b.ReportMetric(0, "ns/op")
}

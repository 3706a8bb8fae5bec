//go:build linux

package fileman

import (
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// BenchmarkList100k lists one page of a folder of 100,000 files, sorted by
// name (only the page's entries are read in full) and by size (all are).
func BenchmarkList100k(b *testing.B) {
	dir := makeFolder(b, b.TempDir(), 100_000)
	for _, sort := range []string{protocol.FMSortName, protocol.FMSortSize} {
		b.Run(sort, func(b *testing.B) {
			for b.Loop() {
				l, err := list(dir, protocol.FMRequest{Op: protocol.FMList, Sort: sort, Page: 100})
				if err != nil || l.Total != 100_000 {
					b.Fatal(l.Total, err)
				}
			}
		})
	}
}

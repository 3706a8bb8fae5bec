//go:build !unix

package natsnode

// freeSpace is not known here: a failed JetStream is restarted at every
// check until it writes again.
func freeSpace(dir string) (free uint64, known bool) { return 0, false }

package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

const benchSize = 200 << 20

func benchContent(b *testing.B) []byte {
	b.Helper()
	buf := make([]byte, benchSize)
	r := rand.NewChaCha8([32]byte{9})
	_, _ = r.Read(buf)
	return buf
}

// BenchmarkSend: the agent sends 200 MB (reading and hashing it) to a pion console
// that only counts the bytes.
func BenchmarkSend(b *testing.B) {
	content := benchContent(b)
	f := newFeature(b, b.TempDir(), nil)
	var got atomic.Int64
	c := pairWith(b, f, &got)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		got.Store(0)
		errc := make(chan error, 1)
		go func() {
			errc <- f.send(context.Background(), "x.bin", benchSize, bytes.NewReader(content))
		}()
		m := c.next()
		c.send(protocol.FileMessage{Kind: protocol.FileAccept, ID: m.ID})
		done := c.nextWithin(time.Minute)
		waitUntil(b, "every byte", func() bool { return got.Load() == benchSize })
		c.send(protocol.FileMessage{Kind: protocol.FileResult, ID: m.ID, SHA256: done.SHA256})
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceive: a pion console sends 200 MB that the agent writes to disk and
// checks.
func BenchmarkReceive(b *testing.B) {
	content := benchContent(b)
	s := sha256.Sum256(content)
	sum := hex.EncodeToString(s[:])
	dir := b.TempDir()
	f := newFeature(b, dir, nil)
	c := pair(b, f)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := offerAndAccept(b, f, c, "r"+string(rune('a'+i%26))+".bin", benchSize)
		c.chunksFast(7, content)
		c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: id, SHA256: sum})
		if m := c.nextWithin(time.Minute); m.Kind != protocol.FileResult || m.SHA256 != sum {
			b.Fatalf("got %+v", m)
		}
	}
}

// BenchmarkRawPion: 200 MB over the same four channels, the agent side only
// counting: pion's SCTP alone, for comparison.
func BenchmarkRawPion(b *testing.B) {
	content := benchContent(b)
	f := newFeature(b, b.TempDir(), nil)
	c := pair(b, f)
	var got atomic.Int64
	f.mu.Lock()
	for _, d := range f.data {
		d.dc.OnMessage(func(m webrtc.DataChannelMessage) { got.Add(int64(len(m.Data) - protocol.FileChunkHeader)) })
	}
	f.mu.Unlock()
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		got.Store(0)
		stop := trace(&got, c.pc)
		c.chunksFast(7, content)
		waitUntil(b, "every byte", func() bool { return got.Load() == benchSize })
		stop()
	}
}

// trace prints the bytes counted every 100 ms if LIFELINE_BENCH_TRACE is set.
func trace(n *atomic.Int64, pc *webrtc.PeerConnection) func() {
	if os.Getenv("LIFELINE_BENCH_TRACE") == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		var prev int64
		var line []string
		for {
			select {
			case <-done:
				fmt.Println(strings.Join(line, " "))
				return
			case <-time.After(100 * time.Millisecond):
			}
			v := n.Load()
			st := pc.SCTP().Stats()
			line = append(line, fmt.Sprintf("%d(cw%dk,rw%dk,%.1fms)", (v-prev)>>20, st.CongestionWindow>>10, st.ReceiverWindow>>10, st.SmoothedRoundTripTime*1000))
			prev = v
		}
	}()
	return func() { close(done) }
}

func (c *console) nextWithin(d time.Duration) protocol.FileMessage {
	c.t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-time.After(d):
		c.t.Fatal("no file message from the agent")
		return protocol.FileMessage{}
	}
}

// chunksFast sends content like chunks, waiting for OnBufferedAmountLow rather
// than polling.
func (c *console) chunksFast(n uint32, content []byte) {
	lows := make([]chan struct{}, len(c.data))
	for i, dc := range c.data {
		low := make(chan struct{}, 1)
		lows[i] = low
		dc.SetBufferedAmountLowThreshold(lowWater)
		dc.OnBufferedAmountLow(func() {
			select {
			case low <- struct{}{}:
			default:
			}
		})
	}
	buf := make([]byte, 0, protocol.MaxFileChunk)
	for off, i := 0, 0; off < len(content); i++ {
		end := min(off+chunkData, len(content))
		b := protocol.AppendFileChunkHeader(buf[:0], n, int64(off))
		b = append(b, content[off:end]...)
		k := i % len(c.data)
		dc := c.data[k]
		for dc.BufferedAmount() > highWater {
			select {
			case <-lows[k]:
			case <-time.After(50 * time.Millisecond):
			}
		}
		if err := dc.Send(b); err != nil {
			c.t.Fatal(err)
		}
		off = end
	}
}

func init() {
	if v := os.Getenv("LIFELINE_BENCH_MINCWND"); v != "" {
		size, _ := strconv.Atoi(v)
		testSettings = func(se *webrtc.SettingEngine) {
			se.SetSCTPMinCwnd(uint32(size))
			if os.Getenv("LIFELINE_BENCH_ZC") != "" {
				se.EnableSCTPZeroChecksum(true)
			}
		}
	}
}

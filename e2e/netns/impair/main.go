// Command impair delays, jitters and drops the packets of a network
// namespace, as a slow or lossy link would, for tests on this kernel, which
// has no netem qdisc. Netfilter rules in the namespace send packets to its
// queues (nftables "queue num N", without bypass); impair holds each one for
// its delay, drops some, and gives the rest back to the kernel in the order
// they came. If impair stops, the queues are unbound and the kernel drops
// their packets: the link fails closed, never unimpaired.
//
// Each queue is one direction and gets the same impairment: a delay of
// -delay ± -jitter (uniform, never reordering), and a share -loss of its
// packets dropped. It prints "ready" once it holds its queues and stops on
// SIGINT or SIGTERM.
//
// Usage (inside the namespace):
//
//	impair -queues 0,1 -delay 20ms -jitter 10ms -loss 0.01
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Config is what impair does to each queue's packets.
type Config struct {
	Queues []uint16
	Delay  time.Duration // one way
	Jitter time.Duration // ± on Delay
	Loss   float64       // share of packets dropped, 0 to 1
}

func main() {
	var cfg Config
	queues := flag.String("queues", "0", "comma-separated netfilter queue numbers, one per direction")
	flag.DurationVar(&cfg.Delay, "delay", 0, "delay added to each packet")
	flag.DurationVar(&cfg.Jitter, "jitter", 0, "the delay varies by up to this much either way")
	flag.Float64Var(&cfg.Loss, "loss", 0, "share of packets dropped, 0 to 1")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	for _, q := range strings.Split(*queues, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(q), 10, 16)
		if err != nil {
			log.Error("bad -queues", "value", *queues)
			os.Exit(2)
		}
		cfg.Queues = append(cfg.Queues, uint16(n))
	}
	if cfg.Loss < 0 || cfg.Loss > 1 || cfg.Jitter > cfg.Delay || cfg.Delay < 0 {
		log.Error("-loss must be within 0..1 and -jitter at most -delay")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, cfg, func() { fmt.Println("ready") }); err != nil {
		log.Error("impair", "err", err)
		os.Exit(1)
	}
}

// held is a packet waiting until at.
type held struct {
	id uint32
	at time.Time
}

// Run binds cfg's queues, calls ready, and impairs packets until ctx ends.
func Run(ctx context.Context, cfg Config, ready func()) error {
	c, err := Open()
	if err != nil {
		return err
	}
	for _, q := range cfg.Queues {
		if err := c.Bind(q, 10000); err != nil {
			c.Close()
			return err
		}
	}
	ready()

	var wg sync.WaitGroup
	lines := map[uint16]chan held{}
	for _, q := range cfg.Queues {
		ch := make(chan held, 10000)
		lines[q] = ch
		wg.Add(1)
		go func() {
			defer wg.Done()
			release(c, q, ch)
		}()
	}
	err = impair(ctx, c, cfg, lines)
	// Closing the socket unbinds the queues: the kernel drops what was held.
	c.Close()
	for _, ch := range lines {
		close(ch)
	}
	wg.Wait()
	return err
}

// impair reads packets until ctx ends and drops each or hands it to its
// queue's line with the time it may go.
func impair(ctx context.Context, c *Conn, cfg Config, lines map[uint16]chan held) error {
	last := map[uint16]time.Time{}
	for ctx.Err() == nil {
		pkts, err := c.Read()
		if err != nil {
			return err
		}
		now := time.Now()
		for _, p := range pkts {
			if cfg.Loss > 0 && rand.Float64() < cfg.Loss {
				_ = c.Verdict(p.Queue, p.ID, Drop)
				continue
			}
			d := cfg.Delay
			if cfg.Jitter > 0 {
				d += time.Duration(rand.Int64N(int64(2*cfg.Jitter)+1)) - cfg.Jitter
			}
			// Never before the packet ahead of it: a link keeps order.
			at := now.Add(d)
			if at.Before(last[p.Queue]) {
				at = last[p.Queue]
			}
			last[p.Queue] = at
			select {
			case lines[p.Queue] <- held{p.ID, at}:
			default: // more waiting than any real queue holds: lost
				_ = c.Verdict(p.Queue, p.ID, Drop)
			}
		}
	}
	return nil
}

// release gives each packet of ch back to the kernel at its time.
func release(c *Conn, q uint16, ch <-chan held) {
	for h := range ch {
		if d := time.Until(h.at); d > 0 {
			time.Sleep(d)
		}
		_ = c.Verdict(q, h.id, Accept)
	}
}

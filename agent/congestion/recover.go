package congestion

import (
	"math"
	"time"
)

// Climbing back after a fall. pion's GCC raises its estimate by 8 % a
// second (its loss-based half by 5 % per 200 ms), at most to 1.5 times the
// rate it measured arriving, and nothing probes above it: from its
// 100 kbit/s floor it takes half a minute to find a 1 Mbit/s link again
// (CI: 18 s at the floor after a limit was lifted, 538 kbit/s 20 s later).
// libwebrtc recovers with probes. Here the rate the encoder and the pacer
// follow leads GCC's estimate while the link is clean (no overuse, loss
// under RecoverLoss, ProbeAfter since the last decrease), doubling each
// second (RecoverGain), up to the highest estimate seen: the lead is the
// probe. If the link has no room, GCC sees the queue build and decreases,
// which ends the lead; each lead that ends so doubles the wait before the
// next (up to ProbeAfter << maxFails), so a link that stays slow is probed
// ever more rarely.
const (
	RecoverGain = 2.0  // per second
	RecoverLoss = 0.02 // GCC's own loss threshold for increasing
	maxFails    = 4
	// recoverEvery is how often the lead steps, whether GCC's estimate
	// changes or not (it sits still in GCC's hold state, and at its floor).
	recoverEvery = 200 * time.Millisecond
	// maxRecoverStep is the longest time one step grows the lead for: a
	// timer that ran late must not make it jump.
	maxRecoverStep = 500 * time.Millisecond
)

// recovery leads GCC's estimate back up (see RecoverGain). Its methods
// need the Controller's lock.
type recovery struct {
	peak    int       // highest estimate seen: where a lead stops
	lead    int       // the rate sent at; GCC's estimate when not leading
	probing bool      // the lead grew above the estimate and has not failed yet
	at      time.Time // of the lead's last step
	down    time.Time // when the estimate last fell, or a lead failed
	fails   int       // leads in a row that ended in a fall
}

// signals is what GCC says of the link at one step.
type signals struct {
	est     int     // its estimate, bits per second
	delay   int     // its delay-based half (after an overuse: 0.85 of what arrived)
	overuse bool    // the queue grows
	loss    float64 // average loss, 0 to 1
}

// step returns the rate to send at, at now, given what GCC says (its
// estimate was old at the last step). A lead ends when GCC decreases, or
// sees a growing queue while the rate leads: GCC's own estimate may then
// sit still (capped by its slow loss-based half), but its delay-based half
// says what arrived.
func (r *recovery) step(now time.Time, g signals, old int) int {
	fell := g.est < old
	if g.overuse && r.lead > g.est || fell {
		if r.probing {
			r.fails = min(r.fails+1, maxFails)
			r.probing = false
		}
		if g.overuse {
			r.lead = max(g.est, min(r.lead, g.delay))
		} else {
			r.lead = g.est
		}
		r.at, r.down = now, now
		return r.lead
	}
	r.peak = max(r.peak, g.est)
	r.lead = max(r.lead, g.est) // while the link is not clean, a lead holds
	clean := !g.overuse && g.loss < RecoverLoss
	if from := r.down.Add(ProbeAfter << r.fails); clean && !now.Before(from) {
		d := min(now.Sub(later(r.at, from)), maxRecoverStep)
		grown := float64(r.lead) * math.Pow(RecoverGain, d.Seconds())
		r.lead = max(min(int(grown), r.peak), g.est)
		r.probing = r.lead > g.est
	}
	if r.lead >= r.peak {
		r.fails, r.probing = 0, false
	}
	r.at = now
	return r.lead
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

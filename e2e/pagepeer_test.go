package e2e

import (
	"strings"
	"testing"
	"time"
)

// samePicture reports whether two 4×4 drawings of a picture match, channel by
// channel on average (the video codec changes the pixels a little).
func samePicture(a, b []int) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	sum := 0
	for i := range a {
		d := a[i] - b[i]
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return sum/len(a) < 24
}

// The technician shows their screen (a fake capture source): the customer's
// page shows it live, as the technician's browser captures it; the
// technician sees that they share; the customer closes it, the technician's
// console stops sharing, and the session goes on.
func TestTechnicianShowsTheirScreen(t *testing.T) {
	stack := StartWith(t, Options{FakeMedia: true})
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")

	began := time.Now()
	tech.ShowScreen(t)
	// The fake source is a whole screen: the technician is warned that it
	// may show the customer's screen back to them.
	if s := tech.ShareText(t); !strings.Contains(s, "Marie Dupont sees your screen") || !strings.Contains(s, "sharing a whole screen") {
		t.Errorf("the console says %q, want that Marie Dupont sees the screen, and the warning", s)
	}
	waitFor(t, "the technician's screen on the customer's page", func() bool { return customer.SharedScreenShown(t) })
	if title := customer.SharedScreenTitle(t); !strings.Contains(title, "is showing you their screen") {
		t.Errorf("the customer's page says %q", title)
	}
	// The picture on the customer's page is the technician's capture.
	var own, shown []int
	waitFor(t, "the customer's picture to match the technician's capture", func() bool {
		own, shown = tech.SharedPixels(t), customer.SharedScreenPixels(t)
		return samePicture(own, shown)
	})
	t.Logf("Show my screen clicked → the customer's picture matches the capture: %d ms (polled)", time.Since(began).Milliseconds())
	tech.Shot(t, "console-share-screen")
	customer.Shot(t, "customer-technician-screen")
	// 100%, the magnifier, and back to fit.
	if c := customer.ClickSharedScreenTool(t, "pp-actual"); strings.Contains(c, "fit") {
		t.Errorf("at 100%% the picture's frame is %q", c)
	}
	if c := customer.ClickSharedScreenTool(t, "pp-zoom"); !strings.Contains(c, "zoom") {
		t.Errorf("with the magnifier the picture's frame is %q", c)
	}
	customer.ClickSharedScreenTool(t, "pp-zoom")
	if c := customer.ClickSharedScreenTool(t, "pp-fit"); !strings.Contains(c, "fit") {
		t.Errorf("fitted, the picture's frame is %q", c)
	}

	customer.CloseSharedScreen(t)
	waitFor(t, "the technician's console to stop sharing", func() bool { return !tech.Sharing(t) })
	if customer.SharedScreenShown(t) {
		t.Error("the customer's page still shows the technician's screen after closing it")
	}
	tech.WaitStatus(t, "Connected to Marie Dupont")
	if text := customer.PageText(t); strings.Contains(text, "Session ended") {
		t.Errorf("the session ended when the customer closed the technician's screen: %q", text)
	}

	// The technician shares again: the customer's page shows it only once
	// the customer asks for it.
	tech.ShowScreen(t)
	var offer string
	waitFor(t, "the customer's page to offer the technician's screen", func() bool {
		offer = customer.SharedScreenOffer(t)
		return offer != ""
	})
	if !strings.HasPrefix(offer, "View ") || !strings.HasSuffix(offer, "'s screen") {
		t.Errorf("the customer's page offers %q, want View <name>'s screen", offer)
	}
	if customer.SharedScreenShown(t) {
		t.Error("the customer's page shows the technician's screen again without asking")
	}
	customer.ViewSharedScreen(t)
	waitFor(t, "the customer's picture to match the technician's capture again", func() bool {
		return customer.SharedScreenShown(t) && samePicture(tech.SharedPixels(t), customer.SharedScreenPixels(t))
	})

	// On hold, the technician's screen leaves the customer's page and the
	// page's connection closes.
	tech.ToggleHold(t)
	waitFor(t, "the customer's page to close the technician's screen on hold", func() bool {
		return !customer.SharedScreenShown(t) && customer.PagePeerClosed(t)
	})
	// The console is told: it no longer believes it shares, and says why.
	waitFor(t, "the console to stop sharing on hold", func() bool { return !tech.Sharing(t) })
	if s := tech.ShareText(t); !strings.Contains(s, "Showing your screen stopped: the session went on hold") {
		t.Errorf("on hold the console says %q, want that the sharing stopped, on hold", s)
	}
	// The page's own WebSocket and the video need nothing its CSP forbids.
	if v := cspViolations(t, customer.ctx); len(v) != 0 {
		t.Errorf("CSP violations on the customer's page: %v", v)
	}
	if v := cspViolations(t, tech.Page()); len(v) != 0 {
		t.Errorf("CSP violations on the console: %v", v)
	}
}

// hears waits until in (read again each time) has received more sound:
// bytes and energy both grow.
func hears(t *testing.T, who string, in func() AudioIn) {
	t.Helper()
	first := in()
	waitFor(t, who+" hearing sound", func() bool {
		now := in()
		return now.Bytes > first.Bytes && now.Energy > first.Energy
	})
}

// silent checks that over the next 100 packets (two seconds of Opus) in
// receives no sound: a muted microphone sends silence.
func silent(t *testing.T, who string, in func() AudioIn) {
	t.Helper()
	var first AudioIn
	// Silence once the mute reached the other side: the energy stops.
	waitFor(t, who+" hearing silence", func() bool {
		a := in()
		if a.Packets < first.Packets+100 {
			if first.Packets == 0 {
				first = a
			}
			return false
		}
		quiet := a.Energy-first.Energy < 1e-6
		first = a
		return quiet
	})
}

// The technician calls, the customer answers: each hears the other (the
// browsers' fake microphones), the customer's page shows that their
// microphone is on, and muting on either side silences it. Then the
// customer calls and the technician answers; hanging up leaves the session
// going.
func TestVoiceBothWays(t *testing.T) {
	stack := StartWith(t, Options{FakeMedia: true})
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")

	tech.ClickVoice(t, "voice-call")
	waitFor(t, "the customer's page to ring", func() bool { return customer.CallState(t) == "ringing" })
	if s := customer.CallText(t); !strings.Contains(s, "wants to talk with you") {
		t.Errorf("the customer's page says %q", s)
	}
	answered := time.Now()
	customer.ClickCall(t, "pp-accept")
	waitFor(t, "the call to start on the console", func() bool { return tech.VoiceState(t) == "active" })
	hears(t, "the technician", func() AudioIn { return tech.VoiceIn(t) })
	t.Logf("the customer answers → the technician hears them: %d ms (polled)", time.Since(answered).Milliseconds())
	hears(t, "the customer", func() AudioIn { return customer.VoiceIn(t) })
	if s := customer.CallText(t); !strings.Contains(s, "Microphone on") {
		t.Errorf("the customer's page says %q, want the microphone on", s)
	}
	tech.Shot(t, "console-voice-call")
	customer.Shot(t, "customer-voice-call")

	// The customer mutes: the technician hears silence and is told.
	customer.ClickCall(t, "pp-mute")
	silent(t, "the technician", func() AudioIn { return tech.VoiceIn(t) })
	waitFor(t, "the console told of the mute", func() bool { return strings.Contains(tech.VoiceText(t), "microphone is muted") })
	if s := customer.CallText(t); !strings.Contains(s, "Microphone muted") {
		t.Errorf("the customer's page says %q, want the microphone muted", s)
	}
	customer.ClickCall(t, "pp-mute")
	hears(t, "the technician again", func() AudioIn { return tech.VoiceIn(t) })
	// The technician mutes: the customer hears silence.
	tech.ClickVoice(t, "voice-mute")
	silent(t, "the customer", func() AudioIn { return customer.VoiceIn(t) })
	tech.ClickVoice(t, "voice-mute")

	// The customer hangs up; then calls, and the technician answers.
	customer.ClickCall(t, "pp-hangup")
	waitFor(t, "the console to hang up", func() bool { return tech.VoiceState(t) == "idle" })
	customer.ClickCall(t, "pp-talk")
	waitFor(t, "the console to ring", func() bool { return tech.VoiceState(t) == "ringing" })
	tech.ClickVoice(t, "voice-answer")
	waitFor(t, "the customer's call to start", func() bool { return customer.CallState(t) == "active" })
	hears(t, "the technician", func() AudioIn { return tech.VoiceIn(t) })
	hears(t, "the customer", func() AudioIn { return customer.VoiceIn(t) })
	tech.ClickVoice(t, "voice-call") // hang up
	waitFor(t, "the customer's page to hang up", func() bool { return customer.CallState(t) == "idle" })
	tech.WaitStatus(t, "Connected to Marie Dupont")
}

// A hostile technician's console sends a picture and asks for the
// customer's microphone without sharing or calling (the negotiation itself,
// which the server lets through for a group that has both permissions): the
// customer's page answers but takes nothing and sends nothing.
func TestHostileTechnicianGetsNoMicrophone(t *testing.T) {
	stack := StartWith(t, Options{FakeMedia: true})
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")

	tech.ForgePagePeer(t)
	if got := strings.Join(tech.ForgedDirections(t), ", "); got != "video inactive, audio inactive" {
		t.Errorf("the page's answer left %q, want both inactive", got)
	}
	if !customer.PageSendsNothing(t) {
		t.Error("the customer's page sends a track nobody accepted")
	}
	if customer.SharedScreenShown(t) {
		t.Error("the customer's page shows a screen the technician never said they share")
	}
	if s := customer.CallState(t); s != "idle" {
		t.Errorf("the customer's call is %q, want idle", s)
	}
}

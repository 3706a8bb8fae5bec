package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A colleague joins the lead's call with the customer: the customer's page
// lists both technicians, each with their microphone, and hears both (each
// technician's own connection with the page carries sound); each
// technician hears the customer. The colleague leaves: the call goes on
// with the lead. The customer ends it for everyone: both consoles say the
// call ended, and that the customer ended it. In a new call, the lead
// removes the colleague from the session: her connection with the
// customer's page closes at once, and the call goes on.
func TestColleagueJoinsTheCall(t *testing.T) {
	stack := StartWith(t, Options{FakeMedia: true})
	st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword).
		CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	lead := stack.Technician(t)
	inv := lead.NewSession(t, "Marie Dupont")
	sid := Eval[string](t, lead, "the session's ID", `document.getElementById("workspace").dataset.sid`)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	lead.WaitStatus(t, "Connected to Marie Dupont")

	// Claire joins the session (the screen only).
	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	claire.OpenQueue(t)
	lead.InviteColleague(t, "claire", "Join the call please", "view")
	claire.WaitQueueState(t, sid, "invitation")
	claire.QueueAction(t, sid, "q-join")
	customer.WaitAsked(t)
	customer.Allow(t)
	waitFor(t, "Claire's workspace connected", func() bool {
		_, pc, _ := claire.TabState(t, sid)
		return pc == "connected"
	})

	// The lead calls, the customer answers. (The Colleagues panel open
	// beside the screen may cover the toolbar's end: the button is clicked
	// as a keyboard user would.)
	waitFor(t, "the lead's Talk button", func() bool {
		return Eval[bool](t, lead, "click Talk", `(() => { const b = document.getElementById("voice-call"); if (!b || b.disabled) return false; b.click(); return true; })()`)
	})
	waitFor(t, "the customer's page to ring", func() bool { return customer.CallState(t) == "ringing" })
	customer.ClickCall(t, "pp-accept")
	waitFor(t, "the call to start on the lead's console", func() bool { return lead.VoiceState(t) == "active" })

	// Claire joins it.
	claire.TabClickVoice(t, sid, "voice-call")
	waitFor(t, "Claire in the call", func() bool { return claire.TabVoiceState(t, sid) == "active" })
	var people []string
	waitFor(t, "the customer's page listing both technicians", func() bool {
		people = customer.InCall(t)
		s := strings.Join(people, " / ")
		return len(people) == 2 && strings.Contains(s, "Administrator") && strings.Contains(s, "Claire Martin")
	})
	if s := customer.CallText(t); !strings.Contains(s, "Microphone on: the technicians hear you") {
		t.Errorf("the customer's page says %q, want the microphone on, for the technicians", s)
	}
	// The customer's page hears both, each on their own connection.
	first := customer.VoicesIn(t)
	waitFor(t, "the customer's page hearing both technicians", func() bool {
		now := customer.VoicesIn(t)
		for _, id := range []string{"admin", "claire"} {
			if now[id].Energy <= first[id].Energy || now[id].Bytes <= first[id].Bytes {
				return false
			}
		}
		return true
	})
	// Each technician hears the customer (with the other mixed in).
	hears(t, "the lead", func() AudioIn { return lead.VoiceIn(t) })
	hears(t, "Claire", func() AudioIn { return claire.TabVoiceIn(t, sid) })
	customer.Shot(t, "customer-call-two-technicians")

	// Claire leaves: the call goes on with the lead.
	claire.TabClickVoice(t, sid, "voice-call")
	waitFor(t, "Claire out of the call", func() bool { return claire.TabVoiceState(t, sid) == "idle" })
	waitFor(t, "the customer's page listing the lead only", func() bool {
		people = customer.InCall(t)
		return len(people) == 1 && strings.Contains(people[0], "Administrator")
	})
	if s := customer.CallState(t); s != "active" {
		t.Fatalf("the customer's call is %q after Claire left, want active", s)
	}
	if s := lead.VoiceState(t); s != "active" {
		t.Fatalf("the lead's call is %q after Claire left, want active", s)
	}
	hears(t, "the lead after Claire left", func() AudioIn { return lead.VoiceIn(t) })

	// She joins again; the customer ends the call for everyone.
	claire.TabClickVoice(t, sid, "voice-call")
	waitFor(t, "Claire in the call again", func() bool { return claire.TabVoiceState(t, sid) == "active" })
	waitFor(t, "the customer's page listing both again", func() bool { return len(customer.InCall(t)) == 2 })
	customer.ClickCall(t, "pp-hangup")
	waitFor(t, "both consoles to say the call ended", func() bool {
		return lead.VoiceState(t) == "idle" && claire.TabVoiceState(t, sid) == "idle"
	})
	for who, s := range map[string]string{"the lead's": lead.VoiceIndicator(t), "Claire's": claire.TabVoiceText(t, sid)} {
		if !strings.Contains(s, "Call ended") || !strings.Contains(s, "Marie Dupont ended it") {
			t.Errorf("%s console says %q, want the call ended by Marie Dupont", who, s)
		}
	}
	if s := customer.CallState(t); s != "idle" {
		t.Errorf("the customer's call is %q after ending it, want idle", s)
	}
	lead.WaitStatus(t, "Connected to Marie Dupont")

	// A new call, Claire in it; the lead removes her from the session: her
	// connection with the customer's page closes at once, the call goes on.
	waitFor(t, "the lead's Talk button", func() bool {
		return Eval[bool](t, lead, "click Talk", `(() => { const b = document.getElementById("voice-call"); if (!b || b.disabled) return false; b.click(); return true; })()`)
	})
	customer.ClickCall(t, "pp-accept")
	waitFor(t, "the call to start again", func() bool { return lead.VoiceState(t) == "active" })
	claire.TabClickVoice(t, sid, "voice-call")
	waitFor(t, "the customer's page listing both once more", func() bool { return len(customer.InCall(t)) == 2 })
	lead.TeamAction(t, "claire", "remove")
	waitFor(t, "Claire's connection closed on the customer's page", func() bool {
		people = customer.InCall(t)
		return len(people) == 1 && strings.Contains(people[0], "Administrator") &&
			get(t, customer.ctx, "read the page's connections", chromedp.Evaluate[bool](
				`(window.lifelinePagePeer?.peers || []).every((p) => p.tech !== "claire")`))
	})
	if s := lead.VoiceState(t); s != "active" {
		t.Errorf("the lead's call is %q after Claire was removed, want active", s)
	}
}

// One technician shows their screen at a time: while the lead shows theirs,
// a colleague's share is refused, and her console says why; once the lead
// stops, hers shows on the customer's page, in her name.
func TestColleagueSharesOnceTheLeadStops(t *testing.T) {
	stack := StartWith(t, Options{FakeMedia: true})
	st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword).
		CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	lead := stack.Technician(t)
	inv := lead.NewSession(t, "Marie Dupont")
	sid := Eval[string](t, lead, "the session's ID", `document.getElementById("workspace").dataset.sid`)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	lead.WaitStatus(t, "Connected to Marie Dupont")
	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	claire.OpenQueue(t)
	lead.InviteColleague(t, "claire", "Show them your screen", "view")
	claire.WaitQueueState(t, sid, "invitation")
	claire.QueueAction(t, sid, "q-join")
	customer.WaitAsked(t)
	customer.Allow(t)
	waitFor(t, "Claire's workspace connected", func() bool {
		_, pc, _ := claire.TabState(t, sid)
		return pc == "connected"
	})

	waitFor(t, "the lead's Show my screen", func() bool {
		return Eval[bool](t, lead, "click Show my screen", `(() => { const b = document.getElementById("share-screen"); if (!b || b.disabled) return false; b.click(); return true; })()`)
	})
	waitFor(t, "the lead's screen on the customer's page", func() bool { return customer.SharedScreenShown(t) })
	claire.TabClickVoice(t, sid, "share-screen")
	var s string
	waitFor(t, "Claire's share refused", func() bool {
		s = inTab[string](t, claire, sid, "read Claire's sharing state",
			`(() => { const e = d.getElementById("share-state"); return e && !e.hidden && !w.lifelineShare.sharing ? e.textContent + " | " + e.title : ""; })()`)
		return s != ""
	})
	if !strings.Contains(s, "Stopped") || !strings.Contains(s, "Administrator is showing their screen") {
		t.Errorf("Claire's console says %q, want Stopped: the lead shows theirs", s)
	}
	if title := customer.SharedScreenTitle(t); !strings.Contains(title, "Administrator") {
		t.Errorf("the customer's page shows %q, want the lead's screen still", title)
	}

	// The lead stops; Claire shares: the customer sees hers, in her name.
	Eval[bool](t, lead, "click Stop showing my screen", `(document.getElementById("share-screen").click(), true)`)
	waitFor(t, "the lead's screen gone from the customer's page", func() bool { return !customer.SharedScreenShown(t) })
	claire.TabClickVoice(t, sid, "share-screen")
	waitFor(t, "Claire's screen on the customer's page", func() bool {
		return customer.SharedScreenShown(t) && strings.Contains(customer.SharedScreenTitle(t), "Claire Martin")
	})
}

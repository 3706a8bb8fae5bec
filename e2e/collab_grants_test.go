package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// Colleagues get what the lead granted them, and nothing else. Dave, granted
// the screen only, is a hostile console (a Go client speaking the protocol):
// his line to the customer's chat is refused by the server, and the file and
// chat channels he opens on his connection are closed by the agent, each
// refusal audited. Claire, granted the screen, chat, files and drawing,
// works in her own workspace: her message reaches the customer's page and
// the lead's log under her name, her link is shown to the customer but
// never opens by itself (the customer let the lead's links open, not hers),
// her request for the clipboard is asked of the customer in her name, her
// file reaches the customer's Downloads once the customer accepts it, and
// her stroke is drawn on the customer's screen. Her workspace reloads: she
// is back in at once, with the same permissions, and the customer is not
// asked again.
func TestColleaguesUseWhatTheLeadGranted(t *testing.T) {
	downloads := t.TempDir()
	t.Setenv("XDG_DOWNLOAD_DIR", downloads)
	stack := Start(t)
	opened := stack.FakeOpener(t)
	node := st.Node{URL: stack.URL}
	admin := st.LogInAs(t, node, "admin", AdminPassword)
	admin.CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	admin.CreateTechnician(t, "dave", "Dave Durand", "dave-password-12", "")
	winAt := twtest.Options{X: 200, Y: 120, W: 600, H: 400}
	twtest.Start(t, stack.Display, winAt)

	lead := stack.Technician(t)
	inv := lead.NewSession(t, "Marie Dupont")
	sid := Eval[string](t, lead, "the session's ID", `document.getElementById("workspace").dataset.sid`)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	lead.WaitQuadrants(t, winAt)

	// 1. Dave, the screen only, from a hostile console.
	dave := st.LogInAs(t, node, "dave", "dave-password-12")
	if code, _ := dave.Get(t, "/console/queue.json"); code != 200 { // online
		t.Fatalf("Dave's queue: %d", code)
	}
	lead.InviteColleague(t, "dave", "Watch only", "view")
	ws := dave.Dial(t, "/ws/console")
	ws.Expect(protocol.TypeConsoleWelcome)
	waitFor(t, "Dave invited", func() bool {
		return strings.Contains(lead.TeamText(t), "Dave Durand")
	})
	ws.Send(protocol.TypeSessionCollaborate, sid, protocol.SessionCollaborate{Action: protocol.CollabAccept})
	if q := customer.WaitAsked(t); !strings.Contains(q, "Dave Durand") {
		t.Fatalf("the customer is asked %q, want a question naming Dave", q)
	}
	customer.Allow(t)
	// The server refuses his line to the customer's chat.
	ws.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "d1", Kind: protocol.LogMessage, From: protocol.FromTechnician, Text: "Dave was here", At: 1})
	if e := ws.Expect(protocol.TypeError).Body.(*protocol.Error); !strings.Contains(e.Message, "not granted you the chat") {
		t.Fatalf("Dave's chat line: %s %q, want a refusal", e.Code, e.Message)
	}
	ws.Close()
	// The agent closes the file and chat channels of his connection.
	_, _, dcs := rawConsolePeer(t, dave, sid, protocol.ChannelFileControl, protocol.ChannelFileData+"0", protocol.ChannelChat)
	waitFor(t, "Dave's channels closed by the agent", func() bool {
		for _, dc := range dcs {
			if dc.ReadyState().String() != "closed" {
				return false
			}
		}
		return true
	})
	waitFor(t, "the refusals in the audit trail", func() bool {
		refused := auditOf(t, admin, "type=agent.refused&session="+sid)
		denied := auditOf(t, admin, "type=permission.denied&session="+sid)
		return containsDetail(refused, "channel file of colleague dave: not granted files") &&
			containsDetail(refused, "channel chat of colleague dave: not granted chat") &&
			containsDetail(denied, "collaborator chat")
	})
	if strings.Contains(customer.PageText(t), "Dave was here") {
		t.Fatal("Dave's refused line reached the customer's page")
	}

	// 2. Claire: the screen, chat, files and drawing, in her workspace.
	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	claire.OpenQueue(t)
	lead.InviteColleague(t, "claire", "Printer driver", "view", "chat", "files", "drawing", "clipboard")
	claire.WaitQueueState(t, sid, "invitation")
	claire.QueueAction(t, sid, "q-join")
	if q := customer.WaitAsked(t); !strings.Contains(q, "wants Claire Martin to help too") {
		t.Fatalf("the customer is asked %q", q)
	}
	customer.Allow(t)
	waitFor(t, "Claire's workspace with the customer's screen", func() bool {
		_, pc, frames := claire.TabState(t, sid)
		return pc == "connected" && frames > 0
	})

	// Her message reaches the customer and the lead, under her name.
	waitFor(t, "Claire's chat connected", func() bool {
		return inTab[bool](t, claire, sid, "the chat's send button", `!!d.getElementById("chat-send") && !d.getElementById("chat-send").disabled`)
	})
	inTab[bool](t, claire, sid, "send a chat message", `(d.getElementById("chat-input").value = "Claire here, checking your driver", d.getElementById("chat-send").click(), true)`)
	if got := customer.WaitChat(t, "Claire here, checking your driver"); !strings.Contains(got, "Claire Martin Claire here, checking your driver") {
		t.Errorf("the customer's chat shows %q, want Claire's line under her name", got)
	}
	if line := lead.WaitLog(t, "Claire here, checking your driver"); !strings.Contains(line, "Claire Martin") {
		t.Errorf("the lead's log shows %q, want it under Claire's name", line)
	}

	// The customer lets the lead's links open by themselves: Claire's is
	// shown, never opened; the lead's next one opens.
	customer.AllowLinks(t)
	const claireLink, leadLink = "https://example.com/from-claire", "https://example.com/from-the-lead"
	inTab[bool](t, claire, sid, "send a link", `(d.getElementById("chat-input").value = `+jsString(claireLink)+`, d.getElementById("chat-send-link").click(), true)`)
	if got := customer.WaitChat(t, claireLink); !strings.Contains(got, "Claire Martin "+claireLink) {
		t.Errorf("the customer's chat shows %q, want Claire's link under her name", got)
	}
	lead.SendLink(t, leadLink)
	waitFor(t, "the lead's link opened", func() bool { return len(opened()) > 0 })
	if got := opened(); len(got) != 1 || got[0] != leadLink {
		t.Errorf("opened %q, want the lead's link only", got)
	}

	// She asks for the clipboard: the customer is asked in her name.
	waitFor(t, "Claire's clipboard switch", func() bool {
		return inTab[bool](t, claire, sid, "switch the clipboard on", `(() => {
			const b = d.getElementById("clip-switch");
			if (!b || b.disabled) return false;
			b.click();
			return true;
		})()`)
	})
	if q := customer.WaitAsked(t); !strings.Contains(q, "Claire Martin (helping Administrator) asks:") {
		t.Errorf("the customer is asked %q, want a question naming Claire, helping the lead", q)
	}
	customer.Deny(t)

	// Her file reaches the customer's Downloads once accepted.
	waitFor(t, "Claire's file channel open", func() bool {
		return inTab[string](t, claire, sid, "the file channel", `w.lifelineFiles.channels.control`) == "open"
	})
	inTab[bool](t, claire, sid, "send a file", `(w.lifelineFiles.send(new File(["driver settings from Claire\n"], "claire-settings.txt")), true)`)
	customer.AcceptFile(t)
	saved := filepath.Join(downloads, "claire-settings.txt")
	waitFor(t, "Claire's file in the customer's Downloads", func() bool {
		b, err := os.ReadFile(saved)
		return err == nil && string(b) == "driver settings from Claire\n"
	})

	// Her stroke is drawn on the customer's screen.
	// A vertical stroke left of the test window, away from the notices at
	// the bottom of the customer's screen and the badge at its top.
	x := float64(winAt.X/2) / ScreenW
	stroke := fmt.Sprintf(`{"k":"stroke","id":"c1","c":"#ff0000","w":12,"p":[%f,0.3,%f,0.7]}`, x, x)
	inTab[bool](t, claire, sid, "draw a stroke", `(() => {
		const dc = w.lifeline.pc.createDataChannel("draw");
		dc.onopen = () => dc.send(`+jsString(stroke)+`);
		w.__draw = dc;
		return true; })()`)
	px, py := winAt.X/2, ScreenH/2
	waitFor(t, "Claire's stroke on the customer's screen", func() bool { return IsRed(stack.Screen(t).RGBAAt(px, py)) })
	if got := inTab[string](t, claire, sid, "the draw channel", `w.__draw.readyState`); got != "open" {
		t.Fatalf("Claire's draw channel is %s, want open", got)
	}

	// 3. Claire's workspace reloads: she comes back in, with the same
	// permissions, and the customer is not asked again.
	asked := customer.LogCount("customer asked")
	inTab[bool](t, claire, sid, "reload Claire's workspace", `(w.__before = true, w.location.reload(), true)`)
	waitFor(t, "Claire's reloaded workspace with the customer's screen", func() bool {
		if inTab[bool](t, claire, sid, "the old page", `!!w.__before`) {
			return false
		}
		_, pc, frames := claire.TabState(t, sid)
		return pc == "connected" && frames > 0
	})
	waitFor(t, "the red quadrant in Claire's reloaded video", func() bool {
		return near(claire.TabPixel(t, sid, winAt.X+winAt.W/4, winAt.Y+winAt.H/4), [3]int{255, 0, 0}, 40)
	})
	waitFor(t, "Claire's chat connected again", func() bool {
		return inTab[bool](t, claire, sid, "the chat's send button", `!!d.getElementById("chat-send") && !d.getElementById("chat-send").disabled`)
	})
	inTab[bool](t, claire, sid, "send a chat message", `(d.getElementById("chat-input").value = "Back after a reload", d.getElementById("chat-send").click(), true)`)
	customer.WaitChat(t, "Back after a reload")
	if n := customer.LogCount("customer asked"); n != asked {
		t.Errorf("the customer was asked %d more times after Claire's reload", n-asked)
	}
	if !strings.Contains(lead.TeamText(t), "Claire Martin") {
		t.Errorf("Claire is no longer in the lead's Colleagues panel after her reload: %q", lead.TeamText(t))
	}
}

// The lead passes the lead to Claire and leaves: her workspace becomes the
// session's (the screen again on her own connection, the log with it), the
// customer is not asked again and keeps what they allowed: Claire is in
// control, her click lands. The former lead, a colleague for a moment,
// leaves; the session goes on with Claire.
func TestLeadPassesTheLeadAndLeaves(t *testing.T) {
	stack := Start(t)
	st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword).
		CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	winAt := twtest.Options{X: 200, Y: 120, W: 600, H: 400}
	win := twtest.Start(t, stack.Display, winAt)
	cx, cy := win.Center()

	lead := stack.Technician(t)
	inv := lead.NewSession(t, "Marie Dupont")
	sid := Eval[string](t, lead, "the session's ID", `document.getElementById("workspace").dataset.sid`)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	lead.WaitQuadrants(t, winAt)
	lead.RequestControl(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	lead.WaitStatus(t, "Connected to Marie Dupont — in control")
	customer.WaitChatReady(t)
	lead.Chat(t, "Claire will take over from here")

	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	claire.OpenQueue(t)
	lead.InviteColleague(t, "claire", "Taking over", "view", "control", "chat")
	claire.WaitQueueState(t, sid, "invitation")
	claire.QueueAction(t, sid, "q-join")
	customer.WaitAsked(t)
	customer.Allow(t)
	waitFor(t, "Claire helping", func() bool {
		return claire.TabStatus(t, sid) == "Helping Administrator with Marie Dupont — view only"
	})
	asked := customer.LogCount("customer asked")

	// The lead passes the lead: Claire's workspace is the session's now,
	// with the screen only: the customer let her watch, nothing more.
	lead.TeamAction(t, "claire", "lead")
	waitFor(t, "Claire leading, view only", func() bool {
		return claire.TabStatus(t, sid) == "Connected to Marie Dupont — view only"
	})
	waitFor(t, "Claire's own connection as the lead", func() bool {
		_, pc, frames := claire.TabState(t, sid)
		if pc != "connected" || frames == 0 {
			t.Logf("Claire's tab: %q, %d frames; %s; problems %q", pc, frames,
				inTab[string](t, claire, sid, "the page", `JSON.stringify({helper: d.getElementById("workspace").dataset.helper ?? null, state: w.lifeline.state, agent: w.lifeline.agentConnected, signal: w.lifeline.signalOpen})`),
				claire.TabProblems(t, sid))
			return false
		}
		return true
	})
	waitFor(t, "the red quadrant in Claire's video", func() bool {
		return near(claire.TabPixel(t, sid, winAt.X+winAt.W/4, winAt.Y+winAt.H/4), [3]int{255, 0, 0}, 40)
	})
	waitFor(t, "the earlier chat in Claire's log", func() bool {
		return strings.Contains(tabText(t, claire, sid, `d.getElementById("session-log")?.textContent ?? ""`), "Claire will take over from here")
	})
	waitFor(t, "the customer's page saying Claire leads", func() bool {
		return strings.Contains(customer.PageText(t), "Claire Martin now leads the session")
	})
	// The former lead is a colleague now, and leaves.
	waitFor(t, "the former lead helping", func() bool {
		return Eval[string](t, lead, "status", `document.getElementById("status")?.textContent ?? ""`) == "Helping Claire Martin with Marie Dupont — view only"
	})
	clickOn(t, lead.p, "#leave-session")
	waitFor(t, "the former lead gone from Claire's Colleagues panel", func() bool {
		return !strings.Contains(tabText(t, claire, sid, `d.getElementById("collab-list")?.textContent ?? ""`), "Administrator")
	})
	if n := customer.LogCount("customer asked"); n != asked {
		t.Errorf("the customer was asked %d more times after the lead passed", n-asked)
	}
	// Control went with the former lead: Claire asks the customer for it,
	// in her own name, and then her click lands.
	claire.TabRequestControl(t, sid)
	customer.WaitAsked(t)
	if page := customer.PageText(t); !strings.Contains(page, "Allow Claire Martin") {
		t.Errorf("the control question does not name Claire: %q", page)
	}
	customer.Allow(t)
	waitFor(t, "Claire in control", func() bool {
		return claire.TabStatus(t, sid) == "Connected to Marie Dupont — in control"
	})
	mark := win.Mark(t)
	claire.TabClick(t, sid, cx, cy)
	win.WaitFor(t, mark, "Claire's click on the test window", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_press")) > 0
	})
}

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// settle is how long a layout may take to follow a resize before a test
// reports what it sees.
const settle = 10 * time.Second

// waitForOr polls cond until it holds; after settle it calls fail instead.
func waitForOr(t testing.TB, cond func() bool, fail func()) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for !cond() {
		if time.Now().After(deadline) {
			fail()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fitScale is how large the console shows the customer's w-pixel-wide screen
// in Fit (the default view): the width of the picture actually drawn (the
// video box, contain-fitted) over the screen's own width. Its arguments: the
// workspace's lifeline object, the screen's width.
const fitScaleJS = `(() => {
	const v = %s.video, r = v.getBoundingClientRect();
	if (!v.videoWidth) return 0;
	const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
	return v.videoWidth * s / %d;
})()`

// The customer's screen comes first: a 1920×1080 desktop in Fit gets at
// least 70 % of its size in a 1440×900 browser and at least 90 % in a
// 1920×1080 one, on the workspace page and in the queue's tab alike (the
// old layout, under rows of text buttons between two side columns, gave it
// about 41 %).
func TestFitScaleOfAFullHDScreen(t *testing.T) {
	stack := StartWith(t, Options{Width: 1920, Height: 1080})
	tech := stack.Technician(t)
	c := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitVideoSize(t, 1920, 1080)

	goals := []struct {
		w, h int64
		min  float64
	}{{1440, 900, 0.70}, {1920, 1080, 0.90}}
	for _, g := range goals {
		run(t, tech.Page(), "resize the browser", chromedp.EmulateViewport(g.w, g.h))
		var s float64
		// The layout settles after the resize: wait for the goal, then report what was seen.
		waitForOr(t, func() bool {
			s = get(t, tech.Page(), "fit scale", chromedp.Evaluate[float64](fmt.Sprintf(fitScaleJS, "lifeline", 1920)))
			return s >= g.min
		}, func() {
			t.Errorf("workspace at %dx%d: the 1920x1080 screen is shown at %.0f %%, want at least %.0f %%", g.w, g.h, s*100, g.min*100)
		})
		t.Logf("workspace at %dx%d: Fit shows the 1920x1080 screen at %.1f %%", g.w, g.h, s*100)
	}
	tech.Shot(t, "fit-workspace")

	// The same in the queue's tab, the technician's everyday page.
	run(t, tech.Page(), "back to a laptop size", chromedp.EmulateViewport(1440, 900))
	sid := Eval[string](t, tech, "the session", `document.getElementById("workspace").dataset.sid`)
	tech.OpenQueue(t)
	tech.QueueAction(t, sid, "q-open")
	waitFor(t, "the screen in the queue's tab", func() bool {
		return tech.inFrame(t, sid, `[String(w.lifeline?.video?.videoWidth ?? 0), "", ""]`)[0] == "1920"
	})
	for _, g := range goals {
		run(t, tech.Page(), "resize the browser", chromedp.EmulateViewport(g.w, g.h))
		var s float64
		waitForOr(t, func() bool {
			v := tech.inFrame(t, sid, `[String(`+fmt.Sprintf(fitScaleJS, "w.lifeline", 1920)+`), "", ""]`)
			s, _ = strconv.ParseFloat(v[0], 64)
			return s >= g.min
		}, func() {
			t.Errorf("queue tab at %dx%d: the 1920x1080 screen is shown at %.0f %%, want at least %.0f %%", g.w, g.h, s*100, g.min*100)
		})
		t.Logf("queue tab at %dx%d: Fit shows the 1920x1080 screen at %.1f %%", g.w, g.h, s*100)
	}
}

// hiddenShown lists the elements of the page (by id, class or tag) that carry
// the hidden attribute yet are displayed: a component's display rule beating
// hidden, as .transfer{display:flex} did.
const hiddenShown = `[...document.querySelectorAll("[hidden]")].filter((e) => getComputedStyle(e).display !== "none").map((e) => e.id || e.className || e.tagName)`

// The queue's Transfer form stays out of sight until a row's Transfer opens
// it, and Close hides it again; no component on the queue or the workspace
// shows an element marked hidden.
func TestTransferFormHiddenUntilOpened(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	tech.OpenQueue(t)
	if shown := Eval[[]string](t, tech, "hidden elements shown", hiddenShown); len(shown) > 0 {
		t.Errorf("the queue shows elements marked hidden: %v", shown)
	}
	if Eval[bool](t, tech, "transfer form visible", `getComputedStyle(document.getElementById("transfer-form")).display !== "none"`) {
		t.Error("the Transfer form is visible before any Transfer was clicked")
	}

	sid, inv := tech.QueueNewSession(t, "Ada Lovelace")
	c := stack.Customer(t, inv)
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitQueueState(t, sid, "active")
	if shown := tech.inFrame(t, sid, `[JSON.stringify([...d.querySelectorAll("[hidden]")].filter((e) => w.getComputedStyle(e).display !== "none").map((e) => e.id || e.className || e.tagName)), "", ""]`)[0]; shown != "[]" {
		t.Errorf("the workspace shows elements marked hidden: %s", shown)
	}
	tech.QueueAction(t, sid, "q-transfer")
	run(t, tech.Page(), "the Transfer form opens", chromedp.WaitVisible(chromedp.ID("transfer-form")))
	run(t, tech.Page(), "close it", click("transfer-close"), chromedp.WaitNotVisible(chromedp.ID("transfer-form")))
}

// Request control cannot be sent twice while the customer has not answered,
// the status strip says it is pending; a refusal shows as a toast and the
// request may be made again; and after the end every control says
// so: the buttons are off and the screen's place says the session has ended,
// not that it appears once the customer allows viewing.
func TestControlsFollowTheState(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	c := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitVideo(t)
	tech.RequestControl(t)
	c.WaitAsked(t)
	st := Eval[[]string](t, tech, "the controls while control is asked",
		`[String(document.getElementById("request-control").disabled), document.getElementById("control-state")?.dataset.state ?? ""]`)
	if st[0] != "true" {
		t.Error("Request control is still clickable while the customer has not answered")
	}
	if st[1] != "pending" {
		t.Errorf("the status strip says %q while control is asked, want pending", st[1])
	}
	// The customer says no: a toast says so and the request may be made again.
	run(t, c.ctx, "decline control", click("deny"), chromedp.WaitNotVisible(chromedp.ID("deny")))
	var got []string
	waitForOr(t, func() bool {
		got = Eval[[]string](t, tech, "after the refusal", `[String(document.getElementById("request-control").disabled), document.getElementById("control-state")?.dataset.state ?? "",
			[...document.querySelectorAll('#toasts .toast[data-kind="refused"]')].map((e) => e.textContent).join()]`)
		return got[0] == "false" && got[1] == "view" && strings.Contains(got[2], "declined remote control")
	}, func() {
		t.Errorf("after the customer declined: request control disabled %s, status strip %q, toast %q; want it clickable again, view, and a toast", got[0], got[1], got[2])
	})
	tech.RequestControl(t)
	c.Allow(t)
	tech.WaitStatus(t, "in control")

	tech.End(t)
	tech.WaitJS(t, "the end in the workspace", `lifeline.state.startsWith("closed")`)
	waitForOr(t, func() bool {
		got = Eval[[]string](t, tech, "the controls after the end", `(() => {
			const $ = (id) => document.getElementById(id), p = $("placeholder");
			return [String($("request-control").disabled), String($("hold-session").disabled), String($("end-session").disabled),
				p.hidden ? "" : p.textContent, $("control-state")?.dataset.state ?? ""];
		})()`)
		return got[0] == "true" && got[1] == "true" && got[2] == "true" && got[3] == "The session has ended." && got[4] == "ended"
	}, func() {
		t.Errorf("after the end: request control disabled %s, hold disabled %s, end disabled %s, screen says %q, status strip %q; want all off and \"The session has ended.\"",
			got[0], got[1], got[2], got[3], got[4])
	})
}

// contrastJS is the WCAG contrast ratio between an element's text and the
// background it is drawn on (the first opaque one among it and its parents).
const contrastJS = `((e) => {
	const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
	let bg = null;
	for (let n = e; n && !bg; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) bg = c; }
	const a = lum(rgb(getComputedStyle(e).color)), b = lum(bg || [255, 255, 255]);
	return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) * Number(getComputedStyle(e).opacity);
})`

// The administration page: check boxes sit beside their labels; a group's
// name is labelled as one (not "Name shown to customers", nor "Username" for
// a new group's ID); the technicians' actions read as buttons one can use
// (AA contrast); a refused form comes back as typed, the error beside the
// field.
func TestAdminPageForms(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	run(t, tech.Page(), "open the administration", chromedp.Navigate(stack.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("new-tech")))

	if bad := Eval[[]string](t, tech, "check boxes beside their labels", `[...document.querySelectorAll("label.check")].filter((l) => {
		const c = l.querySelector("input[type=checkbox]").getBoundingClientRect(), r = l.getBoundingClientRect();
		return Math.abs((c.top + c.bottom) / 2 - (r.top + r.bottom) / 2) > 4 || r.height > 2 * c.height + 16 || c.width > 40;
	}).map((l) => l.textContent.trim())`); len(bad) > 0 {
		t.Errorf("check boxes not beside their labels: %q", bad)
	}
	labels := Eval[[]string](t, tech, "group labels", `[
		document.getElementById("group-default-name")?.closest("label")?.textContent.trim() ?? document.querySelector("form[id^=group-]:not(#group-new) input[name=name]")?.closest("label")?.textContent.trim() ?? "",
		document.getElementById("group-new-id")?.closest("label")?.textContent.trim() ?? ""]`)
	if !strings.HasPrefix(labels[0], "Group name") {
		t.Errorf("a group's name field is labelled %q, want Group name", labels[0])
	}
	if !strings.HasPrefix(labels[1], "Group ID") {
		t.Errorf("the new group's ID field is labelled %q, want Group ID", labels[1])
	}
	actions := Eval[map[string]float64](t, tech, "contrast of the technicians' actions", `Object.fromEntries([...document.querySelectorAll("#technicians button")].map((b) => [b.textContent.trim(), (`+contrastJS+`)(b)]))`)
	for _, want := range []string{"Reset password", "Unlock", "Log out everywhere"} {
		c, ok := actions[want]
		if !ok {
			t.Errorf("no %q among the technicians' actions %v", want, actions)
		} else if c < 4.5 {
			t.Errorf("%q has contrast %.1f:1, looks disabled (want at least 4.5:1)", want, c)
		}
	}

	// A username that exists: the form keeps the name and choices typed,
	// the error stands beside the username.
	run(t, tech.Page(), "create a technician with a taken username",
		chromedp.SendKeys(chromedp.ID("new-id"), "admin"),
		chromedp.SendKeys(chromedp.ID("new-name"), "Claire Martin"),
		chromedp.SendKeys(chromedp.ID("new-password"), "claire-password-1"),
		chromedp.SetValue(chromedp.ID("new-role"), "admin"),
		click("create-tech"),
		chromedp.WaitVisible(chromedp.ID("admin-error")))
	kept := Eval[[]string](t, tech, "the refused form", `[document.getElementById("new-id").value, document.getElementById("new-name").value, document.getElementById("new-role").value,
		document.getElementById("new-id-error")?.textContent ?? "", document.getElementById("new-id").getAttribute("aria-invalid") ?? ""]`)
	if kept[0] != "admin" || kept[1] != "Claire Martin" || kept[2] != "admin" {
		t.Errorf("after a refusal the form holds %q, want what was typed (admin, Claire Martin, admin)", kept[:3])
	}
	if !strings.Contains(kept[3], "admin") || kept[4] != "true" {
		t.Errorf("the error beside the username is %q (aria-invalid %q), want the taken username named there", kept[3], kept[4])
	}

	// A new group with an ID the browser would refuse too: the name typed
	// and the permissions unticked stay.
	Eval[bool](t, tech, "fill a group with a bad ID", `(() => { const f = document.getElementById("group-new"); f.noValidate = true;
		f.querySelector("[name=id]").value = "Bad ID!"; f.querySelector("[name=name]").value = "Second line";
		f.querySelector("[name=perm][value=view]").checked = false; return true; })()`)
	run(t, tech.Page(), "create a group with a bad ID",
		clickSteady(`#group-new button[type=submit]`),
		chromedp.WaitVisible(chromedp.ID("group-new-id-error")))
	g := Eval[[]string](t, tech, "the refused group form", `(() => { const f = document.getElementById("group-new");
		return [f.querySelector("[name=id]").value, f.querySelector("[name=name]").value, String(f.querySelector("[name=perm][value=view]").checked)]; })()`)
	if g[0] != "Bad ID!" || g[1] != "Second line" || g[2] != "false" {
		t.Errorf("the refused group form holds %q, want what was typed (Bad ID!, Second line, view unticked)", g)
	}
}

// TestScreenshots shows what the technician's pages look like, in the light
// and the dark theme: the queue, the workspace at 1440×900 and 1920×1080
// with a Full HD customer screen, and the administration page. With
// LIFELINE_SCREENSHOTS=1 it saves them into e2e/screenshots/ (linked from
// the README). It checks on the way that each theme is the one shown, that
// the system's choice is followed and the header's toggle remembered.
func TestScreenshots(t *testing.T) {
	stack := StartWith(t, Options{Width: 1920, Height: 1080})
	// Something on the customer's desktop, so the pictures show a screen.
	twtest.Start(t, stack.Display, twtest.Options{X: 360, Y: 180, W: 1200, H: 700})
	tech := stack.Technician(t)
	c := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitVideoSize(t, 1920, 1080)
	sid := tech.SessionID(t)
	page := tech.Page()
	save := os.Getenv("LIFELINE_SCREENSHOTS") != ""
	snap := func(name string) {
		t.Helper()
		if !save {
			return
		}
		png := get(t, page, "screenshot "+name, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join("screenshots", name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// dark reports whether the page is drawn dark (its background's luminance).
	dark := func() bool {
		return Eval[bool](t, tech, "the theme", `(() => { const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number); return r + g + b < 200; })()`)
	}

	for _, theme := range []string{"light", "dark"} {
		// The system's choice, as a technician's operating system sets it.
		if _, err := chromedp.Call(page, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}}}); err != nil {
			t.Fatal(err)
		}
		run(t, page, "the workspace", chromedp.EmulateViewport(1440, 900),
			chromedp.Navigate(stack.URL+"/console/sessions/"+sid), chromedp.WaitVisible(chromedp.ID("stage")))
		tech.WaitVideoSize(t, 1920, 1080)
		if dark() != (theme == "dark") {
			t.Errorf("the system asks for the %s theme; the page is drawn the other way", theme)
		}
		tech.WaitJS(t, "the picture in place", `lifeline.video.getBoundingClientRect().width > 1000`)
		snap("workspace-1440x900-" + theme)
		tech.OpenPanel(t, "chat")
		tech.Chat(t, "Bonjour, je regarde votre écran.")
		tech.WaitLog(t, "je regarde")
		snap("workspace-chat-1440x900-" + theme)
		run(t, page, "a full HD browser", chromedp.EmulateViewport(1920, 1080))
		tech.OpenPanel(t, "chat")
		run(t, page, "close the panel", click("rail-chat"))
		tech.WaitJS(t, "the picture in place", `lifeline.video.getBoundingClientRect().width > 1700`)
		snap("workspace-1920x1080-" + theme)
		run(t, page, "the queue", chromedp.EmulateViewport(1440, 900),
			chromedp.Navigate(stack.URL+"/console/queue"), chromedp.WaitVisible(chromedp.ID("queue-rows")))
		tech.WaitQueueState(t, sid, "active")
		snap("queue-" + theme)
		run(t, page, "the administration", chromedp.Navigate(stack.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("new-tech")))
		snap("admin-" + theme)
	}

	// The header's toggle overrides the system, and is remembered.
	before := dark()
	run(t, page, "switch the theme", click("theme-toggle"))
	if dark() == before {
		t.Error("the theme toggle did not switch the theme")
	}
	run(t, page, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("new-tech")))
	if dark() == before {
		t.Error("the theme picked with the toggle was forgotten on reload")
	}
}

// toastsJS lists the workspace's toasts as kind: text.
const toastsJS = `[...document.querySelectorAll("#toasts .toast")].map((e) => e.dataset.kind + ": " + e.textContent)`

// What arrives while the technician looks elsewhere shows as a toast: the
// customer's chat while the chat panel is folded (with an unread badge on its
// icon, and a Show that opens it), a file from the customer (with Save), and
// the customer leaving.
func TestToastsWhileLookingElsewhere(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	c := stack.Customer(t, tech.NewSession(t, "Ada"))
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitVideo(t)

	c.WaitChatReady(t)
	c.Chat(t, "My printer is on fire")
	var got []string
	waitForOr(t, func() bool {
		got = Eval[[]string](t, tech, "toasts", toastsJS)
		return len(got) > 0 && strings.Contains(got[len(got)-1], "My printer is on fire")
	}, func() { t.Errorf("toasts %q, want the customer's chat in one", got) })
	if n := Eval[string](t, tech, "the chat badge", `document.querySelector("#rail-chat .count").hidden ? "" : document.querySelector("#rail-chat .count").textContent`); n != "1" {
		t.Errorf("the chat icon's badge is %q, want 1", n)
	}
	run(t, tech.Page(), "show the chat from the toast", clickSteady(`#toasts .toast[data-kind="chat"] .toast-action`))
	tech.WaitJS(t, "the chat panel open", `!document.getElementById("dock-chat").hidden && document.querySelector("#rail-chat .count").hidden`)

	path, _ := MakeFile(t, "photos.bin", 123456)
	c.SendFile(t, path)
	waitForOr(t, func() bool {
		got = Eval[[]string](t, tech, "toasts", toastsJS)
		return Eval[bool](t, tech, "a Save in the file's toast", `!!document.querySelector('#toasts .toast[data-kind="file"] .toast-action')`)
	}, func() { t.Errorf("toasts %q, want the customer's file with Save", got) })

	c.End(t)
	waitForOr(t, func() bool {
		got = Eval[[]string](t, tech, "toasts", toastsJS)
		return Eval[bool](t, tech, "the customer left", `!!document.querySelector('#toasts .toast[data-kind="customer-left"]')`)
	}, func() { t.Errorf("toasts %q, want one saying Ada left", got) })
}

// The drawing colour is picked from swatches named for what they are (Red,
// Blue…) for sight and for screen readers, not from a list of hex codes.
func TestColourSwatches(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	tech.NewSession(t, "Marie Dupont")
	run(t, tech.Page(), "the toolbar built", chromedp.WaitReady(chromedp.ID("draw-color")))
	got := Eval[[]string](t, tech, "the colour picker", `(() => {
		const p = document.getElementById("draw-color");
		return [p.innerText, [...p.querySelectorAll("[role=radio]")].map((b) => b.getAttribute("aria-label")).join(",")];
	})()`)
	if strings.Contains(got[0], "#") {
		t.Errorf("the colour picker shows hex codes: %q", got[0])
	}
	if got[1] != "Red,Yellow,Green,Blue,White,Black" {
		t.Errorf("the swatches are named %q, want Red,Yellow,Green,Blue,White,Black", got[1])
	}
	run(t, tech.Page(), "pick blue", clickSteady("#draw-color summary"), clickSteady(`#draw-color [aria-label="Blue"]`))
	if v := Eval[string](t, tech, "the colour", `document.getElementById("draw-color").value + " " + document.querySelector('#draw-color [aria-label="Blue"]').getAttribute("aria-checked")`); v != "#2979ff true" {
		t.Errorf("after picking Blue the colour is %q, want #2979ff, checked", v)
	}
}

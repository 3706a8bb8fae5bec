package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
	"github.com/lifeline-support/lifeline/agent/launcher"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The "Get help" launcher, end to end: in a session Ann offers the
// customer an icon for the channel her group serves; the customer agrees
// on their page and the agent installs its desktop entry in the
// applications menu and on the desktop. After the session, the test runs
// the entry's Exec line as the desktop would: the request lands in the
// channel's queue marked as a returning computer, naming the computer and
// who helped it last. The entry's own "Remove this icon" action removes
// everything.
//
// With LIFELINE_SCREENSHOTS=1 it saves the queue entry into e2e/screenshots/.
func TestGetHelpLauncher(t *testing.T) {
	stack := Start(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	admin.PutGroup(t, "printers", "start_sessions", "invite_pin", "invite_link", "view", "control", "launcher")
	admin.CreateTechnician(t, "ann", "Ann Lee", "ann-password-123", "printers")
	code, body := admin.Post(t, "/admin/channels", url.Values{"slug": {"printers"}, "name": {"Printer help"}, "group": {"printers"}, "zone": {"UTC"}})
	if code != http.StatusOK || !strings.Contains(body, "/help/printers") {
		t.Fatalf("channel: %d %s", code, body)
	}

	// The customer's folders: configuration, menu and desktop.
	config, data, desktop := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(config, "user-dirs.dirs"), []byte(`XDG_DESKTOP_DIR="`+desktop+`"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stack.AgentEnv = append(stack.AgentEnv, "XDG_CONFIG_HOME="+config, "XDG_DATA_HOME="+data)
	place := launcher.Place{Config: config, Menu: filepath.Join(data, "applications"), Desktop: desktop}

	ann := stack.TechnicianAs(t, "ann", "ann-password-123")
	customer := stack.Customer(t, ann.NewSession(t, "Marie"))
	customer.OpenPage(t)
	customer.Allow(t)
	waitJS(t, ann.p, "the workspace's console script ran", `!!window.lifeline?.video`)
	ann.WaitVideo(t)

	// Ann offers the icon on her group's channel; the customer agrees.
	waitJS(t, ann.p, "the channel offered", `document.getElementById("launcher-channel")?.value === "printers" && !document.getElementById("launcher-offer").disabled`)
	clickOn(t, ann.p, "#launcher-offer")
	if q := customer.WaitAsked(t); !strings.Contains(q, "Ann Lee wants to add a “Get help from") || !strings.Contains(q, "one click") {
		t.Fatalf("the customer was asked %q", q)
	}
	customer.Allow(t)
	menu, _ := place.MenuEntry()
	icon, _ := place.DesktopEntry()
	for _, f := range []string{menu, icon} {
		waitFor(t, "the launcher's entry "+f, func() bool { _, err := os.Stat(f); return err == nil })
	}
	waitJS(t, ann.p, "Ann told the customer agreed", `document.body.textContent.includes("the “Get help” icon is installed")`)
	customer.End(t)
	customer.WaitEnded(t)
	customer.Close(t)
	customer.WaitExit(t)

	// Later, the customer clicks the icon on their desktop.
	ann.OpenQueue(t)
	args, err := desktopentry.ReadExec(icon)
	if err != nil {
		t.Fatal(err)
	}
	if prog, _ := place.Program(); len(args) != 2 || args[0] != prog || args[1] != launcher.RequestFlag {
		t.Fatalf("the icon runs %q", args)
	}
	clicked := stack.RunAgent(t, customer.ctx, args[0], args[1:]...)
	host, _ := os.Hostname()
	var it QueueItem
	waitFor(t, "the request in the channel queue, from a returning computer", func() bool {
		for _, i := range evalJS[[]QueueItem](t, ann.p, "read the queue", `lifelineQueue.view.sessions`) {
			if i.Returning != nil && i.Take && i.State == "waiting" {
				it = i
				return true
			}
		}
		return false
	})
	if it.Channel != "Printer help" || it.Customer != "Marie" || it.Returning.Host != host || it.Returning.HelpedBy != "Ann Lee" {
		t.Fatalf("queue item %+v, returning %+v (host %q)", it, *it.Returning, host)
	}
	row := evalJS[string](t, ann.p, "the row", `document.querySelector('#queue-rows tr[data-sid="`+it.ID+`"]')?.textContent ?? ""`)
	today := time.Now()
	if !strings.Contains(row, "Returning computer: "+host+", last helped by Ann Lee on ") {
		t.Fatalf("the queue row says %q (%s)", row, today.Format(time.DateOnly))
	}
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		writeShot(t, get(t, ann.ctx, "screenshot the queue", chromedp.CaptureScreenshot()), "queue-returning-computer")
	}
	clicked.Close(t)
	clicked.WaitExit(t)

	// "Remove this icon", from the icon's own menu: nothing is left.
	rmArgs, err := desktopentry.ReadActionExec(icon, launcher.RemoveAction)
	if err != nil {
		t.Fatal(err)
	}
	rm := stack.RunAgent(t, customer.ctx, rmArgs[0], rmArgs[1:]...)
	if code, out, errs := rm.WaitExit(t); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove exited %d: %s %s", code, out, errs)
	}
	dir, _ := place.Dir()
	for _, p := range []string{menu, icon, dir} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
}

package e2e

import (
	"image"
	"strings"
	"testing"
)

// Help in the browser alone: the customer opens the invitation, picks "Get
// help in the browser", and with nothing to download chats with the
// technician and sends a file; shows the screen (Chromium's fake capture: its green picture
// seen by the technician), is asked for remote control and the page refuses
// it (it needs the program); then shows the camera (a red and blue pattern
// seen by the technician where it is), on which the technician draws an
// arrow that appears over the customer's camera view, and takes a snapshot;
// the customer stops sharing in one click, then ends.
//
// With LIFELINE_E2E_SHOTS set it saves both sides there.
func TestHelpInTheBrowserAlone(t *testing.T) {
	stack := StartWith(t, Options{FakeCamera: WritePattern(t)})
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Curie")
	customer := stack.BrowserCustomer(t, inv)

	// Chat both ways, as soon as the technician's console is connected.
	tech.WaitStatus(t, "Waiting for Marie Curie to allow viewing")
	customer.WaitText(t, "instant-shared", "You are sharing nothing")
	tech.Chat(t, "Hello, I am here to help.")
	customer.WaitText(t, "instant-log", "Hello, I am here to help.")
	customer.Say(t, "My printer shows a red light.")
	tech.WaitLog(t, "My printer shows a red light.")
	// A file, from the browser to the technician, whole.
	path, sum := MakeFile(t, "printer-log.txt", 300<<10)
	customer.SendFile(t, path)
	customer.WaitText(t, "instant-log", "sent printer-log.txt.")
	waitFor(t, "the file received by the technician", func() bool {
		for _, f := range tech.Files(t).Received {
			if f.Name == "printer-log.txt" && f.SHA256 == sum && f.Size == 300<<10 {
				return true
			}
		}
		return false
	})

	// The screen: the technician sees Chromium's fake screen, green.
	customer.Click(t, "instant-screen")
	customer.WaitText(t, "instant-shared", "sees what you chose to share from your screen")
	tech.WaitStatus(t, "view only")
	w, h := tech.WaitVideo(t)
	waitFor(t, "the fake screen's green in the console", func() bool {
		px := tech.PixelIn(t, w/4, h/2, w, h)
		return px[0] < 60 && px[1] > 100 && px[2] < 60
	})
	// Remote control needs the program: the page refuses it and says so.
	tech.RequestControl(t)
	customer.WaitText(t, "instant-note", "needs the support program")
	tech.WaitStatus(t, "view only")
	customer.Shot(t, "instant-customer-screen")
	tech.Shot(t, "instant-technician-screen")

	// The camera (Lens): red on the left, blue on the right, where they are.
	customer.Click(t, "instant-camera")
	customer.WaitText(t, "instant-shared", "sees your camera")
	tech.WaitVideoSize(t, PatternW, PatternH)
	waitFor(t, "the camera's pattern in the console", func() bool {
		l, r := tech.PixelIn(t, PatternW/4, PatternH/2, PatternW, PatternH), tech.PixelIn(t, 3*PatternW/4, PatternH/2, PatternW, PatternH)
		return l[0] > 200 && l[1] < 60 && l[2] < 60 && r[0] < 60 && r[1] < 60 && r[2] > 200
	})

	// An arrow drawn by the technician appears on the customer's camera view.
	tech.WaitToolsReady(t)
	tech.UseTool(t, "draw-mode")
	tech.DragIn(t, image.Pt(PatternW/8, PatternH/3), image.Pt(7*PatternW/8, PatternH/3), PatternW, PatternH, 12)
	waitFor(t, "the arrow on the customer's camera view", func() bool {
		return customer.ArrowPixel(t, 0.5, 1.0/3).A > 0
	})
	if c := customer.ArrowPixel(t, 0.5, 0.8); c.A != 0 {
		t.Errorf("the customer's view has a drawing where none was drawn: %v", c)
	}
	// A snapshot of the camera, saved on the technician's side.
	tech.TakeScreenshot(t)
	if got := evalJS[[]int](t, tech.p, "the snapshot's size", `[lifelineScreenshots.saved.at(-1).w, lifelineScreenshots.saved.at(-1).h]`); got[0] != PatternW || got[1] != PatternH {
		t.Errorf("snapshot of %v, want %dx%d", got, PatternW, PatternH)
	}
	customer.Shot(t, "instant-customer-camera")
	tech.Shot(t, "instant-technician-camera")

	// One click stops sharing: the technician is back to waiting.
	customer.Click(t, "instant-stop")
	if got := customer.Shared(t); got != "none" {
		t.Fatalf("after Stop the page shares %q", got)
	}
	tech.WaitStatus(t, "Waiting for Marie Curie to allow viewing")

	// The customer ends the session.
	customer.Click(t, "instant-end")
	tech.WaitStatus(t, "ended")
	if log := tech.WaitLog(t, "My printer shows a red light."); !strings.Contains(log, "Hello, I am here to help.") {
		t.Errorf("the log lost the technician's message:\n%s", log)
	}
}

// A browser that cannot share its screen (no getDisplayMedia, as on phones
// and older browsers): the page says so plainly, its "Show my screen" is
// off, and the chat works both ways all the same.
func TestHelpInABrowserWithoutScreenSharing(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Curie")
	customer := stack.BrowserCustomerWith(t, inv, `delete MediaDevices.prototype.getDisplayMedia;`)
	customer.WaitText(t, "instant-note", "This browser cannot share its screen")
	if off := customer.Eval(t, "the screen button", `document.getElementById("instant-screen").disabled`); off != true {
		t.Errorf("Show my screen is offered in a browser that cannot share it")
	}
	tech.Chat(t, "Can you read me?")
	customer.WaitText(t, "instant-log", "Can you read me?")
	customer.Say(t, "Yes, I can.")
	tech.WaitLog(t, "Yes, I can.")
}

// A customer helped in the browser needs remote control after all: the page
// offers the program for the same session; run, it takes over from the page
// (the customer allows it as usual), the technician sees the real screen in
// the same workspace, and the chat from before is still in the log.
func TestBrowserCustomerGoesOnWithTheProgram(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Curie")
	sid := tech.SessionID(t)
	customer := stack.BrowserCustomer(t, inv)
	tech.WaitStatus(t, "Waiting for Marie Curie to allow viewing")
	customer.Say(t, "I need you to fix it for me.")
	tech.WaitLog(t, "I need you to fix it for me.")

	customer.Click(t, "instant-program")
	agent := stack.download(t, customer.ctx)
	agent.OpenPage(t)
	agent.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Curie")
	if w, h := tech.WaitVideo(t); w != ScreenW || h != ScreenH {
		t.Errorf("the console shows %dx%d, not the customer's %dx%d screen", w, h, ScreenW, ScreenH)
	}
	if got := tech.SessionID(t); got != sid {
		t.Errorf("the program opened session %s, not %s", got, sid)
	}
	tech.WaitLog(t, "I need you to fix it for me.")
}

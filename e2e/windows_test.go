package e2e

import (
	"bytes"
	"context"
	"debug/pe"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/wine"
	"github.com/lifeline-support/lifeline/shared/agentcfg"
)

// A Windows customer gets the Windows agent from the invitation link
// (lifeline-support.exe, stamped with the server and code) and, run under
// Wine on the customer's display, it joins the session: the technician sees
// the screen as Windows' GDI reads it (the pixels of a native X window in the
// decoded video, and a screenshot) while the customer's screen shows an orange frame (red
// under control), controls a Windows window (clicks, keys by position on an
// AZERTY layout, Unicode text; Task Manager in place of Ctrl+Alt+Del, with
// the reason), draws on the screen, chats both ways (a
// link opens in the customer's browser through ShellExecute), shares the
// clipboard both ways, moves a file each way with
// its SHA-256, loses control when the customer clicks the badge, and End
// makes the agent exit and take its windows away. Before, the agent did not build for Windows (agent/screen's
// XShm: "sys/ipc.h: No such file or directory") and a Windows browser was
// told the program was coming.
func TestWindowsAgentUnderWine(t *testing.T) {
	prefix := wine.NewPrefix(t) // skips without wine64 and mingw
	stack := Start(t)
	opened := stack.FakeOpener(t) // Wine's ShellExecute hands web links to xdg-open
	WindowsAgent(t)
	// Wine reads the keyboard layout from the X server when a program starts.
	stack.SetKeyboardLayout(t, "fr")
	twtest.Start(t, stack.Display, twtest.Options{X: 40, Y: 80, W: 600, H: 400})
	win := twtest.StartWindows(t, stack.Display, prefix, twtest.Options{X: 760, Y: 200, W: 400, H: 300})

	tech := stack.Technician(t)
	downloads := t.TempDir()
	tech.SaveDownloadsTo(t, downloads)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.WindowsCustomer(t, inv, prefix)
	customer.OpenPage(t)
	customer.Allow(t)

	// The screen shows it is viewed: an orange frame (a topmost Windows
	// window, here a native X window drawn by Wine).
	frameAt := func(what string, want [3]int) {
		t.Helper()
		waitFor(t, what, func() bool {
			c := stack.Screen(t).RGBAAt(1, ScreenH/2)
			return near([3]int{int(c.R), int(c.G), int(c.B)}, want, 8)
		})
	}
	frameAt("the orange frame on the customer's screen", [3]int{255, 140, 0})

	w, h := tech.WaitVideo(t)
	first := tech.FirstFrameAt(t)
	t.Logf("Windows agent under Wine: start → first decoded frame %d ms; video %dx%d",
		first-customer.Started.UnixMilli(), w, h)
	if w != ScreenW || h != ScreenH {
		t.Errorf("video is %dx%d, want the customer's %dx%d", w, h, ScreenW, ScreenH)
	}
	tech.WaitQuadrants(t, twtest.Options{X: 40, Y: 80, W: 600, H: 400})
	// Wine has no DXGI Desktop Duplication: the agent took GDI by itself and
	// said why (once: checked at the end).
	customer.WaitLog(t, dxgiFallback)

	// A screenshot at the screen's own resolution, read through GDI: the
	// native window's red and the orange frame, exactly.
	tech.TakeScreenshot(t)
	f, err := os.Open(WaitDownload(t, downloads, ".png"))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := shot.Bounds(); b.Dx() != ScreenW || b.Dy() != ScreenH {
		t.Errorf("the screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), ScreenW, ScreenH)
	}
	for _, p := range []struct {
		x, y int
		want color.RGBA
	}{{190, 180, color.RGBA{255, 0, 0, 255}}, {1, ScreenH / 2, color.RGBA{255, 140, 0, 255}}} {
		if got := color.RGBAModel.Convert(shot.At(p.x, p.y)).(color.RGBA); got != p.want {
			t.Errorf("the screenshot has %v at (%d,%d), want %v", got, p.x, p.y, p.want)
		}
	}

	// Control: a click lands on the Windows window where the technician
	// clicked; keys typed by position follow the customer's AZERTY layout
	// (Q W 2 are a z é there); local mode sends the characters themselves.
	tech.RequestControl(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")
	frameAt("the red frame on the customer's screen", [3]int{220, 0, 0})
	cx, cy := win.Center()
	mark := win.Mark(t)
	tech.Click(t, cx, cy)
	evs := win.WaitFor(t, mark, "the click on the Windows window", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_release")) > 0
	})
	press := twtest.Filter(evs, "button_press")
	if len(press) == 0 || press[0].Button != 1 || abs(press[0].RootX-cx) > 3 || abs(press[0].RootY-cy) > 3 {
		t.Errorf("the click arrived as %+v, want button 1 at (%d,%d)", press, cx, cy)
	}
	mark = win.Mark(t)
	tech.Type(t, "qw2")
	win.WaitFor(t, mark, "a, z and é from the physical keys on AZERTY", func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == "azé" && twtest.Released(evs)
	})
	tech.KeyboardMode(t, "local")
	mark = win.Mark(t)
	const text = "Hé € Ü"
	tech.Type(t, text)
	win.WaitFor(t, mark, "the characters typed in local mode", func(evs []twtest.Event) bool {
		return twtest.Typed(evs) == text
	})

	// Ctrl+Alt+Del cannot reach Windows without a service: the button says
	// why and sends Ctrl+Shift+Esc (Task Manager) instead.
	cad := get(t, tech.Page(), "read the Ctrl+Alt+Del button", chromedp.Evaluate[[]string](
		`(() => { const b = document.getElementById("keys-cad"); return [b.textContent, b.title]; })()`))
	if cad[0] != "Task Manager" || !strings.Contains(cad[1], "Windows takes it only from a service") {
		t.Errorf("the Ctrl+Alt+Del button reads %q (%q), want Task Manager and why", cad[0], cad[1])
	}
	mark = win.Mark(t)
	tech.CtrlAltDel(t)
	evs = win.WaitFor(t, mark, "Ctrl+Shift+Esc on the Windows window", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "key_press")) >= 3 && twtest.Released(evs)
	})
	var scans []int
	for _, e := range twtest.Filter(evs, "key_press") {
		scans = append(scans, e.Keycode&0x1ff)
	}
	if want := []int{0x1d, 0x2a, 0x01}; !slices.Equal(scans, want) {
		t.Errorf("the button pressed scan codes %#x, want Ctrl, Shift, Esc %#x", scans, want)
	}

	// Drawing: the technician's stroke shows on the customer's screen (a
	// topmost, click-through Windows window), and Erase takes it away.
	tech.WaitToolsReady(t)
	tech.UseTool(t, "draw-mode")
	tech.Drag(t, image.Pt(200, 600), image.Pt(700, 600), 20)
	onLine := []image.Point{{250, 600}, {450, 600}, {650, 600}}
	strokeShown := func() bool {
		scr := stack.Screen(t)
		for _, p := range onLine {
			if !IsRed(scr.RGBAAt(p.X, p.Y)) {
				return false
			}
		}
		return true
	}
	waitFor(t, "the stroke on the customer's screen", strokeShown)
	if scr := stack.Screen(t); IsRed(scr.RGBAAt(450, 640)) || IsRed(scr.RGBAAt(900, 600)) {
		t.Error("the customer's screen is red away from the stroke")
	}
	tech.UseTool(t, "draw-erase")
	waitFor(t, "the stroke erased", func() bool {
		scr := stack.Screen(t)
		for _, p := range onLine {
			if IsRed(scr.RGBAAt(p.X, p.Y)) {
				return false
			}
		}
		return true
	})
	tech.UseTool(t, "draw-mode") // off: clicks control again

	// Chat both ways.
	customer.WaitChatReady(t)
	tech.Chat(t, "Bonjour, je regarde")
	customer.WaitChat(t, "Bonjour, je regarde")
	customer.Chat(t, "Merci !")
	tech.WaitLog(t, "Merci !")
	// A link the customer lets open goes to their default browser
	// (ShellExecute).
	customer.AllowLinks(t)
	tech.WaitLog(t, "The customer lets links open automatically")
	tech.SendLink(t, "https://example.com/aide")
	tech.WaitLog(t, "The customer opened the link https://example.com/aide")
	waitFor(t, "the link in the customer's browser", func() bool {
		return slices.Contains(opened(), "https://example.com/aide")
	})

	// The clipboard both ways (CF_UNICODETEXT, which Wine shares with the
	// X clipboard the test writes and reads as the customer's).
	tech.AllowClipboardAccess(t)
	tech.ShareClipboard(t)
	customer.Allow(t)
	tech.WaitClipboardState(t, "Shared with Marie Dupont")
	const toCustomer = "Mot de passe Wi-Fi : «été-2026» ✓"
	tech.CopyText(t, toCustomer)
	waitFor(t, "the technician's text on the customer's clipboard", func() bool { return stack.XClipboard(t) == toCustomer })
	const toTech = "Erreur 0x80070005 : accès refusé"
	stack.CustomerCopies(t, toTech)
	waitFor(t, "the customer's text in the console", func() bool { return tech.ClipboardPreview(t) == toTech })

	// A file each way, checked by SHA-256. The technician's lands in the
	// customer's Downloads folder (SHGetKnownFolderPath) in the Wine prefix.
	fileEachWay(t, tech, customer, "rapport.bin", func() string {
		got, _ := filepath.Glob(filepath.Join(prefix.Dir, "drive_c", "users", "*", "Downloads", "rapport.bin"))
		if len(got) != 1 {
			return ""
		}
		return got[0]
	})

	// The badge follows the customer's drag; then they revoke control with a
	// click on it: the frame turns orange, and even input forged on the
	// data channel is dropped by the agent.
	badge := customer.DragBadge(t, -200, -150)
	scr := stack.Screen(t)
	white := 0
	for y := badge.Min.Y; y < badge.Max.Y; y++ {
		for x := badge.Min.X; x < badge.Max.X; x++ {
			if c := scr.RGBAAt(x, y); c.R > 240 && c.G > 240 && c.B > 240 {
				white++
			}
		}
	}
	if white < 100 {
		t.Errorf("the badge shows no text (%d white pixels)", white)
	}
	customer.ClickBadge(t)
	tech.WaitStatus(t, "view only")
	frameAt("the orange frame again", [3]int{255, 140, 0})
	mark = win.Mark(t)
	tech.ForgeInput(t, cx, cy)
	customer.WaitLog(t, "input without a control grant dropped")
	if got := twtest.Filter(win.Events(t)[mark:], "button_press"); len(got) != 0 {
		t.Errorf("input arrived after control was revoked: %+v", got)
	}

	tech.End(t)
	code, out, stderr := customer.WaitExit(t)
	if code != 0 || !strings.Contains(out, "The support session has ended") {
		t.Errorf("the agent exited with %d after End, want 0 and a goodbye:\n%s\n%s", code, out, stderr)
	}
	if n := strings.Count(stderr, dxgiFallback); n != 1 {
		t.Errorf("the agent said %d times that it falls back to GDI, want once:\n%s", n, stderr)
	}
	// Its windows went with it.
	if c := stack.Screen(t).RGBAAt(1, ScreenH/2); near([3]int{int(c.R), int(c.G), int(c.B)}, [3]int{255, 140, 0}, 8) {
		t.Errorf("the frame is still on the screen after the agent exited: %v", c)
	}
}

// dxgiFallback is what the Windows agent logs when DXGI Desktop Duplication
// fails and GDI reads the screen instead (agent/screen).
const dxgiFallback = "DXGI Desktop Duplication is not available; capturing with GDI"

// While a Windows security prompt holds the secure desktop, the technician
// sees why instead of a frozen screen: the console says "A Windows security
// prompt is open on the customer's screen" over a grey picture, and the
// customer's screen comes back by itself once the prompt is gone. Under
// Wine the prompt is e2e/securedesktop: the agent can no longer open the
// desktop that receives input (as Winlogon's on Windows) while GDI still
// reads the screen. Before, only a failed BitBlt was noticed: the console
// kept showing the screen. With LIFELINE_SCREENSHOTS=1 it saves the console
// into e2e/screenshots/.
func TestWindowsAgentShowsWhenASecurityPromptHoldsTheScreen(t *testing.T) {
	prefix := wine.NewPrefix(t) // skips without wine64 and mingw
	stack := Start(t)
	WindowsAgent(t)
	win := twtest.Options{X: 40, Y: 80, W: 600, H: 400}
	twtest.Start(t, stack.Display, win)

	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.WindowsCustomer(t, inv, prefix)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitQuadrants(t, win)

	const secure = "A Windows security prompt is open on the customer's screen"
	note := `(() => { const n = document.getElementById("screen-blocked"); return n && !n.hidden ? n.textContent : ""; })()`
	leave := SecureDesktop(t, prefix, stack.Display)
	tech.WaitJS(t, "the console saying a security prompt is open", note+` === "`+secure+`"`)
	// The video goes on with the agent's grey picture, not the screen.
	x, y := win.X+win.W/4, win.Y+win.H/4
	waitFor(t, "the grey picture in the video", func() bool { return near(tech.Pixel(t, x, y), [3]int{56, 56, 56}, 24) })
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		writeShot(t, get(t, tech.Page(), "screenshot the console", chromedp.CaptureScreenshot()), "console-windows-secure-prompt")
	}

	leave()
	tech.WaitJS(t, "the note gone once the prompt is", note+` === ""`)
	tech.WaitQuadrants(t, win)
	customer.WaitLog(t, "the screen cannot be read")
}

// The Windows agent that cannot start says why and exits non-zero, before
// anything starts: a stamp that was cut short or altered asks for a new
// download, and Windows before 10 is refused. Before, both went on to say
// the program did not know its server (a damaged stamp read as none), and
// an old Windows was not checked at all.
func TestWindowsAgentSaysWhyItCannotStart(t *testing.T) {
	prefix := wine.NewPrefix(t) // skips without wine64 and mingw
	built := WindowsAgent(t)
	run := func(what, exe string) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		cmd := prefix.Command(ctx, exe)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("%s: %v", what, err)
		}
		return cmd.ProcessState.ExitCode(), stderr.String()
	}

	// A stamp whose JSON was altered (its length and magic intact).
	exe, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	trailer := agentcfg.Trailer(agentcfg.Config{Server: "http://127.0.0.1:9", Code: "abc"})
	trailer[0] = '!'
	damaged := filepath.Join(t.TempDir(), "lifeline-support.exe")
	if err := os.WriteFile(damaged, append(exe, trailer...), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stderr := run("a damaged stamp", damaged); code == 0 || !strings.Contains(stderr, "This program is damaged") {
		t.Errorf("with a damaged stamp the agent exited %d saying:\n%s", code, stderr)
	}

	// Windows 7.
	prefix.SetVersion(t, "win7")
	if code, stderr := run("Windows 7", built); code == 0 || !strings.Contains(stderr, "Lifeline needs Windows 10 or later") {
		t.Errorf("on Windows 7 the agent exited %d saying:\n%s", code, stderr)
	}
}

// The Windows agent carries what Windows shows and checks before it runs
// it: a manifest that asks for no administrator rights (asInvoker), its
// version information naming lifeline-support.exe, and an icon. Before,
// the .exe had none of them (and did not build).
func TestWindowsAgentCarriesItsResources(t *testing.T) {
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		t.Skip("mingw-w64 is not installed (go tool task deps)")
	}
	f, err := pe.Open(WindowsAgent(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		t.Fatal("the agent has no resource section")
	}
	data, err := rsrc.Data()
	if err != nil {
		t.Fatal(err)
	}
	utf16 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return b
	}
	for what, want := range map[string][]byte{
		"the manifest's asInvoker":       []byte(`level="asInvoker"`),
		"the name customers see":         utf16("lifeline-support.exe"),
		"the product name":               utf16("Lifeline remote support"),
		"an icon (its 32x32 BMP header)": {40, 0, 0, 0, 32, 0, 0, 0, 64, 0, 0, 0, 1, 0, 32, 0},
	} {
		if !bytes.Contains(data, want) {
			t.Errorf("the agent's resources lack %s", what)
		}
	}
}

// WaitQuadrants (a test helper: near lives with the tests) waits until the console's video shows the four quadrants of
// a test window at win (red, green, blue, yellow, each within 40 of its
// colour: video compression).
func (tc *Technician) WaitQuadrants(t testing.TB, win twtest.Options) {
	t.Helper()
	for _, q := range []struct {
		name string
		x, y int
		rgb  [3]int
	}{
		{"red", win.X + win.W/4, win.Y + win.H/4, [3]int{255, 0, 0}},
		{"green", win.X + 3*win.W/4, win.Y + win.H/4, [3]int{0, 255, 0}},
		{"blue", win.X + win.W/4, win.Y + 3*win.H/4, [3]int{0, 0, 255}},
		{"yellow", win.X + 3*win.W/4, win.Y + 3*win.H/4, [3]int{255, 255, 0}},
	} {
		waitFor(t, "the "+q.name+" quadrant in the video", func() bool { return near(tc.Pixel(t, q.x, q.y), q.rgb, 40) })
	}
}

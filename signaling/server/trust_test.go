package server_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/totp"
)

const techPassword = "a long enough password"

// Each permission, turned off in the technician's group, is refused by the
// server and missing from the console's pages.
func TestPermissionMatrix(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "limited")
	admin.CreateTechnician(t, "alice", "Alice", techPassword, "limited")
	alice := st.LogInAs(t, n, "alice", techPassword)

	for _, off := range access.All {
		t.Run(string(off), func(t *testing.T) {
			var on []string
			for _, p := range access.All {
				if p != off {
					on = append(on, string(p))
				}
			}
			admin.PutGroup(t, "limited", on...)

			_, list := alice.Get(t, "/console")
			code, ws := alice.Post(t, "/console/sessions", url.Values{"customer": {"Marie"}})
			if off == access.StartSessions {
				if strings.Contains(list, `id="new-session"`) {
					t.Error("the New session form is shown")
				}
				if code != http.StatusForbidden {
					t.Errorf("creating a session: %d, want 403", code)
				}
				return
			}
			if code != http.StatusOK {
				t.Fatalf("creating a session: %d %s", code, ws)
			}
			var perms map[string]bool
			if err := json.Unmarshal([]byte(htmlUnescape(st.Find(t, ws, `data-perms="([^"]+)"`))), &perms); err != nil {
				t.Fatal(err)
			}
			for _, p := range access.All {
				if perms[string(p)] != (p != off) {
					t.Errorf("console permissions: %s = %v", p, perms[string(p)])
				}
			}
			hidden := map[access.Perm][]string{
				access.InviteLink:  {`id="invite-link"`},
				access.InvitePIN:   {`id="invite-pin"`},
				access.InviteEmail: {`id="mailto"`},
				access.Control:     {`id="request-control"`},
				access.Files:       {`id="panel-files"`, `/static/files.js`},
				access.Clipboard:   {`id="panel-clipboard"`, `/static/clipboard.js`},
				access.Terminal:    {`id="panel-terminal"`, `/static/terminal.js`},
				access.SysInfo:     {`id="panel-sysinfo"`, `/static/sysinfo.js`},
				access.FileManager: {`id="panel-fileman"`, `/static/fileman.js`},
				access.Scripts:     {`id="panel-scripts"`, `/static/scripts.js`},
				access.ShowScreen:  {`/static/share.js`},
				access.Voice:       {`/static/voice.js`},
				access.Launcher:    {`/static/launcher.js`},
			}
			for p, marks := range hidden {
				for _, m := range marks {
					if got := strings.Contains(ws, m); got != (p != off) {
						t.Errorf("workspace shows %s: %v (permission %s off)", m, got, off)
					}
				}
			}
			sid := st.Find(t, ws, `data-sid="([^"]+)"`)
			token := inviteToken(ws)

			// The server refuses what the console hides.
			console := alice.Dial(t, "/ws/console")
			console.Expect(protocol.TypeConsoleWelcome)
			wantForbidden := func(typ protocol.Type, payload any) {
				t.Helper()
				id := console.Send(typ, sid, payload)
				e := console.Expect(protocol.TypeError)
				if e.ID != id || e.Body.(*protocol.Error).Code != protocol.CodeForbidden {
					t.Errorf("%s: got %+v, want forbidden", typ, e.Body)
				}
			}
			switch off {
			case access.View, access.Control, access.Clipboard, access.Terminal, access.SysInfo, access.FileManager, access.Reboot:
				wantForbidden(protocol.TypePermissionRequest, protocol.PermissionRequest{Permission: protocol.Permission(off)})
			case access.Recording:
				wantForbidden(protocol.TypeAudit, protocol.Audit{Event: protocol.AuditRecordingStarted})
			case access.ShowScreen:
				wantForbidden(protocol.TypePageSignal, protocol.PageSignal{Kind: protocol.PageShare, On: true})
			case access.Voice:
				wantForbidden(protocol.TypePageSignal, protocol.PageSignal{Kind: protocol.PageCall, On: true})
			case access.Launcher:
				wantForbidden(protocol.TypeLauncherOffer, protocol.LauncherOffer{Channel: "printers"})
			case access.Transfer:
				wantForbidden(protocol.TypeSessionTransfer, protocol.SessionTransfer{To: "admin"})
				_, q := alice.Get(t, "/console/queue")
				if !strings.Contains(htmlUnescape(st.Find(t, q, `data-perms="([^"]+)"`)), `"transfer":false`) {
					t.Error("the queue page does not tell its script that transfers are off")
				}
			}
			// The agent is told what the technician may not do, and enforces it.
			if token != "" {
				agent := st.Dial(t, n.URL+"/ws/agent", nil)
				agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
				w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
				want := map[access.Perm]string{access.View: protocol.DeniedView, access.Control: protocol.DeniedControl,
					access.Files: protocol.DeniedFiles, access.Clipboard: protocol.DeniedClipboard,
					access.Drawing: protocol.DeniedDrawing, access.Recording: protocol.DeniedRecording,
					access.Terminal: protocol.DeniedTerminal, access.SysInfo: protocol.DeniedSysInfo,
					access.FileManager: protocol.DeniedFileManager,
					access.ShowScreen:  protocol.DeniedShowScreen, access.Voice: protocol.DeniedVoice,

					access.Scripts: protocol.DeniedScripts, access.Reboot: protocol.DeniedReboot,
					access.Launcher: protocol.DeniedLauncher}[off]
				if want != "" && !slices.Equal(w.Denied, []string{want}) || want == "" && len(w.Denied) != 0 {
					t.Errorf("agent told denied = %v", w.Denied)
				}
			}
			// A PIN withheld from the technician is not issued at all.
			if off == access.InvitePIN && strings.Contains(ws, `class="pin"`) {
				t.Error("a PIN was issued")
			}
		})
	}
	events := auditEvents(t, admin, "type=permission.denied&actor=alice")
	if len(events) < 5 {
		t.Errorf("audit has %d permission.denied events for alice, want one per refusal: %+v", len(events), events)
	}
}

// inviteToken reads the link token from a workspace page, "" if not shown.
func inviteToken(page string) string {
	m := regexp.MustCompile(`id="invite-link" readonly value="[^"]*/s/([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&amp;", "&").Replace(s)
}

func auditEvents(t *testing.T, admin *st.Tech, query string) []audit.Event {
	t.Helper()
	code, body := admin.Get(t, "/admin/audit?format=json&"+query)
	if code != http.StatusOK {
		t.Fatalf("audit export: %d %s", code, body)
	}
	var events []audit.Event
	if err := json.Unmarshal([]byte(body), &events); err != nil {
		t.Fatalf("audit export: %v\n%s", err, body)
	}
	return events
}

// A technician enrols an authenticator, then logs in with the code it computes;
// a recovery code works once; an organisation can make two-step login mandatory.
func TestTwoStepLogin(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "bob", "Bob", techPassword, "")
	bob := st.LogInAs(t, n, "bob", techPassword)

	_, page := bob.Get(t, "/account/2fa")
	secret := st.Find(t, page, `id="totp-secret">([A-Z2-7]+)<`)
	if !strings.Contains(page, `id="totp-qr" src="data:image/png;base64,`) {
		t.Fatalf("no QR code on the enrolment page:\n%s", page)
	}
	if code, _ := bob.Post(t, "/account/2fa", url.Values{"code": {"000000"}}); code != http.StatusBadRequest {
		t.Errorf("a wrong code turned two-step login on: %d", code)
	}
	now, _ := totp.Code(secret, time.Now())
	code, page := bob.Post(t, "/account/2fa", url.Values{"code": {now}})
	if code != http.StatusOK || !strings.Contains(page, `id="recovery-codes"`) {
		t.Fatalf("enrolment: %d %s", code, page)
	}
	if ev := auditEvents(t, admin, "type=totp.enabled&actor=bob"); len(ev) != 1 {
		t.Errorf("totp.enabled events: %+v", ev)
	}
	recovery := regexp.MustCompile(`<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</li>`).FindAllStringSubmatch(page, -1)
	if len(recovery) != 10 {
		t.Fatalf("%d recovery codes", len(recovery))
	}

	// The password alone no longer logs in: the code page follows.
	loginCode := func(code string) (*st.Tech, int, string) {
		t.Helper()
		tc := st.Anonymous(t, n)
		resp, err := tc.Client.PostForm(n.URL+"/login", url.Values{"username": {"bob"}, "password": {techPassword}})
		if err != nil {
			t.Fatal(err)
		}
		body := st.ReadAll(t, resp)
		if resp.Request.URL.Path != "/login/code" {
			t.Fatalf("after the password: %s %s", resp.Request.URL, body)
		}
		if s, _ := tc.Get(t, "/console"); s != http.StatusOK {
			t.Fatalf("console: %d", s)
		}
		if _, b := tc.Get(t, "/console"); strings.Contains(b, `id="customer"`) {
			t.Fatal("the console opened before the code")
		}
		resp, err = tc.Client.PostForm(n.URL+"/login/code", url.Values{"code": {code}})
		if err != nil {
			t.Fatal(err)
		}
		body = st.ReadAll(t, resp)
		return tc, resp.StatusCode, body
	}
	if _, status, _ := loginCode("123456"); status != http.StatusUnauthorized {
		t.Errorf("wrong code: %d", status)
	}
	// The enrolment used this step's code; the next step's is accepted (drift).
	next, _ := totp.Code(secret, time.Now().Add(totp.Step))
	if _, status, body := loginCode(next); status != http.StatusOK || !strings.Contains(body, `id="customer"`) {
		t.Fatalf("login with the computed code: %d %s", status, body)
	}
	if _, status, _ := loginCode(next); status != http.StatusUnauthorized {
		t.Errorf("the same code worked twice: %d", status)
	}
	if _, status, body := loginCode(recovery[0][1]); status != http.StatusOK || !strings.Contains(body, `id="customer"`) {
		t.Fatalf("login with a recovery code: %d %s", status, body)
	}
	if _, status, _ := loginCode(recovery[0][1]); status != http.StatusUnauthorized {
		t.Errorf("a recovery code worked twice: %d", status)
	}

	// Mandatory: an account without two-step login only reaches enrolment.
	admin.CreateTechnician(t, "carol", "Carol", techPassword, "")
	if code, body := admin.Post(t, "/admin/settings", url.Values{"org": {"Acme IT"}, "loginHours": {"12"}, "maxSessions": {"0"}, "requireTotp": {"on"}}); code != http.StatusOK {
		t.Fatalf("settings: %d %s", code, body)
	}
	carol := st.Anonymous(t, n)
	resp, err := carol.Client.PostForm(n.URL+"/login", url.Values{"username": {"carol"}, "password": {techPassword}})
	if err != nil {
		t.Fatal(err)
	}
	body := st.ReadAll(t, resp)
	if resp.Request.URL.Path != "/account/2fa" || !strings.Contains(body, "requires two-step login") {
		t.Errorf("with two-step login mandatory, the login led to %s", resp.Request.URL)
	}
	carol.CSRF = st.Find(t, body, `name="csrf" value="([^"]+)"`)
	if _, body := carol.Post(t, "/console/sessions", url.Values{"customer": {"X"}}); strings.Contains(body, "data-sid") {
		t.Error("a session was created without two-step login")
	}
}

// Repeated wrong passwords lock the account for that address, even against the
// right password, until an administrator unlocks it; logging out everywhere
// ends other logins.
func TestLockoutAndLogoutEverywhere(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "dave", "Dave", techPassword, "")
	try := func(pw string) (int, string) {
		resp, err := http.PostForm(n.URL+"/login", url.Values{"username": {"dave"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, st.ReadAll(t, resp)
	}
	for i := range 4 {
		if code, _ := try("wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, code)
		}
	}
	if code, body := try("wrong password"); code != http.StatusTooManyRequests || !strings.Contains(body, "locked for it until") {
		t.Fatalf("fifth failure: %d %s", code, body)
	}
	if code, _ := try(techPassword); code != http.StatusTooManyRequests {
		t.Fatalf("the right password on a locked account: %d", code)
	}
	if ev := auditEvents(t, admin, "type=login.&actor=dave"); len(ev) != 7 || ev[5].Type != audit.LoginLocked {
		t.Errorf("audit of the lockout: %+v", ev)
	}
	admin.Post(t, "/admin/technicians/dave", url.Values{"action": {"unlock"}})
	d1 := st.LogInAs(t, n, "dave", techPassword)
	d2 := st.LogInAs(t, n, "dave", techPassword)
	if code, _ := d1.Post(t, "/logout/everywhere", nil); code != http.StatusOK {
		t.Fatalf("logout everywhere: %d", code)
	}
	resp, err := d2.Client.Get(n.URL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	st.ReadAll(t, resp)
	if resp.Request.URL.Path != "/login" {
		t.Errorf("the other browser still reaches %s", resp.Request.URL.Path)
	}
	// A disabled account cannot log in.
	admin.Post(t, "/admin/technicians/dave", url.Values{"action": {"disable"}})
	if code, _ := try(techPassword); code != http.StatusUnauthorized {
		t.Errorf("disabled account: %d", code)
	}

	// One address guessing across many usernames is slowed down too: after 30
	// failures in 10 minutes even a right password is refused from there.
	for i := 0; ; i++ {
		resp, err := http.PostForm(n.URL+"/login", url.Values{"username": {fmt.Sprintf("guess%d", i)}, "password": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		body := st.ReadAll(t, resp)
		if resp.StatusCode == http.StatusTooManyRequests {
			if i < 20 || !strings.Contains(body, "Too many login attempts from your address") {
				t.Errorf("rate limited after %d failures: %s", i, body)
			}
			break
		}
		if i > 40 {
			t.Fatal("no rate limit per address after 40 failures")
		}
	}
	resp, err = http.PostForm(n.URL+"/login", url.Values{"username": {"admin"}, "password": {st.AdminPassword}})
	if err != nil {
		t.Fatal(err)
	}
	if st.ReadAll(t, resp); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password from a rate-limited address: %d", resp.StatusCode)
	}
}

// The audit export holds every event of a scripted session, in order, as JSON
// and as CSV.
func TestAuditExportOfAScriptedSession(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	if resp, err := http.PostForm(n.URL+"/login", url.Values{"username": {"admin"}, "password": {"wrong password"}}); err == nil {
		resp.Body.Close()
	}
	admin := st.LogIn(t, n)
	sid, token, _ := admin.NewSession(t, "Marie")
	console := admin.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	agent.Expect(protocol.TypeAgentWelcome)
	ask := func(p protocol.Permission) {
		console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: p})
		agent.Expect(protocol.TypePermissionRequest)
	}
	grant := func(p protocol.Permissions, refused protocol.Permission) {
		agent.Send(protocol.TypePermissionUpdate, "", protocol.PermissionUpdate{Permissions: p, Refused: refused})
		console.Expect(protocol.TypePermissionUpdate)
	}
	ask(protocol.PermissionView)
	grant(protocol.Permissions{View: true}, "")
	ask(protocol.PermissionControl)
	grant(protocol.Permissions{View: true}, protocol.PermissionControl)
	ask(protocol.PermissionControl)
	grant(protocol.Permissions{View: true, Control: true}, "")
	sum := strings.Repeat("ab", 32)
	agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditFileSent, Name: "fix.sh", Size: 120, SHA256: sum})
	agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditFileReceived, Name: "log, \"quoted\".txt", Size: 9, SHA256: sum})
	// Two sockets: let the agent's reports land before the console's.
	for deadline := time.Now().Add(10 * time.Second); len(auditEvents(t, admin, "type=file.&session="+sid)) < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	console.Send(protocol.TypeAudit, sid, protocol.Audit{Event: protocol.AuditRecordingStarted})
	for deadline := time.Now().Add(10 * time.Second); len(auditEvents(t, admin, "type=recording.started&session="+sid)) < 1 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	grant(protocol.Permissions{View: true}, "") // the customer stops control
	console.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	agent.Expect(protocol.TypeSessionEnd)

	want := []audit.Type{
		audit.SessionCreated, audit.SessionStarted,
		audit.PermissionAsked, audit.PermissionGranted,
		audit.PermissionAsked, audit.PermissionRefused,
		audit.PermissionAsked, audit.PermissionGranted, audit.ControlTaken,
		audit.FileSent, audit.FileReceived, audit.RecordingStarted,
		audit.PermissionRevoked, audit.SessionEnded,
	}
	var events []audit.Event
	deadline := time.Now().Add(10 * time.Second)
	for {
		events = auditEvents(t, admin, "session="+sid)
		if len(events) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var got []audit.Type
	for _, e := range events {
		got = append(got, e.Type)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("session events:\n got %v\nwant %v", got, want)
	}
	if f := events[9].File; f == nil || f.Name != "fix.sh" || f.Size != 120 || f.SHA256 != sum || events[9].Actor != "admin" || events[10].Actor != "customer" {
		t.Errorf("file event: %+v %+v", events[9], f)
	}
	if events[11].Actor != "admin" {
		t.Errorf("recording attributed to %q", events[11].Actor)
	}
	logins := auditEvents(t, admin, "type=login.&actor=admin")
	if len(logins) != 2 || logins[0].Type != audit.LoginFailed || logins[1].Type != audit.LoginOK {
		t.Errorf("login events: %+v", logins)
	}

	code, csvBody := admin.Get(t, "/admin/audit?format=csv&session="+sid)
	if code != http.StatusOK {
		t.Fatalf("CSV export: %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want)+1 || !slices.Equal(rows[0], audit.CSVHeader) || rows[11][7] != `log, "quoted".txt` || rows[10][9] != sum {
		t.Errorf("CSV export:\n%s", csvBody)
	}
	// The page filters too.
	if _, page := admin.Get(t, "/admin/audit?type=file.&session="+sid); strings.Count(page, "SHA-256 "+sum) != 2 {
		t.Errorf("filtered audit page does not list the two files")
	}
}

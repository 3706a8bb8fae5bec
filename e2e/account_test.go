package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// TestTechnicianChangesPasswordInTheBrowser: a technician opens Your
// account, changes the password there and is told other browsers were
// logged out; a browser logged in before is sent back to the login page,
// and the new password is the one that works.
func TestTechnicianChangesPasswordInTheBrowser(t *testing.T) {
	stack := Start(t)
	node := st.Node{URL: stack.URL}
	st.LogInAs(t, node, "admin", AdminPassword).CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	before := st.LogInAs(t, node, "claire", "claire-password-1")
	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	const newPassword = "claire's new password"
	run(t, claire.Page(), "change the password on Your account",
		chromedp.Navigate(stack.URL+"/account"),
		click("change-password"),
		chromedp.WaitVisible(chromedp.ID("password-form")),
		chromedp.SendKeys(chromedp.ID("current-password"), "claire-password-1"),
		chromedp.SendKeys(chromedp.ID("new-password"), newPassword),
		chromedp.SendKeys(chromedp.ID("confirm-password"), newPassword),
		click("save-password"),
		chromedp.WaitVisible(chromedp.ID("password-changed")),
	)
	resp, err := before.Client.Get(stack.URL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	st.ReadAll(t, resp)
	if resp.Request.URL.Path != "/login" {
		t.Errorf("a browser logged in before the change ended on %s, want the login page", resp.Request.URL.Path)
	}
	if _, path, _ := st.LogInTo(t, node, "claire", "claire-password-1"); path != "/login" {
		t.Errorf("the old password after the change: ended on %s, want refused", path)
	}
	st.LogInAs(t, node, "claire", newPassword)
}

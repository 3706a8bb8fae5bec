package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// BenchmarkCollaborationViewers measures the agent's CPU use and the lead's
// received bit rate on a 1920×1080 desktop scrolling full screen, with 1, 2
// and 4 technicians viewing (the lead and colleagues who joined from their
// queues). Each viewer has a connection, and today an encoder, of its own.
func BenchmarkCollaborationViewers(b *testing.B) {
	stack := e2e.StartWith(b, e2e.Options{Width: 1920, Height: 1080})
	admin := st.LogInAs(b, st.Node{URL: stack.URL}, "admin", e2e.AdminPassword)
	names := []string{"claire", "dan", "eve"}
	for _, id := range names {
		admin.CreateTechnician(b, id, "Tech "+id, id+"-password-1", "")
	}
	var colleagues []*e2e.Technician
	for _, id := range names {
		c := stack.TechnicianAs(b, id, id+"-password-1")
		c.OpenQueue(b)
		colleagues = append(colleagues, c)
	}
	lead := stack.Technician(b)
	for b.Loop() {
		inv := lead.NewSession(b, "Bench viewers")
		sid := e2e.Eval[string](b, lead, "the session's ID", `document.getElementById("workspace").dataset.sid`)
		customer := stack.Customer(b, inv)
		customer.OpenPage(b)
		customer.Allow(b)
		lead.WaitVideo(b)
		probe := NewProbe(b, lead)
		scroll := StartPattern(b, stack.Display, "scroll")
		viewers := 1
		for _, want := range []int{1, 2, 4} {
			for ; viewers < want; viewers++ {
				c := colleagues[viewers-1]
				lead.InviteColleague(b, names[viewers-1], "bench")
				c.WaitQueueState(b, sid, "invitation")
				c.QueueAction(b, sid, "q-join")
				customer.Allow(b) // the customer lets the colleague see the screen
				e2e.WaitFor(b, "the colleague's video", func() bool {
					_, pc, frames := c.TabState(b, sid)
					return pc == "connected" && frames > 0
				})
			}
			time.Sleep(settle)
			kbps, cores, fps, _ := sample(b, probe, customer.Pid(), measure)
			b.Logf("%d viewers, 1080p scrolling: agent %.2f cores, lead receives %.0f kbit/s at %.1f fps", want, cores, kbps, fps)
			results.Set(fmt.Sprintf("agent_cpu_scroll_1080p_viewers_%d", want), cores)
			results.Set(fmt.Sprintf("kbps_scroll_1080p_viewers_%d", want), kbps)
			b.ReportMetric(cores, fmt.Sprintf("cores_%d_viewers", want))
		}
		scroll.Stop()
		lead.End(b)
		customer.WaitExit(b)
	}
	b.ReportMetric(0, "ns/op")
}

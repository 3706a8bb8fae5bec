package hub

import (
	"context"
	"fmt"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

func state(t *testing.T, sid, st string) []byte {
	t.Helper()
	b, err := protocol.Encode(protocol.TypeSessionState, "", sid, protocol.SessionState{State: st})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A full queue keeps the newest state of each session aside, delivered after
// what was queued and in the order the sessions first waited; anything else
// that does not fit is refused.
func TestOutboxCoalescesStatesWhenFull(t *testing.T) {
	o := newOutbox(2)
	first, second := []byte(`{"type":"offer","sid":"a"}`), state(t, "a", "waiting")
	if !o.put(first) || !o.put(second) {
		t.Fatal("a queue with room refused a message")
	}
	for i := range 1000 { // a burst: 500 sessions change twice each
		sid := fmt.Sprintf("s%03d", i%500)
		if !o.put(state(t, sid, fmt.Sprint(i))) {
			t.Fatalf("state %d refused", i)
		}
	}
	if !o.put(state(t, "a", "ended")) {
		t.Fatal("a newer state of a queued session refused")
	}
	if o.put([]byte(`{"type":"answer","sid":"b"}`)) {
		t.Fatal("a message that is not a state was set aside")
	}
	ctx := context.Background()
	var got []string
	for {
		b, _ := o.take(ctx)
		got = append(got, string(b))
		if len(got) == 2+500+1 {
			break
		}
	}
	if got[0] != string(first) || got[1] != string(second) {
		t.Fatalf("queued messages came out as %.60s, %.60s", got[0], got[1])
	}
	if want := string(state(t, "s000", "500")); got[2] != want {
		t.Errorf("first state set aside: %s, want the newest of s000: %s", got[2], want)
	}
	if want := string(state(t, "s499", "999")); got[501] != want {
		t.Errorf("last of the burst: %s, want %s", got[501], want)
	}
	if want := string(state(t, "a", "ended")); got[502] != want {
		t.Errorf("then %s, want %s", got[502], want)
	}
	// Drained: the queue takes messages again.
	if !o.put([]byte(`{"type":"answer","sid":"b"}`)) {
		t.Fatal("a drained outbox refused a message")
	}
}

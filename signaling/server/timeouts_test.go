package server_test

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// shortTimeouts gives a node one-second read and write timeouts.
func shortTimeouts(c *server.Config) {
	c.HTTP.ReadTimeout, c.HTTP.WriteTimeout, c.HTTP.IdleTimeout = time.Second, time.Second, time.Second
}

// TestServerTimeoutsCutSlowBodies: a client that sends its headers and then
// trickles (here: withholds) the body does not hold a connection and a
// handler for ever; the server gives up after its read timeout.
func TestServerTimeoutsCutSlowBodies(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node", shortTimeouts)
	u, _ := url.Parse(n.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Write([]byte("POST /login HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=adm"))
	if err != nil {
		t.Fatal(err)
	}
	// The answer (an error status or a closed connection) must come well
	// before this deadline, which only bounds the test.
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err = bufio.NewReader(c).ReadString('\n')
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server still waits for the body after 15 s (read timeout 1 s)")
	}
}

// TestServerTimeoutsMaxHeaderBytes: huge request headers are refused with 431.
func TestServerTimeoutsMaxHeaderBytes(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/login", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 200<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.ReadAll(t, resp)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("200 KiB of headers: %d, want 431", resp.StatusCode)
	}
}

// TestServerTimeoutsSpareWebSockets: the console's WebSocket outlives the
// HTTP read and write timeouts (it has its own pings) and still answers.
func TestServerTimeoutsSpareWebSockets(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node", shortTimeouts)
	admin := st.LogIn(t, n)
	ws := admin.Dial(t, "/ws/console")
	ws.Expect(protocol.TypeConsoleWelcome)
	// Keep reading; for three timeouts' worth the socket must stay open.
	msgs, errc := make(chan protocol.Message, 16), make(chan error, 1)
	go func() {
		for {
			m, err := ws.Read(time.Minute)
			if err != nil {
				errc <- err
				return
			}
			msgs <- m
		}
	}()
	three := time.NewTimer(3 * time.Second)
	defer three.Stop()
	for open := true; open; {
		select {
		case err := <-errc:
			t.Fatalf("the socket closed: %v", err)
		case <-msgs:
		case <-three.C:
			open = false
		}
	}
	ws.SendRaw([]byte(`{"v":1,"type":"no.such.type","id":"x","payload":{}}`))
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case err := <-errc:
			t.Fatalf("the socket closed: %v", err)
		case m := <-msgs:
			if m.Type == protocol.TypeError && m.ID == "x" {
				return
			}
		case <-deadline.C:
			t.Fatal("no error reply within 10 s")
		}
	}
}

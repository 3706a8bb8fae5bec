package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	natsOnce sync.Once
	natsBin  string
	natsErr  error
)

// natsServerBinary builds nats-server from the module version in go.mod, once.
func natsServerBinary(t testing.TB) string {
	t.Helper()
	natsOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			natsErr = err
			return
		}
		natsBin = filepath.Join(Binaries(t), "nats-server")
		cmd := exec.Command("go", "build", "-o", natsBin, "github.com/nats-io/nats-server/v2")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			natsErr = fmt.Errorf("build nats-server: %v\n%s", err, out)
		}
	})
	if natsErr != nil {
		t.Fatal(natsErr)
	}
	return natsBin
}

// NATSServer is one server of a NATSCluster.
type NATSServer struct {
	Name, URL string
	cmd       *exec.Cmd
	logs      *lockedBuffer
	done      chan struct{}
}

// Kill ends the server at once.
func (s *NATSServer) Kill(t testing.TB) {
	t.Helper()
	_ = s.cmd.Process.Kill()
	<-s.done
}

// NATSCluster starts n real nats-server processes clustered together with
// JetStream, and waits until JetStream is ready on each.
func NATSCluster(t testing.TB, n int) []*NATSServer {
	t.Helper()
	bin := natsServerBinary(t)
	client, route, monitor := freePorts(t, n), freePorts(t, n), freePorts(t, n)
	var routes []string
	for _, p := range route {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	servers := make([]*NATSServer, n)
	for i := range n {
		s := &NATSServer{Name: fmt.Sprintf("nats-%d", i+1), URL: fmt.Sprintf("nats://127.0.0.1:%d", client[i]), logs: &lockedBuffer{}, done: make(chan struct{})}
		s.cmd = exec.Command(bin, "--name", s.Name, "--addr", "127.0.0.1", "--port", fmt.Sprint(client[i]),
			"--http_port", fmt.Sprint(monitor[i]), "--jetstream", "--store_dir", t.TempDir(),
			"--cluster_name", "lifeline", "--cluster", routes[i], "--routes", strings.Join(routes, ","))
		s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			_ = s.cmd.Wait()
			close(s.done)
		}()
		t.Cleanup(func() {
			_ = s.cmd.Process.Kill()
			<-s.done
			if t.Failed() {
				t.Logf("%s log:\n%s", s.Name, s.logs.String())
			}
		})
		servers[i] = s
	}
	for i, s := range servers {
		health := fmt.Sprintf("http://127.0.0.1:%d/healthz", monitor[i])
		waitFor(t, s.Name+" JetStream ready", func() bool {
			resp, err := http.Get(health)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
	}
	return servers
}

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// Failover is a TCP load balancer in front of signaling nodes: each new
// connection goes to the first backend that accepts it, so everything lands
// on one node until it dies, then on the next, as an active/passive load
// balancer with health checks would do.
type Failover struct {
	URL string
	ln  net.Listener

	mu       sync.Mutex
	backends []string
	conns    []net.Conn
	wg       sync.WaitGroup
}

// NewFailover listens on a free local port; set the backends with SetBackends.
func NewFailover(t testing.TB) *Failover {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &Failover{URL: "http://" + ln.Addr().String(), ln: ln}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.close)
	return f
}

// SetBackends sets the host:port addresses to try, in order.
func (f *Failover) SetBackends(addrs ...string) {
	f.mu.Lock()
	f.backends = addrs
	f.mu.Unlock()
}

func (f *Failover) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		backends := f.backends
		f.mu.Unlock()
		var b net.Conn
		for _, addr := range backends {
			if b, err = net.DialTimeout("tcp", addr, time.Second); err == nil {
				break
			}
		}
		if b == nil {
			c.Close()
			continue
		}
		f.mu.Lock()
		f.conns = append(f.conns, c, b)
		f.mu.Unlock()
		f.wg.Add(2)
		go func() { defer f.wg.Done(); _, _ = io.Copy(b, c); b.Close() }()
		go func() { defer f.wg.Done(); _, _ = io.Copy(c, b); c.Close() }()
	}
}

func (f *Failover) close() {
	f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

package sysinfo

import (
	"errors"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/lifeline-support/lifeline/agent/elevate"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat times:
// 100 on every Linux architecture the agent runs on.
const clockTicks = 100

// procSource reads the machine from /proc, /sys and /etc (their roots set
// apart for tests with fixture files).
type procSource struct {
	proc, sys, etc string
	users          map[string]string // UID → user name
}

// newSource returns the system's source.
func newSource() source {
	return &procSource{proc: "/proc", sys: "/sys", etc: "/etc", users: map[string]string{}}
}

func (p *procSource) read(root string, parts ...string) ([]byte, error) {
	return os.ReadFile(filepath.Join(append([]string{root}, parts...)...))
}

func (p *procSource) dashboard() (protocol.Dashboard, error) {
	var d protocol.Dashboard
	if b, err := p.read(p.etc, "os-release"); err == nil {
		d.OS = parseOSRelease(b)
	}
	if d.OS == "" {
		d.OS = "Linux"
	}
	if b, err := p.read(p.proc, "sys", "kernel", "osrelease"); err == nil {
		d.Kernel = strings.TrimSpace(string(b))
	}
	d.Hostname, _ = os.Hostname()
	b, err := p.read(p.proc, "uptime")
	if err == nil {
		d.UptimeSec, err = parseUptime(b)
	}
	if err != nil {
		return d, err
	}
	if b, err := p.read(p.proc, "cpuinfo"); err == nil {
		d.CPUModel, d.Cores = parseCPUInfo(b)
	}
	if b, err := p.read(p.proc, "loadavg"); err == nil {
		d.Load, _ = parseLoadavg(b)
	}
	b, err = p.read(p.proc, "meminfo")
	if err == nil {
		d.MemTotal, d.MemAvail, err = parseMeminfo(b)
	}
	if err != nil {
		return d, err
	}
	d.Disks = []protocol.Disk{}
	if b, err := p.read(p.proc, "self", "mounts"); err == nil {
		for _, m := range parseMounts(b) {
			var st syscall.Statfs_t
			if syscall.Statfs(m.Dir, &st) != nil {
				continue
			}
			d.Disks = append(d.Disks, protocol.Disk{Mount: m.Dir, FS: m.FS,
				Total: st.Blocks * uint64(st.Bsize), Free: st.Bavail * uint64(st.Bsize)})
		}
	}
	d.Networks = interfaces()
	if u, err := user.Current(); err == nil {
		d.User = u.Username
	}
	d.Elevated = os.Geteuid() == 0
	if !d.Elevated {
		e := elevate.Check()
		d.Elevation = &protocol.Elevation{Method: e.Method, Credentials: e.Credentials}
		if e.Err != nil {
			d.Elevation.Blocked = e.Err.Error()
		}
	}
	d.Batteries = p.batteries()
	return d, nil
}

// interfaces lists the network interfaces and their addresses.
func interfaces() []protocol.Interface {
	out := []protocol.Interface{}
	ifs, err := net.Interfaces()
	if err != nil {
		return out
	}
	for _, i := range ifs {
		it := protocol.Interface{Name: i.Name, Up: i.Flags&net.FlagUp != 0, Addrs: []string{}}
		if as, err := i.Addrs(); err == nil {
			for _, a := range as {
				it.Addrs = append(it.Addrs, a.String())
			}
		}
		out = append(out, it)
	}
	return out
}

// batteries reads /sys/class/power_supply: the supplies of type Battery.
func (p *procSource) batteries() []protocol.Battery {
	dir := filepath.Join(p.sys, "class", "power_supply")
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []protocol.Battery
	for _, e := range es {
		t, err := os.ReadFile(filepath.Join(dir, e.Name(), "type"))
		if err != nil || strings.TrimSpace(string(t)) != "Battery" {
			continue
		}
		b := protocol.Battery{Name: e.Name()}
		if c, err := os.ReadFile(filepath.Join(dir, e.Name(), "capacity")); err == nil {
			b.Percent, _ = strconv.Atoi(strings.TrimSpace(string(c)))
		}
		if s, err := os.ReadFile(filepath.Join(dir, e.Name(), "status")); err == nil {
			b.Status = strings.TrimSpace(string(s))
		}
		out = append(out, b)
	}
	return out
}

func (p *procSource) processes() ([]sample, error) {
	es, err := os.ReadDir(p.proc)
	if err != nil {
		return nil, err
	}
	page := uint64(os.Getpagesize())
	var out []sample
	for _, e := range es {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		b, err := p.read(p.proc, e.Name(), "stat")
		if err != nil {
			continue // ended meanwhile
		}
		st, err := parseStat(b)
		if err != nil {
			continue
		}
		s := sample{Process: protocol.Process{PID: pid, Name: st.Name, Mem: st.RSS * page}, ticks: st.Ticks}
		if b, err := p.read(p.proc, e.Name(), "status"); err == nil {
			if uid, err := parseStatusUID(b); err == nil {
				s.User = p.userName(uid)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// userName names the user of uid, or gives the UID when it has no name.
func (p *procSource) userName(uid string) string {
	if n, ok := p.users[uid]; ok {
		return n
	}
	n := uid
	if u, err := user.LookupId(uid); err == nil {
		n = u.Username
	}
	p.users[uid] = n
	return n
}

// name returns the name of process pid.
func (p *procSource) name(pid int) (string, error) {
	b, err := p.read(p.proc, strconv.Itoa(pid), "stat")
	if err != nil {
		return "", ErrNoProcess
	}
	st, err := parseStat(b)
	if err != nil {
		return "", err
	}
	return st.Name, nil
}

// kill asks process pid to end (SIGTERM), as a window's close does.
func (p *procSource) kill(pid int) error {
	err := syscall.Kill(pid, syscall.SIGTERM)
	switch {
	case errors.Is(err, syscall.ESRCH):
		return ErrNoProcess
	case errors.Is(err, syscall.EPERM):
		return ErrNotPermitted
	}
	return err
}

func (p *procSource) ticksPerSecond() float64 { return clockTicks }

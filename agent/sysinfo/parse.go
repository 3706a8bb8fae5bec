package sysinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// The parsers of /proc files: pure functions of the file's bytes, so that
// fixture files test them on any OS.

// parseMeminfo returns MemTotal and MemAvailable of /proc/meminfo, in bytes.
func parseMeminfo(b []byte) (total, avail uint64, err error) {
	var haveT, haveA bool
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		if len(f) > 1 && f[1] == "kB" {
			n <<= 10
		}
		switch k {
		case "MemTotal":
			total, haveT = n, true
		case "MemAvailable":
			avail, haveA = n, true
		}
	}
	if !haveT || !haveA {
		return 0, 0, fmt.Errorf("%w: meminfo without MemTotal or MemAvailable", ErrBadProc)
	}
	return total, avail, nil
}

// parseLoadavg returns the 1, 5 and 15 minute load averages of /proc/loadavg.
func parseLoadavg(b []byte) ([3]float64, error) {
	var l [3]float64
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return l, fmt.Errorf("%w: loadavg %q", ErrBadProc, b)
	}
	for i := range 3 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return l, fmt.Errorf("%w: loadavg %q", ErrBadProc, b)
		}
		l[i] = v
	}
	return l, nil
}

// parseUptime returns the seconds since boot of /proc/uptime.
func parseUptime(b []byte) (int64, error) {
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0, fmt.Errorf("%w: uptime %q", ErrBadProc, b)
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%w: uptime %q", ErrBadProc, b)
	}
	return int64(v), nil
}

// parseCPUInfo returns the CPU model and the number of logical CPUs of
// /proc/cpuinfo (x86 "model name"; ARM "Model" or "Hardware").
func parseCPUInfo(b []byte) (model string, cores int) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "processor":
			cores++
		case "model name", "Model", "Hardware":
			if model == "" {
				model = v
			}
		}
	}
	return model, cores
}

// parseOSRelease returns PRETTY_NAME of /etc/os-release (NAME and VERSION
// when it has none).
func parseOSRelease(b []byte) string {
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		} else {
			v = strings.Trim(v, `"'`)
		}
		vals[k] = v
	}
	if p := vals["PRETTY_NAME"]; p != "" {
		return p
	}
	return strings.TrimSpace(vals["NAME"] + " " + vals["VERSION"])
}

// procStat is what /proc/<pid>/stat tells of a process.
type procStat struct {
	PID   int
	Name  string
	Ticks uint64 // user + system CPU time, in clock ticks
	RSS   uint64 // resident pages
}

// parseStat parses /proc/<pid>/stat. The name sits between the first "("
// and the last ")": it may itself hold spaces and parentheses.
func parseStat(b []byte) (procStat, error) {
	var s procStat
	open, close := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || close < open {
		return s, fmt.Errorf("%w: stat %.40q", ErrBadProc, b)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:open])))
	if err != nil {
		return s, fmt.Errorf("%w: stat pid %.40q", ErrBadProc, b)
	}
	s.PID, s.Name = pid, string(b[open+1:close])
	// After the name: state(3) ppid(4) ... utime(14) stime(15) ... rss(24).
	f := strings.Fields(string(b[close+1:]))
	if len(f) < 22 {
		return s, fmt.Errorf("%w: stat of pid %d has %d fields", ErrBadProc, pid, len(f)+2)
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	rss, err3 := strconv.ParseInt(f[21], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return s, fmt.Errorf("%w: stat of pid %d", ErrBadProc, pid)
	}
	s.Ticks = ut + st
	if rss > 0 {
		s.RSS = uint64(rss)
	}
	return s, nil
}

// parseStatusUID returns the real UID of /proc/<pid>/status.
func parseStatusUID(b []byte) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Uid:"); ok {
			if f := strings.Fields(v); len(f) > 0 {
				return f[0], nil
			}
		}
	}
	return "", fmt.Errorf("%w: status without Uid", ErrBadProc)
}

// mount is one line of /proc/self/mounts.
type mount struct{ Device, Dir, FS string }

// realFS are the file systems the dashboard lists: those on disks.
var realFS = map[string]bool{"ext2": true, "ext3": true, "ext4": true, "xfs": true, "btrfs": true,
	"vfat": true, "exfat": true, "ntfs": true, "ntfs3": true, "fuseblk": true, "f2fs": true, "zfs": true,
	"jfs": true, "reiserfs": true, "hfsplus": true, "apfs": true, "overlay": true}

// parseMounts returns the mounts of disk file systems, each mount point
// once, with the octal escapes of /proc/self/mounts undone.
func parseMounts(b []byte) []mount {
	var out []mount
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || !realFS[f[2]] {
			continue
		}
		dir := unescapeMount(f[1])
		if seen[dir] {
			continue
		}
		seen[dir] = true
		out = append(out, mount{Device: unescapeMount(f[0]), Dir: dir, FS: f[2]})
	}
	return out
}

// unescapeMount undoes the \ooo escapes (space, tab, newline, backslash).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

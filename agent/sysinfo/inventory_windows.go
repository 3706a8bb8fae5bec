package sysinfo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// serviceWait bounds how long a restart waits for the service to stop.
const serviceWait = 30 * time.Second

// winInventory reads the inventory tabs on Windows: the service control
// manager's services and drivers, the Uninstall registry keys, the Run keys
// and Startup folders, and the Application and System event logs
// (events_windows.go).
type winInventory struct{}

func newInventory() inventory { return winInventory{} }

func (winInventory) elevated() bool { return windows.GetCurrentProcessToken().IsElevated() }

// enumServices lists the SCM's services of kind (SERVICE_WIN32 or
// SERVICE_DRIVER), asking only for the rights a user has.
func enumServices(kind uint32) ([]protocol.Entry, error) {
	h, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT|windows.SC_MANAGER_ENUMERATE_SERVICE)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoServices, err)
	}
	defer windows.CloseServiceHandle(h)
	var need, n uint32
	buf := make([]byte, 64<<10)
	for {
		err = windows.EnumServicesStatusEx(h, windows.SC_ENUM_PROCESS_INFO, kind, windows.SERVICE_STATE_ALL,
			&buf[0], uint32(len(buf)), &need, &n, nil, nil)
		if err == nil {
			break
		}
		if (err != syscall.ERROR_MORE_DATA && err != syscall.ERROR_INSUFFICIENT_BUFFER) || need <= uint32(len(buf)) {
			return nil, fmt.Errorf("%w: %v", ErrNoServices, err)
		}
		buf = make([]byte, need)
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]protocol.Entry, 0, n)
	for _, s := range unsafe.Slice((*windows.ENUM_SERVICE_STATUS_PROCESS)(unsafe.Pointer(&buf[0])), int(n)) {
		out = append(out, protocol.Entry{Name: clip(windows.UTF16PtrToString(s.ServiceName)),
			State:  stateName(s.ServiceStatusProcess.CurrentState),
			Detail: clip(windows.UTF16PtrToString(s.DisplayName))})
	}
	return out, nil
}

// stateName names a service's state as the Services console does.
func stateName(st uint32) string {
	switch st {
	case windows.SERVICE_RUNNING:
		return "running"
	case windows.SERVICE_STOPPED:
		return "stopped"
	case windows.SERVICE_START_PENDING:
		return "starting"
	case windows.SERVICE_STOP_PENDING:
		return "stopping"
	case windows.SERVICE_PAUSED:
		return "paused"
	}
	return "changing"
}

func (winInventory) services() ([]protocol.Entry, error) { return enumServices(windows.SERVICE_WIN32) }
func (winInventory) drivers() ([]protocol.Entry, error)  { return enumServices(windows.SERVICE_DRIVER) }

func (winInventory) service(name, action string) error {
	h, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return ErrNeedsAdmin
	}
	m := &mgr.Mgr{Handle: h}
	defer m.Disconnect()
	p, _ := windows.UTF16PtrFromString(name)
	sh, err := windows.OpenService(h, p, windows.SERVICE_START|windows.SERVICE_STOP|windows.SERVICE_QUERY_STATUS)
	switch {
	case errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST):
		return ErrNoService
	case errors.Is(err, windows.ERROR_ACCESS_DENIED):
		return ErrNeedsAdmin
	case err != nil:
		return fmt.Errorf("%w: %v", ErrServiceFailed, err)
	}
	s := &mgr.Service{Name: name, Handle: sh}
	defer s.Close()
	if action == protocol.ServiceStop || action == protocol.ServiceRestart {
		st, err := s.Control(svc.Stop)
		if err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
			return serviceErr(err)
		}
		for deadline := time.Now().Add(serviceWait); err == nil && st.State != svc.Stopped; {
			if time.Now().After(deadline) {
				return fmt.Errorf("%w: the service did not stop in time", ErrServiceFailed)
			}
			time.Sleep(200 * time.Millisecond) // the SCM has no wait: poll as sc.exe does
			if st, err = s.Query(); err != nil {
				return serviceErr(err)
			}
		}
	}
	if action == protocol.ServiceStart || action == protocol.ServiceRestart {
		if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
			return serviceErr(err)
		}
	}
	return nil
}

func serviceErr(err error) error {
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return ErrNeedsAdmin
	}
	return fmt.Errorf("%w: %v", ErrServiceFailed, err)
}

// uninstallKeys are where installed programs register (64-bit, 32-bit, the
// user's own).
var uninstallKeys = []struct {
	root registry.Key
	path string
}{
	{registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`},
	{registry.LOCAL_MACHINE, `SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall`},
	{registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Uninstall`},
}

func (winInventory) applications() ([]protocol.Entry, error) {
	var out []protocol.Entry
	seen := map[string]bool{}
	for _, u := range uninstallKeys {
		k, err := registry.OpenKey(u.root, u.path, registry.ENUMERATE_SUB_KEYS|registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		subs, _ := k.ReadSubKeyNames(-1)
		k.Close()
		for _, sub := range subs {
			sk, err := registry.OpenKey(u.root, u.path+`\`+sub, registry.QUERY_VALUE)
			if err != nil {
				continue
			}
			name, _, _ := sk.GetStringValue("DisplayName")
			version, _, _ := sk.GetStringValue("DisplayVersion")
			publisher, _, _ := sk.GetStringValue("Publisher")
			system, _, _ := sk.GetIntegerValue("SystemComponent")
			sk.Close()
			if name == "" || system == 1 || seen[name+"\x00"+version] {
				continue
			}
			seen[name+"\x00"+version] = true
			out = append(out, protocol.Entry{Name: clip(name), Version: clip(version), Detail: clip(publisher)})
		}
	}
	return out, nil
}

// runKeys are the registry's startup entries, the machine's and the user's.
var runKeys = []struct {
	root  registry.Key
	where string
	path  string
}{
	{registry.CURRENT_USER, `HKCU`, `Software\Microsoft\Windows\CurrentVersion\Run`},
	{registry.CURRENT_USER, `HKCU`, `Software\Microsoft\Windows\CurrentVersion\RunOnce`},
	{registry.LOCAL_MACHINE, `HKLM`, `SOFTWARE\Microsoft\Windows\CurrentVersion\Run`},
	{registry.LOCAL_MACHINE, `HKLM`, `SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnce`},
}

func (winInventory) startup() ([]protocol.Entry, error) {
	var out []protocol.Entry
	for _, r := range runKeys {
		k, err := registry.OpenKey(r.root, r.path, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		names, _ := k.ReadValueNames(-1)
		slices.Sort(names)
		for _, n := range names {
			cmd, _, err := k.GetStringValue(n)
			if err != nil {
				continue
			}
			out = append(out, protocol.Entry{Name: clip(n), State: "enabled", Source: clip(r.where + `\` + r.path), Detail: clip(cmd)})
		}
		k.Close()
	}
	for _, id := range []*windows.KNOWNFOLDERID{windows.FOLDERID_Startup, windows.FOLDERID_CommonStartup} {
		dir, err := windows.KnownFolderPath(id, 0)
		if err != nil {
			continue
		}
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			if e.Name() == "desktop.ini" {
				continue
			}
			out = append(out, protocol.Entry{Name: clip(e.Name()), State: "enabled", Source: clip(dir), Detail: clip(filepath.Join(dir, e.Name()))})
		}
	}
	return out, nil
}

func (winInventory) events(level string) ([]protocol.Entry, error) { return readEventLogs(level) }

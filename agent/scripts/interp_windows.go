package scripts

import (
	"fmt"
	"os/exec"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// interpreter is the program and its arguments that run a script of lang,
// the script's path to be added last, and the script file's name:
// PowerShell with -File, so the script is a file, never a command line.
func interpreter(lang string) (args []string, file string, err error) {
	if lang != protocol.ScriptPowerShell {
		return nil, "", ErrLanguage
	}
	path, err := exec.LookPath("powershell.exe")
	if err != nil {
		return nil, "", ErrLanguage
	}
	return []string{path, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"}, protocol.ScriptFileName(lang), nil
}

// tree is a script's process and everything it starts: a job object the
// process is put in while it is still suspended, so that nothing it starts
// escapes the job. Killing the job ends them all; so does closing its last
// handle (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE), should the agent die.
type tree struct {
	cmd *exec.Cmd
	job windows.Handle
}

// newTree makes the job and prepares cmd, not yet started, to start
// suspended.
func newTree(cmd *exec.Cmd) (*tree, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("the script's job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{}
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		_ = windows.CloseHandle(job)
		return nil, fmt.Errorf("the script's job object: %w", err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_SUSPENDED}
	return &tree{cmd: cmd, job: job}, nil
}

// started puts the suspended process in the job, then lets it run. If it
// cannot be put in the job it is ended: a script whose children could
// outlive a stop does not run.
func (t *tree) started() error {
	p, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE|windows.PROCESS_SUSPEND_RESUME, false, uint32(t.cmd.Process.Pid))
	if err == nil {
		err = windows.AssignProcessToJobObject(t.job, p)
		if err == nil {
			err = resume(p)
		}
		_ = windows.CloseHandle(p)
	}
	if err != nil {
		_ = t.cmd.Process.Kill()
		return fmt.Errorf("the script could not be put in a job object: %w", err)
	}
	return nil
}

// kill ends the script and every process it started.
func (t *tree) kill() {
	_ = windows.TerminateJobObject(t.job, 1)
}

// close frees the job (which ends what is left in it).
func (t *tree) close() {
	_ = windows.CloseHandle(t.job)
}

var procNtResumeProcess = windows.NewLazySystemDLL("ntdll.dll").NewProc("NtResumeProcess")

// resume lets every thread of suspended process p run.
func resume(p windows.Handle) error {
	if err := procNtResumeProcess.Find(); err != nil {
		return err
	}
	if st, _, _ := procNtResumeProcess.Call(uintptr(p)); st != 0 {
		return windows.NTStatus(st)
	}
	return nil
}

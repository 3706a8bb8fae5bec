// Package supervise runs the agent as a small supervisor and a worker, so that
// nothing stays broken on the customer's computer when the worker dies, even
// by SIGKILL: keys and buttons the technician held are released, keycodes
// borrowed for typing are cleared, partial downloads are removed and the
// customer is told.
//
// The supervisor is the same program started again with a private variable
// (see Attach). The worker journals what it is about to press, remap or
// create on a pipe (see Journal); the supervisor reads the journal and, when
// the worker ends without saying it cleaned up, undoes what is left with its
// own connection to the desktop. The worker's on-screen windows (indicator,
// drawings) belong to its display connection and go with it.
package supervise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

// workerEnv is the variable that marks the worker and names its two pipes:
// the journal it writes and the lifeline it reads (end of file: stop).
const workerEnv = "LIFELINE_AGENT_WORKER"

// PartialSuffix ends the name of every partial file the agent writes; the
// supervisor removes no file whose name does not end with it.
const PartialSuffix = ".lifeline-part"

// journalGrace bounds how long the supervisor waits for the rest of the
// journal once the worker has exited.
const journalGrace = 5 * time.Second

// Config configures Run.
type Config struct {
	// Args are the worker's arguments (the supervisor's own, os.Args[1:]).
	Args []string
	// Logger receives the supervisor's logs; nil means slog.Default().
	Logger *slog.Logger
	// Out is the customer's terminal, told when the worker crashed; nil
	// means os.Stdout.
	Out io.Writer
	// Lang is the language of what Out is told.
	Lang i18n.Lang
	// Release undoes held input and keymap changes on the desktop; nil means
	// the platform's (X11 on Linux, SendInput on Windows).
	Release func(*Leftovers) error
}

// Run starts the worker and waits for it. When the worker exits without
// having undone everything (a crash, a kill), Run undoes what its journal
// says is left and tells the customer. When ctx ends, the worker is asked to
// stop (its lifeline closes) and Run still waits for it. Run returns the exit
// code for the agent: the worker's, or 1 if it crashed.
func Run(ctx context.Context, cfg Config) int {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	out := cfg.Out
	if out == nil {
		out = os.Stdout
	}
	release := cfg.Release
	if release == nil {
		release = releaseInput
	}
	exe, err := os.Executable()
	if err != nil {
		log.Error("supervisor", "err", fmt.Errorf("%w: %v", ErrNoExecutable, err))
		return 1
	}
	cmd := exec.Command(exe, cfg.Args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	w, err := startWorker(cmd)
	if err != nil {
		log.Error("supervisor: start the worker", "err", err)
		return 1
	}
	log.Info("supervisor: worker started", "pid", cmd.Process.Pid)

	left := make(chan *Leftovers, 1)
	go func() { left <- ReadJournal(w.journal) }()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// The customer closing the window (SIGHUP), Ctrl+C or a service stop:
	// the worker ends the session itself when its lifeline closes.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, stopSignals...)
	defer signal.Stop(sigs)
	var stopOnce sync.Once
	stop := func() { stopOnce.Do(func() { _ = w.lifeline.Close() }) }
	defer stop()

	var waitErr error
wait:
	for {
		select {
		case waitErr = <-exited:
			break wait
		case <-sigs:
			stop()
		case <-ctx.Done():
			stop()
			ctx = context.Background() // Done is nil from now on
		}
	}

	var l *Leftovers
	select {
	case l = <-left:
	case <-time.After(journalGrace):
		// Something the worker started still holds the journal open.
		_ = w.journal.Close()
		l = <-left
	}
	_ = w.journal.Close()

	code := exitCode(waitErr)
	if l.Ended && l.Empty() {
		return code
	}
	log.Warn("supervisor: the worker ended without cleaning up", "exit", waitErr, "left", l.String())
	if err := Undo(l, release); err != nil {
		log.Warn("supervisor: undo", "err", err)
	}
	if !l.Ended {
		fmt.Fprintln(out, i18n.T(cfg.Lang, "agent.crashed"))
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Undo releases what l holds with release and removes its partial files.
func Undo(l *Leftovers, release func(*Leftovers) error) error {
	var errs []error
	if len(l.Keys) > 0 || len(l.Buttons) > 0 || len(l.Keymap) > 0 {
		errs = append(errs, release(l))
	}
	for p := range l.Partials {
		if !strings.HasSuffix(p, PartialSuffix) {
			continue // never remove a file the agent did not name itself
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() >= 0 {
		return ee.ExitCode()
	}
	return 1
}

// pipes are the supervisor's ends of the worker's pipes.
type pipes struct {
	journal  *os.File // read: what the worker journals
	lifeline *os.File // write: closed to ask the worker to stop
}

// IsWorker reports whether this process is a supervised worker.
func IsWorker() bool { return os.Getenv(workerEnv) != "" }

// Attach is the worker's side: it opens the journal and the lifeline its
// supervisor passed, and returns the journal and a channel closed when the
// supervisor asks the worker to stop or is gone. ok is false when this
// process is not a supervised worker (nothing to attach to).
func Attach() (j *Journal, stop <-chan struct{}, ok bool, err error) {
	v := os.Getenv(workerEnv)
	if v == "" {
		return nil, nil, false, nil
	}
	_ = os.Unsetenv(workerEnv) // programs the worker starts are not workers
	jf, lf, err := openPipes(v)
	if err != nil {
		return nil, nil, true, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, lf) // the supervisor never writes: EOF is the news
		_ = lf.Close()
	}()
	return NewJournal(jf), done, true, nil
}

// Command agent is what the customer runs: double-clicked after download, it reads
// the server and session code stamped on it, shows the customer who is asking,
// and shares the screen and takes input only as the customer allows.
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/input"
	"github.com/lifeline-support/lifeline/agent/launcher"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/agent/proxy"
	"github.com/lifeline-support/lifeline/agent/reboot"
	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/agent/supervise"
	"github.com/lifeline-support/lifeline/agent/unattended"
	"github.com/lifeline-support/lifeline/shared/agentcfg"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

func main() {
	os.Exit(run())
}

func run() int {
	stamp := readStamp()
	server := flag.String("server", stamp.Server, "support server URL")
	code := flag.String("code", stamp.Code, "invitation code")
	pin := flag.String("pin", "", "6-digit code from the technician")
	noBrowser := flag.Bool("no-browser", false, "do not open the customer page in the browser")
	lang := flag.String("lang", "", "language (en, fr); default: the system's")
	proxyURL := flag.String("proxy", "", "HTTP proxy for every connection, http://[user:password@]host:port, or direct; default: HTTPS_PROXY and NO_PROXY, then the system's setting")
	verbose := flag.Bool("v", false, "verbose logs")
	reconnect := flag.String("reconnect", "", "resume the session a restart interrupted, with the one-shot file its autostart entry names (set by that entry)")
	var uf unattendedFlags
	flag.BoolVar(&uf.run, "unattended", false, "run as this computer's unattended access (its service starts it so)")
	flag.BoolVar(&uf.status, "unattended-status", false, "say whether the support team may connect to this computer when you are away")
	flag.BoolVar(&uf.remove, "unattended-remove", false, "withdraw unattended access and remove it from this computer")
	flag.BoolVar(&uf.page, strings.TrimPrefix(unattended.PageFlag, "--"), false, "open the page that says who may connect to this computer when you are away, and removes it (the menu entry runs this)")
	flag.StringVar(&uf.policy, "unattended-policy", "", "the unattended session's policy (silent, notify, ask); set by the unattended service")
	flag.IntVar(&uf.askSeconds, "unattended-ask", 0, "with the ask policy, seconds to wait for an answer; set by the unattended service")
	flag.BoolVar(&uf.allowOnTimeout, "unattended-allow-on-timeout", false, "with the ask policy, allow what nobody answered in time; set by the unattended service")
	helpRequest := flag.Bool(strings.TrimPrefix(launcher.RequestFlag, "--"), false, "ask for help with the Get help icon installed on this computer (the icon runs this)")
	helpRemove := flag.Bool(strings.TrimPrefix(launcher.RemoveFlag, "--"), false, "remove the Get help icon from this computer")
	flag.Parse()

	l := i18n.FromEnv()
	if v, ok := i18n.Parse(*lang); ok {
		l = v
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	// What stops the agent at once is said before anything starts, in a
	// way the customer sees (tell: a message box on Windows too).
	if err := checkSystem(); err != nil {
		log.Warn("unsupported system", "err", err)
		tell(l, i18n.T(l, "agent.err.oldWindows"))
		return 1
	}
	if uf.run || uf.status || uf.remove || uf.page {
		uf.noBrowser = *noBrowser
		dialer, err := proxy.New(proxy.Settings{URL: *proxyURL})
		if err != nil {
			fmt.Fprintln(os.Stderr, i18n.T(l, "agent.err.badProxy")+" ("+err.Error()+")")
			return 2
		}
		code, _ := unattendedCommand(uf, l, log, dialer)
		return code
	}
	if *helpRemove || (*helpRequest && !supervise.IsWorker()) {
		dialer, err := proxy.New(proxy.Settings{URL: *proxyURL})
		if err != nil {
			fmt.Fprintln(os.Stderr, i18n.T(l, "agent.err.badProxy")+" ("+err.Error()+")")
			return 2
		}
		if *helpRemove {
			return launcherRemove(l, log, dialer)
		}
		// The request, once: the program then runs as if downloaded
		// with its invitation.
		s, c, ok := launcherRequest(l, log, dialer, !*noBrowser)
		if !ok {
			return 1
		}
		*server, *code = s, c
		args := []string{"--server", s, "--code", c}
		for _, f := range []string{"lang", "proxy"} {
			if v := flag.Lookup(f).Value.String(); v != "" {
				args = append(args, "--"+f, v)
			}
		}
		if *noBrowser {
			args = append(args, "--no-browser")
		}
		if *verbose {
			args = append(args, "-v")
		}
		return supervise.Run(context.Background(), supervise.Config{Args: args, Logger: log, Out: os.Stdout, Lang: l})
	}
	if uf.policy != "" && !protocol.ValidPolicy(uf.policy) {
		fmt.Fprintln(os.Stderr, "--unattended-policy: silent, notify or ask")
		return 2
	}
	if *server == "" && *reconnect == "" {
		key := "agent.err.noServer"
		if stamp.damaged {
			key = "agent.err.badStamp"
		}
		tell(l, i18n.T(l, key))
		return 2
	}
	// The agent runs as a supervisor and a worker (this same program), so that
	// a worker that dies leaves no key held nor file half-written.
	if !supervise.IsWorker() {
		return supervise.Run(context.Background(), supervise.Config{Args: os.Args[1:], Logger: log, Out: os.Stdout, Lang: l})
	}
	journal, supervisorGone, _, err := supervise.Attach()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer journal.End() // after every deferred cleanup below
	interactive := term.IsTerminal(int(os.Stdin.Fd()))

	fmt.Println(i18n.T(l, "agent.title"))
	// Started after a restart by its one-shot entry: the entry names the
	// server and the session, and is gone from here on.
	var resume *session.Resume
	var entry reboot.Entry
	if *reconnect != "" {
		e, ok := takeReconnect(l, *reconnect)
		if !ok {
			return 1
		}
		entry, *server = e, e.Server
		resume = &session.Resume{SID: e.SID, Secret: e.Secret}
	}
	if *code == "" && *pin == "" && resume == nil {
		if !interactive {
			fmt.Fprintln(os.Stderr, i18n.T(l, "agent.err.noCode"))
			return 2
		}
		*pin = askPIN(l)
	}
	if *pin != "" && !protocol.IsPIN(*pin) {
		fmt.Fprintln(os.Stderr, i18n.T(l, "agent.err.invalidCode"))
		return 2
	}

	// First of the X connections (see screen.WatchDamage): without DAMAGE the
	// screen is captured at the full frame rate even when still.
	var changes peer.ChangesFunc
	if d, err := screen.WatchDamage(log); err != nil {
		log.Info("screen changes not watched", "err", err)
	} else {
		defer d.Close()
		changes = d.Subscribe
	}

	dialer, err := proxy.New(proxy.Settings{URL: *proxyURL})
	if err != nil {
		fmt.Fprintln(os.Stderr, i18n.T(l, "agent.err.badProxy")+" ("+err.Error()+")")
		return 2
	}

	ccfg := consent.Config{Logger: log, Lang: l, OpenBrowser: !*noBrowser, Out: os.Stdout}
	if interactive {
		ccfg.Terminal = os.Stdin
	}
	ui, err := consent.New(ccfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ui.Close()
	// A silent unattended session shows nothing on the screen.
	feats, err := features(ui, log, l, journal, uf.policy != protocol.PolicySilent)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	go func() {
		select {
		case <-supervisorGone: // the customer closed the agent, or its supervisor died
			stop()
		case <-ctx.Done():
		}
	}()
	uiDone := make(chan struct{})
	go func() {
		defer close(uiDone)
		_ = ui.Run(ctx)
	}()
	if resume != nil {
		// Asked before anything is shared: the customer may not want the
		// session back.
		ui.SetInfo(consent.Info{TechnicianName: entry.Technician, OrgName: entry.Org})
		yes, err := ui.AskReconnect(ctx)
		if err != nil {
			return 1
		}
		resume.Decline = !yes
	}
	deviceKey, err := session.LoadDeviceKey("")
	if err != nil {
		log.Warn("no device identity; earlier sessions of this computer will not be found", "err", err)
	}
	err = session.Run(ctx, session.Config{Server: *server, Code: *code, PIN: *pin, Logger: log, Consent: ui, Features: feats, DeviceKey: deviceKey, Changes: changes, Proxy: dialer,
		Identity:    stamp.identity(),
		Enroll:      enroller{},
		Unattended:  uf.sessionPolicy(),
		Reboot:      rebooter{lang: l},
		Launcher:    launcherInstaller{lang: l},
		Resume:      resume,
		NewInjector: func() (session.Injector, error) { return input.New(input.Config{Logger: log, Journal: journal}) }})
	if resume != nil && resume.Decline {
		ui.Ended(consent.ReasonNotReconnected)
	}
	ui.Close()
	<-uiDone
	if resume != nil && resume.Decline {
		fmt.Println(i18n.T(l, "agent.reboot.declined"))
		return 0
	}
	if errors.Is(err, session.ErrRestarting) {
		fmt.Println(i18n.T(l, "agent.reboot.restarting"))
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, explain(l, err))
		return 1
	}
	fmt.Println(i18n.T(l, "agent.bye"))
	return 0
}

// stamp is what this executable carries: the server and code, or damaged
// when a stamp is there but cannot be read (a download cut short or altered).
type stamp struct {
	agentcfg.Config
	damaged bool
}

// readStamp returns the server and code stamped on this executable, if any.
func readStamp() stamp {
	exe, err := os.Executable()
	if err != nil {
		return stamp{}
	}
	c, err := agentcfg.Read(exe)
	// Only the bare ErrNoStamp means "none": wrapped, it says the stamp's
	// length or JSON is bad.
	return stamp{Config: c, damaged: err != nil && err != agentcfg.ErrNoStamp} //nolint:errorlint // see above
}

// identity is what the stamp carries to verify the technician's connection
// and prove the agent's; nil when it carries no organisation key (Read
// refused a stamp whose keys cannot be decoded).
func (st stamp) identity() *session.Identity {
	keys, _ := st.Keys()
	if len(keys) == 0 {
		return nil
	}
	// The agent's own key, for this run only: the server certifies it for
	// the session the agent joins. A failure leaves answers unproven
	// (consoles then refuse them).
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return &session.Identity{Verifier: &identity.Verifier{OrgKeys: keys}, Key: key}
}

func askPIN(l i18n.Lang) string {
	fmt.Print(i18n.T(l, "agent.askPIN"))
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	return strings.Join(strings.Fields(line), "")
}

// explain turns an error into a sentence for the customer.
func explain(l i18n.Lang, err error) string {
	for _, e := range []struct {
		err error
		key string
	}{
		{proxy.ErrAuthRequired, "agent.err.proxy"},
		{proxy.ErrBadCredentials, "agent.err.proxy"},
		{proxy.ErrRefused, "agent.err.proxy"},
		{proxy.ErrUnreachable, "agent.err.proxy"},
		{session.ErrInvalidCode, "agent.err.invalidCode"},
		{session.ErrExpired, "agent.err.expired"},
		{session.ErrUsed, "agent.err.used"},
		{session.ErrRateLimited, "agent.err.rateLimited"},
		{session.ErrUnreachable, "agent.err.unreachable"},
		{session.ErrBadServer, "agent.err.noServer"},
		{session.ErrConnectionLost, "agent.err.lost"},
	} {
		if errors.Is(err, e.err) {
			return i18n.T(l, e.key) + " (" + err.Error() + ")"
		}
	}
	return err.Error()
}

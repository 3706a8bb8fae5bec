package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/launcher"
	"github.com/lifeline-support/lifeline/agent/proxy"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// launcherInstaller installs the "Get help" launcher with a copy of this
// program (session.Launcher).
type launcherInstaller struct {
	place launcher.Place
	lang  i18n.Lang
}

func (li launcherInstaller) Install(s session.LauncherSettings) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return li.place.Install(launcher.Settings{Server: s.Server, ID: s.ID, Channel: s.Channel, ChannelName: s.ChannelName, Org: s.Org}, exe, li.lang)
}

// launcherRemove removes the launcher from this computer (RemoveFlag) and
// tells the server, when it can, that the computer's requests are no
// longer marked as its own.
func launcherRemove(l i18n.Lang, log *slog.Logger, dialer *proxy.Dialer) int {
	place := launcher.Place{}
	st, err := place.Settings()
	if err == launcher.ErrNotInstalled { //nolint:errorlint // returned bare
		fmt.Println(i18n.T(l, "agent.launcher.none"))
		return 0
	}
	if err := place.Remove(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if st.ID != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, _, err := postLauncher(ctx, dialer, st, "/launcher/remove"); err != nil {
			log.Warn("the server was not told the launcher is removed", "err", err)
		}
	}
	fmt.Println(i18n.T(l, "agent.launcher.removed"))
	return 0
}

// launcherRequest asks for help on the launcher's channel (RequestFlag):
// the server and the invitation code to join with, or ok false when the
// customer was shown why not (the channel's page opened in the browser when
// it offers something else, as leaving a message when closed).
func launcherRequest(l i18n.Lang, log *slog.Logger, dialer *proxy.Dialer, openBrowser bool) (server, code string, ok bool) {
	st, err := launcher.Place{}.Settings()
	if err != nil {
		tell(l, i18n.T(l, "agent.launcher.failed", err.Error()))
		return "", "", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reply, status, err := postLauncher(ctx, dialer, st, "/launcher")
	if err == nil && status == http.StatusOK && reply.Code != "" {
		return st.Server, reply.Code, true
	}
	why := reply.Error
	if err != nil {
		why = err.Error()
	}
	log.Warn("help request refused", "status", status, "why", why)
	if reply.HelpPage && openBrowser {
		if err := consent.OpenURL(strings.TrimRight(st.Server, "/") + "/help/" + url.PathEscape(st.Channel)); err == nil {
			return "", "", false
		}
	}
	tell(l, i18n.T(l, "agent.launcher.failed", why))
	return "", "", false
}

// postLauncher posts the launcher's ID and this computer's names to the
// channel's path under /help/<channel>.
func postLauncher(ctx context.Context, dialer *proxy.Dialer, st launcher.Settings, path string) (protocol.LauncherReply, int, error) {
	var reply protocol.LauncherReply
	host, _ := os.Hostname()
	body, _ := json.Marshal(protocol.LauncherRequest{ID: st.ID, Hostname: host, OS: runtime.GOOS})
	u := strings.TrimRight(st.Server, "/") + "/help/" + url.PathEscape(st.Channel) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return reply, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", string(i18n.FromEnv()))
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 10 * time.Second}}
	resp, err := client.Do(req)
	if err != nil {
		return reply, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return reply, resp.StatusCode, nil
	}
	err = json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 16<<10)).Decode(&reply)
	if err != nil && resp.StatusCode == http.StatusOK {
		return reply, resp.StatusCode, err
	}
	return reply, resp.StatusCode, nil
}

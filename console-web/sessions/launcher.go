package sessions

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Channels reads the organisation's channels (the store does).
type Channels interface {
	Channels(ctx context.Context) ([]store.Channel, error)
}

// channelItem is one channel the "Get help" launcher may ask for help on.
type channelItem struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// launcherChannels lists the channels the technician's group serves: those
// they may install a "Get help" launcher for.
func (h *Handler) launcherChannels(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	if !t.Can(access.Launcher) || h.Channels == nil {
		http.Error(w, p.T("ws.launcher.forbidden"), http.StatusForbidden)
		return
	}
	all, err := h.Channels.Channels(r.Context())
	if err != nil {
		h.Logger.Error("channels", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	out := []channelItem{}
	for _, c := range all {
		if c.Serves(t.GroupID) {
			out = append(out, channelItem{Slug: c.Slug, Name: c.Name})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// pageView is the part of the customer page's state (its /events JSON) the demo reads.
type pageView struct {
	Request *struct {
		ID   string `json:"id"`
		Perm string `json:"perm"`
	} `json:"request"`
	Ended bool `json:"ended"`
}

// goAutoAllow answers Allow to every question the customer page asks, as the
// page's own script would, until ctx ends or the session does.
func (d *demo) goAutoAllow(ctx context.Context, page string) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		if err := autoAllow(ctx, page); err != nil && ctx.Err() == nil {
			fmt.Println("demo: auto-allow stopped:", err)
		}
	}()
}

// autoAllow follows the page's event stream and POSTs an answer for each new
// request: same origin, JSON, like the page's own fetch.
func autoAllow(ctx context.Context, page string) error {
	u, err := url.Parse(page)
	if err != nil {
		return err
	}
	origin := u.Scheme + "://" + u.Host
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page+"events", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("events: %s", resp.Status)
	}
	answered := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var v pageView
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return fmt.Errorf("events: %w", err)
		}
		if v.Ended {
			return nil
		}
		if v.Request == nil || answered[v.Request.ID] {
			continue
		}
		answered[v.Request.ID] = true
		if err := answer(ctx, page, origin, v.Request.ID); err != nil {
			return err
		}
		fmt.Printf("demo: the customer allowed %s (--allow)\n", v.Request.Perm)
	}
	return sc.Err()
}

// answer allows request id on the customer page.
func answer(ctx context.Context, page, origin, id string) error {
	body, err := json.Marshal(map[string]any{"id": id, "allow": true})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, page+"answer", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusConflict: // 409: answered elsewhere meanwhile
		return nil
	}
	return fmt.Errorf("answer %s: %s", id, resp.Status)
}

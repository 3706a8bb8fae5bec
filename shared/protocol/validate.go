package protocol

import (
	"fmt"

	"github.com/pion/webrtc/v4"
)

// validator is implemented by payloads with rules beyond their JSON shape.
type validator interface{ validate() error }

func (h *AgentHello) validate() error {
	n := 0
	for _, set := range []bool{h.Code != "", h.PIN != "", h.SID != "" || h.Secret != ""} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return fmt.Errorf("code or pin required")
	case n > 1:
		return fmt.Errorf("only one of code, pin and sid+secret")
	case (h.SID == "") != (h.Secret == ""):
		return fmt.Errorf("sid and secret go together")
	case h.Reboot && h.SID == "", h.Decline && !h.Reboot:
		return fmt.Errorf("reboot needs sid and secret, decline needs reboot")
	case len(h.SID) > 64 || len(h.Secret) > 128 || len(h.DeviceID) > 64 || len(h.DeviceKey) > 128:
		return fmt.Errorf("field too long")
	case len(h.Code) > 64:
		return fmt.Errorf("code too long")
	case h.PIN != "" && !IsPIN(h.PIN):
		return fmt.Errorf("pin must be 6 digits")
	case len(h.Hostname) > 255 || len(h.OS) > 32 || len(h.Version) > 64:
		return fmt.Errorf("field too long")
	}
	return nil
}

func (r *PermissionRequest) validate() error {
	if len(r.Tech) > 64 || len(r.Name) > 200 {
		return fmt.Errorf("requester too long")
	}
	switch r.Permission {
	case PermissionView, PermissionControl, PermissionClipboard, PermissionTerminal, PermissionSysInfo, PermissionFileManager, PermissionReboot:
		return nil
	}
	return fmt.Errorf("unknown permission %q", r.Permission)
}

func (u *PermissionUpdate) validate() error {
	switch u.Refused {
	case "", PermissionView, PermissionControl, PermissionClipboard, PermissionTerminal, PermissionSysInfo, PermissionFileManager, PermissionReboot:
		return nil
	}
	return fmt.Errorf("unknown permission %q", u.Refused)
}

func (o *Offer) validate() error {
	if o.Identity != nil {
		if err := o.Identity.Validate(); err != nil {
			return err
		}
	}
	return checkSDP(o.SessionDescription, webrtc.SDPTypeOffer)
}

func (a *Answer) validate() error {
	if a.Identity != nil {
		if err := a.Identity.Validate(); err != nil {
			return err
		}
	}
	return checkSDP(a.SessionDescription, webrtc.SDPTypeAnswer)
}

func checkSDP(d webrtc.SessionDescription, want webrtc.SDPType) error {
	if d.Type != want {
		return fmt.Errorf("sdp type %q, want %q", d.Type, want)
	}
	if d.SDP == "" {
		return fmt.Errorf("empty sdp")
	}
	return nil
}

func (c *Candidate) validate() error {
	if len(c.ICECandidateInit.Candidate) > 1024 {
		return fmt.Errorf("candidate too long")
	}
	return nil
}

func (e *SessionEnd) validate() error {
	switch e.Reason {
	case EndByCustomer, EndByTechnician:
		return nil
	}
	return fmt.Errorf("unknown end reason %q", e.Reason)
}

// IsPIN reports whether s is a well-formed PIN: exactly six ASCII digits.
func IsPIN(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Package protocol defines every message that crosses a Lifeline wire: the signaling
// envelope and its typed payloads, and the messages sent on WebRTC data channels.
package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/identity"
)

// Version is the protocol version carried in every envelope.
//
// History:
//   - 1 (2026-11-22): first version — agent hello/welcome, session open/state,
//     permissions, SDP/ICE relay, session end, input events; then (same day,
//     additive) the chat, clipboard and file channels and the clipboard permission;
//     then (same day, additive) agent.welcome's denied list and the audit message;
//     then (additive) the session queue: resuming agents (agent.hello with sid and
//     secret), session.start, session.hold, session.transfer and rtc.offer restart;
//     then (2027-01, additive) agent.hello's deviceKey, and agent.welcome sent
//     again whenever what the technician's group denies changes; then
//     (2027-01, additive) session.state's agentRun: an agent run again after a
//     crash resumes its session with its device key and the used invitation;
//     then (2026-12, additive) the session's running log: log.append and
//     log.entries; then (2026-12-07, additive) the view channel's link and
//     screen messages (ViewLink, ViewScreen with Blocked: why the customer's
//     screen cannot be read), and agent.welcome's technicianId, so that a
//     welcome sent again for the same technician (what their group denies
//     changed) keeps the customer's grants, and one for another technician of
//     the same name does not; then (2026-12-07, additive) log.append from
//     the agent: the customer's chat messages (a console may no longer
//     write them); agent.welcome's privatePrograms, the organisation's
//     default private windows; one console at a time holds a session's
//     peer connection: console.welcome's console (the connection's ID),
//     session.open's tab and takeover, session.state's console, and the
//     open_elsewhere error; and agent.welcome's waiting (nobody has picked
//     the session up yet), with a welcome again when a technician does, and
//     onHold on every welcome, not only the first; and
//     rtc.offer's and rtc.answer's identity: a proof, signed by a key the
//     organisation certified, that the SDP's DTLS fingerprint is the
//     technician's (or the agent's), and the identity.refused audit event;
//     then (2026-12-07, additive) the terminal and system information
//     tools: the terminal and sysinfo permissions, denials and channels, and
//     the agent's terminal transcript entries in the running log
//     (LogTerminal); then (2026-12-07, additive) the customer's survey:
//     agent.welcome's survey, survey.show, survey.answers and survey.saved;
//     then (2026-12-07, additive) collaboration:
//     session.collaborate, session.collaborators, session.state's
//     collaboration, and rtc.offer's, rtc.answer's and rtc.candidate's peer
//     (the collaborator a connection is for, set by the server); then
//     (2026-12-07, additive) log.entries' append (a colleague's new line);
//     then (2026-12-07, additive) the file manager: the
//     filemanager permission, denial and "fm" channel (FMRequest, FMReply),
//     and the file.changed audit event; then
//     (2026-12-07, additive) per-collaborator permissions:
//     session.collaborate's grant and its permissions action, the
//     collaborators' and invitations' grant, and the chat denial; and
//     session.pointer: each technician's pointer shown to the others; then
//     (2026-12-07, additive) scripts: the script:<id> channels and the
//     script.run and script.ended audit events; then (2026-12-07,
//     additive) the customer's page as a second peer: page.signal (the
//     technician's screen shown to the customer, voice), the showscreen
//     and voice denials, and their audit events; then (2026-12-07,
//     additive) help in the browser alone and the channel's waiting
//     limit: agent.hello's os "browser" (the customer's page joins as an
//     agent), agent.welcome's waitLimit and session.callback; then (2026-12-07,
//     additive) unattended access: unattended.ask, unattended.answer,
//     unattended.enrolled, and the device socket's device.hello,
//     device.welcome, device.connect and device.revoke; then (2026-12-07,
//     additive) permission.request's tech and name: who asks, set by the
//     server, so a colleague's request reaches the customer in their name;
//     then (2026-12-07, additive) reboot and reconnect: the reboot
//     permission and denial, agent.rebooting, agent.hello's reboot and
//     decline, and session.state's rebootWait; then (2026-12-07,
//     additive) the "Get help" launcher: launcher.offer, launcher.answer,
//     launcher.installed, the launcher denial and the launcher request of
//     /help/<channel>/launcher.

const Version = 1

// MaxMessageSize is the largest signaling message accepted, in bytes.
const MaxMessageSize = 64 << 10

// Type names a signaling message.
type Type string

// Message types. The comment says who sends it.
const (
	// TypeError (server → any) reports a refused message; ID echoes the refused message's ID.
	TypeError Type = "error"
	// TypeAgentHello (agent → server) is the first message of an agent: its code or PIN.
	TypeAgentHello Type = "agent.hello"
	// TypeAgentWelcome (server → agent) accepts the agent into a session.
	TypeAgentWelcome Type = "agent.welcome"
	// TypeConsoleWelcome (server → console) greets an authenticated console socket.
	TypeConsoleWelcome Type = "console.welcome"
	// TypeSessionOpen (console → server) asks to work on a session and receive its messages.
	TypeSessionOpen Type = "session.open"
	// TypeSessionState (server → console) tells the current state of a session.
	TypeSessionState Type = "session.state"
	// TypePermissionRequest (console → agent) asks the customer for a permission.
	TypePermissionRequest Type = "permission.request"
	// TypePermissionUpdate (agent → console) tells what the customer currently allows.
	TypePermissionUpdate Type = "permission.update"
	// TypeOffer (console → agent) carries an SDP offer.
	TypeOffer Type = "rtc.offer"
	// TypeAnswer (agent → console) carries an SDP answer.
	TypeAnswer Type = "rtc.answer"
	// TypeCandidate (either way) carries one trickled ICE candidate.
	TypeCandidate Type = "rtc.candidate"
	// TypeSessionEnd (either way) ends the session; the server forwards it to the other side.
	TypeSessionEnd Type = "session.end"
)

// Envelope is the frame of every signaling message.
type Envelope struct {
	V       int             `json:"v"`
	Type    Type            `json:"type"`
	ID      string          `json:"id,omitempty"`
	SID     string          `json:"sid,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// ErrorCode is a machine-readable reason carried by an Error payload.
type ErrorCode string

// Error codes.
const (
	CodeBadMessage   ErrorCode = "bad_message"
	CodeTooLarge     ErrorCode = "too_large"
	CodeUnknownType  ErrorCode = "unknown_type"
	CodeBadVersion   ErrorCode = "bad_version"
	CodeInvalidCode  ErrorCode = "invalid_code"
	CodeExpired      ErrorCode = "expired"
	CodeUsed         ErrorCode = "used"
	CodeForbidden    ErrorCode = "forbidden"
	CodeNotFound     ErrorCode = "not_found"
	CodeRateLimited  ErrorCode = "rate_limited"
	CodeNotConnected ErrorCode = "not_connected"
	// CodeOpenElsewhere refuses a console's message for a session another
	// console of the same technician holds.
	CodeOpenElsewhere ErrorCode = "open_elsewhere"
	CodeInternal      ErrorCode = "internal"
	// CodeSentAway tells a colleague the customer did not let them see the
	// screen, or asked them to leave; the message is the customer's name.
	CodeSentAway ErrorCode = "sent_away"
	// CodeRevoked tells an unattended device its access was revoked: it
	// stops connecting.
	CodeRevoked ErrorCode = "revoked"
)

// Error is the payload of TypeError.
type Error struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

// AgentHello is the payload of TypeAgentHello. Exactly one of Code and PIN is set.
type AgentHello struct {
	Code string `json:"code,omitempty"`
	PIN  string `json:"pin,omitempty"`
	// SID and Secret resume a session the agent already joined (after a lost
	// connection or a server restart), instead of Code or PIN.
	SID    string `json:"sid,omitempty"`
	Secret string `json:"secret,omitempty"`
	// DeviceID is what older agents claimed as their device identity; the
	// server no longer trusts it (anyone can claim any ID).
	DeviceID string `json:"deviceId,omitempty"`
	// DeviceKey is the device's secret, random and kept by the agent: the
	// server derives the device's identity from it, so an agent can only
	// claim the history of a device whose key it holds.
	DeviceKey string `json:"deviceKey,omitempty"`
	// IdentityKey is the public half (identity.EncodeKey) of the key pair
	// the agent made when it started: the server certifies it for this
	// session only (AgentWelcome.IdentityCert), and the agent signs its
	// answers with it.
	IdentityKey string `json:"identityKey,omitempty"`
	// Reboot, with SID and Secret, is the program started by the one-shot
	// autostart entry after a restart the customer agreed to: the server
	// lets it in only while the session is Rebooting, once (a new secret
	// is given, the entry's resumes nothing more).
	Reboot bool `json:"reboot,omitempty"`
	// Decline, with Reboot, says the customer chose not to reconnect: the
	// server ends the session, and tells the technician.
	Decline  bool   `json:"decline,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	OS       string `json:"os,omitempty"`
	Version  string `json:"version,omitempty"`
}

// AgentWelcome is the payload of TypeAgentWelcome.
type AgentWelcome struct {
	SID            string             `json:"sid"`
	CustomerName   string             `json:"customerName"`
	TechnicianName string             `json:"technicianName"`
	OrgName        string             `json:"orgName"`
	ICEServers     []webrtc.ICEServer `json:"iceServers,omitempty"`
	// TechnicianID names the technician's account: the customer's grants are
	// for that account, and a welcome naming another one (a transfer, even
	// to a technician of the same name) makes the agent ask again. Empty
	// from servers before it was added: the agent then asks again on every
	// welcome after the first.
	TechnicianID string `json:"technicianId,omitempty"`
	// Denied lists what the technician's group does not allow (Denied*
	// constants); the agent refuses those whatever the console sends.
	Denied []string `json:"denied,omitempty"`
	// Secret, sent on the first join only, lets this agent resume the session.
	Secret string `json:"secret,omitempty"`
	// Resumed says the agent came back into a session it had joined.
	Resumed bool `json:"resumed,omitempty"`
	// OnHold says the technician has put the session on hold. Every welcome
	// says it, the ones after the first too: a transfer accepted during a
	// hold ends it.
	OnHold bool `json:"onHold,omitempty"`
	// Waiting says no technician has picked the session up yet: the
	// customer waits in the queue. A welcome without it follows when one
	// does.
	Waiting bool `json:"waiting,omitempty"`
	// WaitLimit, for a customer waiting on a channel, is how long (seconds)
	// before they are told nobody has picked them up yet and offered to
	// keep waiting or leave a message (TypeSessionCallback).
	WaitLimit int `json:"waitLimit,omitempty"`
	// Servers are other signaling URLs of the same deployment: when this one
	// cannot be reached, the agent resumes the session through one of them.
	Servers []string `json:"servers,omitempty"`
	// PrivatePrograms are the programs whose windows the organisation keeps
	// private by default (see CheckPrograms): the agent hides them from the
	// start, and the customer may show any of them again.
	PrivatePrograms []string `json:"privatePrograms,omitempty"`
	// IdentityCert, in the welcome that answers a hello with an
	// IdentityKey, certifies that key as this session's agent (an
	// identity.Cert of KindAgent naming SID), signed by the organisation's
	// key: consoles accept an answer only with a proof made by it.
	IdentityCert string `json:"identityCert,omitempty"`
	// Survey is the customer's survey of the technician's group, shown on
	// the customer's page when the session ends (or when the technician
	// sends it); nil when the group asks none.
	Survey *SurveyForm `json:"survey,omitempty"`
	// Collaboration is who else is in the session and who has remote
	// control (as TypeCollaborators says it): a welcome after a reconnection
	// brings the agent up to date.
	Collaboration *Collaboration `json:"collaboration,omitempty"`
}

// What AgentWelcome.Denied may name.
const (
	DeniedView      = "view"
	DeniedControl   = "control"
	DeniedFiles     = "files"
	DeniedClipboard = "clipboard"
	DeniedDrawing   = "drawing"
	DeniedRecording = "recording"
)

// ConsoleWelcome is the payload of TypeConsoleWelcome.
type ConsoleWelcome struct {
	TechnicianID   string             `json:"technicianId"`
	TechnicianName string             `json:"technicianName"`
	ICEServers     []webrtc.ICEServer `json:"iceServers,omitempty"`
	// Console names this console connection: a session's state names the
	// connection that holds it (SessionState.Console).
	Console string `json:"console,omitempty"`
}

// SessionOpen is the payload of TypeSessionOpen; the session is named by the envelope's SID.
// The technician's console that opens a session nobody holds takes it; one
// that another console holds, only with Takeover (the technician said "use it
// here"), or when it is the same browser tab again (Tab: a reload, a new socket).
type SessionOpen struct {
	// Tab names the browser tab (kept across its reloads).
	Tab string `json:"tab,omitempty"`
	// Takeover takes the session from the console that holds it.
	Takeover bool `json:"takeover,omitempty"`
}

// MaxTab bounds SessionOpen.Tab.
const MaxTab = 64

func (o *SessionOpen) validate() error {
	if len(o.Tab) > MaxTab {
		return fmt.Errorf("tab of %d bytes is over %d", len(o.Tab), MaxTab)
	}
	return nil
}

// Permissions is what the customer currently allows.
type Permissions struct {
	View    bool `json:"view"`
	Control bool `json:"control"`
	// Clipboard allows text clipboard sync both ways.
	Clipboard bool `json:"clipboard,omitempty"`
	// Terminal allows terminals (shells as the agent's user).
	Terminal bool `json:"terminal,omitempty"`
	// SysInfo allows reading the system information and ending processes.
	SysInfo bool `json:"sysinfo,omitempty"`
	// FileManager allows browsing, changing and transferring files from the
	// file manager.
	FileManager bool `json:"filemanager,omitempty"`
}

// SessionState is the payload of TypeSessionState.
type SessionState struct {
	State          string      `json:"state"`
	CustomerName   string      `json:"customerName"`
	AgentConnected bool        `json:"agentConnected"`
	Hostname       string      `json:"hostname,omitempty"`
	Permissions    Permissions `json:"permissions"`
	// TechnicianID owns the session; a console whose technician is no longer
	// the owner (after a transfer) stops working on it.
	TechnicianID   string `json:"technicianId,omitempty"`
	TechnicianName string `json:"technicianName,omitempty"`
	// Transfer is set while the session is offered to another technician.
	Transfer *Transfer `json:"transfer,omitempty"`
	// Since is when the session entered its state (Unix milliseconds).
	Since int64 `json:"since,omitempty"`
	// DeviceID is the customer's device identity, for its history and notes.
	DeviceID string `json:"deviceId,omitempty"`
	// AgentRun counts the customer's program starts in this session: it goes
	// up when a new program (run again after a crash) resumes the session,
	// whose peer connection and grants did not survive the old one.
	AgentRun int `json:"agentRun,omitempty"`
	// RebootWait, while the session is Rebooting, is how long (seconds) the
	// server waits for the customer's computer to come back before it ends
	// the session.
	RebootWait int `json:"rebootWait,omitempty"`
	// Unattended says the session was opened on an unattended computer:
	// nobody may be there to agree to a restart, so none is offered.
	Unattended bool `json:"unattended,omitempty"`
	// Console is the console connection of the technician that holds the
	// session's peer connection (ConsoleWelcome.Console); the technician's
	// other consoles show the session without working on it.
	Console string `json:"console,omitempty"`
	// Collaboration is who else works on the session, who is invited and
	// who has remote control; nil when nobody is.
	Collaboration *Collaboration `json:"collaboration,omitempty"`
	// PageCall says a call with the customer's page is on (colleagues may
	// join it); PageSharer is the technician whose screen the page shows.
	PageCall   bool   `json:"pageCall,omitempty"`
	PageSharer string `json:"pageSharer,omitempty"`
}

// Permission names one thing a technician may ask the customer for.
type Permission string

// Permissions a technician can request.
const (
	PermissionView      Permission = "view"
	PermissionControl   Permission = "control"
	PermissionClipboard Permission = "clipboard"
)

// PermissionRequest is the payload of TypePermissionRequest.
type PermissionRequest struct {
	Permission Permission `json:"permission"`
	// Tech and Name are who asks (a technician's ID and display name): set
	// by the server from the sender's login, whatever the console said, so
	// that the customer is told when a colleague of the session's
	// technician asks. Empty (an older server): the session's technician.
	Tech string `json:"tech,omitempty"`
	Name string `json:"name,omitempty"`
	// RebootWait, in a restart's request, is how long (seconds) the server
	// waits for the computer to come back: the agent's autostart entry
	// lives as long. Set by the server.
	RebootWait int `json:"rebootWait,omitempty"`
}

// PermissionUpdate is the payload of TypePermissionUpdate. Refused names the
// permission the customer just declined, if any.
type PermissionUpdate struct {
	Permissions Permissions `json:"permissions"`
	Refused     Permission  `json:"refused,omitempty"`
}

// Offer is the payload of TypeOffer. Restart asks the agent to renegotiate its
// existing connection (an ICE restart) rather than start a new one.
type Offer struct {
	webrtc.SessionDescription
	Restart bool `json:"restart,omitempty"`
	// Identity proves the SDP's DTLS fingerprint is the technician's browser's:
	// signed with a key the organisation certified (shared/identity). An
	// agent stamped with the organisation's key refuses an offer without it.
	Identity *identity.Proof `json:"identity,omitempty"`
	// Peer names the collaborator whose connection this is; "" is the
	// session's technician. The server sets it from the console's login,
	// whatever the console sent.
	Peer string `json:"peer,omitempty"`
}

// Answer is the payload of TypeAnswer.
type Answer struct {
	webrtc.SessionDescription
	// Peer names the collaborator the answer is for (see Offer.Peer).
	Peer string `json:"peer,omitempty"`
	// Identity proves the SDP's DTLS fingerprint is the agent's, signed with
	// the key its download was stamped with; the console checks it.
	Identity *identity.Proof `json:"identity,omitempty"`
}

// Candidate is the payload of TypeCandidate.
type Candidate struct {
	webrtc.ICECandidateInit
	// Peer names the collaborator's connection (see Offer.Peer).
	Peer string `json:"peer,omitempty"`
}

// EndReason says who or what ended a session.
type EndReason string

// End reasons.
const (
	EndByCustomer   EndReason = "customer"
	EndByTechnician EndReason = "technician"
)

// SessionEnd is the payload of TypeSessionEnd.
type SessionEnd struct {
	Reason EndReason `json:"reason"`
}

// payloadFor returns a new zero payload for a known type, or nil for an unknown one.
func payloadFor(t Type) any {
	switch t {
	case TypeError:
		return &Error{}
	case TypeAgentHello:
		return &AgentHello{}
	case TypeAgentWelcome:
		return &AgentWelcome{}
	case TypeConsoleWelcome:
		return &ConsoleWelcome{}
	case TypeSessionOpen:
		return &SessionOpen{}
	case TypeSessionState:
		return &SessionState{}
	case TypePermissionRequest:
		return &PermissionRequest{}
	case TypePermissionUpdate:
		return &PermissionUpdate{}
	case TypeOffer:
		return &Offer{}
	case TypeAnswer:
		return &Answer{}
	case TypeCandidate:
		return &Candidate{}
	case TypeSessionEnd:
		return &SessionEnd{}
	case TypeRTCConfig:
		return &RTCConfig{}
	case TypePath:
		return &Path{}
	case TypeAudit:
		return &Audit{}
	case TypeSessionStart:
		return &SessionStart{}
	case TypeSessionHold:
		return &SessionHold{}
	case TypeSessionTransfer:
		return &SessionTransfer{}
	case TypeSessionCallback:
		return &SessionCallback{}
	case TypeLogAppend:
		return &LogAppend{}
	case TypeLogEntries:
		return &LogEntries{}
	case TypeSurveyShow:
		return &SurveyShow{}
	case TypeSurveyAnswers:
		return &SurveyAnswers{}
	case TypeSurveySaved:
		return &SurveySaved{}
	case TypeSessionCollaborate:
		return &SessionCollaborate{}
	case TypeCollaborators:
		return &Collaboration{}
	case TypePointer:
		return &Pointer{}
	case TypePageSignal:
		return &PageSignal{}
	case TypeAgentRebooting:
		return &AgentRebooting{}
	case TypeUnattendedAsk:
		return &UnattendedAsk{}
	case TypeUnattendedAnswer:
		return &UnattendedAnswer{}
	case TypeUnattendedEnrolled:
		return &UnattendedEnrolled{}
	case TypeDeviceHello:
		return &DeviceHello{}
	case TypeDeviceWelcome:
		return &DeviceWelcome{}
	case TypeDeviceConnect:
		return &DeviceConnect{}
	case TypeDeviceRevoke:
		return &DeviceRevoke{}
	case TypeLauncherOffer:
		return &LauncherOffer{}
	case TypeLauncherAnswer:
		return &LauncherAnswer{}
	case TypeLauncherInstalled:
		return &LauncherInstalled{}
	}
	return nil
}

// Message is a decoded envelope with its typed payload.
type Message struct {
	Envelope
	// Body is a pointer to the payload struct for Envelope.Type (for example *AgentHello).
	Body any
}

// Decode parses and validates one signaling message. The payload is decoded strictly:
// unknown fields are refused. On failure the returned error wraps one of the
// sentinel errors, and the envelope's ID is returned when it could be read, so the
// caller can answer with an error reply that names the refused message.
func Decode(data []byte) (Message, error) {
	var m Message
	if len(data) > MaxMessageSize {
		return m, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &m.Envelope); err != nil {
		return m, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if m.V != Version {
		return m, fmt.Errorf("%w: got %d, want %d", ErrVersion, m.V, Version)
	}
	body := payloadFor(m.Type)
	if body == nil {
		return m, fmt.Errorf("%w: %q", ErrUnknownType, m.Type)
	}
	if len(m.Payload) > 0 && !bytes.Equal(m.Payload, []byte("null")) {
		if err := strict(m.Payload, body); err != nil {
			return m, fmt.Errorf("%w: payload of %s: %v", ErrMalformed, m.Type, err)
		}
	}
	if v, ok := body.(validator); ok {
		if err := v.validate(); err != nil {
			return m, fmt.Errorf("%w: %s: %v", ErrMalformed, m.Type, err)
		}
	}
	m.Body = body
	return m, nil
}

// Encode builds the wire form of a message of type t with the given payload.
func Encode(t Type, id, sid string, payload any) ([]byte, error) {
	env := Envelope{V: Version, Type: t, ID: id, SID: sid}
	if payload != nil {
		raw, err := json.Marshal(payload)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", t, err)
		}
		env.Payload = raw
	}
	return json.Marshal(env)
}

// ErrorReply builds an error message answering the message with the given ID.
func ErrorReply(id string, code ErrorCode, message string) []byte {
	b, _ := Encode(TypeError, id, "", Error{Code: code, Message: message})
	return b
}

// CodeOf maps a Decode error to the error code sent back to the peer.
func CodeOf(err error) ErrorCode {
	switch {
	case errorsIs(err, ErrTooLarge):
		return CodeTooLarge
	case errorsIs(err, ErrUnknownType):
		return CodeUnknownType
	case errorsIs(err, ErrVersion):
		return CodeBadVersion
	default:
		return CodeBadMessage
	}
}

func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// Package audit keeps the append-only audit trail in a JetStream stream: who
// logged in (or failed to), which sessions were created, started and ended,
// which permissions were asked, granted and revoked, which files crossed,
// when control was taken or a recording started, holds and transfers; each
// event names who really acted. Nothing can delete or purge
// the stream through NATS: it is created with deletes and purges denied. The
// stream is bounded by age and size (Config), so it cannot fill the disk;
// repeated refusals are written once a minute with a count (RecordRefusal),
// and what a session's peers report is capped (RecordFromPeer).
package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/signaling/natsnode"
)

// Stream is the JetStream stream holding the trail.
const Stream = "LIFELINE_AUDIT"

// subjectPrefix is where events are published; the event type follows.
const subjectPrefix = "lifeline.v1.audit."

// Type names what happened.
type Type string

// Event types.
const (
	LoginOK            Type = "login.ok"
	LoginFailed        Type = "login.failed"
	LoginLocked        Type = "login.locked"
	Logout             Type = "logout"
	SessionCreated     Type = "session.created"
	SessionStarted     Type = "session.started"
	SessionEnded       Type = "session.ended"
	PermissionAsked    Type = "permission.requested"
	PermissionGranted  Type = "permission.granted"
	PermissionRefused  Type = "permission.refused"
	PermissionRevoked  Type = "permission.revoked"
	PermissionDenied   Type = "permission.denied" // the server refused the technician
	ControlTaken       Type = "control.taken"     // Actor: the technician who has control
	SessionHeld        Type = "session.held"
	SessionResumed     Type = "session.resumed"
	TransferOffered    Type = "transfer.offered"   // Detail: the receiver's ID
	TransferCancelled  Type = "transfer.cancelled" // Detail: the receiver's ID
	TransferAccepted   Type = "transfer.accepted"  // Actor: the receiver; Detail: the sender's ID
	SessionTakenOver   Type = "session.taken_over" // Actor: the technician, whose other console (another tab or login) took the session
	SessionFieldSet    Type = "session.field"      // Actor: the technician; Detail: the custom field's name and value
	CollabInvited      Type = "collab.invited"     // Actor: the session's technician; Detail: the colleague's ID
	CollabWithdrawn    Type = "collab.withdrawn"   // Actor: the session's technician; Detail: the colleague's ID
	CollabJoined       Type = "collab.joined"      // Actor: the colleague who joined; Detail: their name
	CollabDeclined     Type = "collab.declined"    // Actor: the colleague who declined
	CollabMonitoring   Type = "collab.monitoring"  // Actor: the group lead who watches; Detail: their name
	CollabLeft         Type = "collab.left"        // Actor: the colleague who left; Detail: why
	CollabAway         Type = "collab.away"        // Actor: the colleague whose console's connection closed (kept for the grace)
	CollabBack         Type = "collab.back"        // Actor: the colleague whose console opened the session again
	LeadPassed         Type = "collab.lead"        // Actor: who passed it ("server": the lead's console was gone); Detail: the new lead
	SessionRequeued    Type = "session.requeued"   // Actor: "server"; the lead's console was gone past the grace with no colleague to take it
	CollabRemoved      Type = "collab.removed"     // Actor: who removed them; Detail: the colleague's ID
	CollabGranted      Type = "collab.granted"     // Actor: the session's technician; Detail: the colleague's ID and what they are granted now
	ControlPassed      Type = "control.passed"     // Actor: who handed remote control over; Detail: who has it now
	PeerReportsCapped  Type = "audit.capped"       // a session's peers reached MaxPeerEvents
	FileSent           Type = "file.sent"          // technician → customer
	FileReceived       Type = "file.received"      // customer → technician
	RecordingStarted   Type = "recording.started"
	RefusedByAgent     Type = "agent.refused"           // the agent dropped something not granted
	IdentityRefused    Type = "identity.refused"        // a peer's identity did not verify: a tampered SDP, a forged or expired certificate
	TerminalOpened     Type = "terminal.opened"         // the technician opened a terminal on the customer's machine
	ProcessEnded       Type = "process.ended"           // the technician ended a process on the customer's machine
	SurveySent         Type = "survey.sent"             // the technician sent the customer's survey before the end
	SurveyAnswered     Type = "survey.answered"         // Detail: whose survey (customer or technician)
	FileChanged        Type = "file.changed"            // the technician changed the customer's files (file manager)
	ScreenShown        Type = "screen.shown"            // Actor: the technician who shows the customer their own screen
	ScreenHidden       Type = "screen.hidden"           // Actor: who stopped it (the technician, or "customer")
	VoiceStarted       Type = "voice.started"           // Actor: who accepted the call; Detail: who called
	VoiceEnded         Type = "voice.ended"             // Actor: who hung up or declined
	CallbackRequested  Type = "session.callback"        // a customer waiting on a channel left a message instead
	ProgramOffered     Type = "program.offered"         // a customer helped in the browser asked for the program, to go on in the same session
	SessionRebooting   Type = "session.rebooting"       // Actor: the technician; the customer agreed and their computer restarts; Detail: normal or safe mode
	RebootBack         Type = "session.reboot_back"     // the customer's program came back after the restart; Detail: the host
	RebootExpired      Type = "session.reboot_expired"  // the customer's computer did not come back in time
	RebootDeclined     Type = "session.reboot_declined" // after the restart, the customer chose not to reconnect
	RebootFailed       Type = "session.reboot_failed"   // the customer's computer could not run its restart
	ServiceChanged     Type = "service.changed"         // the technician started, stopped or restarted a service on the customer's machine
	UnattendedAsked    Type = "unattended.asked"        // Actor: the technician who asked the customer for unattended access
	UnattendedRefused  Type = "unattended.refused"      // the customer said no
	DeviceEnrolled     Type = "device.enrolled"         // the customer agreed; Detail: the device, its group and window
	UnattendedConnect  Type = "unattended.connect"      // Actor: the technician; an unattended session; Detail: the device and policy
	DeviceRefused      Type = "device.refused"          // a device's hello or answer refused: unknown, wrong key, revoked, out of date, replayed
	DeviceRevoked      Type = "device.revoked"          // Actor: who revoked it (an account, or "customer"); Detail: the device
	LauncherOffered    Type = "launcher.offered"        // Actor: the technician who offered the customer a "Get help" launcher; Detail: the channel
	LauncherRefused    Type = "launcher.refused"        // the customer said no, or the agent refused it
	LauncherInstalled  Type = "launcher.installed"      // the customer agreed; Detail: the launcher, its channel and computer
	LauncherRequest    Type = "launcher.request"        // a launcher asked for help on its channel; Detail: the launcher and computer
	LauncherRemoved    Type = "launcher.removed"        // the customer removed the launcher from the computer
	AccountChanged     Type = "account.changed"
	SettingsChanged    Type = "settings.changed"
	TwoStepEnabled     Type = "totp.enabled"
	RecoveryCodeUsed   Type = "totp.recovery_used"
	LoggedOutEverwhere Type = "logout.everywhere"
)

// Event is one entry of the trail.
type Event struct {
	// Seq is the stream sequence, set when read back.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Type Type      `json:"type"`
	// Actor is who did it: an account ID, "customer" for the customer (through
	// their agent) or "server". An event a peer reports names who acted, not
	// who reported it: the technician's file send that the agent reports is
	// the technician's.
	Actor     string `json:"actor,omitempty"`
	SessionID string `json:"sessionId,omitempty"`
	IP        string `json:"ip,omitempty"`
	// Detail says more: a permission's name, a reason, an account changed.
	Detail string `json:"detail,omitempty"`
	// File names a file that crossed, for file events.
	File *File `json:"file,omitempty"`
	// Count, above 1, says how many times the same refusal happened in the
	// minute starting at Time (see RecordRefusal).
	Count int `json:"count,omitempty"`
}

// File describes a transferred file.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Defaults of Config.
const (
	// DefaultMaxAge is how long events are kept: a little over a year, so a
	// yearly review still finds last year's events.
	DefaultMaxAge = 400 * 24 * time.Hour
	// DefaultMaxBytes bounds the trail on disk (8 GiB: some 20 million events).
	DefaultMaxBytes int64 = 8 << 30
	// DefaultMaxPeerEvents is how many events the peers of one session may
	// report (files that crossed, input the agent refused, recordings).
	DefaultMaxPeerEvents = 500
)

// Config says how the trail is kept.
type Config struct {
	// Replicas is the stream's replication factor (at least 1).
	Replicas int
	// MaxAge is how long an event is kept (0: DefaultMaxAge).
	MaxAge time.Duration
	// MaxBytes bounds the stream's size; past it the oldest events go first,
	// as they would with age (0: DefaultMaxBytes).
	MaxBytes int64
	// MaxPeerEvents caps the events one session's peers may report
	// (0: DefaultMaxPeerEvents).
	MaxPeerEvents int
	// RefusalWindow is the period over which repeated refusals are counted
	// into one event (0: a minute).
	RefusalWindow time.Duration
	Logger        *slog.Logger
}

// Log appends to and reads the trail.
type Log struct {
	cfg    Config
	js     jetstream.JetStream
	stream jetstream.Stream
	peers  jetstream.KeyValue // events reported per session, for the cap
	log    *slog.Logger

	mu       sync.Mutex
	refusals map[refusalKey]*refusal // guarded by mu
	closed   bool                    // guarded by mu
}

// minFitBytes is the least the default size bound shrinks to on a small disk.
const minFitBytes = 1 << 20

// errCodeInsufficientStorage is JetStream's "insufficient storage resources
// available" (JSStorageResourcesExceededErr).
const errCodeInsufficientStorage = 10047

// peersBucket counts, per session, the events its peers reported. A count is
// kept 30 days after its session's last report.
const peersBucket = "lifeline_audit_peers"

// Open creates the stream (or updates its limits) and returns the log; Close
// writes the refusals still being counted.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Log, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	cfg.Replicas = max(cfg.Replicas, 1)
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	fit := cfg.MaxBytes <= 0 // the default shrinks to fit a small disk
	if fit {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxPeerEvents <= 0 {
		cfg.MaxPeerEvents = DefaultMaxPeerEvents
	}
	if cfg.RefusalWindow <= 0 {
		cfg.RefusalWindow = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var st jetstream.Stream
	for {
		err = natsnode.Retry(ctx, nil, "audit stream", func(ctx context.Context) (err error) {
			st, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
				Name:        Stream,
				Description: "Lifeline audit trail (append-only)",
				Subjects:    []string{subjectPrefix + ">"},
				Storage:     jetstream.FileStorage,
				Replicas:    cfg.Replicas,
				DenyDelete:  true,
				DenyPurge:   true,
				MaxMsgSize:  8 << 10,
				MaxAge:      cfg.MaxAge,
				MaxBytes:    cfg.MaxBytes,
				Discard:     jetstream.DiscardOld,
			})
			return err
		})
		var api *jetstream.APIError
		if !fit || !errors.As(err, &api) || api.ErrorCode != errCodeInsufficientStorage || cfg.MaxBytes <= minFitBytes {
			break
		}
		// JetStream reserves MaxBytes, and this data disk is smaller: a
		// quarter of what it refused, then less, until it fits.
		cfg.MaxBytes = max(cfg.MaxBytes/4, minFitBytes)
		cfg.Logger.Warn("audit trail bounded below its default to fit the data disk", "maxBytes", cfg.MaxBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("audit stream: %w", err)
	}
	var peers jetstream.KeyValue
	err = natsnode.Retry(ctx, nil, "audit counts", func(ctx context.Context) (err error) {
		peers, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: peersBucket, Description: "Lifeline: audit events reported per session",
			TTL: 30 * 24 * time.Hour, Storage: jetstream.FileStorage, Replicas: cfg.Replicas,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit counts: %w", err)
	}
	return &Log{cfg: cfg, js: js, stream: st, peers: peers, log: cfg.Logger, refusals: map[refusalKey]*refusal{}}, nil
}

// Record appends e, stamping its time; it waits for JetStream's
// acknowledgement. An error wraps ErrNotRecorded: call Record before the
// action it records, and do not do the action when it fails.
func (l *Log) Record(ctx context.Context, e Event) error {
	if l == nil {
		return nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	e.Seq = 0
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := l.js.Publish(ctx, subjectPrefix+string(e.Type), b); err != nil {
		return fmt.Errorf("%w (%s: %w)", ErrNotRecorded, e.Type, err)
	}
	return nil
}

// Filter selects events; zero fields match everything.
type Filter struct {
	Type      string // a type or a prefix ending in "." (e.g. "file.")
	Actor     string
	SessionID string
	Since     time.Time
	Until     time.Time
	// Limit keeps only the newest Limit matches; 0 means 1000.
	Limit int
}

func (f Filter) match(e Event) bool {
	if f.Type != "" && string(e.Type) != f.Type && !(strings.HasSuffix(f.Type, ".") && strings.HasPrefix(string(e.Type), f.Type)) {
		return false
	}
	if f.Actor != "" && e.Actor != f.Actor {
		return false
	}
	if f.SessionID != "" && e.SessionID != f.SessionID {
		return false
	}
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && e.Time.After(f.Until) {
		return false
	}
	return true
}

// maxScan bounds how many of the newest events one query reads.
const maxScan = 100_000

// Query returns the events matching f, oldest first.
func (l *Log) Query(ctx context.Context, f Filter) ([]Event, error) {
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	info, err := l.stream.Info(ctx)
	if err != nil {
		return nil, err
	}
	last := info.State.LastSeq
	if info.State.Msgs == 0 {
		return nil, nil
	}
	start := info.State.FirstSeq
	if last >= maxScan && last-maxScan+1 > start {
		start = last - maxScan + 1
	}
	cons, err := l.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start,
	})
	if err != nil {
		return nil, err
	}
	var out []Event
	for {
		batch, err := cons.FetchNoWait(500)
		if err != nil {
			return nil, err
		}
		n := 0
		var seq uint64
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return nil, err
			}
			seq = md.Sequence.Stream
			var e Event
			if json.Unmarshal(m.Data(), &e) != nil {
				continue
			}
			e.Seq = seq
			if f.match(e) {
				out = append(out, e)
				if len(out) > f.Limit {
					out = out[1:]
				}
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return nil, err
		}
		if seq >= last {
			return out, nil
		}
		if n == 0 {
			// Nothing ready yet: wait briefly for the rest.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// WriteJSON writes events as a JSON array.
func WriteJSON(w io.Writer, events []Event) error {
	if events == nil {
		events = []Event{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(events)
}

// CSVHeader is the first line of a CSV export.
var CSVHeader = []string{"seq", "time", "type", "actor", "session", "ip", "detail", "file", "size", "sha256"}

// WriteCSV writes events as CSV with a header line.
func WriteCSV(w io.Writer, events []Event) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(CSVHeader)
	for _, e := range events {
		var name, size, sum string
		if e.File != nil {
			name, size, sum = e.File.Name, strconv.FormatInt(e.File.Size, 10), e.File.SHA256
		}
		_ = cw.Write([]string{strconv.FormatUint(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), string(e.Type),
			e.Actor, e.SessionID, e.IP, CSVSafe(e.Detail), CSVSafe(name), size, sum})
	}
	cw.Flush()
	return cw.Error()
}

// CSVSafe keeps a spreadsheet from reading a cell as a formula: a cell
// starting with =, +, -, @, tab or CR is written after a quote.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

package sessions

import (
	"context"
	"errors"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// appendLog adds a console's entry to the running log of session ss, which
// Authorize found to be tech's own. The log lives on the server for the
// session, so a reloaded or crashed console loses nothing of it. Its content
// is for display only, and its authors are who sent it: a console's messages
// are its technician's (named from the account; one in the customer's name is
// refused with ErrNotYourWords), the customer's come from the agent
// (appendAgentLog).
func (s *Service) appendLog(ctx context.Context, tech auth.Technician, ss store.Session, a *protocol.LogAppend) error {
	e := a.Entry()
	if e.Kind == protocol.LogTerminal {
		return ErrNotYourWords // only the agent writes what a terminal showed
	}
	if e.Kind == protocol.LogMessage {
		if e.From != protocol.FromTechnician {
			return ErrNotYourWords
		}
		e.Author, e.By = tech.Name, tech.ID
	}
	return s.keepEntry(ctx, ss, e)
}

// appendAgentLog adds the customer's chat message, or a piece of a
// terminal's transcript, sent by the agent of session sid, to its running
// log: a message always in the customer's name, whatever the entry says; the
// agent adds nothing else.
func (s *Service) appendAgentLog(ctx context.Context, sid string, a *protocol.LogAppend) error {
	if a.Kind != protocol.LogMessage && a.Kind != protocol.LogTerminal {
		return ErrBadEntry
	}
	ss, err := s.cfg.Store.Session(ctx, sid)
	if err != nil {
		return ErrBusy
	}
	if a.Kind == protocol.LogTerminal {
		if err := s.agentMayReport(ss, protocol.PermissionTerminal, protocol.DeniedTerminal, protocol.DeniedScripts); err != nil {
			return err
		}
	}
	e := a.Entry()
	e.From, e.Author, e.By, e.Internal = "", "", "", false
	if e.Kind == protocol.LogMessage {
		e.From, e.Author = protocol.FromCustomer, ss.CustomerName
	}
	return s.keepEntry(ctx, ss, e)
}

// keepEntry appends e to session ss's running log.
func (s *Service) keepEntry(ctx context.Context, ss store.Session, e protocol.LogEntry) error {
	if ss.State.Closed() {
		return ErrClosed
	}
	err := s.cfg.Store.AppendLog(ctx, ss.ID, e, s.cfg.LogLimits, i18n.T(i18n.EN, "ws.log.full"))
	switch {
	case errors.Is(err, store.ErrLogFull):
		return ErrLogFull
	case errors.Is(err, store.ErrInvalid):
		return ErrBadEntry
	case err != nil:
		s.log.Warn("running log", "sid", ss.ID, "err", err)
		return ErrBusy
	}
	// Collaborators follow the chat through the log (the customer's side of
	// the chat goes to the lead's connection only). None of it goes to the agent. Only the new
	// entry goes out: the whole log again on every line would cost the
	// log's size for each one.
	add := protocol.LogEntries{Append: true, Entries: []protocol.LogEntry{e}}
	for _, h := range ss.Collab.Members {
		if logShown(h.Role, e) {
			s.publish(TechSubject(h.ID, ss.ID), protocol.TypeLogEntries, "", ss.ID, add)
		}
	}
	// The lead reads the technicians' own chat, and what a colleague wrote
	// to the customer, this way (their console shows their own lines and
	// the customer's already).
	if e.Internal || (e.By != "" && e.By != ss.TechnicianID) {
		s.publish(TechSubject(ss.TechnicianID, ss.ID), protocol.TypeLogEntries, "", ss.ID, add)
	}
	return nil
}

// logShown reports whether a colleague in role sees log entry e: a
// collaborator sees the chat and the events, not what the customer's
// terminals showed (their group's terminal rights are not the lead's); a
// group lead who watches sees only the technicians' own chat (the customer
// allowed them the screen, not the conversation).
func logShown(role string, e protocol.LogEntry) bool {
	switch role {
	case protocol.RoleCollaborator:
		return e.Kind != protocol.LogTerminal
	default:
		return e.Internal
	}
}

// LogFor is session sid's running log as technician tech may see it when
// opening the session: the whole log for its technician (or the receiver of
// its transfer), the entries their role shows for a colleague in it, and
// nothing for anyone else (invited, or a lead who may watch but does not).
func (s *Service) LogFor(ctx context.Context, techID, sid string) (protocol.LogEntries, error) {
	ss, err := s.Session(ctx, sid)
	if err != nil {
		return protocol.LogEntries{}, err
	}
	if ss.TechnicianID == techID || (ss.Transfer != nil && ss.Transfer.ToID == techID) {
		return s.Log(ctx, sid)
	}
	m, ok := ss.Collab.Member(techID)
	if !ok {
		return protocol.LogEntries{Entries: []protocol.LogEntry{}}, nil
	}
	l, err := s.Log(ctx, sid)
	if err != nil {
		return l, err
	}
	shown := l.Entries[:0:0]
	for _, e := range l.Entries {
		if logShown(m.Role, e) {
			shown = append(shown, e)
		}
	}
	l.Entries = shown
	return l, nil
}

// Log is session sid's running log, for a console that may see the session
// (Authorize checked it).
func (s *Service) Log(ctx context.Context, sid string) (protocol.LogEntries, error) {
	return read(ctx, func(ctx context.Context) (protocol.LogEntries, error) {
		es, full, err := s.cfg.Store.RunningLog(ctx, sid)
		return protocol.LogEntries{Entries: es, Full: full}, err
	})
}

// publishLog sends session ss's running log to the consoles of technician
// techID that show the session (the receiver of a transfer, when they accept).
func (s *Service) publishLog(ctx context.Context, techID, sid string) {
	l, err := s.Log(ctx, sid)
	if err != nil {
		s.log.Warn("running log", "sid", sid, "err", err)
		return
	}
	for _, p := range l.Pages() {
		s.publish(TechSubject(techID, sid), protocol.TypeLogEntries, "", sid, p)
	}
}

// keepLog stores the running log of session sid, which has just ended, in
// the session history: no console has to be there for it.
func (s *Service) keepLog(ctx context.Context, ss store.Session) {
	l, err := s.Log(ctx, ss.ID)
	if err == nil {
		err = s.cfg.Store.PutSessionLog(ctx, store.SessionLog{
			SessionID: ss.ID, TechnicianID: ss.TechnicianID, CustomerName: ss.CustomerName,
			Entries: l.Entries, Stored: time.Now(),
		})
	}
	if err != nil {
		s.log.Error("store the session log", "sid", ss.ID, "err", err)
	}
}

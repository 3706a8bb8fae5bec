package sessions

import (
	"errors"
	"fmt"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
)

// Errors of the session service. Their text is what the technician or the
// customer's program reads; Code gives the protocol's code for each.
var (
	// ErrNotFound means the session does not exist, or is not the technician's.
	ErrNotFound = errors.New("no such session")
	// ErrBusy means the store could not answer now (a passing cluster error).
	ErrBusy = errors.New("the server could not check this now; try again in a moment")
	// ErrNoLogin means the technician's login or account has ended.
	ErrNoLogin = errors.New("your login has ended; log in again")
	// ErrAcceptFirst means the receiver of a transfer tried more than looking.
	ErrAcceptFirst = errors.New("accept the transfer first")
	// ErrClosed means the session is already closed.
	ErrClosed = errors.New("this session is already closed")
	// ErrAlreadyUnattended means unattended access was asked for in an
	// unattended session.
	ErrAlreadyUnattended = errors.New("this computer is already set up for unattended access")
	// ErrNotAsked means an agent answered a request for unattended access
	// that nobody made.
	ErrNotAsked = errors.New("unattended access was not asked for")
	// ErrNotServed means a launcher offered on a channel the technician's
	// group does not serve.
	ErrNotServed = errors.New("your group does not serve this channel")
	// ErrLauncherNotOffered means an agent answered a launcher offer that
	// nobody made.
	ErrLauncherNotOffered = errors.New("no launcher was offered")
	// ErrNoLauncher means a launcher request names no launcher installed
	// on that channel (unknown, or removed).
	ErrNoLauncher = errors.New("this launcher is not known here; ask for help on the channel's page")
	// ErrDeviceRefused means an unattended device's hello did not prove its
	// identity: unknown device, wrong key, out of date or replayed.
	ErrDeviceRefused = errors.New("this computer is not allowed to connect")
	// ErrDeviceRevoked means unattended access to the computer was revoked.
	ErrDeviceRevoked = errors.New("unattended access to this computer was revoked")
	// ErrDeviceOffline means the unattended computer is not connected now.
	ErrDeviceOffline = errors.New("this computer is offline; try again when it is online")
	// ErrOutsideWindow means the computer's owner does not allow unattended
	// access at this time.
	ErrOutsideWindow = errors.New("the owner of this computer does not allow unattended access at this time")
	// ErrNotConnected means the customer's program is not connected.
	ErrNotConnected = errors.New("the customer is not connected")
	// ErrReconnecting means the agent is between two connections.
	ErrReconnecting = errors.New("the customer's program is reconnecting; ask again in a moment")
	// ErrOnHold means the session must be resumed first.
	ErrOnHold = errors.New("resume the session first")
	// ErrNotAvailable means the transfer's target cannot take it now.
	ErrNotAvailable = errors.New("that technician is not available (away, busy or offline)")
	// ErrSelf means a transfer to oneself.
	ErrSelf = errors.New("the session is already yours")
	// ErrNoTechnician means the transfer's target does not exist.
	ErrNoTechnician = errors.New("no such technician")
	// ErrNoTransfer means the session is not being transferred.
	ErrNoTransfer = errors.New("this session is not being transferred")
	// ErrTooMany means the technician already works on MaxActive sessions.
	ErrTooMany = fmt.Errorf("you already work on %d sessions: end or transfer one first", MaxActive)
	// ErrRecordingsOnly means a console reported something other than a
	// recording or a program it refused for its identity.
	ErrRecordingsOnly = errors.New("consoles report recordings and refused identities only")
	// ErrNotForConsoles means a message type a console may not send.
	ErrNotForConsoles = errors.New("this message is not for consoles")
	// ErrNotWaiting refuses a callback request for a session that is not a
	// channel's request still waiting for a technician.
	ErrNotWaiting = errors.New("only a request still waiting on a channel can become a message: a technician has it already")
	// ErrNotInBrowser refuses to hand a session over to the program when
	// its customer is not helped in the browser.
	ErrNotInBrowser = errors.New("only a customer helped in the browser is offered the program this way")
	// ErrNotForAgents means a message type an agent may not send.
	ErrNotForAgents = errors.New("this message is not for agents")
	// ErrBadIdentityKey means an agent's hello carried an identity key that
	// is not a P-256 public key: nothing was joined or used.
	ErrBadIdentityKey = errors.New("the program's identity key could not be read: download it again")
	// ErrRebooting means the customer's computer is restarting already.
	ErrRebooting = errors.New("the customer's computer is restarting; wait for it to come back")
	// ErrRebootUnattended means a restart was asked for in an unattended
	// session: nobody may be at the computer to agree to it.
	ErrRebootUnattended = errors.New("restart needs the person at the computer: not available in unattended sessions")
	// ErrNotRebooting means a program started by a restart's autostart
	// entry came when the session was not waiting for one: the entry was
	// used already, or belongs to another session.
	ErrNotRebooting = errors.New("this session is not waiting for a restarted computer; the reconnection was used already")
	// ErrDeclined means the customer chose not to reconnect after the
	// restart: the session ended.
	ErrDeclined = errors.New("the session ended: you chose not to reconnect")
	// ErrBadSecret means an agent resumed a session with the wrong secret.
	ErrBadSecret = errors.New("this session does not know this agent")
	// ErrTooLate means the customer's program, run again after a crash, came
	// back after the session's reconnect window (--offline-after).
	ErrTooLate = errors.New("this session waited too long for the customer's program to come back; ask the technician for a new invitation")
	// ErrReplaced means a message from an agent's socket that no longer
	// holds its session: a newer socket, or the program that took over
	// from the customer's page, does.
	ErrReplaced = errors.New("a newer connection of the customer's program holds this session")
	// ErrSessionClosed means an agent joined or resumed a closed session.
	ErrSessionClosed = errors.New("this session is closed")
	// ErrBadName means a customer name that is empty, too long or has control characters.
	ErrBadName = fmt.Errorf("the customer's name must be 1 to %d characters", MaxCustomerName)
	// ErrLogFull means the session's running log reached its bounds.
	ErrLogFull = errors.New("the session log is full: later entries are not kept")
	// ErrNotYourWords means a console wrote a log message in the customer's
	// name: the customer's words come from their own program.
	ErrNotYourWords = errors.New("a console writes only its technician's messages; the customer's come from the customer's program")
	// ErrOpenElsewhere means another console of the technician (another tab,
	// another login) holds the session: this one takes it over first.
	ErrOpenElsewhere = errors.New("this session is open in another tab: use it here first")
	// ErrNotGrantedHere means the agent reported a technician's terminal or
	// system-information action in a session whose customer never granted it.
	ErrNotGrantedHere = errors.New("the customer has not allowed this in this session")
	// ErrBadEntry means a log entry the running log does not take.
	ErrBadEntry = errors.New("this log entry is empty, too long or malformed")
	// ErrNoSurvey means survey answers for a session that asked no survey.
	ErrNoSurvey = errors.New("this session asked no survey")
	// ErrSurveyNotYet means the customer's answers came before the end of
	// a session whose technician did not send the survey.
	ErrSurveyNotYet = errors.New("the survey is asked at the end of the session")
	// ErrSurveyAnswered means a survey answered a second time: the first
	// answers are kept.
	ErrSurveyAnswered = errors.New("this survey was already answered; the first answers are kept")
	// ErrBadSurvey means survey answers that do not fit the questions (a
	// rating out of 1 to 5, a missing answer, a text too long or hiding
	// characters); the message says which.
	ErrBadSurvey = errors.New("these survey answers cannot be kept")
	// ErrNotEnded means the technician's survey of a session still running.
	ErrNotEnded = errors.New("end the session first")
	// ErrLeadOnly means a collaborator tried what only the session's own
	// technician (its lead) may do.
	ErrLeadOnly = errors.New("only the technician who leads this session can do that")
	// ErrJoinFirst means a technician invited to collaborate tried more than
	// looking, accepting or declining.
	ErrJoinFirst = errors.New("join the session first")
	// ErrNotInvited means the technician is not (or no longer) invited.
	ErrNotInvited = errors.New("that technician is not invited to this session (the invitation may have been withdrawn)")
	// ErrNotCollaborator means the technician is not (or no longer) in the session.
	ErrNotCollaborator = errors.New("that technician is not in this session any more")
	// ErrNoColleague means the session's technician asked to leave it with
	// no colleague in it to take the lead.
	ErrNoColleague = errors.New("no colleague in this session can take the lead: end the session or transfer it instead")
	// ErrTooManyHelpers means the session has protocol.MaxCollaborators
	// colleagues in it or invited already.
	ErrTooManyHelpers = fmt.Errorf("a session takes at most %d colleagues besides its technician", protocol.MaxCollaborators)
	// ErrNotWorking means an invitation into a session nobody works on now
	// (waiting, being transferred, closed).
	ErrNotWorking = errors.New("start the session (and finish any transfer) before inviting a colleague")
	// ErrBadComment means an invitation's comment is too long or holds
	// invisible or direction-changing characters.
	ErrBadComment = fmt.Errorf("the comment must be plain text of at most %d characters", protocol.MaxTransferComment)
	// ErrExternalName means an external collaborator gave no name, or one too long.
	ErrExternalName = fmt.Errorf("type your name (at most %d characters): the customer is shown who you are", MaxExternalName)
	// ErrExternalInvalid means an external collaborator's link or PIN is not one.
	ErrExternalInvalid = errors.New("this invitation link or code is not valid: check it, or ask the technician for a new invitation")
	// ErrExternalUsed means an external collaborator's invitation was used already.
	ErrExternalUsed = errors.New("this invitation has already been used: each invitation lets one person in, once; ask the technician for a new one")
	// ErrExternalExpired means an external collaborator's invitation lapsed unused.
	ErrExternalExpired = errors.New("this invitation has expired: ask the technician for a new one")
	// ErrExternalWithdrawn means the lead withdrew the invitation.
	ErrExternalWithdrawn = errors.New("the technician withdrew this invitation")
	// ErrExternalEnded means the session of the invitation has ended.
	ErrExternalEnded = errors.New("this support session has ended: there is nothing to join any more")
	// ErrExternalGone means an external collaborator's login is no longer
	// good: they were removed, or the session ended (or it is another
	// session's).
	ErrExternalGone = errors.New("you are no longer in this support session: the technician or the customer removed you, or the session ended")
	// ErrExternalLead means the lead offered to an external collaborator.
	ErrExternalLead = errors.New("an external collaborator cannot lead the session: pass the lead to a colleague")
	// ErrAlreadyIn means the colleague is already in the session or invited.
	ErrAlreadyIn = errors.New("that technician is already in this session or invited to it")
	// ErrViewOnly means control handed to a group lead who watches.
	ErrViewOnly = errors.New("a group lead who watches the session cannot take control")
	// ErrNoCall means a colleague asked to join the call with none going on.
	ErrNoCall = errors.New("there is no call with the customer to join; the technician who leads the session starts it")
	// ErrWatching means a group lead who watches the session (or somebody
	// not in it) tried to talk with the customer or show their screen.
	ErrWatching = errors.New("a group lead who watches the session cannot talk with the customer or show their screen")
	// ErrNotYourPeer means a console's page signal named another
	// technician's connection with the customer's page.
	ErrNotYourPeer = errors.New("you can only use your own connection with the customer's page")
	// ErrCollaborating means a transfer while colleagues are in the session.
	ErrCollaborating = errors.New("remove your colleagues from the session (or withdraw their invitations) first")
)

// errUnchanged aborts a session update that has nothing to do.
var errUnchanged = errors.New("session unchanged")

// errNotRerun means an agent using a used invitation is not the session's
// program run again: it is told the invitation was used.
var errNotRerun = errors.New("not the session's agent run again")

// DeniedError means the technician's group does not allow What.
type DeniedError struct {
	// What names the action, as the audit trail records it.
	What string
	// Text is the sentence the technician reads.
	Text string
}

func (e *DeniedError) Error() string { return e.Text }

// ShareTakenError means a technician asked to show their screen to the
// customer while a colleague shows theirs: one at a time.
type ShareTakenError struct{ Name string }

func (e *ShareTakenError) Error() string {
	return e.Name + " is showing their screen to the customer now; one screen at a time: ask them to stop first"
}

// TooManyError means the organisation's limit of open sessions is reached.
type TooManyError struct{ Max int }

func (e *TooManyError) Error() string {
	return fmt.Sprintf("you already have %d open sessions; end one first", e.Max)
}

// Code is the protocol error code for an error of this package.
func Code(err error) protocol.ErrorCode {
	var denied *DeniedError
	switch {
	case errors.As(err, &denied), errors.Is(err, ErrAcceptFirst), errors.Is(err, ErrClosed),
		errors.Is(err, ErrOnHold), errors.Is(err, ErrNotAvailable), errors.Is(err, ErrSelf),
		errors.Is(err, ErrNoTransfer), errors.Is(err, ErrTooMany), errors.Is(err, ErrRecordingsOnly), errors.Is(err, ErrNotYourWords),
		errors.Is(err, ErrNotForConsoles), errors.Is(err, ErrNotForAgents), errors.Is(err, ErrSessionClosed),
		errors.Is(err, ErrNotGrantedHere), errors.Is(err, ErrNoLogin), errors.Is(err, session.ErrTransition),
		errors.Is(err, ErrNoSurvey), errors.Is(err, ErrSurveyNotYet), errors.Is(err, ErrNotEnded),
		errors.Is(err, ErrLeadOnly), errors.Is(err, ErrJoinFirst), errors.Is(err, ErrTooManyHelpers), errors.Is(err, ErrNoColleague),
		errors.Is(err, ErrNotWorking), errors.Is(err, ErrAlreadyIn), errors.Is(err, ErrCollaborating), errors.Is(err, ErrViewOnly), errors.Is(err, ErrTaken),
		errors.Is(err, ErrNoCall), errors.Is(err, ErrNotYourPeer), errors.Is(err, ErrWatching), errors.As(err, new(*ShareTakenError)),
		errors.Is(err, ErrExternalLead), errors.Is(err, ErrExternalGone), errors.Is(err, ErrExternalWithdrawn), errors.Is(err, ErrExternalEnded),
		errors.Is(err, ErrNotWaiting), errors.Is(err, ErrNotInBrowser), errors.Is(err, ErrReplaced),
		errors.Is(err, ErrAlreadyUnattended), errors.Is(err, ErrRebooting), errors.Is(err, ErrRebootUnattended), errors.Is(err, ErrNotRebooting), errors.Is(err, ErrDeclined), errors.Is(err, ErrNotAsked), errors.Is(err, ErrNotServed), errors.Is(err, ErrLauncherNotOffered), errors.Is(err, ErrDeviceRefused), errors.Is(err, ErrOutsideWindow):
		return protocol.CodeForbidden
	case errors.Is(err, ErrDeviceRevoked):
		return protocol.CodeRevoked
	case errors.Is(err, ErrSurveyAnswered), errors.Is(err, ErrExternalUsed):
		return protocol.CodeUsed
	case errors.Is(err, ErrBadSurvey), errors.Is(err, protocol.ErrBadDeviceKey), errors.Is(err, ErrBadComment), errors.Is(err, ErrExternalName):
		return protocol.CodeBadMessage
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNoTechnician), errors.Is(err, ErrNotInvited), errors.Is(err, ErrNotCollaborator):
		return protocol.CodeNotFound
	case errors.Is(err, ErrNotConnected), errors.Is(err, ErrReconnecting), errors.Is(err, ErrDeviceOffline):
		return protocol.CodeNotConnected
	case errors.Is(err, ErrBadSecret), errors.Is(err, ErrExternalInvalid), errors.Is(err, ErrExternalExpired):
		return protocol.CodeInvalidCode
	case errors.Is(err, ErrLogFull):
		return protocol.CodeTooLarge
	case errors.Is(err, ErrBadEntry):
		return protocol.CodeBadMessage
	case errors.Is(err, ErrOpenElsewhere):
		return protocol.CodeOpenElsewhere
	}
	return protocol.CodeInternal
}

// Message is what a peer reads for err: the error's own sentence for this
// package's errors and the state machine's, a generic one otherwise (store
// and cluster errors are logged, not shown).
func Message(err error) string {
	if Code(err) != protocol.CodeInternal || errors.Is(err, ErrBusy) {
		return err.Error()
	}
	return ErrBusy.Error()
}

// errWatchEnded means a bucket watch stopped (its NATS connection closed).
var errWatchEnded = errors.New("bucket watch ended")

// Package sessions is the one place that owns a support session's rules on
// the server. The WebSocket hub and the HTTP handlers only decode a request,
// call one method here and encode the answer; everything they must not decide
// themselves lives in this package:
//
//   - create.go: creating a session and its invitation (a PIN only for
//     technicians who may use PINs), the session a technician may open in a
//     page, and a device's history (only sessions the technician may see).
//   - console.go: every console message. Authorize is the permission check
//     (ownership, the receiver of a transfer, the technician's group) and its
//     audit entry; start, hold, transfer, permission requests, the WebRTC
//     relay and end follow it.
//   - agent.go: an agent joining (link or PIN), resuming with its secret,
//     leaving, its permission updates and ending; the device identity derived
//     from the agent's device key (DeviceID).
//   - revoke.go: an account disabled, deleted or logged out ends what its
//     consoles held, and a changed group is pushed to the agents of live
//     sessions (watching the account and group buckets).
//   - runlog.go: the session's running log: the technician's console appends
//     each entry as it happens, every console that opens the session gets it
//     back, and the end keeps it in the session history.
//   - survey.go: the customer's survey (the questions the agent is given,
//     sent early by the technician, the answers checked against them and
//     stored once) and the technician's survey of a session they ended.
//   - sweep.go: the session time limits.
//   - service.go: the NATS subjects, publishing, the session.state payload,
//     and the one end sequence (end).
//
// The session state machine itself is shared/session; what the customer
// allows is enforced by the agent whatever the server says.
package sessions

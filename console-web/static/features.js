// Features of the workspace beyond the screen (chat, files, clipboard) register
// here; console.js gives each one the session's context and every connection.
//
// A feature is an object with any of:
//   init(ctx)            once, with { sid, customer, t, csrf, log, signal, panel(name),
//                        input (InputCapture), video, stage, may, iceServers() }
//                        (may: the technician's permissions, e.g. may.recording;
//                        a feature whose permission is off is not loaded at all:
//                        featurePerm in console-web/sessions/handler.go)
//   attach(pc)           for each new RTCPeerConnection, before the offer: create
//                        the feature's data channels here
//   detach()             when that connection closes
//   setPermissions(p, refused)  whenever the customer's grants change ({view, control,
//                        clipboard}); refused names the permission just declined, if any
//   ended()              once, when the session ends
//   setState(state, me)  on every session.state (state.collaboration: who else
//                        works on the session), with this technician's ID
//   error(p)             on every error the server sends this page
export const features = [];

export function register(feature) {
  features.push(feature);
}

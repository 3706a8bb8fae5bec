package draw

import "errors"

// ErrNotAllowed: a colleague of the technician sent a drawing they are not
// allowed to make now (not granted drawing, or not let in by the customer).
var ErrNotAllowed = errors.New("drawing not granted to this colleague")

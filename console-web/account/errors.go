package account

import "errors"

// errMismatch means the new password and its confirmation differ.
var errMismatch = errors.New("the new passwords differ")

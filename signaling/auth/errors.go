package auth

import (
	"errors"
	"net/url"
)

var (
	// ErrBadLogin means the username or password is wrong.
	ErrBadLogin = errors.New("wrong username or password")
	// ErrNoLogin means the request carries no valid login.
	ErrNoLogin = errors.New("not logged in")
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

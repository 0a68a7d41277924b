package dhcp4

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error returned by Decode, the typed parsers and the
// Builder wraps exactly one of these, so a server can count drops by reason
// with errors.Is instead of matching strings.
var (
	// ErrTruncated: the message is shorter than the fixed BOOTP header and
	// magic cookie (240 bytes).
	ErrTruncated = errors.New("message truncated")
	// ErrBadMagicCookie: bytes 236-239 are not 99.130.83.99.
	ErrBadMagicCookie = errors.New("bad magic cookie")
	// ErrBadOption: an option's framing or content is malformed, or a
	// Builder was asked to write an option it cannot represent.
	ErrBadOption = errors.New("bad option")
	// ErrBadOverload: option 52 is malformed or appears outside the options
	// field.
	ErrBadOverload = errors.New("bad option overload")
	// ErrTooLarge: the options do not fit the Builder's size limit even
	// with the file and sname fields overloaded, or Decode was given more
	// than 65535 bytes.
	ErrTooLarge = errors.New("message too large")
	// ErrNotIPv4: an address given to the Builder is not IPv4.
	ErrNotIPv4 = errors.New("not an IPv4 address")
	// ErrBuilderState: a Builder method was called out of order (an option
	// left open, EndOption without StartOption, use after Finish, a zero
	// Builder).
	ErrBuilderState = errors.New("builder used out of order")
)

// Error is the concrete type behind every error of this package. It names
// what is wrong and where; Unwrap gives the sentinel.
type Error struct {
	Err    error  // one of the Err* sentinels above
	Code   int    // option code, or -1 when the error is not about one option
	Offset int    // byte offset in the message, or -1 when there is none
	Field  string // "file" or "sname" for options read from an overloaded field
	Detail string // what is wrong, in words
}

func (e *Error) Error() string {
	s := "dhcp4: "
	if e.Code >= 0 {
		s += "option " + strconv.Itoa(e.Code) + " "
	}
	if e.Offset >= 0 {
		s += "at offset " + strconv.Itoa(e.Offset) + " "
	}
	if e.Field != "" {
		s += "(" + e.Field + " field) "
	}
	if e.Code < 0 && e.Offset < 0 && e.Field == "" {
		s += e.Err.Error()
	} else {
		s = s[:len(s)-1]
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func errAt(sentinel error, code, offset int, detail string) error {
	return &Error{Err: sentinel, Code: code, Offset: offset, Detail: detail}
}

func itoa(n int) string { return strconv.Itoa(n) }

// valueError reports a malformed option value handed to a Parse function,
// where there is no message offset, only a position in the value.
func valueError(code uint8, pos int, what string) error {
	if pos >= 0 {
		what = "at byte " + itoa(pos) + ": " + what
	}
	return errAt(ErrBadOption, int(code), -1, what)
}

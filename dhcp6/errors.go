package dhcp6

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. Every error returned by this package wraps one of these,
// so callers can branch with errors.Is (to count drops by reason, say) while
// the message still says what was wrong and where.
var (
	// ErrTruncated: the input ends before a header, an option header or an
	// option's declared length.
	ErrTruncated = errors.New("dhcp6: truncated")
	// ErrBadOption: an option's content does not fit its type (wrong length,
	// bad field value, malformed domain name).
	ErrBadOption = errors.New("dhcp6: malformed option")
	// ErrBadMessage: a message is not a DHCPv6 message this package can
	// carry (relay message without relay-msg, relay type where a client or
	// server message is required).
	ErrBadMessage = errors.New("dhcp6: malformed message")
	// ErrTooManyRelays: relay messages nest deeper than MaxRelays.
	ErrTooManyRelays = errors.New("dhcp6: too many relay hops")
	// ErrOptionTooLong: a builder was asked to write an option whose data
	// does not fit the 16-bit length field.
	ErrOptionTooLong = errors.New("dhcp6: option too long")
	// ErrNesting: a builder's StartOption/EndOption calls do not pair up, or
	// nest deeper than the builder's fixed stack.
	ErrNesting = errors.New("dhcp6: option nesting")
	// ErrBadValue: a builder was given a value it cannot encode (a domain
	// name that is not a name, an IPv4 address where IPv6 is required).
	ErrBadValue = errors.New("dhcp6: value cannot be encoded")
)

// Error is the error type of this package: what went wrong and where.
type Error struct {
	// Err is one of the package's sentinel errors.
	Err error
	// Offset is the byte offset of the problem, counted from the start of
	// the slice given to the function that returned the error (for
	// Packet.Decode, the whole datagram; for a Parse function, the option
	// data; for a Builder, the buffer being built).
	Offset int
	// Code is the option being decoded or encoded, 0 when the problem is in
	// a message or relay header.
	Code OptionCode
	// Depth is the number of relay messages enclosing the problem; 0 for the
	// outermost message.
	Depth int
	// Detail says what is wrong, in words.
	Detail string
}

func (e *Error) Error() string {
	s := "dhcp6: "
	if e.Depth > 0 {
		s += "relay depth " + strconv.Itoa(e.Depth) + ": "
	}
	if e.Code != 0 {
		s += "option " + strconv.Itoa(int(e.Code))
		if name, ok := optionNames[e.Code]; ok {
			s += " (" + name + ")"
		}
		s += " "
	}
	return s + "at offset " + strconv.Itoa(e.Offset) + ": " + e.Detail
}

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// errorf builds an *Error. It is only ever called on the failure path, so
// the formatting cost never touches a well-formed packet.
func errorf(sentinel error, off int, code OptionCode, format string, args ...any) error {
	return &Error{Err: sentinel, Offset: off, Code: code, Detail: fmt.Sprintf(format, args...)}
}

// rebase moves an error found in a sub-slice to the coordinates of the
// enclosing buffer: base is where the sub-slice starts, depth how many relay
// messages enclose it.
func rebase(err error, base, depth int) error {
	var e *Error
	if errors.As(err, &e) {
		e.Offset += base
		e.Depth = depth
	}
	return err
}

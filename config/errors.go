package config

import (
	"errors"
	"fmt"
)

// Sentinel errors a caller can branch on with errors.Is. Every error that
// Load and Parse return is an *Error wrapping exactly one of them.
var (
	// ErrSyntax: the text is not valid Kea JSON (bad token, unclosed
	// comment, duplicate key, include that cannot be read or loops).
	ErrSyntax = errors.New("syntax error")
	// ErrUnsupported: Kea accepts the key or value but leasehold does not
	// implement it. The message starts with "unsupported: ".
	ErrUnsupported = errors.New("unsupported")
	// ErrUnknownKey: neither Kea 2.2 nor leasehold has this key here.
	ErrUnknownKey = errors.New("unknown key")
	// ErrInvalid: the value is well-formed JSON but not a valid
	// configuration (wrong type, out of range, overlapping subnets, ...).
	ErrInvalid = errors.New("invalid configuration")
)

// Error is a configuration error: what is wrong and where.
type Error struct {
	// Path is the JSON path of the offending element, such as
	// "Dhcp4/subnet4[2]/pools[0]/pool". Empty for syntax errors that
	// happen before a path exists.
	Path string
	// File, Line and Col locate the offending text (1-based); Line is 0
	// when the element has no source position.
	File      string
	Line, Col int
	// Msg says what is wrong.
	Msg string
	// Kind is ErrSyntax, ErrUnsupported, ErrUnknownKey or ErrInvalid.
	Kind error
}

// Error renders "file:line:col: syntax error: msg" for syntax errors,
// "unsupported: <key> at <path> (file:line:col)" for unsupported features,
// `unknown key "<key>" at <path> (file:line:col)` for unknown keys and
// "path: msg (file:line:col)" for everything else.
func (e *Error) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	}
	switch {
	case e.Kind == ErrSyntax:
		if where == "" {
			return "syntax error: " + e.Msg
		}
		return where + ": syntax error: " + e.Msg
	case e.Kind == ErrUnsupported || e.Kind == ErrUnknownKey || e.Path == "":
		if where == "" {
			return e.Msg
		}
		return e.Msg + " (" + where + ")"
	default:
		if where == "" {
			return e.Path + ": " + e.Msg
		}
		return e.Path + ": " + e.Msg + " (" + where + ")"
	}
}

// Unwrap returns the error's kind so that errors.Is(err, ErrUnsupported)
// and friends work.
func (e *Error) Unwrap() error { return e.Kind }

// pos is a source position.
type pos struct {
	file      string
	line, col int
}

func (p pos) String() string { return fmt.Sprintf("%s:%d:%d", p.file, p.line, p.col) }

func syntaxErr(p pos, format string, args ...any) *Error {
	return &Error{File: p.file, Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...), Kind: ErrSyntax}
}

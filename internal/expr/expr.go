package expr

import (
	"errors"
	"fmt"
	"strings"
)

// Family says which DHCP protocol an expression is written for: Kea allows
// pkt4 and relay4 only in DHCPv4, pkt6 and relay6 only in DHCPv6, and option
// codes above 255 only in DHCPv6.
type Family uint8

// The two families.
const (
	V4 Family = 4
	V6 Family = 6
)

func (f Family) String() string {
	switch f {
	case V4:
		return "DHCPv4"
	case V6:
		return "DHCPv6"
	}
	return fmt.Sprintf("Family(%d)", uint8(f))
}

// Space names an option space whose options an expression can read.
type Space uint8

// Option spaces.
const (
	SpaceDHCP4 Space = iota + 1 // top-level DHCPv4 options
	SpaceDHCP6                  // top-level DHCPv6 options, also those of relays
	SpaceAgent                  // sub-options of the DHCPv4 relay agent option (82)
)

// Format says how Kea decodes an option, which decides what .text returns and
// whether trailing NULs count: Kea keeps a string option's value without its
// trailing NUL bytes and drops a string option that is empty or all NULs.
type Format uint8

// Option formats.
const (
	// FormatBinary is an option without a definition or defined as binary or
	// empty: .text is Kea's generic rendering "type=NNN, len=NNN: hh:hh:...".
	FormatBinary Format = iota
	// FormatString is an option defined as a single string: .text is the
	// value itself.
	FormatString
	// FormatTyped is any other definition (addresses, integers, records,
	// FQDNs, encapsulated spaces): Kea renders .text from the definition,
	// which this package does not reproduce, so such .text is unsupported.
	FormatTyped
)

// ErrUnsupported is wrapped by every error for an expression Kea accepts but
// this package does not implement.
var ErrUnsupported = errors.New("unsupported")

// Error is a parse error: either an expression Kea would reject too (Pos says
// where) or one Kea accepts that this package does not support.
type Error struct {
	Expr        string // the expression text
	Pos         int    // byte offset of the offending token in Expr
	Msg         string // what is wrong
	Unsupported bool   // Kea accepts it, this package does not
}

func (e *Error) Error() string {
	if e.Unsupported {
		return fmt.Sprintf("unsupported: %s in expression %q", e.Msg, e.Expr)
	}
	before := e.Expr[:min(max(e.Pos, 0), len(e.Expr))]
	line := 1 + strings.Count(before, "\n")
	col := len(before) - strings.LastIndexByte(before, '\n')
	if line > 1 {
		return fmt.Sprintf("%s at line %d column %d in expression %q", e.Msg, line, col, e.Expr)
	}
	return fmt.Sprintf("%s at column %d in expression %q", e.Msg, col, e.Expr)
}

// Unwrap lets errors.Is(err, ErrUnsupported) single out unsupported input.
func (e *Error) Unwrap() error {
	if e.Unsupported {
		return ErrUnsupported
	}
	return nil
}

// Expr is a parsed expression. It is immutable and safe for concurrent use.
type Expr struct {
	text     string
	family   Family
	boolean  bool
	prog     []instr
	consts   [][]byte
	classes  []string // distinct member() arguments in order of appearance
	maxStack int
}

// String returns the expression text as given to Parse.
func (e *Expr) String() string { return e.text }

// Family returns the family the expression was parsed for.
func (e *Expr) Family() Family { return e.family }

// IsBool reports whether the expression was parsed as a boolean test (Parse)
// rather than as a string value (ParseString).
func (e *Expr) IsBool() bool { return e.boolean }

// Uses lists the classes named by member(), each once, in order of first
// appearance. Kea requires each to be built in or defined before the class
// whose test uses it; a caller that cannot pass ClassDefined at parse time
// checks this list instead. The slice is shared: do not modify it.
func (e *Expr) Uses() []string { return e.classes }

// ParseOption adjusts parsing.
type ParseOption func(*config)

type config struct {
	names   func(name string) (uint16, bool)
	formats func(space Space, code uint16) (Format, bool)
	defined func(class string) bool
}

// OptionNames resolves option[name] for names that are not standard options
// of the family (custom option-def entries). Standard names always resolve,
// as in Kea, which looks them up first.
func OptionNames(lookup func(name string) (code uint16, ok bool)) ParseOption {
	return func(c *config) { c.names = lookup }
}

// OptionFormats tells the format of options the standard definitions do not
// cover: custom option-def entries, and relay agent sub-options (Kea 2.2 has
// no standard definitions for those). Codes it does not know (ok false) are
// FormatBinary.
func OptionFormats(lookup func(space Space, code uint16) (f Format, ok bool)) ParseOption {
	return func(c *config) { c.formats = lookup }
}

// ClassDefined makes member('name') fail to parse unless defined(name) is
// true, as Kea rejects classes that are neither built in nor defined earlier
// (see BuiltinClass). Without it every name is accepted.
func ClassDefined(defined func(class string) bool) ParseOption {
	return func(c *config) { c.defined = defined }
}

// Parse parses a boolean expression, the "test" of a client class.
func Parse(text string, family Family, opts ...ParseOption) (*Expr, error) {
	return parse(text, family, true, opts)
}

// ParseString parses a string-valued expression, as Kea does for flex-id
// identifier expressions and option values computed from the packet.
func ParseString(text string, family Family, opts ...ParseOption) (*Expr, error) {
	return parse(text, family, false, opts)
}

func parse(text string, family Family, boolean bool, opts []ParseOption) (*Expr, error) {
	if family != V4 && family != V6 {
		return nil, fmt.Errorf("expression %q: invalid family %v", text, family)
	}
	var c config
	for _, o := range opts {
		o(&c)
	}
	p := parser{lex: lexer{src: text}, fam: family, cfg: &c, e: &Expr{text: text, family: family, boolean: boolean}}
	if err := p.parseTop(boolean); err != nil {
		return nil, err
	}
	return p.e, nil
}

// BuiltinClass reports whether Kea 2.2 treats name as a built-in class that
// member() may name without a definition: ALL, KNOWN, UNKNOWN, BOOTP, and
// names with more after the prefixes VENDOR_CLASS_, HA_, AFTER_, EXTERNAL_.
// DROP is not built in: it must be defined like any other class.
func BuiltinClass(name string) bool {
	switch name {
	case "ALL", "KNOWN", "UNKNOWN", "BOOTP":
		return true
	}
	for _, p := range [...]string{"VENDOR_CLASS_", "HA_", "AFTER_", "EXTERNAL_"} {
		if len(name) > len(p) && strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

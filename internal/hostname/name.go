// Package hostname handles the names DHCP clients send (the DHCPv4 Host
// Name and Client FQDN options, the DHCPv6 Client FQDN option) the way Kea
// 2.2 does, so that replies, leases and hook arguments carry the same
// text as Kea's.
//
// A Client FQDN name becomes a Name, Kea's isc::dns::Name: wire-format
// labels of raw bytes with ASCII letters lowered, always ending with the
// root label (whether the client's name was partial is kept beside it).
// Its text form escapes as Kea's Name::toText does: the bytes . \ " ( ) ;
// @ $ with a backslash, bytes outside 0x21-0x7e as \DDD. Kea stores that
// text in the lease and answers an ASCII (E=0) DHCPv4 option with it; a
// wire-format answer carries the raw labels.
//
//	n, partial, err := hostname.ParseWire(fqdnName) // client's option
//	n, err = hostname.Adjust(n, partial, sanitizer, "example.org")
//	lease.Hostname = n.Text() // "host\001x.example.org."
//
// A Sanitizer is hostname-char-set with hostname-char-replacement: it
// replaces what the expression matches byte by byte, as Kea's std::regex
// over a std::string does, so a two-byte UTF-8 character is two
// replacements. Kea sanitizes a Client FQDN name in its raw text form (no
// escapes) label by label, splitting at every dot, including dots that
// were inside a label; Adjust does the same.
package hostname

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DNS limits (RFC 1035 section 2.3.4).
const (
	maxLabel = 63
	maxName  = 255 // wire bytes, root label included
)

// Name is a domain name in wire format, ASCII letters lowered, ending with
// the root label. The zero Name is the root.
type Name struct {
	wire []byte
}

// ErrName is wrapped by the errors of ParseWire and ParseText: the name is
// not one Kea accepts, and Kea drops the packet.
var ErrName = errors.New("bad domain name")

func nameError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrName, fmt.Sprintf(format, args...))
}

// ParseWire reads a name in DNS wire format without compression, as the
// DHCPv4 (E=1) and DHCPv6 Client FQDN options carry it. A name that ends
// without the root label is partial. Nothing may follow the root label.
func ParseWire(b []byte) (n Name, partial bool, err error) {
	out := make([]byte, 0, len(b)+1)
	for i := 0; ; {
		if i == len(b) {
			partial = true
			break
		}
		l := int(b[i])
		if l == 0 {
			if i+1 != len(b) {
				return Name{}, false, nameError("%d bytes after the root label", len(b)-i-1)
			}
			break
		}
		if l > maxLabel {
			return Name{}, false, nameError("label length %#x at offset %d: more than 63 (or compressed)", l, i)
		}
		if i+1+l > len(b) {
			return Name{}, false, nameError("label of %d bytes at offset %d runs past the end", l, i)
		}
		out = append(out, byte(l))
		out = appendLower(out, b[i+1:i+1+l])
		i += 1 + l
	}
	out = append(out, 0)
	if len(out) > maxName {
		return Name{}, false, nameError("%d bytes in wire format, more than 255", len(out))
	}
	return Name{wire: out}, partial, nil
}

// ParseText reads a name in Kea's text form: labels separated by dots, \X
// standing for the byte X and \DDD for the byte of that decimal value; any
// other byte, a control byte or a space included, stands for itself. A
// final dot makes the name full, otherwise it is partial; "." alone is the
// root. An empty label, a label over 63 bytes or a name over 255 is an
// error.
func ParseText(s string) (n Name, partial bool, err error) {
	if err := CheckText(s); err != nil {
		return Name{}, false, err
	}
	if s == "." {
		return Name{wire: []byte{0}}, false, nil
	}
	out := make([]byte, 0, len(s)+2)
	at := len(out)
	out = append(out, 0)
	walkText(s, func(c byte, end bool) {
		if !end {
			out = append(out, lower(c))
			return
		}
		out[at] = byte(len(out) - at - 1)
		at = len(out)
		out = append(out, 0)
	})
	// The walk ended a label at each dot and at the end of the text; the
	// length byte opened after the last one is the root label.
	return Name{wire: out}, s[len(s)-1] != '.' || escapedDot(s), nil
}

// CheckText reports whether ParseText accepts s, without allocating when
// it does (for a decoder that checks every packet).
func CheckText[T string | []byte](s T) error {
	if len(s) == 0 {
		return nameError("empty name")
	}
	if len(s) == 1 && s[0] == '.' {
		return nil
	}
	label, total := 0, 1
	var bad string
	walkText(s, func(_ byte, end bool) {
		switch {
		case bad != "":
		case !end:
			label++
		case label == 0:
			bad = "empty label"
		case label > maxLabel:
			bad = "label of more than 63 bytes"
		default:
			total += 1 + label
			label = 0
		}
	})
	switch {
	case bad == "" && total > maxName:
		bad = "more than 255 bytes in wire format"
	case bad == "" && walkErr(s) != "":
		bad = walkErr(s)
	}
	if bad != "" {
		return nameError("%q: %s", string(s), bad)
	}
	return nil
}

// walkText calls f with each byte of each label of s, escapes decoded,
// and with end set after each label. It stops at a bad escape (walkErr
// says which).
func walkText[T string | []byte](s T, f func(c byte, end bool)) {
	for i := 0; i < len(s); {
		for i < len(s) && s[i] != '.' {
			c := s[i]
			i++
			if c == '\\' {
				v, n := unescape(s[i:])
				if n == 0 {
					return
				}
				c = byte(v)
				i += n
			}
			f(c, false)
		}
		f(0, true)
		i++ // past the dot; a final dot ends the name
	}
}

// unescape reads what follows a backslash: three digits (a value up to
// 255) or one byte that is not a digit. n is 0 for a bad escape.
func unescape[T string | []byte](s T) (v, n int) {
	switch {
	case len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]):
		v = int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
		if v > 255 {
			return 0, 0
		}
		return v, 3
	case len(s) >= 1 && !isDigit(s[0]):
		return int(s[0]), 1
	}
	return 0, 0
}

// walkErr names the bad escape that stops walkText on s, "" if none.
func walkErr[T string | []byte](s T) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			_, n := unescape(s[i+1:])
			if n == 0 {
				return "bad escape at byte " + strconv.Itoa(i) + " (\\DDD up to 255, or \\ and a byte that is not a digit)"
			}
			i += n
		}
	}
	return ""
}

// escapedDot reports whether the final dot of s is escaped ("a\."),
// which makes it part of the last label, not the end of a full name.
func escapedDot(s string) bool {
	n := 0
	for i := len(s) - 2; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// IsRoot reports whether n is the root, the name of no labels.
func (n Name) IsRoot() bool { return len(n.wire) <= 1 }

// AppendWire appends n in wire format, root label included.
func (n Name) AppendWire(dst []byte) []byte {
	if len(n.wire) == 0 {
		return append(dst, 0)
	}
	return append(dst, n.wire...)
}

// Text is Kea's Name::toText: the labels with escapes, each followed by a
// dot ("host.example.org."; the root is ".").
func (n Name) Text() string { return string(n.appendText(nil, true, false)) }

// PartialText is Text without the final dot, as Kea writes a name the
// client sent as partial.
func (n Name) PartialText() string { return string(n.appendText(nil, false, false)) }

// RawText is Kea's Name::toRawText: the labels as they are, no escapes,
// each followed by a dot.
func (n Name) RawText() string { return string(n.appendText(nil, true, true)) }

func (n Name) appendText(dst []byte, finalDot, raw bool) []byte {
	if n.IsRoot() {
		return append(dst, '.')
	}
	for i := 0; n.wire[i] != 0; {
		l := int(n.wire[i])
		if i > 0 {
			dst = append(dst, '.')
		}
		for _, c := range n.wire[i+1 : i+1+l] {
			if raw {
				dst = append(dst, c)
				continue
			}
			switch {
			case strings.IndexByte(`."();\@$`, c) >= 0:
				dst = append(dst, '\\', c)
			case c < 0x21 || c > 0x7e:
				dst = append(dst, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
			default:
				dst = append(dst, c)
			}
		}
		i += 1 + l
	}
	if finalDot {
		dst = append(dst, '.')
	}
	return dst
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, lower(c))
	}
	return dst
}

// LowerASCII lowers the ASCII letters of s and leaves every other byte as
// it is (Kea's boost::to_lower in the C locale); strings.ToLower would
// also change non-ASCII letters and replace invalid UTF-8.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

// Trim removes spaces, tabs and newlines from both ends of s, the bytes
// Kea's str::trim removes (a carriage return or vertical tab stays).
func Trim(s string) string { return strings.Trim(s, " \t\n") }

// AppendWireText appends the wire form of a name in text form (escapes
// decoded, letters as they are): with a final dot the name ends with the
// root label, without one it is partial and has none. It allocates
// nothing beyond growing dst.
func AppendWireText(dst []byte, text string) ([]byte, error) {
	if err := CheckText(text); err != nil {
		return dst, err
	}
	if text == "." {
		return append(dst, 0), nil
	}
	at := len(dst)
	dst = append(dst, 0)
	walkText(text, func(c byte, end bool) {
		if !end {
			dst = append(dst, c)
			return
		}
		dst[at] = byte(len(dst) - at - 1)
		at = len(dst)
		dst = append(dst, 0)
	})
	if text[len(text)-1] != '.' || escapedDot(text) {
		dst = dst[:len(dst)-1] // partial: no root label
	}
	return dst, nil
}

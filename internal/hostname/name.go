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
	if s == "" {
		return Name{}, false, nameError("empty name")
	}
	if s == "." {
		return Name{wire: []byte{0}}, false, nil
	}
	out := make([]byte, 0, len(s)+2)
	for i := 0; i < len(s); {
		at := len(out)
		out = append(out, 0)
		for i < len(s) && s[i] != '.' {
			c := s[i]
			i++
			if c == '\\' {
				switch {
				case i+3 <= len(s) && isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]):
					v := int(s[i]-'0')*100 + int(s[i+1]-'0')*10 + int(s[i+2]-'0')
					if v > 255 {
						return Name{}, false, nameError("%q: escape \\%s is more than 255", s, s[i:i+3])
					}
					c = byte(v)
					i += 3
				case i < len(s) && !isDigit(s[i]):
					c = s[i]
					i++
				default:
					return Name{}, false, nameError("%q: incomplete escape", s)
				}
			}
			out = append(out, lower(c))
		}
		l := len(out) - at - 1
		if l == 0 {
			return Name{}, false, nameError("%q: empty label", s)
		}
		if l > maxLabel {
			return Name{}, false, nameError("%q: label of %d bytes, more than 63", s, l)
		}
		out[at] = byte(l)
		if i < len(s) { // at a dot
			i++
			if i == len(s) {
				out = append(out, 0)
				if len(out) > maxName {
					return Name{}, false, nameError("%q: %d bytes in wire format, more than 255", s, len(out))
				}
				return Name{wire: out}, false, nil
			}
		}
	}
	out = append(out, 0)
	if len(out) > maxName {
		return Name{}, false, nameError("%q: %d bytes in wire format, more than 255", s, len(out))
	}
	return Name{wire: out}, true, nil
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

package dhcp4

import "github.com/leasehold/leasehold/internal/hostname"

// Client FQDN flags (RFC 4702 section 2.1).
const (
	FQDNServerUpdate uint8 = 0x01 // S: the server does the A record update
	FQDNOverride     uint8 = 0x02 // O: the server overrode the client's S
	FQDNEncoded      uint8 = 0x04 // E: the name is in DNS wire format
	FQDNNoUpdate     uint8 = 0x08 // N: no server updates at all
)

// ClientFQDN is the value of option 81 (RFC 4702).
type ClientFQDN struct {
	Flags  uint8
	RCode1 uint8 // deprecated; clients send 0, servers 255
	RCode2 uint8
	// Name is the domain name as sent: DNS wire format (labels, no
	// compression) when Flags has FQDNEncoded, otherwise ASCII text. A
	// name without the final root label (or final dot) is partial.
	Name []byte
}

// ParseClientFQDN decodes an option 81 value, checking the name when it is
// in wire format. Name aliases data.
func ParseClientFQDN(data []byte) (ClientFQDN, error) {
	if pos, what := checkClientFQDN(data); what != "" {
		return ClientFQDN{}, valueError(OptClientFQDN, pos, what)
	}
	return ClientFQDN{Flags: data[0], RCode1: data[1], RCode2: data[2], Name: data[3:]}, nil
}

// ClientFQDN returns option 81.
func (m *Message) ClientFQDN() (ClientFQDN, bool) {
	d, ok := m.Option(OptClientFQDN)
	if !ok {
		return ClientFQDN{}, false
	}
	return ClientFQDN{Flags: d[0], RCode1: d[1], RCode2: d[2], Name: d[3:]}, true
}

// Partial reports whether the name lacks its final root label (wire
// format) or final dot (ASCII): the client sent only a host part and
// expects the server to complete it.
func (f ClientFQDN) Partial() bool {
	if len(f.Name) == 0 {
		return true
	}
	if f.Flags&FQDNEncoded == 0 {
		return f.Name[len(f.Name)-1] != '.'
	}
	for off := 0; off < len(f.Name); off += 1 + int(f.Name[off]) {
		if f.Name[off] == 0 {
			return false
		}
	}
	return true
}

// AppendText appends the name in text form to dst: labels joined by dots,
// a final dot for a full name, and DNS presentation escapes (\. \\ \DDD)
// for bytes that would otherwise be ambiguous or unprintable. An ASCII
// name is appended as sent.
func (f ClientFQDN) AppendText(dst []byte) []byte {
	if f.Flags&FQDNEncoded == 0 {
		return append(dst, f.Name...)
	}
	for off := 0; off < len(f.Name); {
		n := int(f.Name[off])
		if n == 0 {
			if off == 0 {
				dst = append(dst, '.')
			}
			break
		}
		end := off + 1 + n
		if n > 63 || end > len(f.Name) {
			break // not produced by Decode, which checks the name
		}
		for _, c := range f.Name[off+1 : end] {
			dst = appendEscaped(dst, c)
		}
		dst = append(dst, '.')
		off = end
	}
	if f.Partial() && len(dst) > 0 && dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

func appendEscaped(dst []byte, c byte) []byte {
	switch {
	case c == '.' || c == '\\':
		return append(dst, '\\', c)
	case c < 0x21 || c > 0x7e:
		return append(dst, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
	}
	return append(dst, c)
}

func checkClientFQDN(data []byte) (int, string) {
	if len(data) < 3 {
		return -1, "length " + itoa(len(data)) + ", want at least 3"
	}
	name := data[3:]
	if data[0]&FQDNEncoded == 0 {
		// Kea reads an ASCII name as a domain name in text form and drops
		// the packet when that fails ("a..b").
		if len(name) > 0 {
			if err := hostname.CheckText(name); err != nil {
				return 3, err.Error()
			}
		}
		return 0, ""
	}
	if len(name) > 255 {
		return 3, "domain name of " + itoa(len(name)) + " bytes, longer than 255"
	}
	for off := 0; off < len(name); {
		n := int(name[off])
		switch {
		case n == 0:
			if off+1 != len(name) {
				return 3 + off + 1, "bytes after the root label"
			}
			return 0, ""
		case n&0xc0 == 0xc0:
			return 3 + off, "compressed domain name"
		case n > 63:
			return 3 + off, "label length " + itoa(n) + ", longer than 63"
		case off+1+n > len(name):
			return 3 + off, "label length " + itoa(n) + " runs past end of option"
		}
		off += 1 + n
	}
	return 0, ""
}

// appendWireName appends the text name in DNS wire format: a final dot
// makes it a full name (ending with the root label), without one it is
// partial; the escapes AppendText writes (\X, \DDD) are read back.
func appendWireName(dst []byte, name string) ([]byte, string) {
	if name == "" {
		return dst, "" // no name at all: the client is to be named by the server
	}
	out, err := hostname.AppendWireText(dst, name)
	if err != nil {
		return dst, err.Error()
	}
	return out, ""
}

package config

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// Encoding of option-data to wire payloads, following Kea 2.2: csv-format
// data is split at commas (a backslash escapes one) and each value is
// written per the definition's type; csv-format false data is hex (or a
// 'quoted string' taken byte for byte).

// csvTokens splits Kea's way: runs of commas separate tokens, empty
// tokens vanish, "\," keeps a comma and "\\" a backslash.
func csvTokens(s string) []string {
	var out []string
	var tok []byte
	inTok, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ',':
			switch {
			case !inTok:
			case escaped:
				escaped = false
				tok = append(tok, c)
			default:
				if len(tok) > 0 {
					out = append(out, string(tok))
				}
				inTok, tok = false, tok[:0]
			}
		case c == '\\':
			inTok = true
			if escaped {
				tok = append(tok, c)
			}
			escaped = !escaped
		default:
			inTok = true
			if escaped {
				tok = append(tok, '\\')
				escaped = false
			}
			tok = append(tok, c)
		}
	}
	if escaped {
		tok = append(tok, '\\')
	}
	if len(tok) > 0 {
		out = append(out, string(tok))
	}
	return out
}

// decodeHexData decodes csv-format false data: 'quoted text' byte for
// byte; else hex digits separated by ':' or by single spaces (one or two
// digits per group), or plain digits with an optional "0x" prefix (an odd
// count gets a leading zero).
func decodeHexData(s string) ([]byte, error) {
	if t := strings.TrimSpace(s); len(t) > 1 && t[0] == '\'' && t[len(t)-1] == '\'' {
		if inner := strings.TrimSpace(t[1 : len(t)-1]); inner != "" {
			return []byte(inner), nil
		}
	}
	for _, sep := range []string{":", " "} {
		if !strings.Contains(s, sep) {
			continue
		}
		var out []byte
		for _, g := range strings.Split(s, sep) {
			if g == "" || len(g) > 2 {
				return nil, fmt.Errorf("%q is not a valid string of hexadecimal digits", s)
			}
			v, err := strconv.ParseUint(g, 16, 8)
			if err != nil {
				return nil, fmt.Errorf("%q is not a valid string of hexadecimal digits", s)
			}
			out = append(out, byte(v))
		}
		return out, nil
	}
	digits := s
	if len(s) > 2 && s[:2] == "0x" {
		digits = s[2:]
	}
	if len(digits)%2 == 1 {
		digits = "0" + digits
	}
	out, err := hex.DecodeString(digits)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid string of hexadecimal digits", s)
	}
	return out, nil
}

// encodeCSV writes csv-format data per def. It reports how many values
// were ignored (Kea uses only the first value of a non-array option).
func encodeCSV(def OptionDef, data string, v6 bool) ([]byte, int, error) {
	values := csvTokens(data)
	for i := range values {
		values[i] = strings.TrimSpace(values[i])
	}
	var buf []byte
	var err error
	ignored := 0
	switch {
	case def.Type == TypeRecord:
		f := def.RecordTypes
		if len(values) < len(f) {
			return nil, 0, fmt.Errorf("the record has %d fields but %d values are given", len(f), len(values))
		}
		for i, v := range values {
			t := f[min(i, len(f)-1)]
			if i >= len(f) && !def.Array {
				ignored = len(values) - len(f)
				break
			}
			if buf, err = writeValue(buf, t, v, v6); err != nil {
				return nil, 0, err
			}
		}
	case def.Array:
		for _, v := range values {
			if buf, err = writeValue(buf, def.Type, v, v6); err != nil {
				return nil, 0, err
			}
		}
	case len(values) == 0:
		if def.Type != TypeEmpty {
			return nil, 0, fmt.Errorf("no option value given")
		}
	default:
		if def.Type == TypeEmpty {
			return nil, 0, fmt.Errorf("option of type empty takes no data")
		}
		if buf, err = writeValue(buf, def.Type, values[0], v6); err != nil {
			return nil, 0, err
		}
		ignored = len(values) - 1
	}
	return buf, ignored, nil
}

// writeValue appends one value of type t.
func writeValue(buf []byte, t OptionType, v string, v6 bool) ([]byte, error) {
	switch t {
	case TypeBinary:
		// Kea's hex decoder skips white space between digits.
		b, err := hex.DecodeString(strings.Join(strings.Fields(v), ""))
		if err != nil {
			return nil, fmt.Errorf("%q is not a string of hexadecimal digits", v)
		}
		return append(buf, b...), nil
	case TypeBoolean:
		switch {
		case strings.EqualFold(v, "true") || v == "1":
			return append(buf, 1), nil
		case strings.EqualFold(v, "false") || v == "0":
			return append(buf, 0), nil
		}
		return nil, fmt.Errorf("%q is not a boolean (true, false, 1 or 0)", v)
	case TypeInt8, TypeInt16, TypeInt32, TypeUint8, TypeUint16, TypeUint32:
		return writeInt(buf, t, v)
	case TypeIPv4Address, TypeIPv6Address:
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not a valid IP address", v)
		}
		if t == TypeIPv4Address && !a.Is4() {
			return nil, fmt.Errorf("%q is not an IPv4 address", v)
		}
		if t == TypeIPv6Address && !a.Is6() {
			return nil, fmt.Errorf("%q is not an IPv6 address", v)
		}
		return append(buf, a.AsSlice()...), nil
	case TypeIPv6Prefix:
		return writePrefix(buf, v)
	case TypePSID:
		return writePSID(buf, v)
	case TypeString:
		return append(buf, v...), nil
	case TypeFQDN:
		return appendFQDN(buf, v)
	case TypeTuple:
		if v6 {
			if len(v) > math.MaxUint16 {
				return nil, fmt.Errorf("tuple of %d bytes is too long", len(v))
			}
			buf = binary.BigEndian.AppendUint16(buf, uint16(len(v)))
		} else {
			if len(v) > math.MaxUint8 {
				return nil, fmt.Errorf("tuple of %d bytes is too long", len(v))
			}
			buf = append(buf, byte(len(v)))
		}
		return append(buf, v...), nil
	}
	return nil, fmt.Errorf("a value of type %s cannot be written", t)
}

// parseKeaInt reads an integer as Kea does: decimal first, then
// hexadecimal with or without "0x".
func parseKeaInt(v string) (int64, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	s, neg := v, false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	n, err := strconv.ParseInt(s, 16, 64)
	if err != nil || s == "" || s[0] == '-' || s[0] == '+' {
		return 0, fmt.Errorf("%q is not an integer", v)
	}
	if neg {
		n = -n
	}
	return n, nil
}

func writeInt(buf []byte, t OptionType, v string) ([]byte, error) {
	n, err := parseKeaInt(v)
	if err != nil {
		return nil, err
	}
	lo, hi, size := int64(0), int64(0), 0
	switch t {
	case TypeInt8:
		lo, hi, size = math.MinInt8, math.MaxInt8, 1
	case TypeInt16:
		lo, hi, size = math.MinInt16, math.MaxInt16, 2
	case TypeInt32:
		lo, hi, size = math.MinInt32, math.MaxInt32, 4
	case TypeUint8:
		hi, size = math.MaxUint8, 1
	case TypeUint16:
		hi, size = math.MaxUint16, 2
	case TypeUint32:
		hi, size = math.MaxUint32, 4
	}
	if n < lo || n > hi {
		return nil, fmt.Errorf("%s out of the %s range %d..%d", v, t, lo, hi)
	}
	switch size {
	case 1:
		return append(buf, byte(n)), nil
	case 2:
		return binary.BigEndian.AppendUint16(buf, uint16(n)), nil
	}
	return binary.BigEndian.AppendUint32(buf, uint32(n)), nil
}

// writePrefix writes an ipv6-prefix value "addr/len": the length, then
// the prefix bytes that hold len bits, the unused low bits cleared.
func writePrefix(buf []byte, v string) ([]byte, error) {
	v = strings.NewReplacer(" ", "", "\t", "").Replace(v)
	addrText, lenText, ok := strings.Cut(v, "/")
	if !ok {
		return nil, fmt.Errorf("%q is not a prefix (address/length)", v)
	}
	a, err := netip.ParseAddr(addrText)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return nil, fmt.Errorf("%q is not an IPv6 address", addrText)
	}
	l, err := parseKeaInt(lenText)
	if err != nil || l < 0 || l > 128 {
		return nil, fmt.Errorf("prefix length %q is not in 0..128", lenText)
	}
	p, _ := a.Prefix(int(l))
	b := p.Addr().As16()
	buf = append(buf, byte(l))
	return append(buf, b[:(l+7)/8]...), nil
}

// writePSID writes a psid value "psid/len": the length, then the PSID
// left-aligned in 16 bits.
func writePSID(buf []byte, v string) ([]byte, error) {
	v = strings.NewReplacer(" ", "", "\t", "").Replace(v)
	psidText, lenText, ok := strings.Cut(v, "/")
	if !ok {
		return nil, fmt.Errorf("%q is not a PSID (psid/length)", v)
	}
	psid, err := parseKeaInt(psidText)
	if err != nil || psid < 0 || psid > math.MaxUint16 {
		return nil, fmt.Errorf("PSID %q is not in 0..65535", psidText)
	}
	l, err := parseKeaInt(lenText)
	if err != nil || l < 0 || l > 16 {
		return nil, fmt.Errorf("PSID length %q is not in 0..16", lenText)
	}
	if l > 0 && psid > (1<<l)-1 {
		return nil, fmt.Errorf("PSID %d does not fit in %d bits", psid, l)
	}
	buf = append(buf, byte(l))
	return binary.BigEndian.AppendUint16(buf, uint16(psid<<(16-l))), nil
}

// appendFQDN writes a domain name in DNS wire format (uncompressed, with
// the root label). A trailing dot is optional; "\." and "\DDD" escape.
func appendFQDN(buf []byte, name string) ([]byte, error) {
	if name == "" || name == "." {
		return nil, fmt.Errorf("empty domain name")
	}
	start := len(buf)
	var label []byte
	flush := func(final bool) error {
		if len(label) == 0 {
			if final {
				return nil
			}
			return fmt.Errorf("empty label in domain name %q", name)
		}
		if len(label) > 63 {
			return fmt.Errorf("label of %d bytes (over 63) in domain name %q", len(label), name)
		}
		buf = append(buf, byte(len(label)))
		buf = append(buf, label...)
		label = label[:0]
		return nil
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			if err := flush(false); err != nil {
				return nil, err
			}
		case c == '\\':
			if i+3 < len(name) && isDigit(name[i+1]) && isDigit(name[i+2]) && isDigit(name[i+3]) {
				n, _ := strconv.Atoi(name[i+1 : i+4])
				if n > 255 {
					return nil, fmt.Errorf("bad escape in domain name %q", name)
				}
				label = append(label, byte(n))
				i += 3
			} else if i+1 < len(name) {
				label = append(label, name[i+1])
				i++
			} else {
				return nil, fmt.Errorf("trailing backslash in domain name %q", name)
			}
		default:
			label = append(label, c)
		}
	}
	if err := flush(true); err != nil {
		return nil, err
	}
	buf = append(buf, 0)
	if len(buf)-start > 255 {
		return nil, fmt.Errorf("domain name %q is longer than 255 bytes", name)
	}
	return buf, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

package dhcp6

import "errors"

// DNS limits (RFC 1035 section 2.3.4).
const (
	maxLabelLen = 63
	maxNameLen  = 255 // wire bytes, root label included
)

// scanName measures the wire-format name at the start of b. A whole name
// ends with a zero-length label (full is true); with allowPartial, a name
// may instead end where b ends. Errors carry offsets relative to b and no
// option code (rebaseName adds it).
func scanName(b []byte, allowPartial bool) (n int, full bool, err error) {
	for i := 0; ; {
		if i == len(b) {
			if allowPartial {
				return i, false, nil
			}
			return 0, false, errorf(ErrBadOption, i, 0, "domain name does not end with a zero-length label")
		}
		l := int(b[i])
		if l == 0 {
			if i+1 > maxNameLen {
				return 0, false, errorf(ErrBadOption, i, 0, "domain name longer than 255 bytes")
			}
			return i + 1, true, nil
		}
		if l > maxLabelLen {
			return 0, false, errorf(ErrBadOption, i, 0, "label length byte %#x: more than 63 (DHCPv6 forbids name compression)", l)
		}
		if l >= len(b)-i {
			return 0, false, errorf(ErrBadOption, i, 0, "label of %d bytes runs past the end of the data", l)
		}
		i += 1 + l
		if i > maxNameLen {
			return 0, false, errorf(ErrBadOption, i, 0, "domain name longer than 255 bytes")
		}
	}
}

func rebaseName(err error, base int, code OptionCode) error {
	var e *Error
	if errors.As(err, &e) {
		e.Offset += base
		e.Code = code
	}
	return err
}

// AppendNameText appends the dotted text form of one wire-format domain
// name (a DomainList entry or ClientFQDN.Name) to dst. A whole name gets a
// trailing dot ("example.com."; the root alone is "."), a partial name none
// ("host"). Dots and backslashes inside labels are escaped with a
// backslash, other bytes outside printable ASCII as \DDD, so the text reads
// back to the same name.
func AppendNameText(dst []byte, name []byte) ([]byte, error) {
	n, full, err := scanName(name, true)
	if err != nil {
		return dst, err
	}
	if n != len(name) {
		return dst, errorf(ErrBadOption, n, 0, "%d bytes after the end of the domain name", len(name)-n)
	}
	if full && len(name) == 1 {
		return append(dst, '.'), nil
	}
	for i := 0; i < len(name) && name[i] != 0; {
		l := int(name[i])
		if i > 0 {
			dst = append(dst, '.')
		}
		for _, c := range name[i+1 : i+1+l] {
			switch {
			case c == '.' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x21 || c > 0x7e:
				dst = append(dst, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
			default:
				dst = append(dst, c)
			}
		}
		i += 1 + l
	}
	if full {
		dst = append(dst, '.')
	}
	return dst, nil
}

// writeName appends the wire form of a dotted text name. A trailing dot, or
// forceFull, makes it a whole name ending with the root label; otherwise it
// is written as a partial name. It understands the escapes AppendNameText
// writes.
func (b *Builder) writeName(code OptionCode, text string, forceFull bool) {
	if b.err != nil {
		return
	}
	bad := func(why string) {
		b.fail(errorf(ErrBadValue, len(b.buf), code, "domain name %q: %s", text, why))
	}
	start := len(b.buf)
	full := forceFull
	if text == "." {
		text, full = "", true
	}
	for i := 0; i < len(text); {
		lenAt := len(b.buf)
		b.buf = append(b.buf, 0)
		for i < len(text) && text[i] != '.' {
			c := text[i]
			i++
			if c == '\\' {
				switch {
				case i+3 <= len(text) && isDigit(text[i]) && isDigit(text[i+1]) && isDigit(text[i+2]):
					v := int(text[i]-'0')*100 + int(text[i+1]-'0')*10 + int(text[i+2]-'0')
					if v > 255 {
						bad("escape \\" + text[i:i+3] + " is more than 255")
						return
					}
					c = byte(v)
					i += 3
				case i < len(text):
					c = text[i]
					i++
				default:
					bad("ends with a lone backslash")
					return
				}
			}
			b.buf = append(b.buf, c)
		}
		l := len(b.buf) - lenAt - 1
		switch {
		case l == 0:
			bad("empty label")
			return
		case l > maxLabelLen:
			bad("label longer than 63 bytes")
			return
		}
		b.buf[lenAt] = byte(l)
		if i < len(text) { // at a dot
			i++
			if i == len(text) {
				full = true
			}
		}
	}
	if full {
		b.buf = append(b.buf, 0)
	}
	if len(b.buf)-start > maxNameLen {
		bad("longer than 255 bytes in wire format")
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

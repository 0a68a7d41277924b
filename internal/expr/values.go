package expr

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// The values pushed by packet reads and by the string functions, each as
// Kea computes it.

// relayLevel turns a relay6[n] nesting level into an index: from the server
// side for n >= 0, from the client side for n < 0 (-1 is the relay closest
// to the client).
func relayLevel(n int64, count int) (int, bool) {
	if n < 0 {
		n += int64(count)
	}
	if n < 0 || n >= int64(count) {
		return 0, false
	}
	return int(n), true
}

// optionValue turns an option lookup into the value Kea pushes.
func optionValue(ar *[]byte, in *instr, data []byte, ok, v6 bool) []byte {
	if ok && in.format == FormatString {
		// Kea's string options lose trailing NULs, and one with nothing left
		// is not added to the packet at all.
		data = bytes.TrimRight(data, "\x00")
		ok = len(data) > 0
	}
	switch {
	case in.repr == reprExists:
		return boolVal(ok)
	case !ok:
		return nil
	case in.repr == reprText && in.format == FormatBinary:
		return appendGenericText(ar, in.code, data, v6)
	}
	return data
}

// appendGenericText renders an option the way Kea's generic option renders
// itself: "type=061, len=003: 01:02:03", with 5-digit fields for DHCPv6.
func appendGenericText(ar *[]byte, code uint16, data []byte, v6 bool) []byte {
	width := 3
	if v6 {
		width = 5
	}
	start := len(*ar)
	b := append(*ar, "type="...)
	b = appendPadded(b, uint64(code), width)
	b = append(b, ", len="...)
	b = appendPadded(b, uint64(len(data)), width)
	b = append(b, ": "...)
	for i, c := range data {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	*ar = b
	return b[start:len(b):len(b)]
}

const hexDigits = "0123456789abcdef"

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(b []byte, n uint64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	for len(tmp)-i < width {
		b = append(b, '0')
		width--
	}
	return append(b, tmp[i:]...)
}

func appendHexString(ar *[]byte, bin, sep []byte) []byte {
	start := len(*ar)
	b := *ar
	for i, c := range bin {
		if i > 0 {
			b = append(b, sep...)
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	*ar = b
	return b[start:len(b):len(b)]
}

// substring follows Kea: start counts from the end when negative; a
// negative length takes the bytes before start; out-of-range starts give
// an empty string. Kea converts start and length to a C int only when the
// string is not empty, and fails when they do not fit.
func (e *Expr) substring(s []byte, in *instr) ([]byte, error) {
	if len(s) == 0 {
		return nil, nil
	}
	if in.n < math.MinInt32 || in.n > math.MaxInt32 {
		return nil, fmt.Errorf("expression %q: substring start %d is not a 32-bit integer", e.text, in.n)
	}
	start, length := in.n, in.m
	if in.all {
		length = int64(len(s))
	} else if length < math.MinInt32 || length > math.MaxInt32 {
		return nil, fmt.Errorf("expression %q: substring length %d is not a 32-bit integer", e.text, length)
	}
	n := int64(len(s))
	if start < -n || start >= n {
		return nil, nil
	}
	if start < 0 {
		start += n
	}
	if length < 0 {
		length = -length
		if length <= start {
			start -= length
		} else {
			length, start = start, 0
		}
	}
	end := min(start+length, n)
	return s[start:end:end], nil
}

// split returns field (1-based) of s cut at any byte of delims, as Kea's
// split: empty fields count, an empty s gives "", empty delims give s.
func (e *Expr) split(s, delims []byte, field int64) ([]byte, error) {
	if len(s) == 0 {
		return nil, nil
	}
	if field < math.MinInt32 || field > math.MaxInt32 {
		return nil, fmt.Errorf("expression %q: split field %d is not a 32-bit integer", e.text, field)
	}
	if len(delims) == 0 {
		return s, nil
	}
	for n := int64(1); ; n++ {
		i := indexAny(s, delims)
		if n == field {
			if i < 0 {
				return s, nil
			}
			return s[:i:i], nil
		}
		if i < 0 {
			return nil, nil
		}
		s = s[i+1:]
	}
}

func indexAny(s, set []byte) int {
	for i, c := range s {
		if bytes.IndexByte(set, c) >= 0 {
			return i
		}
	}
	return -1
}

// field reads a fixed packet field as Kea encodes it.
func (e *Expr) field(ar *[]byte, p Packet, f Field) []byte {
	switch f {
	case FieldHlen:
		return appendUint32(ar, min(p.Uint(FieldHlen), 16))
	case FieldHtype, FieldMsgType, FieldTransID, FieldLen:
		return appendUint32(ar, p.Uint(f))
	case FieldCiaddr, FieldGiaddr, FieldYiaddr, FieldSiaddr:
		a := p.Addr(f).Unmap()
		if !a.Is4() {
			return appendValue(ar, 0, 0, 0, 0)
		}
		b := a.As4()
		return appendValue(ar, b[:]...)
	case FieldSrc, FieldDst:
		a := p.Addr(f)
		if e.family == V4 {
			a = a.Unmap()
		}
		if a.Is4() {
			b := a.As4()
			return appendValue(ar, b[:]...)
		}
		if a.Is6() {
			b := a.As16()
			return appendValue(ar, b[:]...)
		}
		return nil
	case fieldMac:
		// Kea sizes the hardware address by the raw hlen, zero-filling past
		// the 16 bytes of chaddr.
		hlen := int(p.Uint(FieldHlen))
		ch := p.Chaddr()
		if hlen <= len(ch) {
			return ch[:hlen:hlen]
		}
		start := len(*ar)
		*ar = append(*ar, ch...)
		for len(*ar)-start < hlen {
			*ar = append(*ar, 0)
		}
		return (*ar)[start:len(*ar):len(*ar)]
	case fieldIface:
		start := len(*ar)
		*ar = append(*ar, p.Iface()...)
		return (*ar)[start:len(*ar):len(*ar)]
	}
	return nil
}

func appendUint32(ar *[]byte, v uint32) []byte {
	start := len(*ar)
	*ar = binary.BigEndian.AppendUint32(*ar, v)
	return (*ar)[start:len(*ar):len(*ar)]
}

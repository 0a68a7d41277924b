package expr

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// toText runs addrtotext and the int*totext/uint*totext conversions. As in
// Kea, an empty value stays empty and a value of the wrong size is an error.
func (e *Expr) toText(ar *[]byte, conv tokKind, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return nil, nil
	}
	var want int
	switch conv {
	case tAddrtotext:
		if len(v) != 4 && len(v) != 16 {
			return nil, fmt.Errorf("expression %q: addrtotext needs a 4- or 16-byte value, got %d bytes", e.text, len(v))
		}
		start := len(*ar)
		*ar = appendAddrText(*ar, v)
		return (*ar)[start:len(*ar):len(*ar)], nil
	case tInt8totext, tUint8totext:
		want = 1
	case tInt16totext, tUint16totext:
		want = 2
	default:
		want = 4
	}
	if len(v) != want {
		return nil, fmt.Errorf("expression %q: %s needs a %d-byte value, got %d bytes", e.text, strings.Trim(conv.describe(), `"`), want, len(v))
	}
	var u uint64
	for _, c := range v {
		u = u<<8 | uint64(c)
	}
	start := len(*ar)
	switch conv {
	case tInt8totext:
		*ar = strconv.AppendInt(*ar, int64(int8(u)), 10)
	case tInt16totext:
		*ar = strconv.AppendInt(*ar, int64(int16(u)), 10)
	case tInt32totext:
		*ar = strconv.AppendInt(*ar, int64(int32(u)), 10)
	default:
		*ar = strconv.AppendUint(*ar, u, 10)
	}
	return (*ar)[start:len(*ar):len(*ar)], nil
}

// appendAddrText formats 4 or 16 address bytes as Kea does (inet_ntop),
// which differs from netip in one case: an IPv6 address whose first 96
// bits are zero and whose seventh 16-bit group is not (the old
// IPv4-compatible form) is written with a dotted quad, "::192.0.2.1".
func appendAddrText(b, v []byte) []byte {
	if len(v) == 4 {
		return netip.AddrFrom4([4]byte(v)).AppendTo(b)
	}
	a := netip.AddrFrom16([16]byte(v))
	if zero(v[:12]) && binary.BigEndian.Uint16(v[12:14]) != 0 {
		b = append(b, "::"...)
		return netip.AddrFrom4([4]byte(v[12:])).AppendTo(b)
	}
	return a.AppendTo(b)
}

func zero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

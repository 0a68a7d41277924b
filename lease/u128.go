package lease

import (
	"encoding/binary"
	"net/netip"
)

// u128 is an IPv6 address as an integer, for arithmetic on addresses and
// prefix numbers.
type u128 struct{ hi, lo uint64 }

func u128Of(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func (u u128) addr() netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], u.hi)
	binary.BigEndian.PutUint64(b[8:], u.lo)
	return netip.AddrFrom16(b)
}

func (u u128) less(v u128) bool { return u.hi < v.hi || (u.hi == v.hi && u.lo < v.lo) }

func (u u128) add(n uint64) u128 {
	lo := u.lo + n
	hi := u.hi
	if lo < u.lo {
		hi++
	}
	return u128{hi, lo}
}

func (u u128) add128(v u128) u128 {
	lo := u.lo + v.lo
	hi := u.hi + v.hi
	if lo < u.lo {
		hi++
	}
	return u128{hi, lo}
}

func (u u128) sub(v u128) u128 {
	lo := u.lo - v.lo
	hi := u.hi - v.hi
	if lo > u.lo {
		hi--
	}
	return u128{hi, lo}
}

// shr shifts right by n (0-128).
func (u u128) shr(n uint) u128 {
	switch {
	case n == 0:
		return u
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{0, u.hi >> (n - 64)}
	}
	return u128{u.hi >> n, u.lo>>n | u.hi<<(64-n)}
}

// shl shifts left by n (0-128).
func (u u128) shl(n uint) u128 {
	switch {
	case n == 0:
		return u
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{u.lo << (n - 64), 0}
	}
	return u128{u.hi<<n | u.lo>>(64-n), u.lo << n}
}

// keyOf numbers an address or prefix among those of its length: the prefix
// bits as an integer.
func keyOf(a netip.Addr, plen uint8) u128 { return u128Of(a).shr(uint(128 - int(plen))) }

// addrOfKey is the inverse of keyOf.
func addrOfKey(k u128, plen uint8) netip.Addr { return k.shl(uint(128 - int(plen))).addr() }

// set6 is an ivset over 128-bit keys, split by the upper 64 bits. A range
// of keys that crosses a 2^64 boundary can never be full (no store holds
// 2^64 leases), so a search looks at no more than two parts.
type set6 struct{ parts map[uint64]*ivset[uint64] }

func (s *set6) add(k u128) {
	p := s.parts[k.hi]
	if p == nil {
		p = &ivset[uint64]{}
		s.parts[k.hi] = p
	}
	p.Add(k.lo)
}

func (s *set6) remove(k u128) {
	if p := s.parts[k.hi]; p != nil {
		p.Remove(k.lo)
		if p.Len() == 0 {
			delete(s.parts, k.hi)
		}
	}
}

// nextAbsent returns the first key in [from, last] not in the set.
func (s *set6) nextAbsent(from, last u128) (u128, bool) {
	for !last.less(from) {
		end := ^uint64(0)
		if from.hi == last.hi {
			end = last.lo
		}
		p := s.parts[from.hi]
		if p == nil {
			return from, true
		}
		if v, ok := p.NextAbsent(from.lo, end); ok {
			return u128{from.hi, v}, true
		}
		if from.hi == last.hi {
			return u128{}, false
		}
		from = u128{from.hi + 1, 0}
	}
	return u128{}, false
}

package lease

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
)

// Pool4 is a DHCPv4 address range (Kea's "pool": "first - last" or a prefix)
// together with the allocation state that belongs to it: where the
// iterative allocator goes on from. A server makes one Pool4 per configured
// pool and keeps it for the life of that configuration. Its size is stored
// as two numbers; nothing in it grows with the range.
type Pool4 struct {
	first, last uint32
	next        atomic.Uint32 // iterative allocator: the next address to try
}

// NewPool4 returns the pool of addresses first through last, inclusive.
func NewPool4(first, last netip.Addr) (*Pool4, error) {
	if !first.Is4() || !last.Is4() {
		return nil, fmt.Errorf("lease: pool %v - %v: not IPv4 addresses", first, last)
	}
	p := &Pool4{first: addr4(first), last: addr4(last)}
	if p.first > p.last {
		return nil, fmt.Errorf("lease: pool %v - %v: first address after last", first, last)
	}
	p.next.Store(p.first)
	return p, nil
}

// NewPool4Prefix returns the pool of every address of a prefix, as Kea's
// "pool": "192.0.2.0/24" (network and broadcast addresses included, as in
// Kea).
func NewPool4Prefix(p netip.Prefix) (*Pool4, error) {
	if !p.Addr().Is4() || !p.IsValid() {
		return nil, fmt.Errorf("lease: pool %v: not an IPv4 prefix", p)
	}
	p = p.Masked()
	first := addr4(p.Addr())
	last := first | uint32(uint64(1)<<(32-p.Bits())-1)
	return NewPool4(p.Addr(), fromAddr4(last))
}

// First returns the pool's first address.
func (p *Pool4) First() netip.Addr { return fromAddr4(p.first) }

// Last returns the pool's last address.
func (p *Pool4) Last() netip.Addr { return fromAddr4(p.last) }

// Size returns the number of addresses in the pool.
func (p *Pool4) Size() uint64 { return uint64(p.last-p.first) + 1 }

// Contains reports whether a is in the pool.
func (p *Pool4) Contains(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	v := addr4(a)
	return p.first <= v && v <= p.last
}

func (p *Pool4) String() string { return fmt.Sprintf("%v - %v", p.First(), p.Last()) }

// Pool6 is a DHCPv6 address range (IA_NA or IA_TA) or a delegated-prefix
// pool (IA_PD) with its allocation state. It works in prefix numbers (the
// prefix bits as an integer), so a /48 pool of /64 prefixes is the range
// [n, n+65535] and a /64 address pool the range of 2^64 addresses; its
// memory does not depend on either.
type Pool6 struct {
	typ         Type
	plen        uint8 // 128 for addresses, the delegated length for prefixes
	first, last u128  // prefix numbers

	mu   sync.Mutex
	next u128 // iterative allocator: the next prefix number to try
}

// NewPool6 returns the pool of addresses first through last for leases of
// type TypeNA or TypeTA.
func NewPool6(t Type, first, last netip.Addr) (*Pool6, error) {
	if t != TypeNA && t != TypeTA {
		return nil, fmt.Errorf("lease: address pool %v - %v: type %v is not IA_NA or IA_TA", first, last, t)
	}
	if !first.Is6() || !last.Is6() || first.Is4In6() || last.Is4In6() {
		return nil, fmt.Errorf("lease: pool %v - %v: not IPv6 addresses", first, last)
	}
	p := &Pool6{typ: t, plen: 128, first: u128Of(first.WithZone("")), last: u128Of(last.WithZone(""))}
	if p.last.less(p.first) {
		return nil, fmt.Errorf("lease: pool %v - %v: first address after last", first, last)
	}
	p.next = p.first
	return p, nil
}

// NewPDPool returns the pool of prefixes of length delegatedLen inside
// prefix (Kea's pd-pools "prefix", "prefix-len", "delegated-len").
func NewPDPool(prefix netip.Prefix, delegatedLen uint8) (*Pool6, error) {
	if !prefix.IsValid() || !prefix.Addr().Is6() || prefix.Addr().Is4In6() {
		return nil, fmt.Errorf("lease: pd pool %v: not an IPv6 prefix", prefix)
	}
	if int(delegatedLen) < prefix.Bits() || delegatedLen > 128 || delegatedLen == 0 {
		return nil, fmt.Errorf("lease: pd pool %v: delegated length %d must be between %d and 128",
			prefix, delegatedLen, prefix.Bits())
	}
	prefix = prefix.Masked()
	first := keyOf(prefix.Addr(), delegatedLen)
	count := delegatedLen - uint8(prefix.Bits()) // log2 of the number of prefixes
	last := first
	if count > 0 {
		span := u128{^uint64(0), ^uint64(0)}.shr(uint(128 - int(count)))
		last = u128{first.hi | span.hi, first.lo | span.lo}
	}
	p := &Pool6{typ: TypePD, plen: delegatedLen, first: first, last: last, next: first}
	return p, nil
}

// Type returns the lease type the pool hands out.
func (p *Pool6) Type() Type { return p.typ }

// PrefixLen returns 128 for an address pool, the delegated length for a
// prefix pool.
func (p *Pool6) PrefixLen() uint8 { return p.plen }

// First returns the first address or prefix of the pool.
func (p *Pool6) First() netip.Prefix {
	return netip.PrefixFrom(addrOfKey(p.first, p.plen), int(p.plen))
}

// Last returns the last address or prefix of the pool.
func (p *Pool6) Last() netip.Prefix { return netip.PrefixFrom(addrOfKey(p.last, p.plen), int(p.plen)) }

// Size returns the number of addresses or prefixes, saturated at 2^64-1.
func (p *Pool6) Size() uint64 {
	d := p.last.sub(p.first)
	if d.hi != 0 || d.lo == ^uint64(0) {
		return ^uint64(0)
	}
	return d.lo + 1
}

// Contains reports whether pfx is one of the pool's addresses or prefixes.
func (p *Pool6) Contains(pfx netip.Prefix) bool {
	if !pfx.Addr().Is6() || pfx.Bits() != int(p.plen) || pfx.Masked() != pfx {
		return false
	}
	k := keyOf(pfx.Addr(), p.plen)
	return !k.less(p.first) && !p.last.less(k)
}

func (p *Pool6) String() string {
	if p.typ == TypePD {
		return fmt.Sprintf("%v - %v", p.First(), p.Last())
	}
	return fmt.Sprintf("%v - %v", p.First().Addr(), p.Last().Addr())
}

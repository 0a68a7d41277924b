package lease

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// Allocator picks free addresses and prefixes from pools, with Kea's two
// strategies:
//
//   - "iterative" (Kea's default) hands out addresses in order: each pool
//     remembers the address after the last one it gave and goes on from
//     there, wrapping to the start at the end of the pool.
//   - "random" tries a few uniformly random addresses of the pool; when
//     those are all taken (a nearly full pool) it takes the first free
//     address after the last random one, wrapping around.
//
// An address is free when no lease holds it (no lease, or one in
// StateExpiredReclaimed) and the caller's reservation check does not claim
// it. Declined addresses are held until their lease is reclaimed after the
// probation period. A lease that has expired but is not yet reclaimed still
// holds its address: the server's reclamation (Store.Expired4/6) frees it,
// where Kea would also reuse it on the spot.
//
// Delegated prefixes are told apart by prefix and length: a held /56 does
// not keep the allocator from a /64 inside it (a PD pool's prefixes all have
// the pool's delegated length).
//
// With a store that implements FreeFinder (Memfile does), the search skips a
// whole run of leased addresses in one step, so allocation costs about the
// same in an empty pool and a 99% full one, of any size; no allocator or
// pool structure grows with the pool. With another store it asks about
// addresses one by one.
//
// An Allocator has no state of its own (pools carry it) and is safe for
// concurrent use. Concurrent iterative calls on one pool move its cursor
// with compare-and-swap, so they get different addresses until the cursor
// wraps round onto an address another caller got but has not leased yet. A
// caller whose Add then fails with ErrExists allocates again.
type Allocator struct {
	random bool
}

// randomProbes is how many uniformly random addresses the random allocator
// tries before it searches forward: in a pool that is 90% used, 8 tries
// find a free one 57% of the time.
const randomProbes = 8

// NewAllocator returns the allocator Kea calls name: "iterative" or "random".
func NewAllocator(name string) (*Allocator, error) {
	switch name {
	case "iterative":
		return &Allocator{}, nil
	case "random":
		return &Allocator{random: true}, nil
	}
	return nil, fmt.Errorf("lease: unknown allocator %q (want iterative or random)", name)
}

// Name returns "iterative" or "random".
func (a *Allocator) Name() string {
	if a.random {
		return "random"
	}
	return "iterative"
}

// Allocate4 returns a free address of pool p. reserved, if not nil, says
// whether an address is reserved for another client; such addresses are
// skipped. It returns ErrPoolExhausted if the pool has no free address.
func (a *Allocator) Allocate4(ctx context.Context, s Store, p *Pool4, reserved func(netip.Addr) bool) (netip.Addr, error) {
	sp := space{s: s, res4: reserved, first: u128{0, uint64(p.first)}, last: u128{0, uint64(p.last)}}
	sp.ff, _ = s.(FreeFinder)
	var k u128
	var err error
	if a.random {
		k, err = a.pickRandom(ctx, &sp)
	} else {
		k, err = pickIterative(ctx, &sp, func() u128 { return u128{0, uint64(p.next.Load())} },
			func(old, next u128) bool { return p.next.CompareAndSwap(uint32(old.lo), uint32(next.lo)) })
	}
	if err != nil {
		return netip.Addr{}, fmt.Errorf("pool %v: %w", p, err)
	}
	return fromAddr4(uint32(k.lo)), nil
}

// Allocate6 returns a free address (as a /128) or delegated prefix of pool
// p, skipping those reserved says are reserved for another client.
func (a *Allocator) Allocate6(ctx context.Context, s Store, p *Pool6, reserved func(netip.Prefix) bool) (netip.Prefix, error) {
	sp := space{s: s, v6: true, typ: p.typ, plen: p.plen, res6: reserved, first: p.first, last: p.last}
	sp.ff, _ = s.(FreeFinder)
	var k u128
	var err error
	if a.random {
		k, err = a.pickRandom(ctx, &sp)
	} else {
		k, err = pickIterative(ctx, &sp,
			func() u128 {
				p.mu.Lock()
				defer p.mu.Unlock()
				return p.next
			},
			func(old, next u128) bool {
				p.mu.Lock()
				defer p.mu.Unlock()
				if p.next != old {
					return false
				}
				p.next = next
				return true
			})
	}
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("pool %v: %w", p, err)
	}
	return netip.PrefixFrom(addrOfKey(k, p.plen), int(p.plen)), nil
}

// space is one allocation's view of a pool: keys are IPv4 addresses or
// IPv6 prefix numbers as integers.
type space struct {
	s           Store
	ff          FreeFinder
	v6          bool
	typ         Type
	plen        uint8
	res4        func(netip.Addr) bool
	res6        func(netip.Prefix) bool
	first, last u128
}

var one = u128{0, 1}

// nextFree returns the first key in [from, to] that no lease holds.
func (sp *space) nextFree(ctx context.Context, from, to u128) (u128, bool, error) {
	if sp.ff != nil {
		var a netip.Addr
		var ok bool
		var err error
		if sp.v6 {
			a, ok, err = sp.ff.NextFree6(ctx, addrOfKey(from, sp.plen), addrOfKey(to, sp.plen), sp.plen)
		} else {
			a, ok, err = sp.ff.NextFree4(ctx, fromAddr4(uint32(from.lo)), fromAddr4(uint32(to.lo)))
		}
		if err != nil || !ok {
			return u128{}, false, err
		}
		if sp.v6 {
			return keyOf(a, sp.plen), true, nil
		}
		return u128{0, uint64(addr4(a))}, true, nil
	}
	// No index to ask: probe one key at a time.
	for n := 0; ; n++ {
		held, err := sp.held(ctx, from)
		if err != nil {
			return u128{}, false, err
		}
		if !held {
			return from, true, nil
		}
		if from == to {
			return u128{}, false, nil
		}
		from = from.add(1)
		if n%1024 == 1023 && ctx.Err() != nil {
			return u128{}, false, ctx.Err()
		}
	}
}

// held asks the store whether a lease holds key k.
func (sp *space) held(ctx context.Context, k u128) (bool, error) {
	var state State
	var err error
	if sp.v6 {
		var l Lease6
		l, err = sp.s.Get6(ctx, sp.typ, addrOfKey(k, sp.plen))
		state = l.State
	} else {
		var l Lease4
		l, err = sp.s.Get4(ctx, fromAddr4(uint32(k.lo)))
		state = l.State
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return state.held(), nil
}

func (sp *space) reserved(k u128) bool {
	if sp.v6 {
		return sp.res6 != nil && sp.res6(netip.PrefixFrom(addrOfKey(k, sp.plen), int(sp.plen)))
	}
	return sp.res4 != nil && sp.res4(fromAddr4(uint32(k.lo)))
}

// search returns the first free, unreserved key in [from, to].
func (sp *space) search(ctx context.Context, from, to u128) (u128, bool, error) {
	for n := 0; !to.less(from); n++ {
		k, ok, err := sp.nextFree(ctx, from, to)
		if err != nil || !ok {
			return u128{}, false, err
		}
		if !sp.reserved(k) {
			return k, true, nil
		}
		if k == to {
			break
		}
		from = k.add(1)
		if n%1024 == 1023 && ctx.Err() != nil {
			return u128{}, false, ctx.Err()
		}
	}
	return u128{}, false, nil
}

// searchWrapping searches [start, last], then [first, start-1].
func (sp *space) searchWrapping(ctx context.Context, start u128) (u128, error) {
	k, ok, err := sp.search(ctx, start, sp.last)
	if err == nil && !ok && start != sp.first {
		k, ok, err = sp.search(ctx, sp.first, start.sub(one))
	}
	if err != nil {
		return u128{}, err
	}
	if !ok {
		return u128{}, ErrPoolExhausted
	}
	return k, nil
}

// pickIterative goes on from the pool's cursor and moves it past the key it
// returns. If another caller moved the cursor meanwhile it looks again, so
// concurrent callers get different keys.
func pickIterative(ctx context.Context, sp *space, load func() u128, cas func(old, next u128) bool) (u128, error) {
	for attempt := 0; ; attempt++ {
		cur := load()
		start := cur
		if start.less(sp.first) || sp.last.less(start) {
			start = sp.first
		}
		k, err := sp.searchWrapping(ctx, start)
		if err != nil {
			return u128{}, err
		}
		next := k.add(1)
		if k == sp.last {
			next = sp.first
		}
		// A failed swap means another caller moved the cursor, so someone
		// made progress; look again from where it is now. (Returning k
		// anyway would hand out an address the other caller may hold.)
		if cas(cur, next) {
			return k, nil
		}
		if attempt%64 == 63 && ctx.Err() != nil {
			return u128{}, ctx.Err()
		}
	}
}

// pickRandom tries random keys, then searches on from the last of them.
func (a *Allocator) pickRandom(ctx context.Context, sp *space) (u128, error) {
	span := sp.last.sub(sp.first)
	var k u128
	for i := 0; i < randomProbes; i++ {
		k = sp.first.add128(randUpTo(span))
		if got, ok, err := sp.search(ctx, k, k); err != nil {
			return u128{}, err
		} else if ok {
			return got, nil
		}
	}
	return sp.searchWrapping(ctx, k)
}

// randUpTo returns a uniformly random integer in [0, n].
func randUpTo(n u128) u128 {
	if n.hi == 0 {
		if n.lo == ^uint64(0) {
			return u128{0, rand.Uint64()}
		}
		return u128{0, rand.Uint64N(n.lo + 1)}
	}
	for {
		var hi uint64
		if n.hi == ^uint64(0) {
			hi = rand.Uint64()
		} else {
			hi = rand.Uint64N(n.hi + 1)
		}
		lo := rand.Uint64()
		if hi < n.hi || lo <= n.lo {
			return u128{hi, lo}
		}
	}
}

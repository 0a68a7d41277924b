package lease

// Pieces the DHCPv4 and DHCPv6 tables share: key hashing, chains of records
// with equal key hashes, which indexes a change touches, and queries over
// the expiry index.

import (
	"hash/maphash"
	"sort"
)

// indexedExpiry says which expiry index holds the record, if any: held
// leases wait to expire, reclaimed ones wait to be flushed, and an infinite
// lifetime never does either.
func indexedExpiry(state State, valid uint32) (held, reclaimed bool) {
	if valid == InfiniteLifetime {
		return false, false
	}
	return state.held(), !state.held()
}

type countKey struct {
	subnet, pool uint32
	typ          Type
	state        State
}

// counter holds how many leases each subnet, pool, type and state has.
type counter map[countKey]uint64

func (c counter) add(k countKey) { c[k]++ }

func (c counter) sub(k countKey) {
	if c[k]--; c[k] == 0 {
		delete(c, k)
	}
}

// list returns the counts sorted by subnet, pool, type and state.
func (c counter) list() []Count {
	out := make([]Count, 0, len(c))
	for k, n := range c {
		out = append(out, Count{SubnetID: k.subnet, PoolID: k.pool, Type: k.typ, State: k.state, N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.SubnetID != b.SubnetID {
			return a.SubnetID < b.SubnetID
		}
		if a.PoolID != b.PoolID {
			return a.PoolID < b.PoolID
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.State < b.State
	})
	return out
}

// expiries are a table's two expiry indexes: held leases wait there to
// expire, reclaimed ones to be flushed.
type expiries struct {
	exp  expiryIndex
	recl expiryIndex
}

// of returns the index that holds a record in this state with this
// lifetime, or nil (see indexedExpiry).
func (x *expiries) of(state State, valid uint32) *expiryIndex {
	held, recl := indexedExpiry(state, valid)
	switch {
	case held:
		return &x.exp
	case recl:
		return &x.recl
	}
	return nil
}

// packData lays a record's variable-length fields out back to back in one
// string: two keys (hardware address, client id or DUID), the hostname and
// the user context. It returns old when the bytes are unchanged, so a
// renewal, which usually keeps them, allocates nothing.
func packData(old string, key1, key2 []byte, host, userContext string) string {
	var buf [256]byte
	b := append(buf[:0], key1...)
	b = append(b, key2...)
	b = append(b, host...)
	b = append(b, userContext...)
	if string(b) == old {
		return old
	}
	return string(b)
}

// unpackData splits what packData laid out, given the lengths of the keys
// and the hostname. The keys are fresh copies (one allocation for both),
// nil when empty.
func unpackData(data string, len1, len2, hostLen int) (key1, key2 []byte, host, userContext string) {
	n := len1 + len2
	if n > 0 {
		b := []byte(data[:n])
		if len1 > 0 {
			key1 = b[:len1:len1]
		}
		if len2 > 0 {
			key2 = b[len1:]
		}
	}
	h := n + hostLen
	return key1, key2, data[n:h], data[h:]
}

// fqdnBits packs a lease's DNS update flags: bit 0 forward, bit 1 reverse.
func fqdnBits(fwd, rev bool) uint8 {
	var b uint8
	if fwd {
		b |= 1
	}
	if rev {
		b |= 2
	}
	return b
}

// keyHash hashes a client key within a subnet. The seed is random per
// table, so clients cannot choose keys that pile up in one chain.
func keyHash(seed maphash.Seed, key string, subnet uint32) uint64 {
	return maphash.String(seed, key) ^ (uint64(subnet)+1)*0x9E3779B97F4A7C15
}

// Index parts a record is linked into.
const (
	partKeys   = 1 << iota // hardware address / client id / DUID chains
	partExpiry             // expiry or reclaimed-expiry index
	partHeld               // set of held addresses
	partCount              // per-subnet counts
	partAll    = partKeys | partExpiry | partHeld | partCount
)

// expiryMoves reports whether a change of state, lifetime or expiry moves
// a record in the expiry indexes.
func expiryMoves(oldState State, oldValid uint32, oldExpire int64, state State, valid uint32, expire int64) bool {
	oh, or := indexedExpiry(oldState, oldValid)
	nh, nr := indexedExpiry(state, valid)
	return oh != nh || or != nr || ((oh || or) && bucketOf(oldExpire) != bucketOf(expire))
}

// link ties a record into a chain of records whose keys hash alike. The
// chain is doubly linked so that removing a record is O(1) however many
// leases share a key (one MAC behind many client ids, say).
type link struct{ next, prev uint32 }

// chain puts id at the head of the chain at heads[h].
func chain(heads map[uint64]uint32, h uint64, id uint32, linkOf func(uint32) *link) {
	head := heads[h]
	*linkOf(id) = link{next: head}
	if head != 0 {
		linkOf(head).prev = id
	}
	heads[h] = id
}

// unchain takes id out of the chain at heads[h].
func unchain(heads map[uint64]uint32, h uint64, id uint32, linkOf func(uint32) *link) {
	l := *linkOf(id)
	if l.prev != 0 {
		linkOf(l.prev).next = l.next
	} else if l.next != 0 {
		heads[h] = l.next
	} else {
		delete(heads, h)
	}
	if l.next != 0 {
		linkOf(l.next).prev = l.prev
	}
	*linkOf(id) = link{}
}

// expired returns the ids of up to max held leases that expired before now,
// oldest first.
func expiredIDs(x *expiryIndex, now int64, max int, expire func(uint32) int64) []uint32 {
	var ids []uint32
	x.expired(now, func(bucket []uint32) bool {
		for _, id := range bucket {
			if expire(id) < now {
				ids = append(ids, id)
			}
		}
		return max <= 0 || len(ids) < max
	})
	sort.Slice(ids, func(i, j int) bool { return expire(ids[i]) < expire(ids[j]) })
	if max > 0 && len(ids) > max {
		ids = ids[:max]
	}
	return ids
}

// countExpired counts the records that expired before now.
func countExpired(x *expiryIndex, now int64, expire func(uint32) int64) int {
	n := 0
	x.expired(now, func(bucket []uint32) bool {
		for _, id := range bucket {
			if expire(id) < now {
				n++
			}
		}
		return true
	})
	return n
}

// pages is a growable array of records kept in fixed-size pages: growing it
// never copies the records already there, so no write waits while a million
// records move, and no capacity is held in reserve beyond the last page.
// Released ids are reused before the array grows.
type pages[T any] struct {
	p    [][]T
	n    uint32
	free []uint32
}

const pageBits = 10

func (ps *pages[T]) at(id uint32) *T { return &ps.p[id>>pageBits][id&(1<<pageBits-1)] }

// grow adds a zero record and returns its id.
func (ps *pages[T]) grow() uint32 {
	id := ps.n
	if int(id>>pageBits) == len(ps.p) {
		ps.p = append(ps.p, make([]T, 1<<pageBits))
	}
	ps.n++
	return id
}

// alloc returns the id of a zero record, a released one if there is one.
func (ps *pages[T]) alloc() uint32 {
	if n := len(ps.free); n > 0 {
		id := ps.free[n-1]
		ps.free = ps.free[:n-1]
		return id
	}
	return ps.grow()
}

// release zeroes record id and keeps the id for alloc.
func (ps *pages[T]) release(id uint32) {
	var zero T
	*ps.at(id) = zero
	ps.free = append(ps.free, id)
}

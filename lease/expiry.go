package lease

import "sort"

// expiryIndex finds the records whose expiry time has passed. Records sit in
// buckets of expiryGrain seconds; a bucket is an unordered list of record
// ids, and each record remembers its position so that moving it (a renewal
// changes its expiry) is O(1). Walking the buckets in key order gives the
// expired records oldest first to within one grain.
//
// This costs 4 bytes per record plus a few per bucket, against 2-3 pointers
// per record for a balanced tree.
type expiryIndex struct {
	buckets map[int64][]uint32
	keys    []int64 // sorted keys of the non-empty buckets
}

const expiryGrain = 8 // seconds per bucket

func bucketOf(expire int64) int64 {
	if expire < 0 {
		return (expire - expiryGrain + 1) / expiryGrain
	}
	return expire / expiryGrain
}

// insert adds id with the given expiry and returns its position, which the
// caller stores with the record.
func (x *expiryIndex) insert(id uint32, expire int64) uint32 {
	if x.buckets == nil {
		x.buckets = make(map[int64][]uint32)
	}
	k := bucketOf(expire)
	b, ok := x.buckets[k]
	if !ok {
		i := sort.Search(len(x.keys), func(i int) bool { return x.keys[i] >= k })
		x.keys = append(x.keys, 0)
		copy(x.keys[i+1:], x.keys[i:])
		x.keys[i] = k
	}
	x.buckets[k] = append(b, id)
	return uint32(len(b))
}

// remove takes id (at pos, with the given expiry) out of its bucket. The
// record that fills the hole is reported through moved so the caller can
// update its stored position.
func (x *expiryIndex) remove(id uint32, expire int64, pos uint32, moved func(id, pos uint32)) {
	k := bucketOf(expire)
	b := x.buckets[k]
	if int(pos) >= len(b) || b[pos] != id {
		panic("lease: expiry index out of step with its records") // a bug in this package, never input
	}
	last := len(b) - 1
	if int(pos) != last {
		b[pos] = b[last]
		moved(b[pos], pos)
	}
	b = b[:last]
	if len(b) > 0 {
		if cap(b) > 64 && len(b) < cap(b)/4 {
			b = append([]uint32(nil), b...) // give back a drained bucket's memory
		}
		x.buckets[k] = b
		return
	}
	delete(x.buckets, k)
	i := sort.Search(len(x.keys), func(i int) bool { return x.keys[i] >= k })
	x.keys = append(x.keys[:i], x.keys[i+1:]...)
}

// expired calls fn with the record ids of each bucket that starts before
// now, oldest bucket first, until fn returns false. Every record of an
// earlier bucket expires before any record of a later one; fn must check the
// exact expiry, since the last bucket may hold records not yet expired. fn
// must not change the index.
func (x *expiryIndex) expired(now int64, fn func(ids []uint32) bool) {
	for _, k := range x.keys {
		if k*expiryGrain >= now || !fn(x.buckets[k]) {
			return
		}
	}
}

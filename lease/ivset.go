package lease

// ivset is an ordered set of integers stored as maximal runs: [lo, hi]
// intervals that neither overlap nor touch. It answers "first value at or
// after x that is not in the set" with one lookup, which is what lets an
// allocator skip a long run of leased addresses at once.
//
// Memory follows the number of runs, never the size of the key space: a pool
// filled front to back is one interval; a pool with scattered leases costs
// one interval (two keys) per lease at worst.
//
// The intervals live in sorted chunks of at most ivChunkMax, with a separate
// slice of each chunk's lowest key for the binary search: inserting or
// removing moves at most one chunk's worth of intervals, and the top level is
// small (runs / ivChunkMax entries).
type ivset[K ~uint32 | ~uint64] struct {
	chunks [][]interval[K]
	mins   []K // mins[i] == chunks[i][0].lo
	runs   int
	count  uint64
}

type interval[K ~uint32 | ~uint64] struct{ lo, hi K }

const ivChunkMax = 128

// locate returns the chunk and index of the last interval whose lo <= k,
// or ok == false when k is below every interval.
func (s *ivset[K]) locate(k K) (c, i int, ok bool) {
	// Hand-written binary searches: sort.Search's closure calls cost more
	// than the comparisons here.
	lo, hi := 0, len(s.mins)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.mins[mid] <= k {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	c = lo - 1
	if c < 0 {
		return 0, 0, false
	}
	ch := s.chunks[c]
	lo, hi = 0, len(ch)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if ch[mid].lo <= k {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return c, lo - 1, true // lo >= 1 since ch[0].lo == mins[c] <= k
}

// next returns the position after (c, i), ok == false at the end.
func (s *ivset[K]) next(c, i int) (int, int, bool) {
	if i+1 < len(s.chunks[c]) {
		return c, i + 1, true
	}
	if c+1 < len(s.chunks) {
		return c + 1, 0, true
	}
	return 0, 0, false
}

// Contains reports whether k is in the set.
func (s *ivset[K]) Contains(k K) bool {
	c, i, ok := s.locate(k)
	return ok && s.chunks[c][i].hi >= k
}

// Len returns the number of values in the set.
func (s *ivset[K]) Len() uint64 { return s.count }

// Add puts k in the set; it reports false if k was there already.
func (s *ivset[K]) Add(k K) bool {
	c, i, ok := s.locate(k)
	if ok && s.chunks[c][i].hi >= k {
		return false
	}
	s.count++
	// The successor interval, if any, starts above k.
	var sc, si int
	var hasSucc bool
	if ok {
		sc, si, hasSucc = s.next(c, i)
	} else if len(s.chunks) > 0 {
		sc, si, hasSucc = 0, 0, true
	}
	joinsSucc := hasSucc && s.chunks[sc][si].lo-1 == k
	if ok && s.chunks[c][i].hi+1 == k {
		if joinsSucc {
			s.chunks[c][i].hi = s.chunks[sc][si].hi
			s.removeAt(sc, si)
		} else {
			s.chunks[c][i].hi = k
		}
		return true
	}
	if joinsSucc {
		s.chunks[sc][si].lo = k
		if si == 0 {
			s.mins[sc] = k
		}
		return true
	}
	if ok {
		s.insertAt(c, i+1, interval[K]{k, k})
	} else {
		s.insertAt(0, 0, interval[K]{k, k})
	}
	return true
}

// Remove takes k out of the set; it reports false if k was not there.
func (s *ivset[K]) Remove(k K) bool {
	c, i, ok := s.locate(k)
	if !ok || s.chunks[c][i].hi < k {
		return false
	}
	s.count--
	iv := &s.chunks[c][i]
	switch {
	case iv.lo == iv.hi:
		s.removeAt(c, i)
	case iv.lo == k:
		iv.lo++
		if i == 0 {
			s.mins[c] = iv.lo
		}
	case iv.hi == k:
		iv.hi--
	default:
		hi := iv.hi
		iv.hi = k - 1
		s.insertAt(c, i+1, interval[K]{k + 1, hi})
	}
	return true
}

// NextAbsent returns the first value v with from <= v <= last that is not in
// the set.
func (s *ivset[K]) NextAbsent(from, last K) (K, bool) {
	if from > last {
		return 0, false
	}
	c, i, ok := s.locate(from)
	if !ok || s.chunks[c][i].hi < from {
		return from, true
	}
	hi := s.chunks[c][i].hi
	if hi >= last {
		return 0, false
	}
	// Runs are maximal, so hi+1 is not in the set.
	return hi + 1, true
}

// insertAt puts iv at position i of chunk c (i may equal the chunk's
// length), splitting the chunk when it grows past ivChunkMax.
func (s *ivset[K]) insertAt(c, i int, iv interval[K]) {
	s.runs++
	if len(s.chunks) == 0 {
		s.chunks = append(s.chunks, []interval[K]{iv})
		s.mins = append(s.mins, iv.lo)
		return
	}
	ch := s.chunks[c]
	ch = append(ch, interval[K]{})
	copy(ch[i+1:], ch[i:])
	ch[i] = iv
	s.chunks[c] = ch
	s.mins[c] = ch[0].lo
	if len(ch) <= ivChunkMax {
		return
	}
	half := len(ch) / 2
	right := make([]interval[K], len(ch)-half, ivChunkMax+1)
	copy(right, ch[half:])
	left := make([]interval[K], half, ivChunkMax+1)
	copy(left, ch[:half])
	s.chunks[c] = left
	s.chunks = append(s.chunks, nil)
	copy(s.chunks[c+2:], s.chunks[c+1:])
	s.chunks[c+1] = right
	s.mins = append(s.mins, 0)
	copy(s.mins[c+2:], s.mins[c+1:])
	s.mins[c+1] = right[0].lo
}

// removeAt deletes interval i of chunk c, dropping the chunk when it empties
// and merging it into its neighbour when both are small.
func (s *ivset[K]) removeAt(c, i int) {
	s.runs--
	ch := s.chunks[c]
	copy(ch[i:], ch[i+1:])
	ch = ch[:len(ch)-1]
	s.chunks[c] = ch
	if len(ch) == 0 {
		s.chunks = append(s.chunks[:c], s.chunks[c+1:]...)
		s.mins = append(s.mins[:c], s.mins[c+1:]...)
		return
	}
	s.mins[c] = ch[0].lo
	if c+1 < len(s.chunks) && len(ch)+len(s.chunks[c+1]) <= ivChunkMax/2 {
		s.chunks[c] = append(ch, s.chunks[c+1]...)
		s.chunks = append(s.chunks[:c+1], s.chunks[c+2:]...)
		s.mins = append(s.mins[:c+1], s.mins[c+2:]...)
	}
}

// each calls fn for every run in order (tests and diagnostics).
func (s *ivset[K]) each(fn func(lo, hi K)) {
	for _, ch := range s.chunks {
		for _, iv := range ch {
			fn(iv.lo, iv.hi)
		}
	}
}

package hooks

import (
	"context"
	"sync"
	"time"
)

// parkingLot holds parked packets. Kea lets every library that parks hold a
// reference and unparks when all are released; leasehold parks at the first
// library that returns Park and, when it resumes with Continue, runs the
// libraries after it (which may park again): the same outcome, in
// configuration order, without reference counts.
type parkingLot struct {
	m       *Manager
	limit   int
	timeout time.Duration

	mu      sync.Mutex
	seq     uint64
	entries map[uint64]*parkEntry // prepared ones: callout still running
	early   map[uint64]Unpark     // resumed before its callout returned Park
	count   [numPoints]int
}

type parkEntry struct {
	id    uint64
	st    *state
	p     Point
	a     *Args
	next  int // index in st.byPoint[p] of the callout after the parking one
	done  func(NextStep, *Args)
	lib   *loadedLib
	timer *time.Timer

	prepared bool
}

func newParkingLot(m *Manager, limit int, timeout time.Duration) *parkingLot {
	if limit <= 0 {
		limit = DefaultParkedPacketLimit
	}
	if timeout <= 0 {
		timeout = DefaultParkTimeout
	}
	return &parkingLot{m: m, limit: limit, timeout: timeout,
		entries: make(map[uint64]*parkEntry), early: make(map[uint64]Unpark)}
}

// prepare reserves an id before a callout that may park runs, so that a
// Resume racing with the callout's return is not lost.
func (l *parkingLot) prepare(lib *loadedLib) uint64 {
	l.mu.Lock()
	l.seq++
	id := l.seq
	l.entries[id] = &parkEntry{lib: lib, prepared: true}
	l.mu.Unlock()
	return id
}

func (l *parkingLot) cancel(id uint64) {
	l.mu.Lock()
	delete(l.entries, id)
	delete(l.early, id)
	l.mu.Unlock()
}

// park parks e under id and returns Park, or Drop when the lot is full.
func (l *parkingLot) park(id uint64, e *parkEntry) NextStep {
	l.mu.Lock()
	if u, ok := l.early[id]; ok {
		delete(l.early, id)
		delete(l.entries, id)
		l.mu.Unlock()
		go l.finish(e, u)
		return Park
	}
	if l.count[e.p] >= l.limit {
		delete(l.entries, id)
		l.mu.Unlock()
		e.lib.errors.Add(1)
		if e.lib.errLog.allow(time.Second) {
			e.lib.log.Warn("parking lot full, packet dropped", "point", e.p.String(), "parked_packet_limit", l.limit)
		}
		return Drop
	}
	e.id = id
	l.entries[id] = e
	l.count[e.p]++
	e.timer = time.AfterFunc(l.timeout, func() {
		if l.resume(id, Unpark{Step: Drop}) == nil {
			e.lib.log.Warn("parked packet timed out, dropped", "point", e.p.String(), "timeout", l.timeout.String())
		}
	})
	l.mu.Unlock()
	return Park
}

// resume implements resumer for in-process libraries and is called by the
// plugin host when a plugin sends an unpark.
func (l *parkingLot) resume(id uint64, u Unpark) error {
	return l.resumeFrom(nil, id, u)
}

// resumeFrom resumes a packet only if lib (nil: any library) parked it, so
// a plugin cannot resume another library's packets.
func (l *parkingLot) resumeFrom(lib *loadedLib, id uint64, u Unpark) error {
	l.mu.Lock()
	e, ok := l.entries[id]
	switch {
	case !ok || (lib != nil && e.lib != lib):
		l.mu.Unlock()
		return ErrNotParked
	case e.prepared:
		l.early[id] = u
		l.mu.Unlock()
		return nil
	}
	delete(l.entries, id)
	l.count[e.p]--
	l.mu.Unlock()
	e.timer.Stop()
	go l.finish(e, u)
	return nil
}

func (l *parkingLot) finish(e *parkEntry, u Unpark) {
	if u.Step == Continue {
		if e.p == Lease4Offer {
			e.a.OfferAddressInUse = u.OfferAddressInUse
		}
		step := l.m.run(context.Background(), e.st, e.p, e.a, e.next, e.done)
		if step != Park {
			e.done(step, e.a)
		}
		return
	}
	// The observers after the parking library; those before it had a.
	l.m.observe(e.st, e.p, e.a, e.next, len(e.st.byPoint[e.p]), Drop)
	e.done(Drop, e.a)
}

// resolveLib ends the parking of every packet parked by lib with step: a
// crashed plugin cannot resume them any more.
func (l *parkingLot) resolveLib(lib *loadedLib, step NextStep) {
	for _, id := range l.ids(lib) {
		_ = l.resume(id, Unpark{Step: step})
	}
}

func (l *parkingLot) dropAll() {
	for _, id := range l.ids(nil) {
		_ = l.resume(id, Unpark{Step: Drop})
	}
}

func (l *parkingLot) ids(lib *loadedLib) []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ids []uint64
	for id, e := range l.entries {
		if !e.prepared && (lib == nil || e.lib == lib) {
			ids = append(ids, id)
		}
	}
	return ids
}

// parked returns how many packets are parked at p.
func (l *parkingLot) parked(p Point) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count[p]
}

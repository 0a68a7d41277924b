package lease

import (
	"context"
	"fmt"
	"net/netip"
	"time"
)

// Get6 implements Store.
func (m *Memfile) Get6(_ context.Context, t Type, addr netip.Addr) (Lease6, error) {
	var l Lease6
	m.mu6.RLock()
	defer m.mu6.RUnlock()
	id, ok := m.t6.lookup(addr)
	if !ok || m.t6.recs.at(id).typ != t {
		// The bare sentinel: a miss is the common case when allocating
		// (every candidate address is looked up), and formatting an error
		// for it cost more than the lookup.
		return l, ErrNotFound
	}
	m.t6.lease(id, &l)
	return l, nil
}

// Get6ByDUID implements Store.
func (m *Memfile) Get6ByDUID(_ context.Context, t Type, duid []byte, iaid, subnetID uint32) ([]Lease6, error) {
	m.mu6.RLock()
	defer m.mu6.RUnlock()
	var buf [4]uint32 // an IA holds one lease, rarely a few
	ids := m.t6.byIA(buf[:0], t, duid, iaid, subnetID)
	out := make([]Lease6, len(ids))
	for i, id := range ids {
		m.t6.lease(id, &out[i])
	}
	return out, nil
}

// Add6 implements Store.
func (m *Memfile) Add6(_ context.Context, l *Lease6) error { return m.put6(l, true) }

// Update6 implements Store.
func (m *Memfile) Update6(_ context.Context, l *Lease6) error { return m.put6(l, false) }

// put6 is put4 for DHCPv6: an update must find a lease of the same type.
func (m *Memfile) put6(l *Lease6, add bool) error {
	if err := check6(l); err != nil {
		return err
	}
	if err := checkWrite(l.Addr, l.ValidLifetime, l.UserContext); err != nil {
		return err
	}
	if err := m.lock6(); err != nil {
		return err
	}
	id, ok := m.t6.lookup(l.Addr)
	switch {
	case add && ok && m.t6.recs.at(id).state.held():
		m.mu6.Unlock()
		return fmt.Errorf("lease %v: %w", l.Addr, ErrExists)
	case !add && (!ok || m.t6.recs.at(id).typ != l.Type):
		m.mu6.Unlock()
		return fmt.Errorf("%v lease %v: %w", l.Type, l.Addr, ErrNotFound)
	case ok:
		m.t6.update(id, l)
	default:
		m.t6.insert(l)
	}
	m.unlock6(m.row6(l, false))
	return nil
}

// Delete6 implements Store.
func (m *Memfile) Delete6(_ context.Context, t Type, addr netip.Addr) error {
	if err := m.lock6(); err != nil {
		return err
	}
	id, ok := m.t6.lookup(addr)
	if !ok || m.t6.recs.at(id).typ != t {
		m.mu6.Unlock()
		return fmt.Errorf("%v lease %v: %w", t, addr, ErrNotFound)
	}
	var old Lease6
	m.t6.lease(id, &old)
	m.t6.remove(id)
	m.unlock6(m.row6(&old, true))
	return nil
}

func (m *Memfile) row6(l *Lease6, deletion bool) bool {
	if m.f6 == nil {
		return false
	}
	pool := m.opts.PoolIDColumn
	return m.f6.j.add(func(dst []byte) []byte {
		if deletion {
			return deletionRow6(dst, l, pool)
		}
		return appendRow6(dst, l, pool)
	})
}

// lock6 is lock4 for DHCPv6.
func (m *Memfile) lock6() error {
	m.mu6.Lock()
	if err := m.writable(m.f6, true); err != nil {
		m.mu6.Unlock()
		return err
	}
	return nil
}

// unlock6 is unlock4 for mu6.
func (m *Memfile) unlock6(flush bool) {
	m.mu6.Unlock()
	if flush {
		m.f6.j.flushBehind()
	}
}

// Expired6 implements Store.
func (m *Memfile) Expired6(_ context.Context, now time.Time, max int) ([]Lease6, error) {
	m.mu6.RLock()
	defer m.mu6.RUnlock()
	t := m.t6
	ids := expiredIDs(&t.exp, now.Unix(), max, t.expireOf)
	out := make([]Lease6, len(ids))
	for i, id := range ids {
		t.lease(id, &out[i])
	}
	return out, nil
}

// DeleteReclaimed6 implements Store.
func (m *Memfile) DeleteReclaimed6(_ context.Context, before time.Time) (int, error) {
	if err := m.lock6(); err != nil {
		return 0, err
	}
	t := m.t6
	ids := expiredIDs(&t.recl, before.Unix(), 0, t.expireOf)
	flush := false
	for _, id := range ids {
		var old Lease6
		t.lease(id, &old)
		t.remove(id)
		flush = m.row6(&old, true) || flush
	}
	m.unlock6(flush)
	return len(ids), nil
}

// Counts6 implements Store.
func (m *Memfile) Counts6(context.Context) ([]Count, error) {
	m.mu6.RLock()
	defer m.mu6.RUnlock()
	return m.t6.counts.list(), nil
}

// NextFree6 implements FreeFinder.
func (m *Memfile) NextFree6(_ context.Context, from, last netip.Addr, prefixLen uint8) (netip.Addr, bool, error) {
	if !from.Is6() || !last.Is6() || prefixLen == 0 || prefixLen > 128 {
		return netip.Addr{}, false, fmt.Errorf("lease: NextFree6(%v, %v, /%d): not IPv6 addresses with a length 1-128", from, last, prefixLen)
	}
	kf, kl := keyOf(from, prefixLen), keyOf(last, prefixLen)
	m.mu6.RLock()
	s := m.t6.held[prefixLen]
	var k u128
	ok := true
	if s == nil {
		k = kf
		ok = !kl.less(kf)
	} else {
		k, ok = s.nextAbsent(kf, kl)
	}
	m.mu6.RUnlock()
	if !ok {
		return netip.Addr{}, false, nil
	}
	return addrOfKey(k, prefixLen), true, nil
}

// Each6 calls fn with every DHCPv6 lease until fn returns false, as Each4
// does.
func (m *Memfile) Each6(fn func(*Lease6) bool) {
	m.mu6.RLock()
	defer m.mu6.RUnlock()
	var l Lease6
	for _, id := range m.t6.byAddr {
		m.t6.lease(id, &l)
		if !fn(&l) {
			return
		}
	}
}

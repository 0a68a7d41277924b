package lease

import (
	"context"
	"fmt"
	"net/netip"
	"time"
)

// Get4 implements Store.
func (m *Memfile) Get4(_ context.Context, addr netip.Addr) (Lease4, error) {
	var l Lease4
	if !addr.Is4() {
		return l, ErrNotFound
	}
	m.mu4.RLock()
	defer m.mu4.RUnlock()
	id, ok := m.t4.lookup(addr)
	if !ok {
		// The bare sentinel: a miss is the common case for a new client
		// (several lookups per DISCOVER and REQUEST), and formatting an
		// error for it cost more than the lookup.
		return l, ErrNotFound
	}
	m.t4.lease(id, &l)
	return l, nil
}

// Get4ByHWAddr implements Store.
func (m *Memfile) Get4ByHWAddr(_ context.Context, hwaddr []byte, subnetID uint32) (Lease4, error) {
	return m.get4ByKey(hwaddr, subnetID, false)
}

// Get4ByClientID implements Store.
func (m *Memfile) Get4ByClientID(_ context.Context, clientID []byte, subnetID uint32) (Lease4, error) {
	return m.get4ByKey(clientID, subnetID, true)
}

func (m *Memfile) get4ByKey(key []byte, subnet uint32, cid bool) (Lease4, error) {
	var l Lease4
	m.mu4.RLock()
	defer m.mu4.RUnlock()
	id, ok := m.t4.byKey(key, subnet, cid)
	if !ok {
		return l, ErrNotFound // bare, as in Get4
	}
	m.t4.lease(id, &l)
	return l, nil
}

// Add4 implements Store.
func (m *Memfile) Add4(_ context.Context, l *Lease4) error { return m.put4(l, true) }

// Update4 implements Store.
func (m *Memfile) Update4(_ context.Context, l *Lease4) error { return m.put4(l, false) }

// put4 stores l: as a new lease (add), which may replace only a reclaimed
// one, or over the existing lease of its address.
func (m *Memfile) put4(l *Lease4, add bool) error {
	if err := check4(l); err != nil {
		return err
	}
	if err := checkWrite(l.Addr, l.ValidLifetime, l.UserContext); err != nil {
		return err
	}
	if err := m.lock4(); err != nil {
		return err
	}
	id, ok := m.t4.lookup(l.Addr)
	switch {
	case add && ok && m.t4.recs.at(id).state.held():
		m.mu4.Unlock()
		return fmt.Errorf("lease %v: %w", l.Addr, ErrExists)
	case !add && !ok:
		m.mu4.Unlock()
		return fmt.Errorf("lease %v: %w", l.Addr, ErrNotFound)
	case ok:
		m.t4.update(id, l)
	default:
		m.t4.insert(l)
	}
	m.unlock4(m.row4(l, false))
	return nil
}

// Delete4 implements Store.
func (m *Memfile) Delete4(_ context.Context, addr netip.Addr) error {
	if err := m.lock4(); err != nil {
		return err
	}
	var id uint32
	ok := false
	if addr.Is4() {
		id, ok = m.t4.lookup(addr)
	}
	if !ok {
		m.mu4.Unlock()
		return fmt.Errorf("lease %v: %w", addr, ErrNotFound)
	}
	var old Lease4
	m.t4.lease(id, &old)
	m.t4.remove(id)
	m.unlock4(m.row4(&old, true))
	return nil
}

// row4 queues the file row for a change; the caller holds mu4.
func (m *Memfile) row4(l *Lease4, deletion bool) bool {
	if m.f4 == nil {
		return false
	}
	pool := m.opts.PoolIDColumn
	return m.f4.j.add(func(dst []byte) []byte {
		if deletion {
			return deletionRow4(dst, l, pool)
		}
		return appendRow4(dst, l, pool)
	})
}

// lock4 takes mu4 for a write, or returns why DHCPv4 leases cannot be
// written, without the lock.
func (m *Memfile) lock4() error {
	m.mu4.Lock()
	if err := m.writable(m.f4, false); err != nil {
		m.mu4.Unlock()
		return err
	}
	return nil
}

// unlock4 releases mu4, then flushes the journal if a row queued under the
// lock asked for it: outside the lock, so lookups do not wait on the disk.
func (m *Memfile) unlock4(flush bool) {
	m.mu4.Unlock()
	if flush {
		m.f4.j.flushBehind()
	}
}

// Expired4 implements Store.
func (m *Memfile) Expired4(_ context.Context, now time.Time, max int) ([]Lease4, error) {
	m.mu4.RLock()
	defer m.mu4.RUnlock()
	t := m.t4
	ids := expiredIDs(&t.exp, now.Unix(), max, t.expireOf)
	out := make([]Lease4, len(ids))
	for i, id := range ids {
		t.lease(id, &out[i])
	}
	return out, nil
}

// DeleteReclaimed4 implements Store.
func (m *Memfile) DeleteReclaimed4(_ context.Context, before time.Time) (int, error) {
	if err := m.lock4(); err != nil {
		return 0, err
	}
	t := m.t4
	ids := expiredIDs(&t.recl, before.Unix(), 0, t.expireOf)
	flush := false
	for _, id := range ids {
		var old Lease4
		t.lease(id, &old)
		t.remove(id)
		flush = m.row4(&old, true) || flush
	}
	m.unlock4(flush)
	return len(ids), nil
}

// Counts4 implements Store.
func (m *Memfile) Counts4(context.Context) ([]Count, error) {
	m.mu4.RLock()
	defer m.mu4.RUnlock()
	return m.t4.counts.list(), nil
}

// NextFree4 implements FreeFinder.
func (m *Memfile) NextFree4(_ context.Context, from, last netip.Addr) (netip.Addr, bool, error) {
	if !from.Is4() || !last.Is4() {
		return netip.Addr{}, false, fmt.Errorf("lease: NextFree4(%v, %v): not IPv4 addresses", from, last)
	}
	m.mu4.RLock()
	v, ok := m.t4.held.NextAbsent(addr4(from), addr4(last))
	m.mu4.RUnlock()
	if !ok {
		return netip.Addr{}, false, nil
	}
	return fromAddr4(v), true, nil
}

// Each4 calls fn with every DHCPv4 lease, in no particular order, until fn
// returns false. The *Lease4 is reused between calls (its slices are not):
// copy it to keep it. Each4 holds the read lock throughout, so fn must not
// write to the store.
func (m *Memfile) Each4(fn func(*Lease4) bool) {
	m.mu4.RLock()
	defer m.mu4.RUnlock()
	var l Lease4
	for _, id := range m.t4.byAddr {
		m.t4.lease(id, &l)
		if !fn(&l) {
			return
		}
	}
}

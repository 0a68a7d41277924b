package lease

import (
	"hash/maphash"
	"net/netip"
)

// rec6 is one DHCPv6 lease in memory, laid out as rec4.
type rec6 struct {
	data     string // DUID ‖ hwaddr ‖ hostname ‖ user context
	addr     [16]byte
	cltt     int64
	valid    uint32
	pref     uint32
	iaid     uint32
	subnet   uint32
	pool     uint32
	hwSource uint32
	duidLink link
	epos     uint32
	hwType   uint16
	hostLen  uint16
	duidLen  uint8
	hwLen    uint8
	typ      Type
	plen     uint8
	state    State
	fqdn     uint8
}

func (r *rec6) expire() int64 { return r.cltt + int64(r.valid) }
func (r *rec6) duid() string  { return r.data[:r.duidLen] }

// table6 is the in-memory DHCPv6 lease table. Like Kea, it keys leases by
// address alone, whatever their type: a delegated prefix is keyed by its
// first address.
type table6 struct {
	recs   pages[rec6]
	free   []uint32
	byAddr map[[16]byte]uint32
	byDUID map[uint64]uint32 // hash of (DUID, IAID, type, subnet)
	exp    expiryIndex       // held leases by expiry
	recl   expiryIndex       // reclaimed leases by expiry
	held   map[uint8]*set6   // held addresses (128) and prefixes, by prefix length
	counts map[countKey]uint64
	seed   maphash.Seed
}

func newTable6() *table6 {
	t := &table6{
		byAddr: make(map[[16]byte]uint32),
		byDUID: make(map[uint64]uint32),
		held:   make(map[uint8]*set6),
		counts: make(map[countKey]uint64),
		seed:   maphash.MakeSeed(),
	}
	t.recs.grow() // id 0 stays unused: it ends chains
	return t
}

func (t *table6) len() int { return len(t.byAddr) }

func duidHash(seed maphash.Seed, duid string, iaid uint32, typ Type, subnet uint32) uint64 {
	return keyHash(seed, duid, subnet) ^ (uint64(iaid)<<8|uint64(typ))*0xC2B2AE3D27D4EB4F
}

func (r *rec6) set(l *Lease6) {
	var buf [256]byte
	b := buf[:0]
	b = append(b, l.DUID...)
	b = append(b, l.HWAddr...)
	b = append(b, l.Hostname...)
	b = append(b, l.UserContext...)
	if string(b) != r.data {
		r.data = string(b)
	}
	r.addr = l.Addr.As16()
	r.cltt = l.CLTT
	r.valid = l.ValidLifetime
	r.pref = l.PreferredLifetime
	r.iaid = l.IAID
	r.subnet = l.SubnetID
	r.pool = l.PoolID
	r.hwType, r.hwSource = 0, 0
	if len(l.HWAddr) > 0 {
		r.hwType, r.hwSource = l.HWType, l.HWAddrSource
	}
	r.hostLen = uint16(len(l.Hostname))
	r.duidLen = uint8(len(l.DUID))
	r.hwLen = uint8(len(l.HWAddr))
	r.typ = l.Type
	r.plen = l.PrefixLen
	r.state = l.State
	r.fqdn = 0
	if l.FQDNFwd {
		r.fqdn |= 1
	}
	if l.FQDNRev {
		r.fqdn |= 2
	}
}

func (t *table6) lease(id uint32, l *Lease6) {
	r := t.recs.at(id)
	*l = Lease6{
		Type:              r.typ,
		Addr:              netip.AddrFrom16(r.addr),
		PrefixLen:         r.plen,
		IAID:              r.iaid,
		ValidLifetime:     r.valid,
		PreferredLifetime: r.pref,
		CLTT:              r.cltt,
		SubnetID:          r.subnet,
		PoolID:            r.pool,
		FQDNFwd:           r.fqdn&1 != 0,
		FQDNRev:           r.fqdn&2 != 0,
		HWType:            r.hwType,
		HWAddrSource:      r.hwSource,
		State:             r.state,
	}
	n := int(r.duidLen) + int(r.hwLen)
	if n > 0 {
		b := []byte(r.data[:n])
		if r.duidLen > 0 {
			l.DUID = b[:r.duidLen:r.duidLen]
		}
		if r.hwLen > 0 {
			l.HWAddr = b[r.duidLen:]
		}
	}
	h := n + int(r.hostLen)
	l.Hostname = r.data[n:h]
	l.UserContext = r.data[h:]
}

func (t *table6) lookup(a netip.Addr) (uint32, bool) {
	id, ok := t.byAddr[a.As16()]
	return id, ok
}

func (t *table6) insert(l *Lease6) {
	var id uint32
	if n := len(t.free); n > 0 {
		id = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		id = t.recs.grow()
	}
	t.recs.at(id).set(l)
	t.byAddr[t.recs.at(id).addr] = id
	t.link(id, partAll)
}

// update replaces the lease in record id, touching only the indexes whose
// keys change.
func (t *table6) update(id uint32, l *Lease6) {
	r := t.recs.at(id)
	parts := 0
	if r.subnet != l.SubnetID || r.iaid != l.IAID || r.typ != l.Type || r.duid() != string(l.DUID) {
		parts |= partKeys
	}
	if expiryMoves(r.state, r.valid, r.expire(), l.State, l.ValidLifetime, l.Expire()) {
		parts |= partExpiry
	}
	if r.state.held() != l.State.held() || r.plen != l.PrefixLen {
		parts |= partHeld
	}
	if r.subnet != l.SubnetID || r.pool != l.PoolID || r.state != l.State || r.typ != l.Type {
		parts |= partCount
	}
	t.unlink(id, parts)
	r.set(l)
	t.link(id, parts)
}

func (t *table6) remove(id uint32) {
	t.unlink(id, partAll)
	delete(t.byAddr, t.recs.at(id).addr)
	*t.recs.at(id) = rec6{}
	t.free = append(t.free, id)
}

func (t *table6) link(id uint32, parts int) {
	r := t.recs.at(id)
	if parts&partKeys != 0 && r.duidLen > 0 {
		chain(t.byDUID, duidHash(t.seed, r.duid(), r.iaid, r.typ, r.subnet), id, t.duidLinkOf)
	}
	if parts&partExpiry != 0 {
		held, recl := indexedExpiry(r.state, r.valid)
		switch {
		case held:
			r.epos = t.exp.insert(id, r.expire())
		case recl:
			r.epos = t.recl.insert(id, r.expire())
		}
	}
	if parts&partHeld != 0 && r.state.held() {
		s := t.held[r.plen]
		if s == nil {
			s = &set6{parts: make(map[uint64]*ivset[uint64])}
			t.held[r.plen] = s
		}
		s.add(keyOf(netip.AddrFrom16(r.addr), r.plen))
	}
	if parts&partCount != 0 {
		t.counts[countKey{r.subnet, r.pool, r.typ, r.state}]++
	}
}

func (t *table6) unlink(id uint32, parts int) {
	r := t.recs.at(id)
	if parts&partKeys != 0 && r.duidLen > 0 {
		unchain(t.byDUID, duidHash(t.seed, r.duid(), r.iaid, r.typ, r.subnet), id, t.duidLinkOf)
	}
	if parts&partExpiry != 0 {
		moved := func(m, pos uint32) { t.recs.at(m).epos = pos }
		held, recl := indexedExpiry(r.state, r.valid)
		switch {
		case held:
			t.exp.remove(id, r.expire(), r.epos, moved)
		case recl:
			t.recl.remove(id, r.expire(), r.epos, moved)
		}
	}
	if parts&partHeld != 0 && r.state.held() {
		if s := t.held[r.plen]; s != nil {
			s.remove(keyOf(netip.AddrFrom16(r.addr), r.plen))
			if len(s.parts) == 0 {
				delete(t.held, r.plen)
			}
		}
	}
	if parts&partCount != 0 {
		k := countKey{r.subnet, r.pool, r.typ, r.state}
		if t.counts[k]--; t.counts[k] == 0 {
			delete(t.counts, k)
		}
	}
}

func (t *table6) duidLinkOf(id uint32) *link { return &t.recs.at(id).duidLink }

// byIA returns the records of one IA.
func (t *table6) byIA(typ Type, duid []byte, iaid, subnet uint32) []uint32 {
	if len(duid) == 0 {
		return nil
	}
	var ids []uint32
	for id := t.byDUID[duidHash(t.seed, string(duid), iaid, typ, subnet)]; id != 0; id = t.recs.at(id).duidLink.next {
		r := t.recs.at(id)
		if r.typ == typ && r.iaid == iaid && r.subnet == subnet && r.duid() == string(duid) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (t *table6) countList() []Count {
	out := make([]Count, 0, len(t.counts))
	for k, n := range t.counts {
		out = append(out, Count{SubnetID: k.subnet, PoolID: k.pool, Type: k.typ, State: k.state, N: n})
	}
	sortCounts(out)
	return out
}

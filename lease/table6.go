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
	byAddr map[[16]byte]uint32
	byDUID map[uint64]uint32 // hash of (DUID, IAID, type, subnet)
	expiries
	held   map[uint8]*set6 // held addresses (128) and prefixes, by prefix length
	counts counter
	seed   maphash.Seed
}

func newTable6() *table6 {
	t := &table6{
		byAddr: make(map[[16]byte]uint32),
		byDUID: make(map[uint64]uint32),
		held:   make(map[uint8]*set6),
		counts: make(counter),
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
	r.data = packData(r.data, l.DUID, l.HWAddr, l.Hostname, l.UserContext)
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
	r.fqdn = fqdnBits(l.FQDNFwd, l.FQDNRev)
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
	l.DUID, l.HWAddr, l.Hostname, l.UserContext = unpackData(r.data, int(r.duidLen), int(r.hwLen), int(r.hostLen))
}

func (t *table6) lookup(a netip.Addr) (uint32, bool) {
	id, ok := t.byAddr[a.As16()]
	return id, ok
}

func (t *table6) insert(l *Lease6) {
	id := t.recs.alloc()
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
	t.recs.release(id)
}

func (t *table6) link(id uint32, parts int) {
	r := t.recs.at(id)
	if parts&partKeys != 0 && r.duidLen > 0 {
		chain(t.byDUID, duidHash(t.seed, r.duid(), r.iaid, r.typ, r.subnet), id, t.duidLinkOf)
	}
	if parts&partExpiry != 0 {
		if x := t.of(r.state, r.valid); x != nil {
			r.epos = x.insert(id, r.expire())
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
		t.counts.add(countKey{r.subnet, r.pool, r.typ, r.state})
	}
}

func (t *table6) unlink(id uint32, parts int) {
	r := t.recs.at(id)
	if parts&partKeys != 0 && r.duidLen > 0 {
		unchain(t.byDUID, duidHash(t.seed, r.duid(), r.iaid, r.typ, r.subnet), id, t.duidLinkOf)
	}
	if parts&partExpiry != 0 {
		if x := t.of(r.state, r.valid); x != nil {
			x.remove(id, r.expire(), r.epos, t.moved)
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
		t.counts.sub(countKey{r.subnet, r.pool, r.typ, r.state})
	}
}

func (t *table6) duidLinkOf(id uint32) *link { return &t.recs.at(id).duidLink }

// moved stores the expiry index position of a record another one's removal moved.
func (t *table6) moved(id, pos uint32) { t.recs.at(id).epos = pos }

func (t *table6) expireOf(id uint32) int64 { return t.recs.at(id).expire() }

// byIA appends the records of one IA to ids.
func (t *table6) byIA(ids []uint32, typ Type, duid []byte, iaid, subnet uint32) []uint32 {
	if len(duid) == 0 {
		return ids
	}
	for id := t.byDUID[duidHash(t.seed, string(duid), iaid, typ, subnet)]; id != 0; id = t.recs.at(id).duidLink.next {
		r := t.recs.at(id)
		if r.typ == typ && r.iaid == iaid && r.subnet == subnet && r.duid() == string(duid) {
			ids = append(ids, id)
		}
	}
	return ids
}

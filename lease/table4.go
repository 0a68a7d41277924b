package lease

import (
	"hash/maphash"
	"net/netip"
)

// rec4 is one DHCPv4 lease in memory: 72 bytes of fixed fields, and one
// string holding the variable-length fields back to back, so a typical lease
// (6-byte MAC, 7-byte client id, no hostname) costs one 16-byte allocation.
// The string is immutable, so reads can hand out substrings of it.
type rec4 struct {
	data    string // hwaddr ‖ client id ‖ hostname ‖ user context
	cltt    int64
	addr    uint32
	valid   uint32
	subnet  uint32
	pool    uint32
	hwLink  link   // neighbours in the byHW chain
	cidLink link   // neighbours in the byCID chain
	epos    uint32 // position in the expiry index bucket
	hostLen uint16
	hwLen   uint8
	cidLen  uint8
	state   State
	fqdn    uint8 // bit 0: forward update done, bit 1: reverse
}

func (r *rec4) expire() int64 { return r.cltt + int64(r.valid) }
func (r *rec4) hw() string    { return r.data[:r.hwLen] }
func (r *rec4) cid() string   { return r.data[r.hwLen : int(r.hwLen)+int(r.cidLen)] }

// table4 is the in-memory DHCPv4 lease table with its indexes. Record ids
// index recs; id 0 is never used so that 0 can end a chain. Indexes are
// keyed by fixed-size values: the address, or a 64-bit hash of (hardware
// address or client id, subnet) whose collisions are chained through the
// records and told apart by comparing the real key.
type table4 struct {
	recs   pages[rec4]
	byAddr map[uint32]uint32
	byHW   map[uint64]uint32
	byCID  map[uint64]uint32
	expiries
	held   ivset[uint32]
	counts counter
	seed   maphash.Seed
}

func newTable4() *table4 {
	t := &table4{
		byAddr: make(map[uint32]uint32),
		byHW:   make(map[uint64]uint32),
		byCID:  make(map[uint64]uint32),
		counts: make(counter),
		seed:   maphash.MakeSeed(),
	}
	t.recs.grow() // id 0 stays unused: it ends chains
	return t
}

func addr4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func fromAddr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func (t *table4) len() int { return len(t.byAddr) }

func (t *table4) lookup(a netip.Addr) (uint32, bool) {
	id, ok := t.byAddr[addr4(a)]
	return id, ok
}

// set stores l in record id (fields only; no index changes).
func (r *rec4) set(l *Lease4) {
	r.data = packData(r.data, l.HWAddr, l.ClientID, l.Hostname, l.UserContext)
	r.cltt = l.CLTT
	r.addr = addr4(l.Addr)
	r.valid = l.ValidLifetime
	r.subnet = l.SubnetID
	r.pool = l.PoolID
	r.hostLen = uint16(len(l.Hostname))
	r.hwLen = uint8(len(l.HWAddr))
	r.cidLen = uint8(len(l.ClientID))
	r.state = l.State
	r.fqdn = fqdnBits(l.FQDNFwd, l.FQDNRev)
}

// lease copies record id out; the slices are the caller's own.
func (t *table4) lease(id uint32, l *Lease4) {
	r := t.recs.at(id)
	*l = Lease4{
		Addr:          fromAddr4(r.addr),
		ValidLifetime: r.valid,
		CLTT:          r.cltt,
		SubnetID:      r.subnet,
		PoolID:        r.pool,
		FQDNFwd:       r.fqdn&1 != 0,
		FQDNRev:       r.fqdn&2 != 0,
		State:         r.state,
	}
	l.HWAddr, l.ClientID, l.Hostname, l.UserContext = unpackData(r.data, int(r.hwLen), int(r.cidLen), int(r.hostLen))
}

// insert adds a lease for an address that has no record.
func (t *table4) insert(l *Lease4) {
	id := t.recs.alloc()
	t.recs.at(id).set(l)
	t.byAddr[t.recs.at(id).addr] = id
	t.link(id, partAll)
}

// update replaces the lease in record id, touching only the indexes whose
// keys change: a renewal moves the lease in the expiry index and nothing
// else.
func (t *table4) update(id uint32, l *Lease4) {
	r := t.recs.at(id)
	parts := 0
	if r.subnet != l.SubnetID || r.hw() != string(l.HWAddr) || r.cid() != string(l.ClientID) {
		parts |= partKeys
	}
	if expiryMoves(r.state, r.valid, r.expire(), l.State, l.ValidLifetime, l.Expire()) {
		parts |= partExpiry
	}
	if r.state.held() != l.State.held() {
		parts |= partHeld
	}
	if r.subnet != l.SubnetID || r.pool != l.PoolID || r.state != l.State {
		parts |= partCount
	}
	t.unlink(id, parts)
	r.set(l)
	t.link(id, parts)
}

// remove deletes record id.
func (t *table4) remove(id uint32) {
	t.unlink(id, partAll)
	delete(t.byAddr, t.recs.at(id).addr)
	t.recs.release(id)
}

func (t *table4) link(id uint32, parts int) {
	r := t.recs.at(id)
	if parts&partKeys != 0 {
		if r.hwLen > 0 {
			chain(t.byHW, keyHash(t.seed, r.hw(), r.subnet), id, t.hwLinkOf)
		}
		if r.cidLen > 0 {
			chain(t.byCID, keyHash(t.seed, r.cid(), r.subnet), id, t.cidLinkOf)
		}
	}
	if parts&partExpiry != 0 {
		if x := t.of(r.state, r.valid); x != nil {
			r.epos = x.insert(id, r.expire())
		}
	}
	if parts&partHeld != 0 && r.state.held() {
		t.held.Add(r.addr)
	}
	if parts&partCount != 0 {
		t.counts.add(countKey{r.subnet, r.pool, TypeNA, r.state})
	}
}

func (t *table4) unlink(id uint32, parts int) {
	r := t.recs.at(id)
	if parts&partKeys != 0 {
		if r.hwLen > 0 {
			unchain(t.byHW, keyHash(t.seed, r.hw(), r.subnet), id, t.hwLinkOf)
		}
		if r.cidLen > 0 {
			unchain(t.byCID, keyHash(t.seed, r.cid(), r.subnet), id, t.cidLinkOf)
		}
	}
	if parts&partExpiry != 0 {
		if x := t.of(r.state, r.valid); x != nil {
			x.remove(id, r.expire(), r.epos, t.moved)
		}
	}
	if parts&partHeld != 0 && r.state.held() {
		t.held.Remove(r.addr)
	}
	if parts&partCount != 0 {
		t.counts.sub(countKey{r.subnet, r.pool, TypeNA, r.state})
	}
}

func (t *table4) hwLinkOf(id uint32) *link  { return &t.recs.at(id).hwLink }
func (t *table4) cidLinkOf(id uint32) *link { return &t.recs.at(id).cidLink }

// moved stores the expiry index position of a record another one's removal moved.
func (t *table4) moved(id, pos uint32) { t.recs.at(id).epos = pos }

func (t *table4) expireOf(id uint32) int64 { return t.recs.at(id).expire() }

// better reports whether record a should be returned before record b by the
// lookups that may match several: a held lease first, then the later expiry.
func better4(a, b *rec4) bool {
	if a.state.held() != b.state.held() {
		return a.state.held()
	}
	return a.expire() > b.expire()
}

// byKey finds the best record whose hwaddr (cid false) or client id (cid
// true) equals key in subnet.
func (t *table4) byKey(key []byte, subnet uint32, cid bool) (uint32, bool) {
	if len(key) == 0 {
		return 0, false
	}
	heads := t.byHW
	if cid {
		heads = t.byCID
	}
	best := uint32(0)
	for id := heads[keyHash(t.seed, string(key), subnet)]; id != 0; {
		r := t.recs.at(id)
		k, next := r.hw(), r.hwLink.next
		if cid {
			k, next = r.cid(), r.cidLink.next
		}
		if r.subnet == subnet && k == string(key) && (best == 0 || better4(r, t.recs.at(best))) {
			best = id
		}
		id = next
	}
	return best, best != 0
}

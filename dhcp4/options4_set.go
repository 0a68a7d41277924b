package dhcp4

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/leasehold/leasehold/config"
)

// optSet is the option-data of one configuration level (global, shared
// network, subnet, pool, client class or reservation), indexed for the
// per-packet lookups: a bitmap says which codes the level has, so a miss
// costs one bit test.
type optSet struct {
	has    codeBits
	never  codeBits  // never-send at this level (Kea 2.6): masks lower levels too
	always []uint8   // always-send codes, in configuration order
	codes  []uint8   // sorted
	data   [][]byte  // data[i] is the payload of codes[i]
	vendor []vendOpt // options of "vendor-<enterprise>" spaces, for option 125
	// serverID is option 54 configured at this level, if any.
	serverID netip.Addr
}

type codeBits [4]uint64

func (b *codeBits) set(c uint8)      { b[c>>6] |= 1 << (c & 63) }
func (b *codeBits) has(c uint8) bool { return b[c>>6]&(1<<(c&63)) != 0 }

// vendOpt is one sub-option of a vendor space (RFC 3925 option 125).
type vendOpt struct {
	enterprise uint32
	code       uint8
	data       []byte
	always     bool
}

// newOptSet indexes a level's option-data. Only options of the dhcp4
// space and of vendor-<n> spaces are top-level; sub-options of other
// spaces were already folded into their parent by the config package.
func newOptSet(list []config.OptionData) optSet {
	var s optSet
	type kv struct {
		code uint8
		data []byte
	}
	var kvs []kv
	for i := range list {
		o := &list[i]
		switch {
		case o.Space == config.SpaceDHCP4:
			if o.Code == 0 || o.Code > 254 {
				continue
			}
			c := uint8(o.Code)
			if o.NeverSend {
				s.never.set(c)
				continue
			}
			if s.has.has(c) {
				continue // Kea uses the first of duplicates at one level
			}
			s.has.set(c)
			kvs = append(kvs, kv{c, o.Data})
			if o.AlwaysSend {
				s.always = append(s.always, c)
			}
			if c == OptServerID && len(o.Data) == 4 {
				s.serverID = netip.AddrFrom4([4]byte(o.Data))
			}
		case strings.HasPrefix(o.Space, "vendor-"):
			ent, err := strconv.ParseUint(strings.TrimPrefix(o.Space, "vendor-"), 10, 32)
			if err != nil || o.Code == 0 || o.Code > 254 || o.NeverSend {
				continue
			}
			s.vendor = append(s.vendor, vendOpt{uint32(ent), uint8(o.Code), o.Data, o.AlwaysSend})
		}
	}
	sort.SliceStable(kvs, func(i, j int) bool { return kvs[i].code < kvs[j].code })
	s.codes = make([]uint8, len(kvs))
	s.data = make([][]byte, len(kvs))
	for i, e := range kvs {
		s.codes[i], s.data[i] = e.code, e.data
	}
	return s
}

func (s *optSet) empty() bool {
	return len(s.codes) == 0 && len(s.vendor) == 0 && s.never == codeBits{}
}

// get returns the payload of code at this level.
func (s *optSet) get(c uint8) ([]byte, bool) {
	if !s.has.has(c) {
		return nil, false
	}
	i := sort.Search(len(s.codes), func(i int) bool { return s.codes[i] >= c })
	return s.data[i], true
}

// optLevels is the list of levels that apply to one reply, highest
// precedence first, as Kea 2.2 builds it (Dhcpv4Srv::buildCfgOptionList):
// reservation, pool, subnet, shared network, the client classes in the
// order the packet was put in them, global.
type optLevels struct {
	list []*optSet
}

func (l *optLevels) reset() { l.list = l.list[:0] }
func (l *optLevels) add(s *optSet) {
	if s != nil && !s.empty() {
		l.list = append(l.list, s)
	}
}

// lookup returns the payload of code from the first level that has it. A
// level that marks the code never-send hides it from the levels below.
func (l *optLevels) lookup(c uint8) ([]byte, bool) {
	for _, s := range l.list {
		if s.never.has(c) {
			return nil, false
		}
		if d, ok := s.get(c); ok {
			return d, true
		}
	}
	return nil, false
}

// serverID returns option 54 as configured for the reply, if any level
// has it.
func (l *optLevels) serverID() (netip.Addr, bool) {
	d, ok := l.lookup(OptServerID)
	if !ok || len(d) != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(d)), true
}

// vendorLookup returns sub-option code of the enterprise's vendor space.
func (l *optLevels) vendorLookup(ent uint32, code uint8) ([]byte, bool) {
	for _, s := range l.list {
		for i := range s.vendor {
			if v := &s.vendor[i]; v.enterprise == ent && v.code == code {
				return v.data, true
			}
		}
	}
	return nil, false
}

package dhcp4

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/expr"
	"github.com/leasehold/leasehold/internal/hostname"
)

// view is the runtime form of one configuration: immutable once built
// (apart from allocation cursors), shared by every packet that started
// while it was current. Reconfigure builds a new one and swaps it in.
type view struct {
	cfg      *config.DHCP4
	subnets  []*subnet4 // by ID: Kea 2.2's selection order
	byID     map[uint32]*subnet4
	networks []*network4
	global   optSet

	// Classes: configured ones first, in configuration order (the order
	// Kea evaluates them), then names referenced without a definition
	// (reservations, subnets, pools) and the built-ins, so that every
	// class a packet can be in has an index and membership is a bit.
	classes    []*class4
	classIdx   map[string]int
	vendorIdx  map[string]int // "VENDOR_CLASS_x" classes by x
	idxALL     int
	idxKNOWN   int
	idxUNKNOWN int
	idxDROP    int // -1 when no DROP class is defined

	globalHosts hostTable
	idTypes     []config.IdentifierType
	// cfgServerIDs are option 54 values configured on subnets, networks
	// and globally: a client may name any of them (Kea's acceptServerId).
	cfgServerIDs map[netip.Addr]bool

	hookOnce    sync.Once
	hookSubnets []hooks.Subnet4
}

type subnet4 struct {
	cfg    *config.Subnet4
	id     uint32
	prefix netip.Prefix
	lo, hi uint32 // the prefix as a range
	mask   [4]byte
	net    *network4
	pools  []*pool4
	opts   optSet
	hosts  hostTable
	// resv maps reserved addresses to the hosts holding them.
	resv     map[uint32][]*host4
	class    int   // index of client-class, -1 = any client
	require  []int // require-client-classes (network's first, as Kea)
	capacity uint64
	// cursor is the last address the iterative allocator picked.
	cursor atomic.Uint32
	// lastAlloc is when an address was last allocated from the pools, for
	// choosing the preferred subnet of a shared network as Kea does.
	lastAlloc atomic.Int64
	sanitize  *hostname.Sanitizer // hostname-char-set; nil = none
	hook      hooks.Subnet4
}

type pool4 struct {
	first, last uint32
	opts        optSet
	class       int // -1 = any client
	require     []int
	size        uint64
	cfg         *config.Pool
}

type network4 struct {
	cfg     *config.SharedNetwork4
	name    string
	subnets []*subnet4 // configuration order
	opts    optSet
	class   int
	require []int
}

type class4 struct {
	name           string
	test           *expr.Expr // nil: assigned only by name (reservation, built-in)
	onlyIfRequired bool
	dependsOnKnown bool
	defined        bool
	opts           optSet
	cfg            *config.ClientClass
}

// newView builds the runtime view of cfg. Errors name the part of the
// configuration that cannot be served.
func newView(cfg *config.DHCP4) (*view, error) {
	if cfg == nil {
		return nil, fmt.Errorf("dhcp4: no Dhcp4 configuration")
	}
	if cfg.DHCPDDNS.EnableUpdates {
		return nil, fmt.Errorf("dhcp4: unsupported: dhcp-ddns.enable-updates true (leasehold sends no DNS updates)")
	}
	v := &view{
		cfg:          cfg,
		byID:         make(map[uint32]*subnet4, len(cfg.Subnets)),
		classIdx:     make(map[string]int),
		vendorIdx:    make(map[string]int),
		global:       newOptSet(cfg.Options),
		cfgServerIDs: make(map[netip.Addr]bool),
		idTypes:      cfg.HostReservationIdentifiers,
		idxDROP:      -1,
	}
	if len(v.idTypes) == 0 {
		v.idTypes = []config.IdentifierType{config.IDHWAddress, config.IDDUID, config.IDCircuitID, config.IDClientID}
	}
	if err := v.buildClasses(cfg.ClientClasses); err != nil {
		return nil, err
	}
	if v.global.serverID.IsValid() {
		v.cfgServerIDs[v.global.serverID] = true
	}
	nets := make(map[*config.SharedNetwork4]*network4)
	for _, n := range cfg.SharedNetworks {
		nw := &network4{cfg: n, name: n.Name, opts: newOptSet(n.Options),
			class: v.classRef(n.ClientClass), require: v.classRefs(n.RequireClientClasses)}
		if nw.opts.serverID.IsValid() {
			v.cfgServerIDs[nw.opts.serverID] = true
		}
		nets[n] = nw
		v.networks = append(v.networks, nw)
	}
	for _, sc := range cfg.Subnets {
		s, err := v.buildSubnet(sc, nets)
		if err != nil {
			return nil, err
		}
		v.subnets = append(v.subnets, s)
		v.byID[s.id] = s
	}
	for _, nw := range v.networks {
		for _, sc := range nw.cfg.Subnets {
			if s := v.byID[sc.ID]; s != nil {
				nw.subnets = append(nw.subnets, s)
			}
		}
	}
	if err := v.globalHosts.add(cfg.Reservations, 0, v); err != nil {
		return nil, fmt.Errorf("dhcp4: Dhcp4/reservations: %w", err)
	}
	return v, nil
}

func (v *view) buildSubnet(sc *config.Subnet4, nets map[*config.SharedNetwork4]*network4) (*subnet4, error) {
	if !sc.Prefix.Addr().Is4() {
		return nil, fmt.Errorf("dhcp4: %s: subnet %v is not IPv4", sc.Path, sc.Prefix)
	}
	s := &subnet4{
		cfg:    sc,
		id:     sc.ID,
		prefix: sc.Prefix.Masked(),
		opts:   newOptSet(sc.Options),
		class:  v.classRef(sc.ClientClass),
		resv:   make(map[uint32][]*host4),
	}
	s.lo = u32(s.prefix.Addr())
	bits := s.prefix.Bits()
	m := uint32(0)
	if bits > 0 {
		m = ^uint32(0) << (32 - bits)
	}
	s.hi = s.lo | ^m
	s.mask = [4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}
	if sc.Network != nil {
		s.net = nets[sc.Network]
	}
	if s.net != nil {
		s.require = append(s.require, s.net.require...)
	}
	s.require = append(s.require, v.classRefs(sc.RequireClientClasses)...)
	if s.opts.serverID.IsValid() {
		v.cfgServerIDs[s.opts.serverID] = true
	}
	for i := range sc.Pools {
		pc := &sc.Pools[i]
		p := &pool4{first: u32(pc.First), last: u32(pc.Last), opts: newOptSet(pc.Options),
			class: v.classRef(pc.ClientClass), require: v.classRefs(pc.RequireClientClasses), cfg: pc}
		if p.last < p.first {
			return nil, fmt.Errorf("dhcp4: %s: pool ends before it starts", pc.Path)
		}
		p.size = uint64(p.last-p.first) + 1
		s.capacity += p.size
		s.pools = append(s.pools, p)
	}
	if err := s.hosts.add(sc.Reservations, s.id, v); err != nil {
		return nil, fmt.Errorf("dhcp4: %s/reservations: %w", sc.Path, err)
	}
	for _, h := range s.hosts.all {
		if h.addr.IsValid() {
			a := u32(h.addr)
			s.resv[a] = append(s.resv[a], h)
		}
	}
	san, err := hostname.NewSanitizer(sc.DDNS.HostnameCharSet, sc.DDNS.HostnameCharReplacement)
	if err != nil {
		return nil, fmt.Errorf("dhcp4: %s: %w", sc.Path, err)
	}
	s.sanitize = san
	s.hook = hooks.Subnet4{ID: s.id, Prefix: s.prefix, UserContext: string(sc.UserContext)}
	if s.net != nil {
		s.hook.SharedNetwork = s.net.name
		s.hook.SharedNetworkUserContext = string(s.net.cfg.UserContext)
	}
	for i, p := range s.pools {
		s.hook.Pools = append(s.hook.Pools, hooks.Pool{ID: uint32(i), First: addrOf(p.first), Last: addrOf(p.last),
			UserContext: string(p.cfg.UserContext)})
	}
	return s, nil
}

// buildClasses parses the class tests. Kea evaluates a class whose test
// depends on KNOWN or UNKNOWN (directly or through member() of such a
// class) only after host reservations are looked up.
func (v *view) buildClasses(list []config.ClientClass) error {
	for i := range list {
		cc := &list[i]
		c := &class4{name: cc.Name, onlyIfRequired: cc.OnlyIfRequired, defined: true,
			opts: newOptSet(cc.Options), cfg: cc}
		if cc.Test != "" {
			e, err := expr.Parse(cc.Test, expr.V4, expr.ClassDefined(func(name string) bool {
				_, ok := v.classIdx[name]
				return ok || expr.BuiltinClass(name)
			}))
			if err != nil {
				return fmt.Errorf("dhcp4: %s/test: %w", cc.Path, err)
			}
			c.test = e
			for _, u := range e.Uses() {
				if u == "KNOWN" || u == "UNKNOWN" {
					c.dependsOnKnown = true
				} else if j, ok := v.classIdx[u]; ok && v.classes[j].dependsOnKnown {
					c.dependsOnKnown = true
				}
			}
		}
		if _, dup := v.classIdx[c.name]; dup {
			return fmt.Errorf("dhcp4: %s: class %q defined twice", cc.Path, c.name)
		}
		v.addClass(c)
	}
	v.idxALL = v.classRef("ALL")
	v.idxKNOWN = v.classRef("KNOWN")
	v.idxUNKNOWN = v.classRef("UNKNOWN")
	if i, ok := v.classIdx["DROP"]; ok {
		v.idxDROP = i
	}
	return nil
}

func (v *view) addClass(c *class4) int {
	i := len(v.classes)
	v.classes = append(v.classes, c)
	v.classIdx[c.name] = i
	if len(c.name) > len(vendorClassPrefix) && c.name[:len(vendorClassPrefix)] == vendorClassPrefix {
		v.vendorIdx[c.name[len(vendorClassPrefix):]] = i
	}
	return i
}

// classRef returns the index of a class name, adding an undefined class
// for a name no class defines. "" is -1 (no class).
func (v *view) classRef(name string) int {
	if name == "" {
		return -1
	}
	if i, ok := v.classIdx[name]; ok {
		return i
	}
	return v.addClass(&class4{name: name})
}

func (v *view) classRefs(names []string) []int {
	var out []int
	for _, n := range names {
		out = append(out, v.classRef(n))
	}
	return out
}

// hookSubnetList is subnet4collection of subnet4_select, built once.
func (v *view) hookSubnetList() []hooks.Subnet4 {
	v.hookOnce.Do(func() {
		v.hookSubnets = make([]hooks.Subnet4, len(v.subnets))
		for i, s := range v.subnets {
			v.hookSubnets[i] = s.hook
		}
	})
	return v.hookSubnets
}

// poolOf returns the pool of s holding address a.
func (s *subnet4) poolOf(a uint32) *pool4 {
	for _, p := range s.pools {
		if a >= p.first && a <= p.last {
			return p
		}
	}
	return nil
}

func (s *subnet4) contains(a uint32) bool { return a >= s.lo && a <= s.hi }

// u32 returns an IPv4 address as a number; 0 for anything else, so a
// stray invalid address can never panic the server.
func u32(a netip.Addr) uint32 {
	a = a.Unmap()
	if !a.Is4() {
		return 0
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addrOf(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

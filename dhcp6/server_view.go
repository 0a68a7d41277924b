package dhcp6

import (
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/expr"
	"github.com/leasehold/leasehold/lease"
)

// view is the run-time form of one configuration: subnets indexed for
// selection, class tests parsed, reservations indexed, options sorted by
// level. It is immutable once built; Reconfigure swaps in a new one and
// every packet uses the view it started with.
type view struct {
	cfg      *config.DHCP6
	serverID []byte

	subnets  []*subnet // sorted by ID: Kea's selection order
	byID     map[uint32]*subnet
	networks []*network

	classes   []*class // configuration order: Kea's evaluation order
	classIdx  map[string]int
	vendorIdx map[string]int // configured VENDOR_CLASS_<x> classes by <x>

	global      optionLevel
	globalHosts *hostIndex

	idTypes     []config.IdentifierType
	macSources  []uint32
	rsoo        []uint16
	probation   uint32
	earlyGlobal bool

	// formats are the option definitions received options are checked
	// against.
	formats map[uint16]optFormat

	// hookSubnets is the subnet6collection handed to subnet6_select.
	hookSubnets []hooks.Subnet6
	globalUC    string
}

type network struct {
	cfg     *config.SharedNetwork6
	subnets []*subnet // configuration order
	opts    optionLevel
}

type subnet struct {
	cfg     *config.Subnet6
	id      uint32
	prefix  netip.Prefix
	network *network
	pools   []*addrPool
	pdPools []*pdPool
	hosts   *hostIndex
	opts    optionLevel
	alloc   *lease.Allocator
	pdAlloc *lease.Allocator
	hook    *hooks.Subnet6
	// sanitizer scrubs client host names (hostname-char-set).
	sanitizer *sanitizer
	// lastAlloc orders the subnets of a shared network by their latest
	// dynamic allocation, per lease type (Kea's last allocated time).
	lastAlloc [3]atomic.Uint64
}

type addrPool struct {
	cfg    *config.Pool
	na, ta *lease.Pool6 // one allocation cursor per lease type
	opts   optionLevel
}

type pdPool struct {
	cfg  *config.PDPool
	pool *lease.Pool6
	opts optionLevel
}

type class struct {
	cfg            *config.ClientClass
	test           *expr.Expr
	dependsOnKnown bool
	opts           optionLevel
}

func newView(cfg *config.DHCP6, serverID []byte) (*view, error) {
	v := &view{
		cfg:         cfg,
		serverID:    serverID,
		byID:        make(map[uint32]*subnet, len(cfg.Subnets)),
		classIdx:    make(map[string]int, len(cfg.ClientClasses)),
		vendorIdx:   map[string]int{},
		idTypes:     cfg.HostReservationIdentifiers,
		rsoo:        cfg.RelaySuppliedOptions,
		probation:   cfg.DeclineProbationPeriod,
		earlyGlobal: cfg.EarlyGlobalReservationsLookup,
		globalUC:    string(cfg.UserContext),
		formats:     optFormats(cfg.OptionDefs),
	}
	if len(v.idTypes) == 0 {
		v.idTypes = []config.IdentifierType{config.IDHWAddress, config.IDDUID}
	}
	var err error
	if v.macSources, err = macSourceBits(cfg.MACSources); err != nil {
		return nil, err
	}
	if err := v.buildClasses(); err != nil {
		return nil, err
	}
	v.global = newOptionLevel(cfg.Options)
	if v.globalHosts, err = newHostIndex(cfg.Reservations, 0, "Dhcp6/reservations"); err != nil {
		return nil, err
	}
	iterative, err := lease.NewAllocator("iterative")
	if err != nil {
		return nil, err
	}
	random, err := lease.NewAllocator("random")
	if err != nil {
		return nil, err
	}
	pick := func(name string) *lease.Allocator {
		if name == "random" {
			return random
		}
		return iterative
	}
	nets := map[*config.SharedNetwork6]*network{}
	for _, n := range cfg.SharedNetworks {
		nw := &network{cfg: n, opts: newOptionLevel(n.Options)}
		nets[n] = nw
		v.networks = append(v.networks, nw)
	}
	v.hookSubnets = make([]hooks.Subnet6, len(cfg.Subnets))
	for i, cs := range cfg.Subnets {
		sn, err := newSubnet(cs, pick)
		if err != nil {
			return nil, err
		}
		if cs.Network != nil {
			sn.network = nets[cs.Network]
		}
		v.hookSubnets[i] = sn.hookView()
		sn.hook = &v.hookSubnets[i]
		v.subnets = append(v.subnets, sn)
		v.byID[sn.id] = sn
	}
	for _, nw := range v.networks {
		for _, cs := range nw.cfg.Subnets {
			if sn := v.byID[cs.ID]; sn != nil {
				nw.subnets = append(nw.subnets, sn)
			}
		}
	}
	return v, nil
}

func newSubnet(cs *config.Subnet6, pick func(string) *lease.Allocator) (*subnet, error) {
	sn := &subnet{
		cfg:     cs,
		id:      cs.ID,
		prefix:  cs.Prefix,
		opts:    newOptionLevel(cs.Options),
		alloc:   pick(cs.Allocator),
		pdAlloc: pick(cs.PDAllocator),
	}
	for i := range cs.Pools {
		p := &cs.Pools[i]
		na, err := lease.NewPool6(lease.TypeNA, p.First, p.Last)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Path, err)
		}
		ta, err := lease.NewPool6(lease.TypeTA, p.First, p.Last)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Path, err)
		}
		sn.pools = append(sn.pools, &addrPool{cfg: p, na: na, ta: ta, opts: newOptionLevel(p.Options)})
	}
	for i := range cs.PDPools {
		p := &cs.PDPools[i]
		pool, err := lease.NewPDPool(p.Prefix, uint8(p.DelegatedLen))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Path, err)
		}
		sn.pdPools = append(sn.pdPools, &pdPool{cfg: p, pool: pool, opts: newOptionLevel(p.Options)})
	}
	var err error
	if sn.hosts, err = newHostIndex(cs.Reservations, cs.ID, cs.Path+"/reservations"); err != nil {
		return nil, err
	}
	if sn.sanitizer, err = newSanitizer(cs.DDNS); err != nil {
		return nil, fmt.Errorf("%s/hostname-char-set: %w", cs.Path, err)
	}
	return sn, nil
}

// hookView is what callouts learn about the subnet.
func (sn *subnet) hookView() hooks.Subnet6 {
	h := hooks.Subnet6{ID: sn.id, Prefix: sn.prefix, UserContext: string(sn.cfg.UserContext)}
	if n := sn.cfg.Network; n != nil {
		h.SharedNetwork, h.SharedNetworkUserContext = n.Name, string(n.UserContext)
	}
	for _, p := range sn.pools {
		h.Pools = append(h.Pools, hooks.Pool{First: p.cfg.First, Last: p.cfg.Last, UserContext: string(p.cfg.UserContext)})
	}
	for _, p := range sn.pdPools {
		h.PDPools = append(h.PDPools, hooks.PDPool{Prefix: p.cfg.Prefix, DelegatedLen: uint8(p.cfg.DelegatedLen), UserContext: string(p.cfg.UserContext)})
	}
	return h
}

// siblings returns the subnets a client of sn may be moved among: its
// shared network's, or sn alone.
func (sn *subnet) siblings() []*subnet {
	if sn.network != nil {
		return sn.network.subnets
	}
	return nil
}

// each calls fn with sn and then, for a subnet in a shared network, the
// network's other subnets in configuration order (Kea's getNextSubnet
// walk), until fn returns false.
func (sn *subnet) each(fn func(*subnet) bool) {
	if !fn(sn) {
		return
	}
	sib := sn.siblings()
	start := 0
	for i, s := range sib {
		if s == sn {
			start = i
			break
		}
	}
	for k := 1; k < len(sib); k++ {
		if !fn(sib[(start+k)%len(sib)]) {
			return
		}
	}
}

// preferred returns the subnet of sn's shared network that the allocator
// starts from: Kea's getPreferredSubnet, which takes the last subnet, in
// configuration order, with sn's client-class whose latest dynamic
// allocation of type t is more recent than sn's.
func (sn *subnet) preferred(t lease.Type) *subnet {
	pick := sn
	last := sn.lastAlloc[t].Load()
	for _, s := range sn.siblings() {
		if s == pick || s.cfg.ClientClass != sn.cfg.ClientClass {
			continue
		}
		if s.lastAlloc[t].Load() > last {
			pick = s
		}
	}
	return pick
}

// inRange reports whether the subnet's prefix holds a.
func (sn *subnet) inRange(a netip.Addr) bool { return sn.prefix.Contains(a) }

// poolOf returns the address pool of the subnet holding a, nil if none.
func (sn *subnet) poolOf(a netip.Addr) *addrPool {
	for _, p := range sn.pools {
		if p.na.Contains(netip.PrefixFrom(a, 128)) {
			return p
		}
	}
	return nil
}

// pdPoolOf returns the prefix pool that delegated pfx, nil if none.
func (sn *subnet) pdPoolOf(pfx netip.Prefix) *pdPool {
	for _, p := range sn.pdPools {
		if p.pool.Contains(pfx) {
			return p
		}
	}
	return nil
}

// pdPoolHolding returns the prefix pool whose range holds the address a
// (any delegated length), as Kea's getPool(TYPE_PD, addr) does.
func (sn *subnet) pdPoolHolding(a netip.Addr) *pdPool {
	for _, p := range sn.pdPools {
		if p.cfg.Prefix.Contains(a) {
			return p
		}
	}
	return nil
}

func (v *view) buildClasses() error {
	defined := map[string]bool{}
	formats := customFormats(v.cfg.OptionDefs)
	names := customNames(v.cfg.OptionDefs)
	for i := range v.cfg.ClientClasses {
		cc := &v.cfg.ClientClasses[i]
		c := &class{cfg: cc, opts: newOptionLevel(cc.Options)}
		if cc.Test != "" {
			e, err := expr.Parse(cc.Test, expr.V6,
				expr.ClassDefined(func(n string) bool { return defined[n] || expr.BuiltinClass(n) }),
				expr.OptionFormats(formats), expr.OptionNames(names))
			if err != nil {
				return fmt.Errorf("%s/test: %w", cc.Path, err)
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
		defined[cc.Name] = true
		v.classIdx[cc.Name] = len(v.classes)
		if rest, ok := strings.CutPrefix(cc.Name, vendorClassPrefix); ok {
			v.vendorIdx[rest] = len(v.classes)
		}
		v.classes = append(v.classes, c)
	}
	return nil
}

// customFormats tells the expression parser how Kea decodes the options of
// custom option-def entries, which decides what .text gives.
func customFormats(defs []config.OptionDef) func(expr.Space, uint16) (expr.Format, bool) {
	m := map[uint16]expr.Format{}
	for _, d := range defs {
		if d.Space != config.SpaceDHCP6 {
			continue
		}
		switch {
		case d.Type == config.TypeString && !d.Array:
			m[d.Code] = expr.FormatString
		case (d.Type == config.TypeBinary || d.Type == config.TypeEmpty) && d.Encapsulate == "":
			m[d.Code] = expr.FormatBinary
		default:
			m[d.Code] = expr.FormatTyped
		}
	}
	return func(s expr.Space, code uint16) (expr.Format, bool) {
		if s != expr.SpaceDHCP6 {
			return 0, false
		}
		f, ok := m[code]
		return f, ok
	}
}

func customNames(defs []config.OptionDef) func(string) (uint16, bool) {
	m := map[string]uint16{}
	for _, d := range defs {
		if d.Space == config.SpaceDHCP6 {
			m[d.Name] = d.Code
		}
	}
	return func(name string) (uint16, bool) {
		c, ok := m[name]
		return c, ok
	}
}

// Kea's HWADDR_SOURCE_* bits; the lease file's hwaddr_source column holds
// the one a hardware address came from.
const (
	hwSrcRaw        uint32 = 0x01
	hwSrcDUID       uint32 = 0x02
	hwSrcLinkLocal  uint32 = 0x04
	hwSrcRelayOpt   uint32 = 0x08
	hwSrcRemoteID   uint32 = 0x10
	hwSrcSubscriber uint32 = 0x20
	hwSrcCMTS       uint32 = 0x40
	hwSrcModem      uint32 = 0x80
	hwSrcAny        uint32 = 0xffffffff
)

func macSourceBits(names []string) ([]uint32, error) {
	if len(names) == 0 {
		return []uint32{hwSrcAny}, nil
	}
	out := make([]uint32, 0, len(names))
	for _, n := range names {
		var b uint32
		switch n {
		case "any":
			b = hwSrcAny
		case "raw":
			b = hwSrcRaw
		case "duid":
			b = hwSrcDUID
		case "ipv6-link-local":
			b = hwSrcLinkLocal
		case "client-link-addr-option", "rfc6939":
			b = hwSrcRelayOpt
		case "remote-id", "rfc4649":
			b = hwSrcRemoteID
		case "subscriber-id", "rfc4580":
			b = hwSrcSubscriber
		case "docsis-cmts":
			b = hwSrcCMTS
		case "docsis-modem":
			b = hwSrcModem
		default:
			return nil, fmt.Errorf("Dhcp6/mac-sources: %q is not a MAC source", n)
		}
		out = append(out, b)
	}
	return out, nil
}

// vendorClassPrefix starts the name of the built-in class Kea gives a
// client by its vendor-class option.
const vendorClassPrefix = "VENDOR_CLASS_"

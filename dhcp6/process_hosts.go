package dhcp6

import (
	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
)

// hostID is one identifier the client's reservation is looked up by.
type hostID struct {
	typ config.IdentifierType
	id  []byte
}

// hostRef is a reservation found for the client in one subnet (0: global).
type hostRef struct {
	subnetID uint32
	h        *host
}

// earlyGlobalLookup looks the client's global reservation up before
// subnet selection (early-global-reservations-lookup). false: DROP class.
func (x *exchange) earlyGlobalLookup() bool {
	x.setHostIdentifiers()
	g := x.findIn(x.v.globalHosts)
	if g == nil {
		return true
	}
	if len(g.cfg.ClientClasses) > 0 {
		x.removeEvaluatedClasses()
		for _, n := range g.cfg.ClientClasses {
			x.addClassName(n)
		}
		x.evaluateClasses(false)
	}
	x.classes.known = 1
	x.classes.order = append(x.classes.order, classKNOWN)
	x.evaluateClasses(true)
	if x.inClass("DROP") {
		return false
	}
	x.hosts = append(x.hosts, hostRef{0, g})
	return true
}

// setHostIdentifiers lists the client's identifiers in the order of
// host-reservation-identifiers; a flex-id comes from host6_identifier.
func (x *exchange) setHostIdentifiers() {
	x.ids = x.ids[:0]
	for _, t := range x.v.idTypes {
		switch t {
		case config.IDDUID:
			if x.clientID != nil {
				x.ids = append(x.ids, hostID{t, x.clientID})
			}
		case config.IDHWAddress:
			if x.hw.addr != nil {
				x.ids = append(x.ids, hostID{t, x.hw.addr})
			}
		case config.IDFlexID:
			if !x.s.hooks.Enabled(hooks.Host6Identifier) {
				continue
			}
			x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr(), IDType: string(config.IDFlexID)}
			if x.s.hooks.Call(x.ctx, hooks.Host6Identifier, &x.args) == hooks.Continue && len(x.args.IDValue) > 0 {
				x.flexID = append(x.flexID[:0], x.args.IDValue...)
				x.ids = append(x.ids, hostID{config.IdentifierType(x.args.IDType), x.flexID})
			}
		}
	}
}

// findIn returns the first reservation of the index matching one of the
// client's identifiers, in preference order.
func (x *exchange) findIn(idx *hostIndex) *host {
	for _, id := range x.ids {
		if h := idx.lookup(id.typ, id.id); h != nil {
			return h
		}
	}
	return nil
}

// findReservations looks the client's reservations up in the selected
// subnet, the other subnets of its shared network it may use, and the
// global ones when the subnet uses them (Kea's findReservation).
func (x *exchange) findReservations() {
	sn := x.subnet
	m := sn.cfg.ReservationModes
	if x.v.earlyGlobal && !m.InSubnet {
		return
	}
	if !x.v.earlyGlobal && m.Global {
		if g := x.findIn(x.v.globalHosts); g != nil {
			x.hosts = append(x.hosts, hostRef{0, g})
			if !m.InSubnet {
				return
			}
		}
	}
	sn.each(func(s2 *subnet) bool {
		if x.allowed(s2) && s2.cfg.ReservationModes.InSubnet {
			if h := x.findIn(s2.hosts); h != nil {
				x.hosts = append(x.hosts, hostRef{s2.id, h})
			}
		}
		return true
	})
}

// hostIn returns the client's reservation in subnet id (0: global).
func (x *exchange) hostIn(id uint32) *host {
	for _, r := range x.hosts {
		if r.subnetID == id {
			return r.h
		}
	}
	return nil
}

// currentHost is the reservation that applies: the one in the subnet the
// client's reserved resources came from (or the selected subnet), else
// the global one.
func (x *exchange) currentHost() *host {
	sn := x.hostSubnet
	if sn == nil {
		sn = x.subnet
	}
	if sn != nil && sn.cfg.ReservationModes.InSubnet {
		if h := x.hostIn(sn.id); h != nil {
			return h
		}
	}
	return x.globalHost()
}

func (x *exchange) globalHost() *host {
	if x.subnet == nil || !x.subnet.cfg.ReservationModes.Global {
		return nil
	}
	return x.hostIn(0)
}

// useReservedHostname makes a reservation's host name the lease's, as Kea
// does when it hands out a reserved address.
func (x *exchange) useReservedHostname(h *host) {
	if h.cfg.Hostname == "" {
		return
	}
	x.hostname = x.qualifyReserved(h.cfg.Hostname)
}

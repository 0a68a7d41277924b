package hooks

import (
	"net/netip"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"github.com/leasehold/leasehold/lease"
)

// Conversions between Args and the protocol's messages. Both sides of the
// plugin protocol use them, so a field added here reaches plugins at once.

func argsToPB(a *Args) *pb.Args {
	m := &pb.Args{
		Query:             a.Query,
		Response:          a.Response,
		Hwaddr:            a.HWAddr,
		Hwtype:            uint32(a.HWType),
		ClientId:          a.ClientID,
		FakeAllocation:    a.FakeAllocation,
		RemoveLease:       a.RemoveLease,
		OfferLifetime:     a.OfferLifetime,
		OfferAddressInUse: a.OfferAddressInUse,
		Ia:                a.IA,
		IdType:            a.IDType,
		IdValue:           a.IDValue,
		GlobalUserContext: a.GlobalUserContext,
		JsonConfig:        a.JSONConfig,
		Error:             a.Error,
		SubnetIndex:       -1,
		QueryAddr:         addressingToPB(&a.QueryAddr),
	}
	switch {
	case a.Subnet4 != nil || len(a.Subnets4) > 0:
		subnetsToPB(m, a.Subnets4, a.Subnet4, subnet4ToPB)
	case a.Subnet6 != nil || len(a.Subnets6) > 0:
		subnetsToPB(m, a.Subnets6, a.Subnet6, subnet6ToPB)
	}
	m.Lease4 = optToPB(a.Lease4, lease4ToPB)
	m.Leases4 = listToPB(a.Leases4, lease4ToPB)
	m.DeletedLeases4 = listToPB(a.DeletedLeases4, lease4ToPB)
	m.OldLease4 = optToPB(a.OldLease4, lease4ToPB)
	m.Lease6 = optToPB(a.Lease6, lease6ToPB)
	m.Leases6 = listToPB(a.Leases6, lease6ToPB)
	m.DeletedLeases6 = listToPB(a.DeletedLeases6, lease6ToPB)
	if h := a.Host; h != nil {
		ph := &pb.Host{IdType: h.IDType, Id: h.ID, Hostname: h.Hostname, UserContext: h.UserContext}
		for _, ad := range h.Addrs {
			ph.Addrs = append(ph.Addrs, ad.AsSlice())
		}
		for _, pf := range h.Prefixes {
			ph.PrefixAddrs = append(ph.PrefixAddrs, pf.Addr().AsSlice())
			ph.PrefixLens = append(ph.PrefixLens, uint32(pf.Bits()))
		}
		m.Host = ph
	}
	return m
}

// argsFromPB builds Args for p from a message; p tells which family the
// subnets and leases belong to.
func argsFromPB(p Point, m *pb.Args) *Args {
	a := &Args{
		Query:             m.Query,
		Response:          m.Response,
		HWAddr:            m.Hwaddr,
		HWType:            uint16(m.Hwtype),
		ClientID:          m.ClientId,
		FakeAllocation:    m.FakeAllocation,
		RemoveLease:       m.RemoveLease,
		OfferLifetime:     m.OfferLifetime,
		OfferAddressInUse: m.OfferAddressInUse,
		IA:                m.Ia,
		IDType:            m.IdType,
		IDValue:           m.IdValue,
		GlobalUserContext: m.GlobalUserContext,
		JSONConfig:        m.JsonConfig,
		Error:             m.Error,
		QueryAddr:         addressingFromPB(m.QueryAddr),
	}
	if p.V6() {
		a.Subnets6, a.Subnet6 = subnetsFromPB(m, subnet6FromPB)
	} else {
		a.Subnets4, a.Subnet4 = subnetsFromPB(m, subnet4FromPB)
	}
	a.Lease4 = optFromPB(m.Lease4, lease4FromPB)
	a.Leases4 = listFromPB(m.Leases4, lease4FromPB)
	a.DeletedLeases4 = listFromPB(m.DeletedLeases4, lease4FromPB)
	a.OldLease4 = optFromPB(m.OldLease4, lease4FromPB)
	a.Lease6 = optFromPB(m.Lease6, lease6FromPB)
	a.Leases6 = listFromPB(m.Leases6, lease6FromPB)
	a.DeletedLeases6 = listFromPB(m.DeletedLeases6, lease6FromPB)
	if h := m.Host; h != nil {
		host := &Host{IDType: h.IdType, ID: h.Id, Hostname: h.Hostname, UserContext: h.UserContext}
		for _, b := range h.Addrs {
			host.Addrs = append(host.Addrs, addr(b))
		}
		for i, b := range h.PrefixAddrs {
			if i < len(h.PrefixLens) {
				host.Prefixes = append(host.Prefixes, netip.PrefixFrom(addr(b), int(h.PrefixLens[i])))
			}
		}
		a.Host = host
	}
	if p == Leases4Committed || p == Lease4Offer {
		a.Leases4 = nonNil(a.Leases4)
		a.DeletedLeases4 = nonNil(a.DeletedLeases4)
	}
	if p == Leases6Committed {
		a.Leases6 = nonNil(a.Leases6)
		a.DeletedLeases6 = nonNil(a.DeletedLeases6)
	}
	return a
}

// nonNil keeps Kea's promise that the lease lists of leases4_committed are
// always present, maybe empty.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// subnetsToPB puts the subnet list into m, and the selected subnet both by
// its index in the list (so the far side can point into its own copy) and
// in full (for a selected subnet that is not in the list).
func subnetsToPB[S any](m *pb.Args, list []S, selected *S, conv func(*S) *pb.Subnet) {
	for i := range list {
		m.Subnets = append(m.Subnets, conv(&list[i]))
		if selected == &list[i] {
			m.SubnetIndex = int32(i)
		}
	}
	m.Subnet = optToPB(selected, conv)
}

// subnetsFromPB undoes subnetsToPB: selected points into list when the
// sender's did.
func subnetsFromPB[S any](m *pb.Args, conv func(*pb.Subnet) S) (list []S, selected *S) {
	list = listFromPB(m.Subnets, conv)
	if i := int(m.SubnetIndex); i >= 0 && i < len(list) {
		return list, &list[i]
	}
	return list, optFromPB(m.Subnet, conv)
}

// listToPB and listFromPB convert lists element by element; an empty list
// comes out nil.
func listToPB[T, M any](in []T, conv func(*T) M) []M {
	var out []M
	for i := range in {
		out = append(out, conv(&in[i]))
	}
	return out
}

func listFromPB[M, T any](in []M, conv func(M) T) []T {
	var out []T
	for _, m := range in {
		out = append(out, conv(m))
	}
	return out
}

// optToPB and optFromPB convert a value that may be absent (nil).
func optToPB[T, M any](v *T, conv func(*T) *M) *M {
	if v == nil {
		return nil
	}
	return conv(v)
}

func optFromPB[M, T any](m *M, conv func(*M) T) *T {
	if m == nil {
		return nil
	}
	v := conv(m)
	return &v
}

// addressingToPB leaves the message out when nothing is known, as at the
// points that have no query.
func addressingToPB(a *Addressing) *pb.Addressing {
	if !addressingKnown(a) {
		return nil
	}
	return &pb.Addressing{
		LocalAddr: a.Local.Addr().AsSlice(), LocalZone: a.Local.Addr().Zone(), LocalPort: uint32(a.Local.Port()),
		RemoteAddr: a.Remote.Addr().AsSlice(), RemoteZone: a.Remote.Addr().Zone(), RemotePort: uint32(a.Remote.Port()),
		IfIndex: int32(a.IfIndex), IfName: a.IfName,
		LocalHwaddr: a.LocalHWAddr, LocalHwtype: uint32(a.LocalHWType),
		RemoteHwaddr: a.RemoteHWAddr, RemoteHwtype: uint32(a.RemoteHWType),
	}
}

func addressingKnown(a *Addressing) bool {
	return a.Local.IsValid() || a.Remote.IsValid() || a.Local.Port() != 0 || a.Remote.Port() != 0 ||
		a.IfIndex != 0 || a.IfName != "" || a.LocalHWAddr != nil || a.RemoteHWAddr != nil ||
		a.LocalHWType != 0 || a.RemoteHWType != 0
}

// addressingFromPB undoes addressingToPB; a message from a host that does
// not send it gives the zero Addressing.
func addressingFromPB(m *pb.Addressing) Addressing {
	if m == nil {
		return Addressing{}
	}
	return Addressing{
		Local:   netip.AddrPortFrom(addr(m.LocalAddr).WithZone(m.LocalZone), uint16(m.LocalPort)),
		Remote:  netip.AddrPortFrom(addr(m.RemoteAddr).WithZone(m.RemoteZone), uint16(m.RemotePort)),
		IfIndex: int(m.IfIndex), IfName: m.IfName,
		LocalHWAddr: m.LocalHwaddr, LocalHWType: uint16(m.LocalHwtype),
		RemoteHWAddr: m.RemoteHwaddr, RemoteHWType: uint16(m.RemoteHwtype),
	}
}

func addr(b []byte) netip.Addr {
	a, _ := netip.AddrFromSlice(b)
	return a
}

func prefix(b []byte, bits uint32) netip.Prefix {
	a := addr(b)
	if !a.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, int(bits))
}

func poolToPB(p *Pool) *pb.Pool {
	return &pb.Pool{Id: p.ID, First: p.First.AsSlice(), Last: p.Last.AsSlice(), UserContext: p.UserContext}
}

func poolFromPB(p *pb.Pool) Pool {
	return Pool{ID: p.Id, First: addr(p.First), Last: addr(p.Last), UserContext: p.UserContext}
}

func subnet4ToPB(s *Subnet4) *pb.Subnet {
	return &pb.Subnet{Id: s.ID, PrefixAddr: s.Prefix.Addr().AsSlice(), PrefixLen: uint32(s.Prefix.Bits()),
		SharedNetwork: s.SharedNetwork, UserContext: s.UserContext,
		SharedNetworkUserContext: s.SharedNetworkUserContext, Pools: listToPB(s.Pools, poolToPB)}
}

func subnet4FromPB(m *pb.Subnet) Subnet4 {
	return Subnet4{ID: m.Id, Prefix: prefix(m.PrefixAddr, m.PrefixLen), SharedNetwork: m.SharedNetwork,
		UserContext: m.UserContext, SharedNetworkUserContext: m.SharedNetworkUserContext, Pools: listFromPB(m.Pools, poolFromPB)}
}

func subnet6ToPB(s *Subnet6) *pb.Subnet {
	m := &pb.Subnet{Id: s.ID, PrefixAddr: s.Prefix.Addr().AsSlice(), PrefixLen: uint32(s.Prefix.Bits()),
		SharedNetwork: s.SharedNetwork, UserContext: s.UserContext,
		SharedNetworkUserContext: s.SharedNetworkUserContext, Pools: listToPB(s.Pools, poolToPB)}
	for _, p := range s.PDPools {
		m.PdPools = append(m.PdPools, &pb.PDPool{Id: p.ID, PrefixAddr: p.Prefix.Addr().AsSlice(),
			PrefixLen: uint32(p.Prefix.Bits()), DelegatedLen: uint32(p.DelegatedLen), UserContext: p.UserContext})
	}
	return m
}

func subnet6FromPB(m *pb.Subnet) Subnet6 {
	s := Subnet6{ID: m.Id, Prefix: prefix(m.PrefixAddr, m.PrefixLen), SharedNetwork: m.SharedNetwork,
		UserContext: m.UserContext, SharedNetworkUserContext: m.SharedNetworkUserContext, Pools: listFromPB(m.Pools, poolFromPB)}
	for _, p := range m.PdPools {
		s.PDPools = append(s.PDPools, PDPool{ID: p.Id, Prefix: prefix(p.PrefixAddr, p.PrefixLen),
			DelegatedLen: uint8(p.DelegatedLen), UserContext: p.UserContext})
	}
	return s
}

func lease4ToPB(l *lease.Lease4) *pb.Lease4 {
	return &pb.Lease4{Addr: l.Addr.AsSlice(), Hwaddr: l.HWAddr, ClientId: l.ClientID,
		ValidLifetime: l.ValidLifetime, Cltt: l.CLTT, SubnetId: l.SubnetID, PoolId: l.PoolID,
		FqdnFwd: l.FQDNFwd, FqdnRev: l.FQDNRev, Hostname: l.Hostname, State: uint32(l.State),
		UserContext: l.UserContext}
}

func lease4FromPB(m *pb.Lease4) lease.Lease4 {
	return lease.Lease4{Addr: addr(m.Addr), HWAddr: m.Hwaddr, ClientID: m.ClientId,
		ValidLifetime: m.ValidLifetime, CLTT: m.Cltt, SubnetID: m.SubnetId, PoolID: m.PoolId,
		FQDNFwd: m.FqdnFwd, FQDNRev: m.FqdnRev, Hostname: m.Hostname, State: lease.State(m.State),
		UserContext: m.UserContext}
}

func lease6ToPB(l *lease.Lease6) *pb.Lease6 {
	return &pb.Lease6{Type: uint32(l.Type), Addr: l.Addr.AsSlice(), PrefixLen: uint32(l.PrefixLen),
		Duid: l.DUID, Iaid: l.IAID, ValidLifetime: l.ValidLifetime, PreferredLifetime: l.PreferredLifetime,
		Cltt: l.CLTT, SubnetId: l.SubnetID, PoolId: l.PoolID, FqdnFwd: l.FQDNFwd, FqdnRev: l.FQDNRev,
		Hostname: l.Hostname, Hwaddr: l.HWAddr, Hwtype: uint32(l.HWType), HwaddrSource: l.HWAddrSource,
		State: uint32(l.State), UserContext: l.UserContext}
}

func lease6FromPB(m *pb.Lease6) lease.Lease6 {
	return lease.Lease6{Type: lease.Type(m.Type), Addr: addr(m.Addr), PrefixLen: uint8(m.PrefixLen),
		DUID: m.Duid, IAID: m.Iaid, ValidLifetime: m.ValidLifetime, PreferredLifetime: m.PreferredLifetime,
		CLTT: m.Cltt, SubnetID: m.SubnetId, PoolID: m.PoolId, FQDNFwd: m.FqdnFwd, FQDNRev: m.FqdnRev,
		Hostname: m.Hostname, HWAddr: m.Hwaddr, HWType: uint16(m.Hwtype), HWAddrSource: m.HwaddrSource,
		State: lease.State(m.State), UserContext: m.UserContext}
}

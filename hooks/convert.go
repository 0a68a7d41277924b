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
	}
	switch {
	case a.Subnet4 != nil || len(a.Subnets4) > 0:
		for i := range a.Subnets4 {
			m.Subnets = append(m.Subnets, subnet4ToPB(&a.Subnets4[i]))
			if a.Subnet4 == &a.Subnets4[i] {
				m.SubnetIndex = int32(i)
			}
		}
		if a.Subnet4 != nil {
			m.Subnet = subnet4ToPB(a.Subnet4)
		}
	case a.Subnet6 != nil || len(a.Subnets6) > 0:
		for i := range a.Subnets6 {
			m.Subnets = append(m.Subnets, subnet6ToPB(&a.Subnets6[i]))
			if a.Subnet6 == &a.Subnets6[i] {
				m.SubnetIndex = int32(i)
			}
		}
		if a.Subnet6 != nil {
			m.Subnet = subnet6ToPB(a.Subnet6)
		}
	}
	if a.Lease4 != nil {
		m.Lease4 = lease4ToPB(a.Lease4)
	}
	for i := range a.Leases4 {
		m.Leases4 = append(m.Leases4, lease4ToPB(&a.Leases4[i]))
	}
	for i := range a.DeletedLeases4 {
		m.DeletedLeases4 = append(m.DeletedLeases4, lease4ToPB(&a.DeletedLeases4[i]))
	}
	if a.OldLease4 != nil {
		m.OldLease4 = lease4ToPB(a.OldLease4)
	}
	if a.Lease6 != nil {
		m.Lease6 = lease6ToPB(a.Lease6)
	}
	for i := range a.Leases6 {
		m.Leases6 = append(m.Leases6, lease6ToPB(&a.Leases6[i]))
	}
	for i := range a.DeletedLeases6 {
		m.DeletedLeases6 = append(m.DeletedLeases6, lease6ToPB(&a.DeletedLeases6[i]))
	}
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

// argsFromPB builds Args for p from a message; v6 tells which family the
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
	}
	idx := int(m.SubnetIndex)
	if p.V6() {
		for _, s := range m.Subnets {
			a.Subnets6 = append(a.Subnets6, subnet6FromPB(s))
		}
		if idx >= 0 && idx < len(a.Subnets6) {
			a.Subnet6 = &a.Subnets6[idx]
		} else if m.Subnet != nil {
			s := subnet6FromPB(m.Subnet)
			a.Subnet6 = &s
		}
	} else {
		for _, s := range m.Subnets {
			a.Subnets4 = append(a.Subnets4, subnet4FromPB(s))
		}
		if idx >= 0 && idx < len(a.Subnets4) {
			a.Subnet4 = &a.Subnets4[idx]
		} else if m.Subnet != nil {
			s := subnet4FromPB(m.Subnet)
			a.Subnet4 = &s
		}
	}
	if m.Lease4 != nil {
		l := lease4FromPB(m.Lease4)
		a.Lease4 = &l
	}
	for _, l := range m.Leases4 {
		a.Leases4 = append(a.Leases4, lease4FromPB(l))
	}
	for _, l := range m.DeletedLeases4 {
		a.DeletedLeases4 = append(a.DeletedLeases4, lease4FromPB(l))
	}
	if m.OldLease4 != nil {
		l := lease4FromPB(m.OldLease4)
		a.OldLease4 = &l
	}
	if m.Lease6 != nil {
		l := lease6FromPB(m.Lease6)
		a.Lease6 = &l
	}
	for _, l := range m.Leases6 {
		a.Leases6 = append(a.Leases6, lease6FromPB(l))
	}
	for _, l := range m.DeletedLeases6 {
		a.DeletedLeases6 = append(a.DeletedLeases6, lease6FromPB(l))
	}
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

func pools(ps []Pool) []*pb.Pool {
	var out []*pb.Pool
	for _, p := range ps {
		out = append(out, &pb.Pool{Id: p.ID, First: p.First.AsSlice(), Last: p.Last.AsSlice(), UserContext: p.UserContext})
	}
	return out
}

func poolsFromPB(ps []*pb.Pool) []Pool {
	var out []Pool
	for _, p := range ps {
		out = append(out, Pool{ID: p.Id, First: addr(p.First), Last: addr(p.Last), UserContext: p.UserContext})
	}
	return out
}

func subnet4ToPB(s *Subnet4) *pb.Subnet {
	return &pb.Subnet{Id: s.ID, PrefixAddr: s.Prefix.Addr().AsSlice(), PrefixLen: uint32(s.Prefix.Bits()),
		SharedNetwork: s.SharedNetwork, UserContext: s.UserContext,
		SharedNetworkUserContext: s.SharedNetworkUserContext, Pools: pools(s.Pools)}
}

func subnet4FromPB(m *pb.Subnet) Subnet4 {
	return Subnet4{ID: m.Id, Prefix: prefix(m.PrefixAddr, m.PrefixLen), SharedNetwork: m.SharedNetwork,
		UserContext: m.UserContext, SharedNetworkUserContext: m.SharedNetworkUserContext, Pools: poolsFromPB(m.Pools)}
}

func subnet6ToPB(s *Subnet6) *pb.Subnet {
	m := &pb.Subnet{Id: s.ID, PrefixAddr: s.Prefix.Addr().AsSlice(), PrefixLen: uint32(s.Prefix.Bits()),
		SharedNetwork: s.SharedNetwork, UserContext: s.UserContext,
		SharedNetworkUserContext: s.SharedNetworkUserContext, Pools: pools(s.Pools)}
	for _, p := range s.PDPools {
		m.PdPools = append(m.PdPools, &pb.PDPool{Id: p.ID, PrefixAddr: p.Prefix.Addr().AsSlice(),
			PrefixLen: uint32(p.Prefix.Bits()), DelegatedLen: uint32(p.DelegatedLen), UserContext: p.UserContext})
	}
	return m
}

func subnet6FromPB(m *pb.Subnet) Subnet6 {
	s := Subnet6{ID: m.Id, Prefix: prefix(m.PrefixAddr, m.PrefixLen), SharedNetwork: m.SharedNetwork,
		UserContext: m.UserContext, SharedNetworkUserContext: m.SharedNetworkUserContext, Pools: poolsFromPB(m.Pools)}
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

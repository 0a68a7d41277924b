package hooks

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

// TestArgsRoundTrip sends Args through the protocol's messages and back, as
// host and plugin do: every converted field comes back equal, and a
// selected subnet that was in the list points into the received list.
func TestArgsRoundTrip(t *testing.T) {
	pool := Pool{ID: 3, First: netip.MustParseAddr("192.0.2.10"), Last: netip.MustParseAddr("192.0.2.20"), UserContext: `{"a":1}`}
	subnets4 := []Subnet4{
		{ID: 1, Prefix: netip.MustParsePrefix("192.0.2.0/24"), Pools: []Pool{pool}},
		{ID: 2, Prefix: netip.MustParsePrefix("198.51.100.0/24"), SharedNetwork: "lab", UserContext: `{"s":2}`, SharedNetworkUserContext: `{"n":1}`},
	}
	l4 := lease.Lease4{Addr: netip.MustParseAddr("192.0.2.11"), HWAddr: []byte{2, 0, 0, 0, 0, 1}, ClientID: []byte{1, 2},
		ValidLifetime: 4000, CLTT: 1795591639, SubnetID: 1, PoolID: 3, FQDNFwd: true, Hostname: "h", UserContext: `{"u":1}`}
	l6 := lease.Lease6{Type: lease.TypePD, Addr: netip.MustParseAddr("2001:db8:8000::"), PrefixLen: 56, DUID: []byte{0, 3, 0, 1, 2},
		IAID: 9, ValidLifetime: 4000, PreferredLifetime: 3000, CLTT: 5, SubnetID: 7, HWAddr: []byte{2, 0, 0, 0, 0, 2}, HWType: 1,
		HWAddrSource: 4, State: lease.StateDeclined, FQDNRev: true}
	subnet6 := Subnet6{ID: 7, Prefix: netip.MustParsePrefix("2001:db8:1::/64"),
		PDPools: []PDPool{{ID: 1, Prefix: netip.MustParsePrefix("2001:db8:8000::/48"), DelegatedLen: 56, UserContext: `{}`}}}
	tests := []struct {
		name string
		p    Point
		args func() *Args
		// inList is the index the selected subnet must point at, or -1.
		inList int
	}{
		{"v4 selected in list", Subnet4Select, func() *Args {
			a := &Args{Query: []byte{1, 2, 3}, HWAddr: []byte{2, 0, 0, 0, 0, 1}, HWType: 1, ClientID: []byte{1, 2},
				Subnets4: append([]Subnet4(nil), subnets4...), Lease4: &l4, Leases4: []lease.Lease4{l4},
				OldLease4: &l4, FakeAllocation: true, OfferLifetime: 60, IDType: "hw-address", IDValue: []byte{1},
				Host:              &Host{IDType: "hw-address", ID: []byte{1}, Hostname: "h", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.5")}},
				GlobalUserContext: `{"g":1}`, JSONConfig: []byte(`{"k":true}`), Error: "e"}
			a.Subnet4 = &a.Subnets4[1]
			return a
		}, 1},
		{"v4 selected alone", Subnet4Select, func() *Args {
			return &Args{Subnet4: &subnets4[0]}
		}, -1},
		{"v6 selected alone with list", Subnet6Select, func() *Args {
			return &Args{Subnets6: []Subnet6{{ID: 8}}, Subnet6: &subnet6, Lease6: &l6, DeletedLeases6: []lease.Lease6{l6}, IA: []byte{0, 25},
				Host: &Host{Prefixes: []netip.Prefix{netip.MustParsePrefix("2001:db8:9::/56")}}}
		}, -1},
		{"v4 query addressing", Lease4Renew, func() *Args {
			return &Args{Query: []byte{1}, QueryAddr: Addressing{
				Local: netip.MustParseAddrPort("255.255.255.255:67"), Remote: netip.MustParseAddrPort("0.0.0.0:68"),
				IfIndex: 7, IfName: "veth0",
				LocalHWAddr: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, LocalHWType: 1,
				RemoteHWAddr: []byte{2, 0, 0, 0x4a, 0x0a, 1}, RemoteHWType: 1}}
		}, -1},
		{"v6 query addressing with zones", Lease6Renew, func() *Args {
			return &Args{Query: []byte{5}, QueryAddr: Addressing{
				Local: netip.MustParseAddrPort("[fe80::1%veth1]:547"), Remote: netip.MustParseAddrPort("[fe80::ff:fe4a:101%veth1]:546"),
				IfIndex: 3, IfName: "veth1"}}
		}, -1},
		{"only a port known", Lease6Renew, func() *Args {
			return &Args{QueryAddr: Addressing{Local: netip.AddrPortFrom(netip.Addr{}, 547)}}
		}, -1},
		{"leases4_committed lists stay present", Leases4Committed, func() *Args {
			return &Args{Leases4: []lease.Lease4{}, DeletedLeases4: []lease.Lease4{}}
		}, -1},
		{"leases6_committed lists stay present", Leases6Committed, func() *Args {
			return &Args{Leases6: []lease.Lease6{}, DeletedLeases6: []lease.Lease6{}}
		}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.args()
			out := argsFromPB(tc.p, argsToPB(in))
			if !reflect.DeepEqual(out, in) {
				t.Fatalf("round trip changed the args:\n got %+v\nwant %+v", out, in)
			}
			at := selectedIndex(out.Subnet4, out.Subnets4)
			if tc.p.V6() {
				at = selectedIndex(out.Subnet6, out.Subnets6)
			}
			if at != tc.inList {
				t.Errorf("the selected subnet points at list entry %d, want %d (-1: none)", at, tc.inList)
			}
		})
	}
}

// TestAddressingAbsent: a host that does not send the query's addressing
// (older than the field, or a point without a query) gives the zero value,
// and the zero value is not sent.
func TestAddressingAbsent(t *testing.T) {
	if m := argsToPB(&Args{Query: []byte{1}}); m.QueryAddr != nil {
		t.Errorf("zero addressing sent as %v", m.QueryAddr)
	}
	a := argsFromPB(Lease4Renew, argsToPB(&Args{Query: []byte{1}}))
	if !reflect.DeepEqual(a.QueryAddr, Addressing{}) {
		t.Errorf("absent addressing decoded as %+v", a.QueryAddr)
	}
}

func selectedIndex[S any](selected *S, list []S) int {
	for i := range list {
		if selected == &list[i] {
			return i
		}
	}
	return -1
}

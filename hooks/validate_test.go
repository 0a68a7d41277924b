package hooks

import (
	"context"
	"net/netip"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

func TestChangeValidation(t *testing.T) {
	type check func(t *testing.T, a *Args)
	tests := []struct {
		name    string
		p       Point
		args    func() *Args
		edit    func(a *Args)
		applied bool
		check   check
	}{
		{
			name: "pkt4_send response with same xid and type", p: Pkt4Send,
			args: func() *Args { return &Args{Query: packet4(1, 9, 3), Response: packet4(2, 9, 5)} },
			edit: func(a *Args) {
				r := packet4(2, 9, 5)
				a.Response = append(r[:len(r)-1], 3, 4, 192, 0, 2, 1, 255) // add option 3
			},
			applied: true,
		},
		{
			name: "pkt4_send response with another xid", p: Pkt4Send,
			args: func() *Args { return &Args{Response: packet4(2, 9, 5)} },
			edit: func(a *Args) { a.Response = packet4(2, 10, 5) },
		},
		{
			name: "pkt4_send response turned into NAK", p: Pkt4Send,
			args: func() *Args { return &Args{Response: packet4(2, 9, 5)} },
			edit: func(a *Args) { a.Response = packet4(2, 9, 6) },
		},
		{
			name: "pkt4_send response with op request", p: Pkt4Send,
			args: func() *Args { return &Args{Response: packet4(2, 9, 5)} },
			edit: func(a *Args) { a.Response = packet4(1, 9, 5) },
		},
		{
			name: "pkt4_send response without cookie", p: Pkt4Send,
			args: func() *Args { return &Args{Response: packet4(2, 9, 5)} },
			edit: func(a *Args) { a.Response = make([]byte, 300) },
		},
		{
			name: "pkt4_receive may not change the response", p: Pkt4Receive,
			args: func() *Args { return &Args{Query: packet4(1, 9, 1), Response: packet4(2, 9, 2)} },
			edit: func(a *Args) { a.Response = packet4(2, 9, 2) },
		},
		{
			name: "pkt4_receive query edit", p: Pkt4Receive,
			args: func() *Args { return &Args{Query: packet4(1, 9, 1)} },
			edit: func(a *Args) { a.Query = packet4(1, 9, 1) }, applied: true,
		},
		{
			name: "pkt6_send response with same xid", p: Pkt6Send,
			args: func() *Args { return &Args{Response: packet6(7, 0xabcdef)} },
			edit: func(a *Args) { a.Response = append(packet6(7, 0xabcdef), 0, 23, 0, 0) }, applied: true,
		},
		{
			name: "pkt6_send response with other xid", p: Pkt6Send,
			args: func() *Args { return &Args{Response: packet6(7, 0xabcdef)} },
			edit: func(a *Args) { a.Response = packet6(7, 1) },
		},
		{
			name: "lease4_select address inside the subnet", p: Lease4Select,
			args:    leaseArgs,
			edit:    func(a *Args) { a.Lease4.Addr = netip.MustParseAddr("192.0.2.99"); a.Lease4.Hostname = "h" },
			applied: true,
			check: func(t *testing.T, a *Args) {
				if a.Lease4.Addr != netip.MustParseAddr("192.0.2.99") || a.Lease4.Hostname != "h" {
					t.Errorf("lease = %+v", a.Lease4)
				}
			},
		},
		{
			name: "lease4_select address outside the subnet", p: Lease4Select,
			args: leaseArgs,
			edit: func(a *Args) { a.Lease4.Addr = netip.MustParseAddr("198.51.100.9") },
			check: func(t *testing.T, a *Args) {
				if a.Lease4.Addr != netip.MustParseAddr("192.0.2.10") {
					t.Errorf("refused lease edit not undone: %v", a.Lease4.Addr)
				}
			},
		},
		{
			name: "lease4_select replaced lease pointer", p: Lease4Select,
			args: leaseArgs,
			edit: func(a *Args) { l := *a.Lease4; l.ValidLifetime = 60; a.Lease4 = &l }, applied: true,
		},
		{
			name: "lease4_select hardware address", p: Lease4Select,
			args: leaseArgs,
			edit: func(a *Args) { a.Lease4.HWAddr = []byte{9, 9, 9, 9, 9, 9} },
		},
		{
			name: "lease4_select zero lifetime", p: Lease4Select,
			args: leaseArgs,
			edit: func(a *Args) { a.Lease4.ValidLifetime = 0 },
		},
		{
			name: "lease4_select removed lease", p: Lease4Select,
			args: leaseArgs,
			edit: func(a *Args) { a.Lease4 = nil },
		},
		{
			name: "lease4_release may not change the lease", p: Lease4Release,
			args: leaseArgs,
			edit: func(a *Args) { l := *a.Lease4; a.Lease4 = &l },
		},
		{
			name: "subnet4_select another subnet of the collection", p: Subnet4Select,
			args: subnetArgs,
			edit: func(a *Args) { a.Subnet4 = &Subnet4{ID: 2} }, applied: true,
			check: func(t *testing.T, a *Args) {
				if a.Subnet4 != &a.Subnets4[1] {
					t.Error("selected subnet not taken from the collection")
				}
			},
		},
		{
			name: "subnet4_select made-up subnet", p: Subnet4Select,
			args: subnetArgs,
			edit: func(a *Args) { a.Subnet4 = &Subnet4{ID: 77} },
		},
		{
			name: "subnet4_select none", p: Subnet4Select,
			args: subnetArgs,
			edit: func(a *Args) { a.Subnet4 = nil }, applied: true,
		},
		{
			name: "lease6_select delegated prefix with host bits", p: Lease6Select,
			args: pdArgs,
			edit: func(a *Args) { a.Lease6.Addr = netip.MustParseAddr("2001:db8:8000::1") },
		},
		{
			name: "lease6_select preferred above valid", p: Lease6Select,
			args: pdArgs,
			edit: func(a *Args) { a.Lease6.PreferredLifetime = a.Lease6.ValidLifetime + 1 },
		},
		{
			name: "lease6_select other prefix", p: Lease6Select,
			args: pdArgs,
			edit: func(a *Args) { a.Lease6.Addr = netip.MustParseAddr("2001:db8:9000::") }, applied: true,
		},
		{
			name: "lease6_renew IA with other IAID", p: Lease6Renew,
			args: func() *Args { return &Args{IA: []byte{0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}} },
			edit: func(a *Args) { a.IA = []byte{0, 3, 0, 12, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0} },
		},
		{
			name: "lease6_renew IA with new timers", p: Lease6Renew,
			args: func() *Args { return &Args{IA: []byte{0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}} },
			edit: func(a *Args) { a.IA = []byte{0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 2, 0} }, applied: true,
		},
		{
			name: "host4_identifier flex-id", p: Host4Identifier,
			args: func() *Args { return &Args{} },
			edit: func(a *Args) { a.IDType, a.IDValue = "flex-id", []byte("x") }, applied: true,
		},
		{
			name: "host4_identifier unknown type", p: Host4Identifier,
			args: func() *Args { return &Args{} },
			edit: func(a *Args) { a.IDType, a.IDValue = "mac", []byte("x") },
		},
		{
			name: "dhcp4_srv_configured error", p: Dhcp4SrvConfigured,
			args: func() *Args { return &Args{JSONConfig: []byte(`{}`)} },
			edit: func(a *Args) { a.Error = "no" }, applied: true,
		},
		{
			name: "lease4_offer address in use", p: Lease4Offer,
			args: func() *Args { return &Args{} },
			edit: func(a *Args) { a.OfferAddressInUse = true }, applied: true,
		},
		{
			name: "leases4_committed address in use", p: Leases4Committed,
			args: func() *Args { return &Args{} },
			edit: func(a *Args) { a.OfferAddressInUse = true },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &fakeLib{name: "l", reg: Registration{tt.p: Sync}, fn: func(_ Point, a *Args) (NextStep, error) {
				tt.edit(a)
				return Continue, nil
			}}
			m := newManager(t, linked(l))
			a := tt.args()
			var before snapshot
			before.take(tt.p, a)
			m.Call(context.Background(), tt.p, a)
			invalid := m.Stats()[0].Invalid
			if tt.applied && invalid != 0 {
				t.Fatalf("valid change refused")
			}
			if !tt.applied {
				if invalid != 1 {
					t.Fatalf("invalid change accepted")
				}
				if !sameBytes(a.Query, before.query) || !sameBytes(a.Response, before.response) ||
					a.Subnet4 != before.subnet4 || a.Lease4 != before.lease4p || !sameBytes(a.IA, before.ia) ||
					a.Error != before.errText || a.OfferAddressInUse != before.inUse || a.IDType != before.idType {
					t.Error("refused change not undone")
				}
			}
			if tt.check != nil {
				tt.check(t, a)
			}
		})
	}
}

func leaseArgs() *Args {
	subs := testSubnets4()
	return &Args{Query: packet4(1, 9, 3), Subnets4: subs, Subnet4: &subs[0], Lease4: testLease4()}
}

func subnetArgs() *Args {
	subs := testSubnets4()
	return &Args{Query: packet4(1, 9, 1), Subnets4: subs, Subnet4: &subs[0]}
}

func pdArgs() *Args {
	s := Subnet6{ID: 1, Prefix: netip.MustParsePrefix("2001:db8:1::/64")}
	return &Args{Subnet6: &s, Lease6: &lease.Lease6{Type: lease.TypePD, Addr: netip.MustParseAddr("2001:db8:8000::"),
		PrefixLen: 56, DUID: []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, 1}, IAID: 1, ValidLifetime: 4000, PreferredLifetime: 3000, SubnetID: 1}}
}

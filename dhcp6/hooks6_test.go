package dhcp6

import (
	"net/netip"
	"testing"

	"github.com/leasehold/leasehold/hooks"
)

// TestHookQueryAddr: every hook call that has the query also has where it
// came from; DHCPv6 has no link-layer addresses (Kea 2.2 has none either).
func TestHookQueryAddr(t *testing.T) {
	d := duidLL(1)
	relayed := func(q []byte) []byte { return srvRelay(q, relayHop{link: "2001:db8:2::1", peer: "fe80::1"}) }
	tests := []struct {
		name string
		meta PacketMeta
		wrap func([]byte) []byte
		want hooks.Addressing
	}{
		{"multicast from the client", tsDirect, nil, hooks.Addressing{
			Local: netip.MustParseAddrPort("[ff02::1:2]:547"), Remote: netip.MustParseAddrPort("[fe80::1%eth0]:546"), IfIndex: 2, IfName: "eth0"}},
		{"from a relay", tsRelay, relayed, hooks.Addressing{
			Local: netip.MustParseAddrPort("[2001:db8:1::1]:547"), Remote: netip.MustParseAddrPort("[2001:db8:2::1]:547"), IfIndex: 2, IfName: "eth0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(hooks.Buffer6Receive, hooks.Pkt6Receive, hooks.Subnet6Select, hooks.Lease6Select,
				hooks.Leases6Committed, hooks.Pkt6Send, hooks.Lease6Renew, hooks.Lease6Release)
			ts := newTS(t, tsBase, withHooks(rec))
			wrap := tc.wrap
			if wrap == nil {
				wrap = func(q []byte) []byte { return q }
			}
			adv := ts.ask(wrap(srvMsg(Solicit, 1, d, []opt{withNA(1)})), tc.meta)
			if tc.wrap != nil {
				mustRelayed(t, adv)
			}
			rep := ts.ask(wrap(srvMsg(Request, 2, d, []opt{withServerIDOf(adv.Msg.Options), withIAs(adv.Msg.Options)})), tc.meta)
			if tc.wrap != nil {
				mustRelayed(t, rep)
			}
			ts.ask(wrap(srvMsg(Renew, 3, d, []opt{withServerIDOf(rep.Msg.Options), withIAs(rep.Msg.Options)})), tc.meta)
			ts.ask(wrap(srvMsg(Release, 4, d, []opt{withServerIDOf(rep.Msg.Options), withIAs(rep.Msg.Options)})), tc.meta)
			seen := map[hooks.Point]bool{}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			for _, c := range rec.calls {
				if c.a.Query == nil {
					continue
				}
				seen[c.p] = true
				if c.a.QueryAddr.LocalHWAddr != nil || c.a.QueryAddr.RemoteHWAddr != nil {
					t.Errorf("%s: hardware addresses %+v", c.p, c.a.QueryAddr)
				}
				if got := c.a.QueryAddr; got.Local != tc.want.Local || got.Remote != tc.want.Remote ||
					got.IfIndex != tc.want.IfIndex || got.IfName != tc.want.IfName {
					t.Errorf("%s: query addressing\n got %+v\nwant %+v", c.p, got, tc.want)
				}
			}
			for _, p := range []hooks.Point{hooks.Buffer6Receive, hooks.Pkt6Receive, hooks.Subnet6Select, hooks.Lease6Select,
				hooks.Leases6Committed, hooks.Pkt6Send, hooks.Lease6Renew, hooks.Lease6Release} {
				if !seen[p] {
					t.Errorf("%s was not called with a query", p)
				}
			}
		})
	}
}

// mustRelayed checks that the answer to a relayed query is relayed (its
// Msg is the client message inside).
func mustRelayed(t *testing.T, p *Packet) {
	t.Helper()
	if len(p.Relays) == 0 {
		t.Fatal("the answer to a relayed query is not relayed")
	}
}

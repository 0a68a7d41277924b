package dhcp6

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

const tsRelayConfig = `{"Dhcp6": {
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "server-id": {"type": "LL", "identifier": "02000000aa01", "persist": false},
  "relay-supplied-options": ["dns-servers"],
  "client-classes": [
    {"name": "from-remote-7", "test": "relay6[0].option[37].hex == 0x00000009616263"},
    {"name": "outer-relay", "test": "relay6[0].linkaddr == 2001:db8:5::1", "option-data": [{"name": "sntp-servers", "data": "2001:db8::123"}]}
  ],
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
     "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}]},
    {"id": 2, "subnet": "2001:db8:2::/64",
     "pools": [{"pool": "2001:db8:2::100-2001:db8:2::1ff"}]},
    {"id": 3, "subnet": "2001:db8:3::/64", "interface-id": "port-3",
     "pools": [{"pool": "2001:db8:3::100-2001:db8:3::1ff"}]},
    {"id": 4, "subnet": "2001:db8:4::/64", "relay": {"ip-addresses": ["2001:db8:44::1"]},
     "pools": [{"pool": "2001:db8:4::100-2001:db8:4::1ff"}]},
    {"id": 5, "subnet": "2001:db8:6::/64", "client-class": "from-remote-7",
     "pools": [{"pool": "2001:db8:6::100-2001:db8:6::1ff"}]}
  ]
}}`

// TestRelays covers relayed messages: the reply wrapped for every level
// with each relay's interface-id, subnet selection by interface-id,
// relay addresses and link-address, relay options in classification,
// relay-supplied options, and where the reply goes.
func TestRelays(t *testing.T) {
	d := duidLL(1)
	sol := srvMsg(Solicit, 1, d, []opt{withNA(1), withORO(OptDNSServers, OptSNTPServers)})
	remoteID := withOption(OptRemoteID, []byte{0, 0, 0, 9, 'a', 'b', 'c'})
	rsoo := withOption(OptRSOO, []byte{0, 23, 0, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99})
	tests := []struct {
		name    string
		q       []byte
		meta    PacketMeta
		has     []string
		lacks   []string
		dstPort uint16
	}{
		{"one level by link-address", srvRelay(sol, relayHop{link: "2001:db8:2::1", peer: "fe80::1234"}), tsRelay,
			[]string{"RELAY_REPLY(hops=0 link=2001:db8:2::1 peer=fe80::1234 ) ADVERTISE", "IAADDR(2001:db8:2::100 "}, nil, 547},
		{"interface-id echoed and selects", srvRelay(sol, relayHop{link: "2001:db8:99::1", peer: "fe80::1", opts: []opt{withOption(OptInterfaceID, []byte("port-3"))}}), tsRelay,
			[]string{"RELAY_REPLY(hops=0 link=2001:db8:99::1 peer=fe80::1 INTERFACE_ID=706f72742d33 )", "IAADDR(2001:db8:3::100 "}, nil, 547},
		{"relay ip-addresses", srvRelay(sol, relayHop{link: "2001:db8:44::1", peer: "fe80::1"}), tsRelay,
			[]string{"IAADDR(2001:db8:4::100 "}, nil, 547},
		{"three levels, link-address from the client side", srvRelay(sol,
			relayHop{link: "::", peer: "fe80::1", opts: []opt{withOption(OptInterfaceID, []byte("i0"))}},
			relayHop{link: "2001:db8:2::7", peer: "2001:db8:2::1"},
			relayHop{link: "2001:db8:5::1", peer: "2001:db8:2::7", opts: []opt{withOption(OptInterfaceID, []byte("i2"))}}), tsRelay,
			[]string{
				"RELAY_REPLY(hops=2 link=2001:db8:5::1 peer=2001:db8:2::7 INTERFACE_ID=6932 ) RELAY_REPLY(hops=1 link=2001:db8:2::7 peer=2001:db8:2::1 ) RELAY_REPLY(hops=0 link=:: peer=fe80::1 INTERFACE_ID=6930 ) ADVERTISE",
				"IAADDR(2001:db8:2::1", "SNTP_SERVERS="}, nil, 547},
		{"relay option in a class test", srvRelay(sol, relayHop{link: "2001:db8:6::1", peer: "fe80::1", opts: []opt{remoteID}}), tsRelay,
			[]string{"IAADDR(2001:db8:6::100 "}, nil, 547},
		{"class excludes the subnet", srvRelay(sol, relayHop{link: "2001:db8:6::1", peer: "fe80::1"}), tsRelay,
			[]string{"STATUS(NoAddrsAvail)"}, nil, 547},
		{"relay-supplied option", srvRelay(sol, relayHop{link: "2001:db8:2::1", peer: "fe80::1", opts: []opt{rsoo}}), tsRelay,
			[]string{"DNS_SERVERS=20010db8000000000000000000000099"}, nil, 547},
		{"relay source port", srvRelay(sol, relayHop{link: "2001:db8:2::1", peer: "fe80::1", opts: []opt{withOption(optRelaySourcePort, []byte{0x12, 0x34})}}),
			PacketMeta{Src: netip.MustParseAddrPort("[2001:db8:2::1]:4660"), Dst: netip.MustParseAddr("2001:db8:1::1")},
			[]string{"RELAY_REPLY(hops=0 link=2001:db8:2::1 peer=fe80::1 OPTION_135=1234 )"}, nil, 4660},
		{"unknown link", srvRelay(sol, relayHop{link: "2001:db8:77::1", peer: "fe80::1"}), tsRelay,
			[]string{"STATUS(NoAddrsAvail)"}, nil, 547},
	}
	ts := newTS(t, tsRelayConfig)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, r, err := ts.handle(tc.q, tc.meta)
			if err != nil {
				t.Fatal(err)
			}
			requireHas(t, p, tc.has...)
			requireLacks(t, p, tc.lacks...)
			if r.Dst.Addr() != tc.meta.Src.Addr() || r.Dst.Port() != tc.dstPort {
				t.Errorf("reply goes to %v; want %v port %d", r.Dst, tc.meta.Src.Addr(), tc.dstPort)
			}
		})
	}
	// A direct client's reply goes to its link-local address on port 546.
	_, r, err := ts.handle(sol, tsDirect)
	if err != nil || r.Dst != netip.MustParseAddrPort("[fe80::1%eth0]:546") || r.IfIndex != 2 {
		t.Errorf("direct reply to %v on %d (%v)", r.Dst, r.IfIndex, err)
	}
}

// TestMACSources checks where the lease's hardware address comes from, in
// the order mac-sources gives.
func TestMACSources(t *testing.T) {
	llt := duidLLT(3) // 02:00:00:00:06:03
	en := duidEN(4)   // no hardware address
	// Kea reads a MAC only from a universally administered EUI-64.
	ll := "fe80::216:3eff:fe11:2233"                   // 00:16:3e:11:22:33
	rfc6939 := []byte{0, 1, 2, 0, 0, 0x39, 0x39, 0x39} // Ethernet 02:00:00:39:39:39
	tests := []struct {
		name    string
		sources string
		duid    []byte
		relayed bool
		want    string // hardware address, "" for none
		src     uint32
	}{
		{"default takes the DUID", "", llt, false, "020000000603", hwSrcDUID},
		{"default falls back to link-local", "", en, false, "00163e112233", hwSrcLinkLocal},
		{"relay option first by default", "", llt, true, "020000393939", hwSrcRelayOpt},
		{"only duid", `"mac-sources": ["duid"],`, en, false, "", 0},
		{"link-local before duid", `"mac-sources": ["ipv6-link-local", "duid"],`, llt, false, "00163e112233", hwSrcLinkLocal},
		{"rfc6939 alias", `"mac-sources": ["rfc6939"],`, llt, true, "020000393939", hwSrcRelayOpt},
		{"remote-id", `"mac-sources": ["remote-id"],`, en, true, "616263", hwSrcRemoteID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTS(t, strings.Replace(tsRelayConfig, `"relay-supplied-options"`, tc.sources+`"relay-supplied-options"`, 1))
			q := srvMsg(Request, 1, tc.duid, []opt{withServerID(ts.sid()), withNA(1)})
			meta := tsDirect
			meta.Src = netip.AddrPortFrom(netip.MustParseAddr(ll).WithZone("eth0"), 546)
			addr := "2001:db8:1::100"
			if tc.relayed {
				q = srvRelay(q, relayHop{link: "2001:db8:2::1", peer: ll, opts: []opt{
					withOption(OptClientLinkLayerAddr, rfc6939), withOption(OptRemoteID, []byte{0, 0, 0, 9, 'a', 'b', 'c'})}})
				meta = tsRelay
				addr = "2001:db8:2::100"
			}
			ts.ask(q, meta)
			l, ok := ts.lease(lease.TypeNA, addr)
			if !ok {
				t.Fatal("no lease")
			}
			if got := hexString(l.HWAddr); got != tc.want || l.HWAddrSource != tc.src {
				t.Fatalf("hardware address %s from %#x; want %s from %#x", got, l.HWAddrSource, tc.want, tc.src)
			}
		})
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestStoreExtendedInfo checks that with store-extended-info a relayed
// client's lease keeps the relays' information in its user context, in
// Kea's form.
func TestStoreExtendedInfo(t *testing.T) {
	ts := newTS(t, strings.Replace(tsRelayConfig, `"relay-supplied-options"`, `"store-extended-info": true, "relay-supplied-options"`, 1))
	q := srvMsg(Request, 1, duidLL(1), []opt{withServerID(ts.sid()), withNA(1)})
	ts.ask(srvRelay(q, relayHop{link: "2001:db8:2::1", peer: "fe80::1", opts: []opt{
		withOption(OptRemoteID, []byte{0, 0, 0, 9, 'a'}), withOption(OptInterfaceID, []byte("p1"))}}), tsRelay)
	l, ok := ts.lease(lease.TypeNA, "2001:db8:2::100")
	want := `{ "ISC": { "relays": [ { "hop": 0, "link": "2001:db8:2::1", "options": "0x001200027031002500050000000961", "peer": "fe80::1" } ] } }`
	if !ok || l.UserContext != want {
		t.Fatalf("user context %q\nwant         %q", l.UserContext, want)
	}
}

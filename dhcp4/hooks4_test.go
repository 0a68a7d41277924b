package dhcp4

import (
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/hooks"
)

// TestHookQueryAddr: every hook call that has the query also has where it
// came from, with the frame's hardware addresses where Kea's raw sockets
// would have them and leasehold can know them without the frame.
func TestHookQueryAddr(t *testing.T) {
	bmac := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	m1, m2 := mac(1), mac(2)
	lo := PacketMeta{IfIndex: 1, IfName: "lo"} // no hardware address
	relay := netip.MustParseAddr("192.0.2.254")
	tests := []struct {
		name   string
		socket string // dhcp-socket-type
		c      client
		meta   PacketMeta
		want   hooks.Addressing
	}{
		{"broadcast from the client", "raw", client{typ: Discover, mac: m1},
			PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0"},
			hooks.Addressing{Local: netip.MustParseAddrPort("255.255.255.255:67"), Remote: netip.MustParseAddrPort("0.0.0.0:68"),
				IfIndex: 2, IfName: "eth0", LocalHWAddr: bmac, LocalHWType: 1, RemoteHWAddr: m1[:], RemoteHWType: 1}},
		{"unicast from the client, interface without MAC", "raw", client{typ: Discover, mac: m2},
			PacketMeta{Src: netip.MustParseAddrPort("192.0.2.12:68"), Dst: hSrvAddr, IfIndex: lo.IfIndex, IfName: lo.IfName},
			hooks.Addressing{Local: netip.MustParseAddrPort("192.0.2.1:67"), Remote: netip.MustParseAddrPort("192.0.2.12:68"),
				IfIndex: 1, IfName: "lo", RemoteHWAddr: m2[:], RemoteHWType: 1}},
		{"relayed: the frame's source is the relay's", "raw", client{typ: Discover, mac: m1, giaddr: relay},
			PacketMeta{Src: netip.AddrPortFrom(relay, 67), Dst: hSrvAddr, IfIndex: lo.IfIndex, IfName: lo.IfName},
			hooks.Addressing{Local: netip.MustParseAddrPort("192.0.2.1:67"), Remote: netip.MustParseAddrPort("192.0.2.254:67"),
				IfIndex: 1, IfName: "lo"}},
		{"chaddr not Ethernet", "raw", client{typ: Discover, mac: m1, hlen: -1, cid: []byte{1, 2, 3}},
			PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0"},
			hooks.Addressing{Local: netip.MustParseAddrPort("255.255.255.255:67"), Remote: netip.MustParseAddrPort("0.0.0.0:68"),
				IfIndex: 2, IfName: "eth0", LocalHWAddr: bmac, LocalHWType: 1}},
		{"udp sockets: no frame", "udp", client{typ: Discover, mac: m1},
			PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0"},
			hooks.Addressing{Local: netip.MustParseAddrPort("255.255.255.255:67"), Remote: netip.MustParseAddrPort("0.0.0.0:68"),
				IfIndex: 2, IfName: "eth0"}},
	}
	// A unicast's frame was addressed to the receiving interface: one of
	// this machine's, when it has an Ethernet interface.
	if ifi := ethernetIface(t); ifi != nil {
		tests = append(tests, struct {
			name   string
			socket string
			c      client
			meta   PacketMeta
			want   hooks.Addressing
		}{"unicast on an Ethernet interface", "raw", client{typ: Discover, mac: m2},
			PacketMeta{Src: netip.MustParseAddrPort("192.0.2.12:68"), Dst: hSrvAddr, IfIndex: ifi.Index, IfName: ifi.Name},
			hooks.Addressing{Local: netip.MustParseAddrPort("192.0.2.1:67"), Remote: netip.MustParseAddrPort("192.0.2.12:68"),
				IfIndex: ifi.Index, IfName: ifi.Name, LocalHWAddr: ifi.HardwareAddr, LocalHWType: 1, RemoteHWAddr: m2[:], RemoteHWType: 1}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			cfg := strings.Replace(hBasic, `"interfaces": ["eth0"]`, `"interfaces": ["eth0"], "dhcp-socket-type": "`+tc.socket+`"`, 1)
			h := newHarness(t, cfg, withHooks(t, rec.lib()))
			tc.meta.IfAddr = hSrvAddr
			r, err := h.sendMeta(tc.c, tc.meta)
			offer := h.reply(r, err, Offer)
			req := tc.c
			req.typ, req.reqIP, req.srvID = Request, offer.YIAddr, hSrvAddr
			r, err = h.sendMeta(req, tc.meta)
			h.reply(r, err, Ack)
			h.sendMeta(tc.c, tc.meta) // a DISCOVER from a client with a lease: lease4_renew
			rel := tc.c
			rel.typ, rel.ciaddr, rel.srvID = Release, offer.YIAddr, hSrvAddr
			h.sendMeta(rel, tc.meta)
			n := 0
			for _, c := range rec.calls {
				if c.a.Query == nil {
					continue
				}
				n++
				if !reflect.DeepEqual(c.a.QueryAddr, tc.want) {
					t.Errorf("%s: query addressing\n got %+v\nwant %+v", c.p, c.a.QueryAddr, tc.want)
				}
			}
			if !rec.has(hooks.Leases4Committed) || !rec.has(hooks.Pkt4Send) || !rec.has(hooks.Lease4Renew) ||
				!rec.has(hooks.Lease4Release) || n < 15 {
				t.Errorf("%d calls with a query, points %v", n, rec.points())
			}
		})
	}
}

func ethernetIface(t *testing.T) *net.Interface {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifi := range ifs {
		if len(ifi.HardwareAddr) == 6 {
			return &ifi
		}
	}
	t.Log("no Ethernet interface here: the unicast case with a MAC is left out")
	return nil
}

func (r *recorder) has(p hooks.Point) bool { return r.last(p) != nil }

// TestIfaceMAC: the interface's own address is found by index and name,
// and a name that does not match the index gives none.
func TestIfaceMAC(t *testing.T) {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifi := range ifs {
		if len(ifi.HardwareAddr) != 6 {
			if got := ifaceMAC(ifi.Index, ifi.Name); got != nil {
				t.Errorf("%s (no Ethernet address): got %v", ifi.Name, got)
			}
			continue
		}
		got := ifaceMAC(ifi.Index, ifi.Name)
		if string(got) != string(ifi.HardwareAddr) {
			t.Errorf("%s: got %v, want %v", ifi.Name, net.HardwareAddr(got), ifi.HardwareAddr)
		}
		got[0] ^= 0xff // a caller's copy: the cache keeps its own
		if again := ifaceMAC(ifi.Index, ifi.Name); string(again) != string(ifi.HardwareAddr) {
			t.Errorf("%s: the cached address was changed through a returned copy", ifi.Name)
		}
		if other := ifaceMAC(ifi.Index, ifi.Name+"-other"); other != nil {
			t.Errorf("%s under another name: got %v", ifi.Name, net.HardwareAddr(other))
		}
	}
	if got := ifaceMAC(0, ""); got != nil {
		t.Errorf("index 0: got %v", got)
	}
}

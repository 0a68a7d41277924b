package sock

import (
	"bytes"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

func TestV6MulticastAndLinkLocalReply(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	srv := listen6(t, lab, lab.ServerNS, Config6{Interfaces: []string{lab.ServerIf}, AllServers: true})
	if len(srv.Conns) != 1 {
		t.Fatalf("%d sockets, want 1", len(srv.Conns))
	}
	brIdx := ifIndex(t, lab, lab.ServerNS, lab.ServerIf)
	cIdx := ifIndex(t, lab, lab.ClientNS, lab.ClientIf)
	clientLL, err := lab.LinkLocal(lab.ClientNS, lab.ClientIf)
	if err != nil {
		t.Fatal(err)
	}
	serverLL, err := lab.LinkLocal(lab.ServerNS, lab.ServerIf)
	if err != nil {
		t.Fatal(err)
	}
	client := packetConn(t, lab, lab.ClientNS, "udp6", "[::]:546")
	for _, group := range []netip.Addr{AllRelayAgentsAndServers, AllServers} {
		pkt := solicit(lab.ClientMAC, 0xabcdef)
		to := netip.AddrPortFrom(group.WithZone(strconv.Itoa(cIdx)), 547)
		if _, err := client.WriteToUDPAddrPort(pkt, to); err != nil {
			t.Fatal(err)
		}
		m := readOne(t, ctx, srv.Conns[0])
		if !bytes.Equal(m.Payload(), pkt) || m.Dst != group || m.IfIndex != brIdx {
			t.Errorf("to %s: got %x to %s on %d", group, m.Payload(), m.Dst, m.IfIndex)
		}
		wantSrc := netip.AddrPortFrom(clientLL.WithZone(lab.ServerIf), 546)
		if m.Src != wantSrc {
			t.Errorf("source %s, want %s", m.Src, wantSrc)
		}
		// Reply to the link-local source as received (zone and all).
		if _, err := srv.Conns[0].WriteTo([]byte("advertise"), m.Src, netip.Addr{}, m.IfIndex); err != nil {
			t.Fatal(err)
		}
		client.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 1500)
		n, from, err := client.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if string(buf[:n]) != "advertise" || from.Addr().WithZone("") != serverLL.WithZone("") || from.Port() != 547 {
			t.Errorf("reply %q from %s, want from %s port 547", buf[:n], from, serverLL)
		}
	}
}

func TestV6RelayUnicast(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	relayAddr := mustAddr("2001:db8:1::50")
	if err := lab.AddAddr(ctx, lab.ClientNS, lab.ClientIf, netip.PrefixFrom(relayAddr, 64)); err != nil {
		t.Fatal(err)
	}
	srv := listen6(t, lab, lab.ServerNS, Config6{Interfaces: []string{lab.ServerIf + "/" + lab.ServerAddr6.Addr().String()}})
	if got := srv.Conns[0].Source(); got != lab.ServerAddr6.Addr() {
		t.Errorf("Source %s, want the configured %s", got, lab.ServerAddr6.Addr())
	}
	relay := packetConn(t, lab, lab.ClientNS, "udp6", "[2001:db8:1::50]:547")
	if _, err := relay.WriteToUDPAddrPort([]byte("relay-forw"), netip.AddrPortFrom(lab.ServerAddr6.Addr(), 547)); err != nil {
		t.Fatal(err)
	}
	m := readOne(t, ctx, srv.Conns[0])
	if string(m.Payload()) != "relay-forw" || m.Dst != lab.ServerAddr6.Addr() || m.Src != netip.AddrPortFrom(relayAddr, 547) {
		t.Errorf("got %q from %s to %s", m.Payload(), m.Src, m.Dst)
	}
	if _, err := srv.Conns[0].WriteTo([]byte("relay-repl"), m.Src, srv.Conns[0].Source(), 0); err != nil {
		t.Fatal(err)
	}
	relay.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, from, err := relay.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if string(buf[:n]) != "relay-repl" || from != netip.AddrPortFrom(lab.ServerAddr6.Addr(), 547) {
		t.Errorf("reply %q from %s", buf[:n], from)
	}
}

func TestV6AllInterfaces(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	if _, err := lab.AddRelayLink(netlab.RelayOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := listen6(t, lab, lab.ServerNS, Config6{Interfaces: []string{"*"}})
	// "*" takes every up, multicast-capable, non-loopback interface.
	names := map[string]bool{}
	for _, c := range srv.Conns {
		names[c.Interface().Name] = true
	}
	if !names[lab.ServerIf] {
		t.Errorf("\"*\" did not open a socket on %s: %v", lab.ServerIf, names)
	}
}

package engine

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestPktinfoRoundTrip(t *testing.T) {
	src := netip.MustParseAddr("192.0.2.1")
	b := putPktinfo(make([]byte, oobLen), 7, src)
	ifi, addr, ok := parsePktinfo(b)
	// parsePktinfo reads the header destination (ipi_addr), which a send
	// leaves zero; the interface must survive the round trip.
	if !ok || ifi != 7 || addr != netip.AddrFrom4([4]byte{}) {
		t.Errorf("parsePktinfo = %d, %v, %v; want 7, 0.0.0.0, true", ifi, addr, ok)
	}
	if _, _, ok := parsePktinfo(b[:8]); ok {
		t.Error("truncated control message parsed")
	}
}

// UDPConn on loopback (an ephemeral port and plain bytes, not DHCP):
// batched reads report the interface and destination, writes go out.
func TestUDPConnLoopback(t *testing.T) {
	lc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Skipf("no loopback UDP: %v", err)
	}
	c, err := NewUDPConn(lc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	for _, s := range []string{"one", "two", "three"} {
		if _, err := peer.WriteTo([]byte(s), lc.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skip("no interface named lo")
	}
	ps := make([]Packet, 8)
	for i := range ps {
		ps[i].Buf = make([]byte, 0, 1500)
	}
	var got []string
	deadline := time.Now().Add(5 * time.Second)
	c.SetReadDeadline(deadline)
	for len(got) < 3 {
		n, err := c.ReadBatch(ps)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps[:n] {
			got = append(got, string(p.Data()))
			if p.IfIndex != lo.Index || p.Dst.Addr() != netip.MustParseAddr("127.0.0.1") ||
				p.Src.Addr() != netip.MustParseAddr("127.0.0.1") {
				t.Errorf("packet %q: ifindex %d dst %v src %v", p.Data(), p.IfIndex, p.Dst, p.Src)
			}
		}
	}
	if got[0] != "one" || got[2] != "three" {
		t.Errorf("read %q", got)
	}
	reply := ps[0]
	reply.Buf = append(reply.Buf[:0], "reply"...)
	reply.N = 5
	reply.Dst = peer.LocalAddr().(*net.UDPAddr).AddrPort()
	reply.Src = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0)
	reply.IfIndex = lo.Index
	if n, err := c.WriteBatch([]Packet{reply}); n != 1 || err != nil {
		t.Fatalf("WriteBatch = %d, %v", n, err)
	}
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, _, err := peer.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "reply" {
		t.Errorf("peer read %q, %v", buf[:n], err)
	}
	// A past deadline interrupts a blocked read with a timeout.
	c.SetReadDeadline(time.Time{})
	go func() { time.Sleep(20 * time.Millisecond); c.SetReadDeadline(time.Unix(1, 0)) }()
	if _, err := c.ReadBatch(ps); !IsTimeout(err) {
		t.Errorf("ReadBatch after past deadline = %v, want a timeout", err)
	}
}

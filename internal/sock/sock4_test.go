package sock

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/leasehold/leasehold/internal/netlab"
)

var (
	bcast4 = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	zero68 = netip.AddrPortFrom(netip.IPv4Unspecified(), 68)
)

func TestReceiveBroadcastDiscover(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ifaces func(*netlab.Lab) []string
	}{
		{"interface", func(l *netlab.Lab) []string { return []string{l.ServerIf} }},
		{"interface/address", func(l *netlab.Lab) []string { return []string{l.ServerIf + "/192.0.2.1"} }},
		{"all", func(*netlab.Lab) []string { return []string{"*"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
			ctx := testCtx(t, 10*time.Second)
			srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: tc.ifaces(lab)})
			if len(srv.Conns) != 1 {
				t.Fatalf("%d sockets, want 1", len(srv.Conns))
			}
			brIdx := ifIndex(t, lab, lab.ServerNS, lab.ServerIf)
			if srv.Raw(brIdx) == nil {
				t.Error("no raw sender for the server bridge")
			}
			client := rawSender(t, lab, lab.ClientNS, lab.ClientIf)
			pkt := discover(lab.ClientMAC, 0x1234)
			if err := client.Send(pkt, layers.EthernetBroadcast, zero68, netip.AddrPortFrom(bcast4, 67)); err != nil {
				t.Fatal(err)
			}
			m := readOne(t, ctx, srv.Conns[0])
			if !bytes.Equal(m.Payload(), pkt) || m.Truncated {
				t.Errorf("payload %x (truncated %v), want %x", m.Payload(), m.Truncated, pkt)
			}
			if m.Src != zero68 || m.Dst != bcast4 || m.IfIndex != brIdx {
				t.Errorf("src %s dst %s ifindex %d, want %s %s %d", m.Src, m.Dst, m.IfIndex, zero68, bcast4, brIdx)
			}
		})
	}
}

func TestUDPSocketTypeServesRelaysOnly(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}, SocketType: SocketUDP})
	if srv.Raw(ifIndex(t, lab, lab.ServerNS, lab.ServerIf)) != nil {
		t.Error("udp socket type has a raw sender")
	}
	if got := srv.Conns[0].LocalAddr(); got.Addr() != lab.ServerAddr4.Addr() {
		t.Errorf("bound to %s, want the interface address", got)
	}
	client := rawSender(t, lab, lab.ClientNS, lab.ClientIf)
	if err := client.Send(discover(lab.ClientMAC, 1), layers.EthernetBroadcast, zero68, netip.AddrPortFrom(bcast4, 67)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	msgs := []Msg{{Buf: make([]byte, 1500)}}
	if n, err := srv.Conns[0].ReadBatch(short, msgs); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a udp socket received a broadcast: %d, %v", n, err)
	}
	// A relay's unicast arrives.
	if err := lab.AddAddr(ctx, lab.ClientNS, lab.ClientIf, netip.MustParsePrefix("192.0.2.10/24")); err != nil {
		t.Fatal(err)
	}
	relay := packetConn(t, lab, lab.ClientNS, "udp4", "192.0.2.10:67")
	if _, err := relay.WriteToUDPAddrPort([]byte("relayed"), netip.AddrPortFrom(lab.ServerAddr4.Addr(), 67)); err != nil {
		t.Fatal(err)
	}
	m := readOne(t, ctx, srv.Conns[0])
	if string(m.Payload()) != "relayed" || m.Dst != lab.ServerAddr4.Addr() || m.Src != netip.MustParseAddrPort("192.0.2.10:67") {
		t.Errorf("got %q from %s to %s", m.Payload(), m.Src, m.Dst)
	}
}

func TestWriteUnicastWithSource(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	addAddrs(t, ctx, lab)
	srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}})
	client := packetConn(t, lab, lab.ClientNS, "udp4", "0.0.0.0:68")
	buf := make([]byte, 1500)
	for _, src := range []netip.Addr{mustAddr("192.0.2.1"), mustAddr("192.0.2.2")} {
		if _, err := srv.Conns[0].WriteTo([]byte("ack"), netip.MustParseAddrPort("192.0.2.10:68"), src, 0); err != nil {
			t.Fatal(err)
		}
		client.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := client.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if string(buf[:n]) != "ack" || from != netip.AddrPortFrom(src, 67) {
			t.Errorf("got %q from %s, want from %s:67", buf[:n], from, src)
		}
	}
	if _, err := srv.Conns[0].WriteTo([]byte("x"), netip.MustParseAddrPort("[2001:db8::1]:546"), netip.Addr{}, 0); err == nil {
		t.Error("IPv6 destination on an IPv4 socket accepted")
	}
}

func TestBroadcastToClientWithoutAddress(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}})
	catcher := catchFrames(t, lab, lab.ClientNS, lab.ClientIf)
	if _, err := srv.Conns[0].Broadcast([]byte("offer-bcast"), 68); err != nil {
		t.Fatal(err)
	}
	frame, ok := catcher.next(ctx, func(f []byte) bool { return bytes.HasSuffix(f, []byte("offer-bcast")) })
	if !ok {
		t.Fatal("broadcast reply never reached the client link")
	}
	p := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
	eth, ip := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet), p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if !bytes.Equal(eth.DstMAC, layers.EthernetBroadcast) || !ip.DstIP.Equal(net.IPv4bcast) || !ip.SrcIP.Equal(net.IPv4(192, 0, 2, 1)) {
		t.Errorf("frame to %s, %s from %s", eth.DstMAC, ip.DstIP, ip.SrcIP)
	}
}

func TestRawReplyToMACWithoutARP(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}})
	raw := srv.Raw(ifIndex(t, lab, lab.ServerNS, lab.ServerIf))
	catcher := catchFrames(t, lab, lab.ClientNS, lab.ClientIf)
	offer := bytes.Repeat([]byte("OFFER"), 61) // odd length: checksum padding
	src := netip.AddrPortFrom(lab.ServerAddr4.Addr(), 67)
	dst := netip.MustParseAddrPort("192.0.2.100:68")
	if err := raw.Send(offer, lab.ClientMAC, src, dst); err != nil {
		t.Fatal(err)
	}
	frame, ok := catcher.next(ctx, func(f []byte) bool { return bytes.HasSuffix(f, offer) })
	if !ok {
		t.Fatal("raw frame never reached the client")
	}
	p := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
	eth := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	ip := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	udp := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
	if eth.DstMAC.String() != lab.ClientMAC.String() || eth.SrcMAC.String() != lab.ServerMAC.String() {
		t.Errorf("Ethernet %s -> %s", eth.SrcMAC, eth.DstMAC)
	}
	if !ip.SrcIP.Equal(net.IPv4(192, 0, 2, 1)) || !ip.DstIP.Equal(net.IPv4(192, 0, 2, 100)) || udp.SrcPort != 67 || udp.DstPort != 68 {
		t.Errorf("IP %s:%d -> %s:%d", ip.SrcIP, udp.SrcPort, ip.DstIP, udp.DstPort)
	}
	ipHdr := frame[14 : 14+int(ip.IHL)*4]
	if onesComplement(ipHdr, 0) != 0xffff {
		t.Errorf("IPv4 header checksum %#04x is wrong", ip.Checksum)
	}
	seg := frame[14+len(ipHdr):]
	if int(udp.Length) != len(seg) || int(ip.Length) != len(ipHdr)+len(seg) {
		t.Errorf("lengths: ip %d udp %d, segment %d", ip.Length, udp.Length, len(seg))
	}
	var pseudo uint32
	for _, w := range [][]byte{ip.SrcIP.To4(), ip.DstIP.To4()} {
		pseudo += uint32(binary.BigEndian.Uint16(w)) + uint32(binary.BigEndian.Uint16(w[2:]))
	}
	pseudo += 17 + uint32(len(seg))
	if onesComplement(seg, pseudo) != 0xffff {
		t.Errorf("UDP checksum %#04x is wrong", udp.Checksum)
	}
	// Sending left no neighbour entry behind: the frame needed none.
	out, err := lab.IP(ctx, lab.ServerNS, "neigh", "show", "192.0.2.100")
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("neighbour table has %q (%v)", out, err)
	}
}

func onesComplement(b []byte, sum uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return uint16(sum)
}

func TestBatchRead(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	if err := lab.AddAddr(ctx, lab.ClientNS, lab.ClientIf, netip.MustParsePrefix("192.0.2.10/24")); err != nil {
		t.Fatal(err)
	}
	srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}, Batch: 8})
	relay := packetConn(t, lab, lab.ClientNS, "udp4", "192.0.2.10:67")
	for i := range 5 {
		if _, err := relay.WriteToUDPAddrPort([]byte{byte(i)}, netip.AddrPortFrom(lab.ServerAddr4.Addr(), 67)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // all five queued before the read
	msgs := make([]Msg, 16)
	for i := range msgs {
		msgs[i].Buf = make([]byte, 64)
	}
	n, err := srv.Conns[0].ReadBatch(ctx, msgs)
	if err != nil || n != 5 {
		t.Fatalf("ReadBatch = %d, %v; want all 5 datagrams in one batch", n, err)
	}
	for i := range n {
		if msgs[i].N != 1 || msgs[i].Payload()[0] != byte(i) || msgs[i].Dst != lab.ServerAddr4.Addr() {
			t.Errorf("datagram %d: %x to %s", i, msgs[i].Payload(), msgs[i].Dst)
		}
	}
	// A datagram longer than its slot is reported as truncated.
	if _, err := relay.WriteToUDPAddrPort(make([]byte, 100), netip.AddrPortFrom(lab.ServerAddr4.Addr(), 67)); err != nil {
		t.Fatal(err)
	}
	m := readOne(t, ctx, srv.Conns[0])
	if m.N != 100 || m.Truncated {
		t.Errorf("100-byte datagram in a 1500-byte slot: N %d truncated %v", m.N, m.Truncated)
	}
	if _, err := relay.WriteToUDPAddrPort(make([]byte, 100), netip.AddrPortFrom(lab.ServerAddr4.Addr(), 67)); err != nil {
		t.Fatal(err)
	}
	small := []Msg{{Buf: make([]byte, 10)}}
	if n, err := srv.Conns[0].ReadBatch(ctx, small); err != nil || n != 1 || !small[0].Truncated || small[0].N != 10 {
		t.Errorf("100 bytes into 10: n %d err %v truncated %v N %d", n, err, small[0].Truncated, small[0].N)
	}
}

func TestCloseAndCancelUnblockReaders(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}})
	c := srv.Conns[0]
	msgs := []Msg{{Buf: make([]byte, 1500)}}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.ReadBatch(ctx, msgs); done <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("after cancel: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancel did not unblock ReadBatch")
	}
	// A new context reads again: the past deadline was undone.
	client := rawSender(t, lab, lab.ClientNS, lab.ClientIf)
	if err := client.Send(discover(lab.ClientMAC, 7), layers.EthernetBroadcast, zero68, netip.AddrPortFrom(bcast4, 67)); err != nil {
		t.Fatal(err)
	}
	readOne(t, testCtx(t, 5*time.Second), c)

	go func() { _, err := c.ReadBatch(context.Background(), msgs); done <- err }()
	time.Sleep(50 * time.Millisecond)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not unblock ReadBatch")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestWriteBatch(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	addAddrs(t, ctx, lab)
	srv := listen4(t, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}, Batch: 8})
	client := packetConn(t, lab, lab.ClientNS, "udp4", "0.0.0.0:68")
	out := make([]Out, 20) // more than one sendmmsg of 8
	for i := range out {
		src := mustAddr("192.0.2.1")
		if i%2 == 1 {
			src = mustAddr("192.0.2.2")
		}
		out[i] = Out{Buf: []byte{byte(i)}, Dst: netip.MustParseAddrPort("192.0.2.10:68"), Src: src}
	}
	n, err := srv.Conns[0].WriteBatch(out)
	if err != nil || n != len(out) {
		t.Fatalf("WriteBatch = %d, %v", n, err)
	}
	buf := make([]byte, 100)
	for i := range out {
		client.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := client.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if n != 1 || buf[0] != byte(i) || from.Addr() != out[i].Src {
			t.Errorf("datagram %d: %x from %s, want %d from %s", i, buf[:n], from, i, out[i].Src)
		}
	}
	bad := []Out{{Buf: []byte{1}, Dst: netip.MustParseAddrPort("[2001:db8::1]:547")}}
	if n, err := srv.Conns[0].WriteBatch(bad); err == nil || n != 0 {
		t.Errorf("IPv6 destination on an IPv4 socket: %d, %v", n, err)
	}
}

// addAddrs gives the server a second address, 192.0.2.2, and the client
// 192.0.2.10.
func addAddrs(t *testing.T, ctx context.Context, lab *netlab.Lab) {
	t.Helper()
	if err := lab.AddAddr(ctx, lab.ServerNS, lab.ServerIf, netip.MustParsePrefix("192.0.2.2/24")); err != nil {
		t.Fatal(err)
	}
	if err := lab.AddAddr(ctx, lab.ClientNS, lab.ClientIf, netip.MustParsePrefix("192.0.2.10/24")); err != nil {
		t.Fatal(err)
	}
}

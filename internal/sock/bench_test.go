package sock

import (
	"context"
	"net/netip"
	"testing"

	"github.com/leasehold/leasehold/internal/netlab"
)

// benchLab is a lab whose client has 192.0.2.10/24 and a socket on
// 192.0.2.10:67 standing in for a relay.
func benchLab(b *testing.B) (*netlab.Lab, *Listener, *Conn) {
	lab := netlab.NewT(b, netlab.Options{Prefix: testPrefix})
	if err := lab.AddAddr(context.Background(), lab.ClientNS, lab.ClientIf, netip.MustParsePrefix("192.0.2.10/24")); err != nil {
		b.Fatal(err)
	}
	srv := listen4(b, lab, lab.ServerNS, Config4{Interfaces: []string{lab.ServerIf}, RecvBuffer: 1 << 20})
	relay := listen4(b, lab, lab.ClientNS, Config4{Interfaces: []string{lab.ClientIf}, SocketType: SocketUDP})
	return lab, srv, relay.Conns[0]
}

// BenchmarkReadBatch sends 16 datagrams per op from the client namespace
// and reads them back in batches; ns/datagram counts both sides, and the
// allocation figures cover both (neither allocates).
func BenchmarkReadBatch(b *testing.B) {
	lab, srv, relay := benchLab(b)
	ctx := context.Background()
	payload := discover(lab.ClientMAC, 1)
	dst := netip.AddrPortFrom(lab.ServerAddr4.Addr(), 67)
	msgs := make([]Msg, 16)
	for i := range msgs {
		msgs[i].Buf = make([]byte, 1500)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for range 16 {
			if _, err := relay.WriteTo(payload, dst, netip.Addr{}, 0); err != nil {
				b.Fatal(err)
			}
		}
		for got := 0; got < 16; {
			n, err := srv.Conns[0].ReadBatch(ctx, msgs)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*16), "ns/datagram")
}

// BenchmarkWriteTo is the unicast reply path with a chosen source and
// interface.
func BenchmarkWriteTo(b *testing.B) {
	lab, srv, _ := benchLab(b)
	payload := discover(lab.ClientMAC, 1)
	dst := netip.MustParseAddrPort("192.0.2.10:68")
	src := lab.ServerAddr4.Addr()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := srv.Conns[0].WriteTo(payload, dst, src, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawSend is the link-layer reply path: Ethernet/IPv4/UDP built by
// gopacket with checksums, written to AF_PACKET.
func BenchmarkRawSend(b *testing.B) {
	lab, srv, _ := benchLab(b)
	raw := srv.Raw(srv.Conns[0].Interface().Index)
	payload := discover(lab.ClientMAC, 1)
	src := netip.AddrPortFrom(lab.ServerAddr4.Addr(), 67)
	dst := netip.MustParseAddrPort("192.0.2.100:68")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := raw.Send(payload, lab.ClientMAC, src, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadBatch6 is the DHCPv6 receive path: multicast SOLICITs from a
// link-local source, whose zone is attached to each Src.
func BenchmarkReadBatch6(b *testing.B) {
	lab := netlab.NewT(b, netlab.Options{Prefix: testPrefix})
	srv := listen6(b, lab, lab.ServerNS, Config6{Interfaces: []string{lab.ServerIf}, RecvBuffer: 1 << 20})
	client := listen6(b, lab, lab.ClientNS, Config6{Interfaces: []string{lab.ClientIf}, Port: 546})
	ctx := context.Background()
	payload := solicit(lab.ClientMAC, 1)
	dst := netip.AddrPortFrom(AllRelayAgentsAndServers, 547)
	msgs := make([]Msg, 16)
	for i := range msgs {
		msgs[i].Buf = make([]byte, 1500)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for range 16 {
			if _, err := client.Conns[0].WriteTo(payload, dst, netip.Addr{}, 0); err != nil {
				b.Fatal(err)
			}
		}
		for got := 0; got < 16; {
			n, err := srv.Conns[0].ReadBatch(ctx, msgs)
			if err != nil {
				b.Fatal(err)
			}
			if msgs[0].Src.Addr().Zone() == "" {
				b.Fatal("link-local source without zone")
			}
			got += n
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*16), "ns/datagram")
}

// BenchmarkWriteBatch sends 16 replies per op with one sendmmsg.
func BenchmarkWriteBatch(b *testing.B) {
	lab, srv, _ := benchLab(b)
	payload := discover(lab.ClientMAC, 1)
	out := make([]Out, 16)
	for i := range out {
		out[i] = Out{Buf: payload, Dst: netip.MustParseAddrPort("192.0.2.10:68"), Src: lab.ServerAddr4.Addr()}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := srv.Conns[0].WriteBatch(out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*16), "ns/datagram")
}

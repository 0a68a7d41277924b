package sock_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/leasehold/leasehold/internal/sock"
)

// A DHCPv4 read loop on one interface answering by link-layer frame. Needs
// root and an interface eth0, so it is compiled but not run.
func Example() {
	l, err := sock.Listen4(sock.Config4{Interfaces: []string{"eth0"}})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	msgs := make([]sock.Msg, 32)
	for i := range msgs {
		msgs[i].Buf = make([]byte, 1500)
	}
	for {
		n, err := l.Conns[0].ReadBatch(ctx, msgs)
		if err != nil {
			log.Fatal(err)
		}
		for _, m := range msgs[:n] {
			fmt.Println(len(m.Payload()), "bytes from", m.Src, "to", m.Dst, "on", m.IfIndex)
			if raw := l.Raw(m.IfIndex); raw != nil && len(m.Payload()) >= 34 {
				chaddr := m.Payload()[28:34]
				reply := []byte("...an OFFER built with dhcp4...")
				src := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), 67)
				dst := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.100"), 68)
				if err := raw.Send(reply, chaddr, src, dst); err != nil {
					log.Print(err)
				}
			}
		}
	}
}

package dhcp6_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/lease"
)

// A server is built from a configuration and a lease store; Handle turns a
// client's datagram into the reply (Serve does the same on sockets).
func ExampleServer_Handle() {
	cfg, err := config.Parse([]byte(`{"Dhcp6": {
	  "server-id": {"type": "LL", "identifier": "020000000001", "persist": false},
	  "subnet6": [{"id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
	               "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}]}]
	}}`))
	if err != nil {
		log.Fatal(err)
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{}) // in memory only
	if err != nil {
		log.Fatal(err)
	}
	srv, err := dhcp6.NewServer(cfg.DHCP6, dhcp6.ServerOptions{Store: store})
	if err != nil {
		log.Fatal(err)
	}

	// A SOLICIT for one address, as a client on eth0 multicasts it.
	b := dhcp6.NewBuilder(nil, dhcp6.Solicit, 0x4711)
	b.AddOption(dhcp6.OptClientID, dhcp6.AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0, 9}))
	b.AddIANA(1, 0, 0)
	b.EndOption()
	solicit, _ := b.Finish()

	r, err := srv.Handle(context.Background(), solicit, dhcp6.PacketMeta{
		Src:    netip.MustParseAddrPort("[fe80::9%eth0]:546"),
		Dst:    netip.MustParseAddr("ff02::1:2"),
		IfName: "eth0",
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	var reply dhcp6.Packet
	if err := reply.Decode(r.Data); err != nil {
		log.Fatal(err)
	}
	data, _ := reply.Msg.Options.Get(dhcp6.OptIANA)
	ia, _ := dhcp6.ParseIANA(data)
	addr, _ := ia.Options.Get(dhcp6.OptIAAddr)
	a, _ := dhcp6.ParseIAAddr(addr)
	fmt.Println(r.Type, "to", r.Dst, "offers", a.Addr, "for", a.Valid, "s")
	// Output: ADVERTISE to [fe80::9%eth0]:546 offers 2001:db8:1::100 for 7200 s
}

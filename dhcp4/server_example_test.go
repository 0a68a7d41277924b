package dhcp4_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/netip"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/lease"
)

// A server built from a Kea configuration answers a DISCOVER through
// Handle, the socket-free core that Serve runs for every datagram.
func ExampleServer_Handle() {
	cfg, err := config.Parse([]byte(`{"Dhcp4": {
		"interfaces-config": {"interfaces": ["eth0"]},
		"valid-lifetime": 3600,
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24",
			"pools": [{"pool": "192.0.2.100 - 192.0.2.199"}]}]}}`))
	if err != nil {
		log.Fatal(err)
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{}) // in memory
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	srv, err := dhcp4.NewServer(cfg.DHCP4, dhcp4.ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}

	h := dhcp4.Header{Op: dhcp4.BootRequest, HType: 1, HLen: 6, XID: 42}
	copy(h.CHAddr[:], []byte{0x02, 0, 0, 0, 0, 1})
	b := dhcp4.NewBuilder(nil, h)
	b.AddMessageType(dhcp4.Discover)
	discover, _ := b.Finish()

	reply, err := srv.Handle(context.Background(), discover, dhcp4.PacketMeta{
		Src:    netip.MustParseAddrPort("0.0.0.0:68"),
		Dst:    netip.MustParseAddr("255.255.255.255"),
		IfName: "eth0", IfIndex: 2, IfAddr: netip.MustParseAddr("192.0.2.1"),
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	var offer dhcp4.Message
	offer.Decode(reply.Data)
	t, _ := offer.MessageType()
	lt, _ := offer.LeaseTime()
	fmt.Println(t, offer.YIAddr, lt, "to", reply.Dst, "raw:", reply.Raw)

	// A packet the server will not answer says why.
	_, err = srv.Handle(context.Background(), discover[:100], dhcp4.PacketMeta{}, nil)
	fmt.Println(errors.Is(err, dhcp4.DropTruncated), srv.Counters().Dropped[dhcp4.DropTruncated])
	// Output:
	// DHCPOFFER 192.0.2.100 3600 to 192.0.2.100:68 raw: true
	// true 1
}

// Serving on sockets until a signal, with a clean shutdown that syncs the
// lease store. examples/embed is the whole program.
func ExampleServer_Serve() {
	cfg, err := config.Load("/etc/kea/kea-dhcp4.conf")
	if err != nil {
		log.Fatal(err)
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{
		V4Path: cfg.DHCP4.LeaseDatabase.Name, Persist: true})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	srv, err := dhcp4.NewServer(cfg.DHCP4, dhcp4.ServerOptions{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		time.Sleep(time.Hour) // or: wait for SIGTERM
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(context.Background()); err != nil {
		log.Fatal(err)
	}
}

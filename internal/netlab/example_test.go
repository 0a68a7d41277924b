package netlab_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"path/filepath"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// A lab with Kea serving a dhclient, outside of a test. Needs root, so it
// is compiled but not run by go test.
func Example() {
	lab, err := netlab.New(netlab.Options{Prefix: "demo"})
	if err != nil {
		log.Fatal(err)
	}
	defer lab.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := lab.KeaConfig4(filepath.Join(lab.Dir, "kea-leases4.csv"))
	if _, err := lab.StartKea(ctx, lab.ServerNS, false, cfg); err != nil {
		log.Fatal(err)
	}
	client, err := lab.StartDHClient(lab.FirstClient(), netlab.ClientOptions{})
	if err != nil {
		log.Fatal(err)
	}
	ev, err := client.WaitEvent(ctx, "BOUND")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("leased", ev["new_ip_address"])
}

// A relay link: perfdhcp in the router namespace relays SOLICITs with the
// far link's address as link-address (-A1 -l DownIf), and Kea (given a
// subnet for the far link by KeaConfig6) answers through the router.
func ExampleLab_AddRelayLink() {
	lab, err := netlab.New(netlab.Options{Prefix: "demo"})
	if err != nil {
		log.Fatal(err)
	}
	defer lab.Close()
	relay, err := lab.AddRelayLink(netlab.RelayOptions{})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := lab.StartKea(ctx, lab.ServerNS, true, lab.KeaConfig6(filepath.Join(lab.Dir, "l.csv"))); err != nil {
		log.Fatal(err)
	}
	out, err := lab.Run(ctx, relay.RouterNS, "perfdhcp", "-6", "-A1", "-l", relay.DownIf,
		"-n", "2", "-r", "10", lab.ServerAddr6.Addr().String())
	fmt.Println(len(out) > 0, err)
}

// An in-process server opens its socket inside the server namespace; the
// socket stays there after InNS returns and can be used from any goroutine.
func ExampleInNS() {
	lab, err := netlab.New(netlab.Options{Prefix: "demo"})
	if err != nil {
		log.Fatal(err)
	}
	defer lab.Close()
	var conn net.PacketConn
	err = netlab.InNS(lab.ServerNS, func() error {
		var err error
		conn, err = net.ListenPacket("udp4", lab.ServerAddr4.Addr().String()+":67")
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	fmt.Println(conn.LocalAddr())
}

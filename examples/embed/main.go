// Command embed runs leasehold's DHCPv4 server inside a program: a Kea
// configuration from a string, leases in a memfile, serving until SIGINT
// or SIGTERM. Run it as root on the interface to serve:
//
//	go run ./examples/embed -i eth1
package main

import (
	"context"
	"flag"
	"log"
	"os/signal"
	"strings"
	"syscall"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/lease"
)

const keaConfig = `{"Dhcp4": {
	"interfaces-config": {"interfaces": ["IFACE"]},
	"valid-lifetime": 3600,
	"subnet4": [{"id": 1, "subnet": "192.0.2.0/24",
		"pools": [{"pool": "192.0.2.100 - 192.0.2.199"}],
		"option-data": [{"name": "routers", "data": "192.0.2.1"}]}]}}`

func main() {
	iface := flag.String("i", "eth1", "interface to serve")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	cfg, err := config.Parse([]byte(strings.Replace(keaConfig, "IFACE", *iface, 1)))
	if err != nil {
		log.Fatal(err)
	}
	store, err := lease.OpenMemfile(ctx, lease.MemfileOptions{V4Path: "leases4.csv", Persist: true})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	srv, err := dhcp4.NewServer(cfg.DHCP4, dhcp4.ServerOptions{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Serve(ctx); err != nil {
		log.Fatal(err)
	}
}

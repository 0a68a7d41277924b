package dhcp4

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

const benchClients = 1000

// srvBenchServer is a server with a /16 pool and benchClients clients that
// already hold leases, as in a perfdhcp run with a fixed client set.
func srvBenchServer(b *testing.B, hm *hooks.Manager) (*Server, [][]byte, [][]byte) {
	b.Helper()
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	now := time.Unix(1_800_000_000, 0)
	s, err := NewServer(hConfig(b, `
		"interfaces-config": {"interfaces": ["eth0"]},
		"valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
		"subnet4": [{"id": 1, "subnet": "198.18.0.0/15", "interface": "eth0",
			"pools": [{"pool": "198.18.0.10 - 198.19.255.250"}],
			"option-data": [{"name": "routers", "data": "198.18.0.1"},
				{"name": "domain-name-servers", "data": "198.18.0.53"}]}]`),
		ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }, Hooks: hm})
	if err != nil {
		b.Fatal(err)
	}
	prl := []byte{OptSubnetMask, OptRouter, OptDNS, OptDomainName}
	var discovers, requests [][]byte
	meta := PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0",
		IfAddr: netip.MustParseAddr("198.18.0.1")}
	for i := range benchClients {
		m := [6]byte{2, 0, 0, 0, byte(i >> 8), byte(i)}
		d := client{typ: Discover, mac: m, prl: prl}.bytes(b)
		r, err := s.Handle(context.Background(), d, meta, nil)
		if err != nil {
			b.Fatal(err)
		}
		var offer Message
		offer.Decode(r.Data)
		q := client{typ: Request, mac: m, prl: prl, reqIP: offer.YIAddr, srvID: meta.IfAddr}.bytes(b)
		if _, err := s.Handle(context.Background(), q, meta, nil); err != nil {
			b.Fatal(err)
		}
		discovers = append(discovers, d)
		requests = append(requests, q)
	}
	return s, discovers, requests
}

// BenchmarkHandle measures the per-packet core without sockets: decode,
// classify, select, find the lease in the memfile store, build the reply.
func BenchmarkHandle(b *testing.B) {
	s, discovers, requests := srvBenchServer(b, nil)
	meta := PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0",
		IfAddr: netip.MustParseAddr("198.18.0.1")}
	for _, bc := range []struct {
		name string
		pkts [][]byte
	}{{"DISCOVER-OFFER", discovers}, {"REQUEST-ACK", requests}} {
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, 0, 1500)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r, err := s.Handle(ctx, bc.pkts[i%len(bc.pkts)], meta, buf)
				if err != nil {
					b.Fatal(err)
				}
				buf = r.Data[:0]
				i++
			}
		})
	}
}

// benchObserver is an observe-only library at leases4_committed that does
// nothing: what the server pays to feed an observer.
type benchObserver struct{}

func (benchObserver) Load(context.Context, json.RawMessage) (hooks.Registration, error) {
	return hooks.Registration{hooks.Leases4Committed: hooks.Observe}, nil
}

func (benchObserver) Callout(context.Context, hooks.Point, *hooks.Args) (hooks.NextStep, error) {
	return hooks.Continue, nil
}

func (benchObserver) Unload(context.Context) error { return nil }

// BenchmarkHandleObserved is REQUEST-ACK with an observe-only library at
// leases4_committed, which cannot park the reply.
func BenchmarkHandleObserved(b *testing.B) {
	hm, err := hooks.New(context.Background(), hooks.Config{Logger: slog.New(slog.DiscardHandler),
		Libraries: []hooks.LibraryConfig{{Library: "observer", Linked: benchObserver{}}}})
	if err != nil {
		b.Fatal(err)
	}
	defer hm.Close(context.Background())
	s, _, requests := srvBenchServer(b, hm)
	meta := PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0",
		IfAddr: netip.MustParseAddr("198.18.0.1")}
	buf := make([]byte, 0, 1500)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r, err := s.Handle(ctx, requests[i%len(requests)], meta, buf)
		if err != nil {
			b.Fatal(err)
		}
		buf = r.Data[:0]
		i++
	}
}

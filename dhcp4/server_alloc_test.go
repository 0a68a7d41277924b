package dhcp4

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// TestHandleAllocs bounds the allocations of DORA: a new client's
// DISCOVER, its REQUEST (the store's copy of the new lease), and a
// renewal (the copy of the lease the store hands out).
func TestHandleAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Unix(1_800_000_000, 0)
	s, err := NewServer(hConfig(t, `
		"interfaces-config": {"interfaces": ["eth0"]},
		"valid-lifetime": 4000,
		"subnet4": [{"id": 1, "subnet": "198.18.0.0/15", "interface": "eth0",
			"pools": [{"pool": "198.18.0.10 - 198.19.255.250"}],
			"option-data": [{"name": "routers", "data": "198.18.0.1"}]}]`),
		ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	meta := PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0",
		IfAddr: netip.MustParseAddr("198.18.0.1")}
	ctx := context.Background()
	buf := make([]byte, 0, 1500)
	handle := func(pkt []byte, want MessageType) Reply {
		r, err := s.Handle(ctx, pkt, meta, buf)
		if err != nil || r.Type != want {
			t.Fatalf("got %v, %v; want %v", r.Type, err, want)
		}
		return r
	}
	const runs = 50
	prl := []byte{OptSubnetMask, OptRouter}
	clientOf := func(i int) client {
		m := [6]byte{2, 0, 0, 1, byte(i >> 8), byte(i)}
		return client{mac: m, cid: append([]byte{1}, m[:]...), prl: prl}
	}
	// Clients 1..runs+1 send DISCOVER, then REQUEST for what they were offered.
	var discovers, requests [][]byte
	for i := 1; i <= runs+1; i++ {
		c := clientOf(i)
		c.typ = Discover
		discovers = append(discovers, c.bytes(t))
	}
	for i, d := range discovers {
		var offer Message
		if err := offer.Decode(handle(d, Offer).Data); err != nil {
			t.Fatal(err)
		}
		c := clientOf(i + 1)
		c.typ, c.reqIP, c.srvID = Request, offer.YIAddr, meta.IfAddr
		requests = append(requests, c.bytes(t))
	}
	newDiscovers := make([][]byte, 0, runs+1)
	for i := 1000; i <= 1000+runs; i++ {
		c := clientOf(i)
		c.typ = Discover
		newDiscovers = append(newDiscovers, c.bytes(t))
	}
	for _, tc := range []struct {
		name string
		pkts [][]byte // one per run, built before counting
		want MessageType
		max  float64
	}{
		{"DISCOVER, new client", newDiscovers, Offer, 0},
		// The store's copy of the lease's variable fields.
		{"REQUEST, new lease", requests, Ack, 1},
		// The copy of the client's lease the store hands out, and the
		// stored one's new copy.
		{"REQUEST, renewal", requests, Ack, 2},
		{"DISCOVER, client with a lease", discovers, Offer, 1},
	} {
		i := 0
		allocs := testing.AllocsPerRun(runs, func() {
			handle(tc.pkts[i%len(tc.pkts)], tc.want)
			i++
		})
		if allocs > tc.max {
			t.Errorf("%s: %v allocations, want at most %v", tc.name, allocs, tc.max)
		}
	}
}

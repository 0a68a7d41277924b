package dhcp6

import (
	"context"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

// renewOf is the RENEW of client i for the IA_NA its REPLY gave it.
func renewOf(t *testing.T, i int, serverID, reply []byte) []byte {
	t.Helper()
	var m Message
	if err := m.Decode(reply); err != nil {
		t.Fatal(err)
	}
	ia, ok := m.Options.Get(OptIANA)
	if !ok {
		t.Fatal("REPLY without IA_NA")
	}
	req := benchClient(i, false, false, serverID, Renew)
	b := NewBuilder(nil, Renew, uint32(i)&0xffffff)
	var q Message
	if err := q.Decode(req); err != nil {
		t.Fatal(err)
	}
	for code, data := range q.Options.All() {
		b.AddOption(code, data)
	}
	b.AddOption(OptIANA, ia)
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHandleAllocs bounds the allocations of the server's hot paths: a
// SARR allocates only the store's copy of the new lease, a RENEW only the
// copy of the lease the store hands out.
func TestHandleAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(parseCfg(t, benchConfig), ServerOptions{Store: store, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	sid := s.view.Load().serverID
	ctx := context.Background()
	buf := make([]byte, 0, 1500)
	const runs = 50
	handle := func(pkt []byte, want MessageType) []byte {
		r, err := s.Handle(ctx, pkt, benchMeta, buf)
		if err != nil || r.Type != want {
			t.Fatalf("got %v, %v; want %v", r.Type, err, want)
		}
		return r.Data
	}
	next := 0
	newClients := func(na, pd bool, typ MessageType) [][]byte {
		var out [][]byte
		for range runs + 1 {
			next++
			out = append(out, benchClient(next, na, pd, sid, typ))
		}
		return out
	}
	held := 1 << 20
	handle(benchClient(held, true, false, sid, Solicit), Advertise)
	reply := append([]byte(nil), handle(benchClient(held, true, false, sid, Request), Reply)...)
	renew := renewOf(t, held, sid, reply)
	for _, tc := range []struct {
		name string
		pkts [][]byte // one per run, built before counting
		want MessageType
		max  float64
	}{
		{"SOLICIT IA_NA, new client", newClients(true, false, Solicit), Advertise, 0},
		{"SOLICIT IA_PD, new client", newClients(false, true, Solicit), Advertise, 0},
		// The store's copy of the lease's variable fields.
		{"REQUEST IA_NA, new client", newClients(true, false, Request), Reply, 1},
		{"REQUEST IA_PD, new client", newClients(false, true, Request), Reply, 1},
		// The store's copy of the client's lease, and the list that holds it.
		{"RENEW IA_NA", [][]byte{renew}, Reply, 2},
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

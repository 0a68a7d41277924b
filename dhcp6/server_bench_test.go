package dhcp6

import (
	"context"
	"encoding/binary"
	"net/netip"
	"syscall"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

const benchConfig = `{"Dhcp6": {
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "server-id": {"type": "LL", "identifier": "02000000aa01", "persist": false},
  "option-data": [{"name": "dns-servers", "data": "2001:db8::53"}],
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
     "pools": [{"pool": "2001:db8:1::/80"}],
     "pd-pools": [{"prefix": "2001:db8:8000::", "prefix-len": 32, "delegated-len": 56}]}
  ]
}}`

// benchServer is a server over an in-memory store, as the daemon runs it
// without persistence, so the benchmarks measure the server, not fsync.
func benchServer(b *testing.B) *Server {
	b.Helper()
	c := parseCfg(b, benchConfig)
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewServer(c, ServerOptions{Store: store, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

var benchMeta = PacketMeta{
	Src:    netip.MustParseAddrPort("[fe80::1%eth0]:546"),
	Dst:    netip.MustParseAddr("ff02::1:2"),
	IfName: "eth0", IfIndex: 2,
}

// benchClient makes the SOLICIT and REQUEST of client i, with an IA_NA, an
// IA_PD or both.
func benchClient(i int, na, pd bool, serverID []byte, typ MessageType) []byte {
	mac := binary.BigEndian.AppendUint32([]byte{2, 0}, uint32(i))
	b := NewBuilder(make([]byte, 0, 256), typ, uint32(i)&0xffffff)
	b.AddOption(OptClientID, AppendDUIDLL(make([]byte, 0, 16), 1, mac))
	if typ != Solicit {
		b.AddOption(OptServerID, serverID)
	}
	b.AddElapsedTime(0)
	b.AddORO(OptDNSServers)
	if na {
		b.AddIANA(1, 0, 0)
		b.EndOption()
	}
	if pd {
		b.AddIAPD(2, 0, 0)
		b.EndOption()
	}
	out, _ := b.Finish()
	return out
}

func benchSARR(b *testing.B, na, pd bool, request bool) {
	s := benchServer(b)
	sid := s.view.Load().serverID
	const clients = 1 << 16
	sol := make([][]byte, clients)
	req := make([][]byte, clients)
	for i := range sol {
		sol[i] = benchClient(i, na, pd, sid, Solicit)
		req[i] = benchClient(i, na, pd, sid, Request)
	}
	buf := make([]byte, 0, 1500)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := threadCPU()
	defer func() { b.ReportMetric(float64(threadCPU()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for i := range b.N {
		k := i % clients
		r, err := s.Handle(ctx, sol[k], benchMeta, buf)
		if err != nil || r.Type != Advertise {
			b.Fatalf("SOLICIT: %v %v", r.Type, err)
		}
		if request {
			r, err = s.Handle(ctx, req[k], benchMeta, buf)
			if err != nil || r.Type != Reply {
				b.Fatalf("REQUEST: %v %v", r.Type, err)
			}
		}
	}
}

// BenchmarkHandleSolicitNA is SOLICIT→ADVERTISE with an IA_NA.
func BenchmarkHandleSolicitNA(b *testing.B) { benchSARR(b, true, false, false) }

// BenchmarkHandleSolicitPD is SOLICIT→ADVERTISE with an IA_PD.
func BenchmarkHandleSolicitPD(b *testing.B) { benchSARR(b, false, true, false) }

// BenchmarkHandleSARRNA is SOLICIT→ADVERTISE then REQUEST→REPLY with an
// IA_NA (from the second round on, REQUEST confirms the client's lease).
func BenchmarkHandleSARRNA(b *testing.B) { benchSARR(b, true, false, true) }

// BenchmarkHandleSARRPD is SARR with an IA_PD.
func BenchmarkHandleSARRPD(b *testing.B) { benchSARR(b, false, true, true) }

// BenchmarkHandleSARRNAPD is SARR with an IA_NA and an IA_PD in one message.
func BenchmarkHandleSARRNAPD(b *testing.B) { benchSARR(b, true, true, true) }

// threadCPU is the process's user+system CPU time in nanoseconds: on a
// shared machine wall time per operation overstates the server's cost,
// CPU time does not.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

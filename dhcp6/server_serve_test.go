package dhcp6

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/lease"
)

const serveConfig = `{"Dhcp6": {
  "interfaces-config": {"interfaces": ["IFACE"]},
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "server-id": {"type": "LL", "identifier": "02000000aa01", "persist": false},
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64", "interface": "IFACE",
     "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}],
     "pd-pools": [{"prefix": "2001:db8:8000::", "prefix-len": 40, "delegated-len": 56}]}
  ]
}}`

func parseCfg(t testing.TB, text string) *config.DHCP6 {
	t.Helper()
	c, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c.DHCP6
}

// TestServeUDP runs Serve on a caller's socket on the loopback interface
// (no root needed), syncing inline and on a committer: a relayed SOLICIT
// and REQUEST get their answers, the lease is in the lease file before
// the REPLY arrives, Shutdown returns.
func TestServeUDP(t *testing.T) {
	for _, committer := range []bool{false, true} {
		t.Run(map[bool]string{false: "inline", true: "committer"}[committer], func(t *testing.T) { serveUDP(t, committer) })
	}
}

func serveUDP(t *testing.T, committer bool) {
	pc, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer pc.Close()
	cli, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	leaseFile := filepath.Join(t.TempDir(), "leases6.csv")
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{V6Path: leaseFile, Persist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := parseCfg(t, strings.ReplaceAll(serveConfig, "IFACE", "lo"))
	s, err := NewServer(cfg, ServerOptions{Store: store, Conns: []net.PacketConn{pc}, Logger: quietLogger(),
		ClientPort: cli.LocalAddr().(*net.UDPAddr).Port, Committer: committer})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Ready():
		t.Fatal("Ready closed before Serve")
	default:
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(context.Background()) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		t.Fatalf("Serve returned before Ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Ready not closed 10 s after Serve started")
	}

	srvAddr := pc.LocalAddr().(*net.UDPAddr).AddrPort()
	exchange := func(q []byte) *Packet {
		t.Helper()
		if _, err := cli.WriteToUDPAddrPort(q, srvAddr); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2048)
		_ = cli.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, _, err := cli.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		var p Packet
		if err := p.Decode(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if p.NumRelays != 1 {
			t.Fatalf("answer has %d relay levels, want 1", p.NumRelays)
		}
		return &p
	}
	hop := relayHop{link: "2001:db8:1::1", peer: "fe80::1234"}
	duid := duidLL(0x31)
	adv := exchange(srvRelay(srvMsg(Solicit, 1, duid, []opt{withNA(1)}), hop))
	if adv.Msg.Type != Advertise {
		t.Fatalf("answer to SOLICIT is %v", adv.Msg.Type)
	}
	rep := exchange(srvRelay(srvMsg(Request, 2, duid, []opt{withServerIDOf(adv.Msg.Options), withIAs(adv.Msg.Options)}), hop))
	if rep.Msg.Type != Reply {
		t.Fatalf("answer to REQUEST is %v", rep.Msg.Type)
	}
	// The lease was durable before the REPLY left.
	data, err := os.ReadFile(leaseFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("2001:db8:1::100,00:03:00:01:02:00:00:00:05:31,4000,")) {
		t.Fatalf("lease file lacks the lease:\n%s", data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	c := s.Counters()
	if c.Received.Of(Solicit) != 1 || c.Received.Of(Request) != 1 || c.Sent.Of(Advertise) != 1 || c.Sent.Of(Reply) != 1 {
		t.Errorf("counters: received %+v sent %+v", c.Received, c.Sent)
	}
	if c.LeasesAllocated != 1 {
		t.Errorf("LeasesAllocated = %d, want 1", c.LeasesAllocated)
	}
}

// TestServeNamespace runs Serve on its own sockets (internal/sock, joined
// to ff02::1:2) in a network namespace and talks to it as a directly
// connected client from another: multicast SOLICIT, REQUEST, RENEW to
// the unicast address, RELEASE.
func TestServeNamespace(t *testing.T) {
	lab := newSrvLab(t)
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := parseCfg(t, strings.ReplaceAll(serveConfig, "IFACE", lab.srvIf))
	s, err := NewServer(cfg, ServerOptions{Store: store, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	var conns []servedConn
	if err := inNS(lab.srvNS, func() error {
		var err error
		conns, err = s.listen(cfg)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer conns[0].close()
	errc := make(chan error, 1)
	go func() { errc <- s.serveConns(context.Background(), conns) }()
	cli := lab.client(t)

	send := func(q []byte, dst netip.AddrPort) *Packet {
		t.Helper()
		r := cli.send(t, false, dst, q, 3*time.Second)
		if r == nil {
			t.Fatalf("no answer from %v", dst)
		}
		var p Packet
		if err := p.Decode(r); err != nil {
			t.Fatal(err)
		}
		return &p
	}
	duid := duidLLT(0x41)
	adv := send(srvMsg(Solicit, 1, duid, []opt{withNA(1), withPD(2)}), cli.multicastDst())
	if adv.Msg.Type != Advertise || adv.Msg.Options.Count(OptIANA) != 1 || adv.Msg.Options.Count(OptIAPD) != 1 {
		t.Fatalf("ADVERTISE: %s", dumpMessage(mustAppend(adv)))
	}
	rep := send(srvMsg(Request, 2, duid, []opt{withServerIDOf(adv.Msg.Options), withIAs(adv.Msg.Options)}), cli.multicastDst())
	want := "IA_NA(1 t1=1500 t2=2400 IAADDR(2001:db8:1::100 3000/4000 ) ) IA_PD(2 t1=1500 t2=2400 IAPREFIX(2001:db8:8000::/56 3000/4000 ) )"
	if got := dumpMessage(mustAppend(rep)); rep.Msg.Type != Reply || !strings.Contains(got, want) {
		t.Fatalf("REPLY: %s\nwant %s", got, want)
	}
	ren := send(srvMsg(Renew, 3, duid, []opt{withServerIDOf(rep.Msg.Options), withIAs(rep.Msg.Options)}),
		netip.AddrPortFrom(lab.srvAddr, ServerPort))
	if got := dumpMessage(mustAppend(ren)); !strings.Contains(got, want) {
		t.Fatalf("REPLY to RENEW: %s", got)
	}
	rel := send(srvMsg(Release, 4, duid, []opt{withServerIDOf(rep.Msg.Options), withIAs(rep.Msg.Options)}), cli.multicastDst())
	if got := dumpMessage(mustAppend(rel)); !strings.Contains(got, "STATUS(Success)") {
		t.Fatalf("REPLY to RELEASE: %s", got)
	}
	if _, err := store.Get6(context.Background(), lease.TypeNA, netip.MustParseAddr("2001:db8:1::100")); err == nil {
		t.Error("released lease is still in the store")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

func mustAppend(p *Packet) []byte {
	b, err := p.AppendTo(nil)
	if err != nil {
		panic(err)
	}
	return b
}

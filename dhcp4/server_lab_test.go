package dhcp4

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/engine"
	"github.com/leasehold/leasehold/internal/netlab"
	"github.com/leasehold/leasehold/lease"
	"golang.org/x/sys/unix"
)

// TestServeInNamespace runs the server on real sockets (internal/sock,
// raw replies) in a namespace lab and talks to it: a small UDP client
// that asks for broadcast replies, then ISC dhclient, which gets its
// replies as raw unicast frames.
func TestServeInNamespace(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: "lhH"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store, err := lease.OpenMemfile(ctx, lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := hConfig(t, `"interfaces-config": {"interfaces": ["`+lab.ServerIf+`"]},
		"valid-lifetime": 600,
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24",
			"pools": [{"pool": "192.0.2.100 - 192.0.2.199"}],
			"option-data": [{"name": "routers", "data": "192.0.2.1"}]}]`)
	s, err := NewServer(cfg, ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var conns []engine.Conn
	var closeAll func()
	// Sockets belong to the namespace they are opened in; serving can run
	// anywhere after that.
	if err := lab.InNS(lab.ServerNS, func() error {
		var err error
		conns, closeAll, err = s.listen(cfg.InterfacesConfig)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	served := make(chan error, 1)
	go func() { served <- s.serveConns(ctx, conns) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := s.Shutdown(sctx); err != nil {
			t.Error(err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	// The small client: broadcast flag set, so replies are broadcast.
	cl := lab.FirstClient()
	exchange, closeClient := labClient(t, lab, cl)
	defer closeClient()
	var hw [6]byte
	copy(hw[:], cl.MAC)
	offer := exchange(client{typ: Discover, xid: 1}, Offer)
	ack := exchange(client{typ: Request, xid: 2, reqIP: offer.YIAddr, srvID: lab.ServerAddr4.Addr()}, Ack)
	if ack.YIAddr != offer.YIAddr || !strings.HasPrefix(ack.YIAddr.String(), "192.0.2.1") {
		t.Errorf("ACK for %v after OFFER of %v", ack.YIAddr, offer.YIAddr)
	}
	if sid, _ := ack.ServerID(); sid != lab.ServerAddr4.Addr() {
		t.Errorf("server id %v, want %v", sid, lab.ServerAddr4.Addr())
	}
	if l, err := store.Get4(ctx, ack.YIAddr); err != nil || string(l.HWAddr) != string(hw[:]) {
		t.Errorf("lease %+v, %v", l, err)
	}

	// dhclient: no broadcast flag, so OFFER and ACK come as raw frames
	// to its MAC.
	if _, err := netlab.LookTool("dhclient"); err != nil {
		if netlab.Required() {
			t.Fatal("dhclient is required here")
		}
		t.Log("dhclient not installed; raw unicast replies not checked")
		return
	}
	c2, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	dc, err := lab.StartDHClient(c2, netlab.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := dc.WaitEvent(ctx, "BOUND")
	if err != nil {
		t.Fatalf("dhclient: %v", err)
	}
	got := netip.MustParseAddr(ev["new_ip_address"])
	if got == ack.YIAddr || !strings.HasPrefix(got.String(), "192.0.2.1") {
		t.Errorf("dhclient bound %v", got)
	}
	if c := s.Counters(); c.Sent.Of(Ack) < 2 || c.DroppedTotal() != 0 {
		t.Errorf("counters: ACKs %d, dropped %v", c.Sent.Of(Ack), c.Dropped)
	}
}

// labClient opens a UDP socket on port 68 in the client's namespace and
// returns a function that sends one packet (broadcast flag set) and waits
// for the reply with its xid.
func labClient(t *testing.T, lab *netlab.Lab, cl *netlab.Client) (func(c client, want MessageType) *Message, func()) {
	var pc net.PacketConn
	if err := lab.InNS(cl.NS, func() error {
		lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
				if serr == nil {
					serr = unix.BindToDevice(int(fd), cl.If)
				}
			})
			return serr
		}}
		var err error
		pc, err = lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:68")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var hw [6]byte
	copy(hw[:], cl.MAC)
	exchange := func(c client, want MessageType) *Message {
		t.Helper()
		c.mac, c.flags = hw, BroadcastFlag
		if _, err := pc.WriteTo(c.bytes(t), &net.UDPAddr{IP: net.IPv4bcast, Port: 67}); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		for {
			pc.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				t.Fatalf("waiting for %v: %v", want, err)
			}
			m := new(Message)
			if m.Decode(append([]byte(nil), buf[:n]...)) != nil || m.XID != 0x1000+c.xid {
				continue
			}
			if got, _ := m.MessageType(); got != want {
				t.Fatalf("got %v, want %v", got, want)
			}
			return m
		}
	}
	return exchange, func() { pc.Close() }
}

// A Reconfigure that changes an interface's entry (here "eth0" to
// "eth0/addr") makes Serve close that interface's sockets and open the
// new ones; leases stay. Kept entries keep their sockets
// (server_follow_test.go).
func TestServeReopensOnInterfaceChange(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: "lhH"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store, err := lease.OpenMemfile(ctx, lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	body := func(iface string) string {
		return `"interfaces-config": {"interfaces": ["` + iface + `"]},
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.100 - 192.0.2.199"}]}]`
	}
	s, err := NewServer(hConfig(t, body(lab.ServerIf)), ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	// Serve opens (and reopens) its sockets on its own goroutine, which
	// InNS keeps in the server's namespace.
	go func() { served <- lab.InNS(lab.ServerNS, func() error { return s.Serve(ctx) }) }()
	exchange, closeClient := labClient(t, lab, lab.FirstClient())
	defer closeClient()
	waitFor(t, func() bool { return s.opened.Load() == 1 })
	offer := exchange(client{typ: Discover, xid: 1}, Offer)
	exchange(client{typ: Request, xid: 2, reqIP: offer.YIAddr, srvID: lab.ServerAddr4.Addr()}, Ack)

	if err := s.Reconfigure(hConfig(t, body(lab.ServerIf+"/"+lab.ServerAddr4.Addr().String()))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.opened.Load() == 2 })
	again := exchange(client{typ: Discover, xid: 3}, Offer)
	if again.YIAddr != offer.YIAddr {
		t.Errorf("after reopening, the client was offered %v, want its lease %v", again.YIAddr, offer.YIAddr)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := s.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

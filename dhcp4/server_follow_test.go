package dhcp4

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
	"github.com/leasehold/leasehold/lease"
	"golang.org/x/sys/unix"
)

// TestServeFollowsInterfaces runs Serve on its own sockets in a namespace
// with two links and reconfigures it, with both socket types: raw (replies
// to clients without an address go out as link-layer frames through the
// interface's raw sender) and udp (relayed traffic only). An interface
// added to interfaces-config is served at once; one removed finishes the
// request it was working on and is not served any more; the sockets of an
// interface that stays are kept, so every DISCOVER sent on it while the
// configuration changes gets its OFFER; a socket that cannot be opened is
// logged and the others serve on; leases stay.
func TestServeFollowsInterfaces(t *testing.T) {
	for _, st := range []string{"raw", "udp"} {
		t.Run(st, func(t *testing.T) { testServeFollows(t, st) })
	}
}

func testServeFollows(t *testing.T, socketType string) {
	lab := netlab.NewT(t, netlab.Options{Prefix: "hrF4"})
	c2, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	if2 := lab.OwnLinkT(t, c2, netip.MustParsePrefix("198.51.100.1/24"))
	conf := func(ifaces ...string) string {
		return fmt.Sprintf(`"interfaces-config": {"interfaces": ["%s"], "dhcp-socket-type": %q},
		"valid-lifetime": 600,
		"subnet4": [
			{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.100 - 192.0.2.199"}]},
			{"id": 2, "subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.100 - 198.51.100.199"}]}]`,
			strings.Join(ifaces, `", "`), socketType)
	}
	mem, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	store := &syncStore{Memfile: mem}
	logs := &followLog{}
	s, err := NewServer(hConfig(t, conf(lab.ServerIf)), ServerOptions{Store: store, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	stopServe := lab.ServeT(t, s)
	defer stopServe()

	relayed := socketType == "udp"
	cl1 := newFollowClient(t, lab, lab.FirstClient(), relayed, netip.MustParsePrefix("192.0.2.50/24"))
	cl2 := newFollowClient(t, lab, c2, relayed, netip.MustParsePrefix("198.51.100.50/24"))
	subnet1, subnet2 := netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24")

	// Only the first link is served.
	offer := cl1.exchange(client{typ: Discover, xid: 1}, time.Second)
	if offer == nil || !subnet1.Contains(offer.YIAddr) {
		t.Fatalf("client on %s: OFFER %v, want an address of %v", lab.ServerIf, offer, subnet1)
	}
	ack := cl1.exchange(client{typ: Request, xid: 2, reqIP: offer.YIAddr, srvID: netip.MustParseAddr("192.0.2.1")}, 3*time.Second)
	if ack == nil || ack.YIAddr != offer.YIAddr {
		t.Fatalf("REQUEST: %v, want an ACK of %v", ack, offer.YIAddr)
	}
	if got := cl2.exchange(client{typ: Discover, xid: 3}, time.Second); got != nil {
		t.Fatalf("client on %s, not in interfaces-config, got an answer: %v", if2, got.YIAddr)
	}

	// Adding the second link serves it; the first link's sockets stay.
	kept := followUnit(s, lab.ServerIf)
	reconfigure(t, s, conf(lab.ServerIf, if2))
	if got := cl2.exchange(client{typ: Discover, xid: 4}, time.Second); got == nil || !subnet2.Contains(got.YIAddr) {
		t.Fatalf("client on the added %s: OFFER %v, want an address of %v", if2, got, subnet2)
	}
	if n := s.opened.Load(); n != 2 {
		t.Errorf("sockets opened for %d interfaces after adding one to one, want 2 (the first kept)", n)
	}

	// While the second link comes and goes, the first one loses nothing.
	stop := make(chan struct{})
	toggled := make(chan int, 1)
	go func() {
		n := 0
		defer func() { toggled <- n }()
		for ; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			ifaces := []string{lab.ServerIf}
			if n%2 == 1 {
				ifaces = append(ifaces, if2)
			}
			if err := s.Reconfigure(hConfig(t, conf(ifaces...))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	// Closing a raw sender takes the kernel a few ms (an RCU grace
	// period): DISCOVERs spaced by as much fall among reconfigurations.
	lost := 0
	for i := range 30 {
		time.Sleep(10 * time.Millisecond)
		if got := cl1.exchange(client{typ: Discover, xid: uint32(100 + i)}, time.Second); got == nil || !subnet1.Contains(got.YIAddr) {
			lost++
		}
	}
	close(stop)
	n := <-toggled
	if lost > 0 {
		t.Errorf("%d of 30 DISCOVERs on the kept interface got no OFFER during %d reconfigurations", lost, n)
	}
	if n < 10 {
		t.Errorf("only %d reconfigurations while 30 DISCOVERs were answered: the test did not test", n)
	}
	if u := followUnit(s, lab.ServerIf); u != kept {
		t.Errorf("the kept interface's sockets were replaced while %s came and went", if2)
	}
	t.Logf("%s: %d reconfigurations during 30 exchanges", socketType, n)

	// An interface removed finishes the request it read before its sockets
	// close: the ACK waits for a sync that is held, and Reconfigure for it.
	reconfigure(t, s, conf(lab.ServerIf, if2))
	hold := make(chan struct{})
	store.hold.Store(&hold)
	offer2 := cl2.exchange(client{typ: Discover, xid: 5}, time.Second)
	if offer2 == nil {
		t.Fatalf("no OFFER on %s", if2)
	}
	syncs := store.syncs.Load()
	cl2.send(client{typ: Request, xid: 6, reqIP: offer2.YIAddr, srvID: netip.MustParseAddr("198.51.100.1")})
	waitFor(t, func() bool { return store.writes.Load() > 0 }) // read, and its lease written
	removed := make(chan error, 1)
	go func() { removed <- s.Reconfigure(hConfig(t, conf(lab.ServerIf, "hrnone0"))) }()
	select {
	case err := <-removed:
		t.Fatalf("Reconfigure returned (%v) while the removed interface's request waited for its sync", err)
	case <-time.After(200 * time.Millisecond):
	}
	store.hold.Store(nil)
	close(hold)
	if err := <-removed; err != nil {
		t.Fatalf("Reconfigure naming a missing interface: %v (it is logged, the others serve on)", err)
	}
	if got := cl2.receive(6, 3*time.Second); got == nil || got.YIAddr != offer2.YIAddr {
		t.Errorf("the request read on the removed %s before its sockets closed: answer %v, want an ACK of %v", if2, got, offer2.YIAddr)
	}
	if store.syncs.Load() == syncs {
		t.Error("the held sync never ran")
	}
	if !strings.Contains(logs.String(), "hrnone0") {
		t.Errorf("the interface that could not be opened is not logged:\n%s", logs.String())
	}
	if got := cl2.exchange(client{typ: Discover, xid: 7}, time.Second); got != nil {
		t.Errorf("client on the removed %s got an answer: %v", if2, got.YIAddr)
	}
	if got := cl1.exchange(client{typ: Discover, xid: 8}, time.Second); got == nil || !subnet1.Contains(got.YIAddr) {
		t.Errorf("client on %s after a reconfiguration naming a missing interface: OFFER %v", lab.ServerIf, got)
	}
	if l, err := store.Get4(context.Background(), ack.YIAddr); err != nil || !bytes.Equal(l.HWAddr, lab.FirstClient().MAC) {
		t.Errorf("lease of %v after the reconfigurations: %+v, %v", ack.YIAddr, l, err)
	}
}

// TestServeStarRereadsInterfaces: with "*" the one socket on every
// interface stays across reconfigurations, and an interface that got an
// address since is served with raw replies (a frame to the client's MAC,
// not a broadcast) once the configuration is applied again, as Kea's
// re-detection does. An interface missing at start-up stops Serve.
func TestServeStarRereadsInterfaces(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: "hrS4"})
	c2, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	conf := func(ifaces string) string {
		return `"interfaces-config": {"interfaces": [` + ifaces + `]},
		"subnet4": [
			{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.100 - 192.0.2.199"}]},
			{"id": 2, "subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.100 - 198.51.100.199"}]}]`
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	missing, err := NewServer(hConfig(t, conf(`"`+lab.ServerIf+`", "hrnone0"`)), ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.InNS(lab.ServerNS, func() error { return missing.Serve(context.Background()) }); err == nil || !strings.Contains(err.Error(), "hrnone0") {
		t.Errorf("Serve with a missing interface at start-up: %v, want an error naming it", err)
	}

	s, err := NewServer(hConfig(t, conf(`"*"`)), ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	stopServe := lab.ServeT(t, s)
	defer stopServe()
	cl1 := newFollowClient(t, lab, lab.FirstClient(), false, netip.Prefix{})
	if got := cl1.exchange(client{typ: Discover, xid: 1}, time.Second); got == nil || cl1.lastType != unix.PACKET_HOST {
		t.Fatalf("client on %s: OFFER %v (packet type %d), want one sent to its MAC", lab.ServerIf, got, cl1.lastType)
	}
	star := followUnit(s, "*")

	if2 := lab.OwnLinkT(t, c2, netip.MustParsePrefix("198.51.100.1/24"))
	reconfigure(t, s, conf(`"*"`))
	cl2 := newFollowClient(t, lab, c2, false, netip.Prefix{})
	got := cl2.exchange(client{typ: Discover, xid: 2}, time.Second)
	if got == nil || !netip.MustParsePrefix("198.51.100.0/24").Contains(got.YIAddr) || cl2.lastType != unix.PACKET_HOST {
		t.Errorf("client on %s, which got its address after start-up: OFFER %v (packet type %d), want one of 198.51.100.0/24 sent to its MAC", if2, got, cl2.lastType)
	}
	if u := followUnit(s, "*"); u != star || s.opened.Load() != 1 {
		t.Errorf("the socket of \"*\" was reopened (%d opened)", s.opened.Load())
	}
}

func reconfigure(t *testing.T, s *Server, body string) {
	t.Helper()
	if err := s.Reconfigure(hConfig(t, body)); err != nil {
		t.Fatal(err)
	}
}

// followUnit returns the sockets Serve has open for an interface.
func followUnit(s *Server, name string) *ifSockets {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.sockets.units {
		if u.spec.name == name {
			return u
		}
	}
	return nil
}

// followLog is a log destination tests read while the server writes.
type followLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *followLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *followLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// followClient talks to the server from a client namespace. Directly
// connected (raw sockets) it broadcasts without the broadcast flag and
// reads the answers, frames to its MAC, from an AF_PACKET socket; relayed
// (udp sockets) it is a relay agent on its own address sending unicast
// from port 67 with giaddr set.
type followClient struct {
	t        *testing.T
	mac      [6]byte
	relay    netip.Addr // the relay's address, when relayed
	server   netip.Addr // where a relay sends
	udp      *net.UDPConn
	packetFD int
	lastType uint8 // the link-layer packet type of the last answer (unix.PACKET_HOST, ...)
}

func newFollowClient(t *testing.T, lab *netlab.Lab, c *netlab.Client, relayed bool, addr netip.Prefix) *followClient {
	t.Helper()
	cl := &followClient{t: t, packetFD: -1}
	copy(cl.mac[:], c.MAC)
	if relayed {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := lab.AddAddr(ctx, c.NS, c.If, addr); err != nil {
			t.Fatal(err)
		}
		cl.relay = addr.Addr()
		cl.server = addr.Masked().Addr().Next() // the server is .1 on each link
	}
	err := lab.InNS(c.NS, func() error {
		ifc, err := net.InterfaceByName(c.If)
		if err != nil {
			return err
		}
		bind := netip.AddrPortFrom(netip.IPv4Unspecified(), 68)
		if relayed {
			bind = netip.AddrPortFrom(cl.relay, 67)
		}
		lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
				if serr == nil {
					serr = unix.BindToDevice(int(fd), c.If)
				}
			})
			return serr
		}}
		pc, err := lc.ListenPacket(context.Background(), "udp4", bind.String())
		if err != nil {
			return err
		}
		cl.udp = pc.(*net.UDPConn)
		if relayed {
			return nil
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(followHtons(unix.ETH_P_IP)))
		if err != nil {
			return err
		}
		cl.packetFD = fd
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: followHtons(unix.ETH_P_IP), Ifindex: ifc.Index})
	})
	t.Cleanup(func() {
		if cl.udp != nil {
			cl.udp.Close()
		}
		if cl.packetFD >= 0 {
			unix.Close(cl.packetFD)
		}
	})
	if err != nil {
		t.Fatalf("client sockets in %s: %v", c.NS, err)
	}
	return cl
}

func followHtons(v uint16) uint16 { return v<<8 | v>>8 }

// exchange sends c and waits up to wait for the answer with its xid: nil
// when none comes.
func (cl *followClient) exchange(c client, wait time.Duration) *Message {
	cl.t.Helper()
	cl.send(c)
	return cl.receive(c.xid, wait)
}

func (cl *followClient) send(c client) {
	cl.t.Helper()
	c.mac = cl.mac
	dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), 67)
	if cl.relay.IsValid() {
		c.giaddr, c.hops = cl.relay, 1
		dst = netip.AddrPortFrom(cl.server, 67)
	}
	if _, err := cl.udp.WriteToUDPAddrPort(c.bytes(cl.t), dst); err != nil {
		cl.t.Fatalf("sending to %v: %v", dst, err)
	}
}

// receive waits up to wait for the answer to the request with xid.
func (cl *followClient) receive(xid uint32, wait time.Duration) *Message {
	cl.t.Helper()
	deadline := time.Now().Add(wait)
	buf := make([]byte, 2048)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		var payload []byte
		if cl.relay.IsValid() {
			_ = cl.udp.SetReadDeadline(deadline)
			n, err := cl.udp.Read(buf)
			if err != nil {
				return nil
			}
			payload = buf[:n]
		} else {
			tv := unix.NsecToTimeval(left.Nanoseconds())
			if err := unix.SetsockoptTimeval(cl.packetFD, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
				cl.t.Fatal(err)
			}
			n, from, err := unix.Recvfrom(cl.packetFD, buf, 0)
			if err != nil {
				if err == unix.EINTR {
					continue
				}
				return nil
			}
			ll, ok := from.(*unix.SockaddrLinklayer)
			if !ok || ll.Pkttype == unix.PACKET_OUTGOING {
				continue
			}
			payload = followUDP68(buf[:n])
			if payload == nil {
				continue
			}
			cl.lastType = ll.Pkttype
		}
		m := new(Message)
		if m.Decode(append([]byte(nil), payload...)) != nil || m.Op != BootReply || m.XID != 0x1000+xid {
			continue // another client's, or a late answer to an earlier question
		}
		return m
	}
}

// followUDP68 returns the payload of an IPv4 packet carrying UDP to port
// 68, or nil.
func followUDP68(p []byte) []byte {
	if len(p) < 20 || p[0]>>4 != 4 || p[9] != syscall.IPPROTO_UDP {
		return nil
	}
	ihl := int(p[0]&0x0f) * 4
	if len(p) < ihl+8 || binary.BigEndian.Uint16(p[ihl+2:]) != 68 {
		return nil
	}
	end := min(len(p), ihl+int(binary.BigEndian.Uint16(p[ihl+4:])))
	if end < ihl+8 {
		return nil
	}
	return p[ihl+8 : end]
}

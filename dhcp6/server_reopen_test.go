package dhcp6

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/netlab"
	"github.com/leasehold/leasehold/lease"
)

// TestServeFollowsInterfaces runs Serve on its own sockets in a namespace
// with two links and reconfigures it: an interface added to
// interfaces-config is served at once, one removed is not served any
// more, the socket of an interface that stays is kept (every SOLICIT sent
// on it while the configuration changes gets its ADVERTISE), and leases
// stay.
func TestServeFollowsInterfaces(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: "hf6"})
	c2, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	if2 := lab.OwnLinkT(t, c2, netip.MustParsePrefix("2001:db8:5::1/64"))
	conf := func(ifaces ...string) *config.DHCP6 {
		return parseCfg(t, fmt.Sprintf(`{"Dhcp6": {
  "interfaces-config": {"interfaces": ["%s"]},
  "server-id": {"type": "LL", "identifier": "02000000aa01", "persist": false},
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64", "interface": %q, "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}]},
    {"id": 2, "subnet": "2001:db8:5::/64", "interface": %q, "pools": [{"pool": "2001:db8:5::100-2001:db8:5::1ff"}]}
  ]}}`, strings.Join(ifaces, `", "`), lab.ServerIf, if2))
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s, err := NewServer(conf(lab.ServerIf), ServerOptions{Store: store, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.ServeT(t, s)()
	cl1, cl2 := newNSClient(t, lab, lab.FirstClient()), newNSClient(t, lab, c2)
	subnet1, subnet5 := netip.MustParsePrefix("2001:db8:1::/64"), netip.MustParsePrefix("2001:db8:5::/64")
	opened := func() int {
		s.serve.mu.Lock()
		defer s.serve.mu.Unlock()
		return s.serve.opened
	}

	// Only the first link is served.
	adv := cl1.solicit(t, 1, 0x11)
	if adv == nil || !subnet1.Contains(adv.addr) {
		t.Fatalf("client on %s: ADVERTISE %+v, want an address of %v", lab.ServerIf, adv, subnet1)
	}
	rep := cl1.exchange(t, srvMsg(Request, 2, duidLL(0x11), []opt{withServerIDOf(adv.opts), withIAs(adv.opts)}), 3*time.Second)
	if rep == nil || rep.typ != Reply || rep.addr != adv.addr {
		t.Fatalf("REQUEST: %+v, want a REPLY with %v", rep, adv.addr)
	}
	if got := cl2.solicit(t, 3, 0x22); got != nil {
		t.Fatalf("client on %s, not in interfaces-config, got an answer: %+v", if2, got)
	}

	// Adding the second link serves it; the first link's socket stays.
	if err := s.Reconfigure(conf(lab.ServerIf, if2)); err != nil {
		t.Fatal(err)
	}
	if got := cl2.solicit(t, 4, 0x22); got == nil || !subnet5.Contains(got.addr) {
		t.Fatalf("client on the added %s: ADVERTISE %+v, want an address of %v", if2, got, subnet5)
	}
	if n := opened(); n != 2 {
		t.Errorf("%d sockets opened after adding one interface to one, want 2 (the first kept)", n)
	}

	// While the second link comes and goes, the first one loses nothing.
	stop := make(chan struct{})
	toggled := make(chan error, 1)
	go func() {
		var err error
		for i := 0; err == nil; i++ {
			select {
			case <-stop:
				toggled <- nil
				return
			default:
			}
			if i%2 == 0 {
				err = s.Reconfigure(conf(lab.ServerIf))
			} else {
				err = s.Reconfigure(conf(lab.ServerIf, if2))
			}
		}
		toggled <- err
	}()
	for i := range 30 {
		if got := cl1.solicit(t, uint32(100+i), 0x30+byte(i)); got == nil || !subnet1.Contains(got.addr) {
			t.Errorf("SOLICIT %d on the kept interface during reconfigurations: answer %+v", i, got)
		}
	}
	close(stop)
	if err := <-toggled; err != nil {
		t.Fatal(err)
	}

	// Removing the first link stops serving it; its lease stays.
	if err := s.Reconfigure(conf(if2)); err != nil {
		t.Fatal(err)
	}
	if got := cl1.solicit(t, 200, 0x11); got != nil {
		t.Errorf("client on the removed %s got an answer: %+v", lab.ServerIf, got)
	}
	if got := cl2.solicit(t, 201, 0x22); got == nil || !subnet5.Contains(got.addr) {
		t.Errorf("client on %s after the removal: ADVERTISE %+v", if2, got)
	}
	if l, err := store.Get6(context.Background(), lease.TypeNA, adv.addr); err != nil || !bytes.Equal(l.DUID, duidLL(0x11)) {
		t.Errorf("lease of %v after the reconfigurations: %+v, %v", adv.addr, l, err)
	}
}

// nsClient is a DHCPv6 client socket on port 546 in a client's namespace.
type nsClient struct {
	c    *net.UDPConn
	zone string // the interface index: the net package's zone names span namespaces
}

type answer struct {
	typ  MessageType
	addr netip.Addr // the first IA_NA address
	opts Options
}

func newNSClient(t *testing.T, lab *netlab.Lab, c *netlab.Client) *nsClient {
	t.Helper()
	cl := &nsClient{}
	err := lab.InNS(c.NS, func() error {
		ifc, err := net.InterfaceByName(c.If)
		if err != nil {
			return err
		}
		cl.zone = strconv.Itoa(ifc.Index)
		cl.c, err = net.ListenUDP("udp6", &net.UDPAddr{Port: ClientPort})
		return err
	})
	if err != nil {
		t.Fatalf("client socket in %s: %v", c.NS, err)
	}
	t.Cleanup(func() { cl.c.Close() })
	return cl
}

// solicit multicasts a SOLICIT for one IA_NA and returns the answer, nil
// when none comes within a second.
func (cl *nsClient) solicit(t *testing.T, xid uint32, id byte) *answer {
	return cl.exchange(t, srvMsg(Solicit, xid, duidLL(id), []opt{withNA(1)}), time.Second)
}

// exchange multicasts q and waits up to wait for the answer with q's
// transaction id.
func (cl *nsClient) exchange(t *testing.T, q []byte, wait time.Duration) *answer {
	t.Helper()
	dst := netip.AddrPortFrom(netip.MustParseAddr("ff02::1:2").WithZone(cl.zone), ServerPort)
	if _, err := cl.c.WriteToUDPAddrPort(q, dst); err != nil {
		t.Fatalf("sending to %v: %v", dst, err)
	}
	buf := make([]byte, 4096)
	deadline := time.Now().Add(wait)
	for {
		_ = cl.c.SetReadDeadline(deadline)
		n, _, err := cl.c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return nil
		}
		var p Packet
		if p.Decode(buf[:n]) != nil || !bytes.Equal(buf[1:4], q[1:4]) {
			continue // a late answer to an earlier question
		}
		a := &answer{typ: p.Msg.Type, opts: p.Msg.Options}
		if d, ok := p.Msg.Options.Get(OptIANA); ok {
			if na, err := ParseIANA(d); err == nil {
				if ad, ok := na.Options.Get(OptIAAddr); ok {
					if ia, err := ParseIAAddr(ad); err == nil {
						a.addr = ia.Addr
					}
				}
			}
		}
		return a
	}
}

package sock

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

const testPrefix = "lhEs"

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// discover returns a minimal BOOTREQUEST DHCPDISCOVER from mac.
func discover(mac net.HardwareAddr, xid uint32) []byte {
	b := make([]byte, 240, 300)
	b[0], b[1], b[2] = 1, 1, 6 // BOOTREQUEST, Ethernet, hlen
	binary.BigEndian.PutUint32(b[4:], xid)
	binary.BigEndian.PutUint16(b[10:], 0x8000) // broadcast flag
	copy(b[28:], mac)
	copy(b[236:], []byte{99, 130, 83, 99})
	return append(b, 53, 1, 1, 255)
}

// solicit returns a minimal DHCPv6 SOLICIT with a client DUID-LL.
func solicit(mac net.HardwareAddr, xid uint32) []byte {
	b := []byte{1, byte(xid >> 16), byte(xid >> 8), byte(xid)}
	b = append(b, 0, 1, 0, 10, 0, 3, 0, 1) // CLIENTID, len 10, DUID-LL, Ethernet
	b = append(b, mac...)
	return append(b, 0, 8, 0, 2, 0, 0) // ELAPSED_TIME 0
}

// listen4 opens a Listener in ns.
func listen4(t testing.TB, lab *netlab.Lab, ns string, cfg Config4) *Listener {
	t.Helper()
	var l *Listener
	err := lab.InNS(ns, func() (err error) {
		l, err = Listen4(cfg)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func listen6(t testing.TB, lab *netlab.Lab, ns string, cfg Config6) *Listener {
	t.Helper()
	var l *Listener
	err := lab.InNS(ns, func() (err error) {
		l, err = Listen6(cfg)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// rawSender opens a RawSender on ifName inside ns.
func rawSender(t testing.TB, lab *netlab.Lab, ns, ifName string) *RawSender {
	t.Helper()
	var r *RawSender
	err := lab.InNS(ns, func() error {
		it, err := LookupInterface(ifName)
		if err != nil {
			return err
		}
		r, err = NewRawSender(it)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// packetConn opens a plain UDP socket inside ns.
func packetConn(t testing.TB, lab *netlab.Lab, ns, network, addr string) *net.UDPConn {
	t.Helper()
	var c net.PacketConn
	err := lab.InNS(ns, func() (err error) {
		c, err = net.ListenPacket(network, addr)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.UDPConn)
}

func ifIndex(t testing.TB, lab *netlab.Lab, ns, ifName string) int {
	t.Helper()
	var idx int
	err := lab.InNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifName)
		if err == nil {
			idx = ifi.Index
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// readOne reads one batch from c and wants exactly one datagram.
func readOne(t testing.TB, ctx context.Context, c *Conn) Msg {
	t.Helper()
	msgs := []Msg{{Buf: make([]byte, 1500)}, {Buf: make([]byte, 1500)}}
	n, err := c.ReadBatch(ctx, msgs)
	if err != nil {
		t.Fatalf("ReadBatch: %v", err)
	}
	if n != 1 {
		t.Fatalf("ReadBatch got %d datagrams, want 1", n)
	}
	return msgs[0]
}

// frameCatcher is an AF_PACKET socket that sees every frame on an interface.
type frameCatcher struct{ fd int }

func catchFrames(t testing.TB, lab *netlab.Lab, ns, ifName string) *frameCatcher {
	t.Helper()
	var fc frameCatcher
	err := lab.InNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifName)
		if err != nil {
			return err
		}
		fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, int(htons(syscall.ETH_P_ALL)))
		if err != nil {
			return err
		}
		fc.fd = fd
		tv := syscall.Timeval{Sec: 0, Usec: 200000}
		if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
			return err
		}
		return syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: htons(syscall.ETH_P_ALL), Ifindex: ifi.Index})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fc.fd) })
	return &fc
}

// next returns the first frame for which match is true, before ctx ends.
func (fc *frameCatcher) next(ctx context.Context, match func([]byte) bool) ([]byte, bool) {
	buf := make([]byte, 2048)
	for ctx.Err() == nil {
		n, _, err := syscall.Recvfrom(fc.fd, buf, 0)
		if err != nil {
			continue
		}
		if match(buf[:n]) {
			return append([]byte(nil), buf[:n]...), true
		}
	}
	return nil, false
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

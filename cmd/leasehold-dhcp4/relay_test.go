package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/net/ipv4"

	"github.com/leasehold/leasehold/internal/netlab"
)

// relayAgent is a DHCPv4 relay agent (RFC 1542, with RFC 3046's option 82)
// for the tests, run in a relay link's router namespace: it forwards the
// far link's client broadcasts to the server with giaddr set and option 82
// added, and the server's replies back to the far link, after checking
// that option 82 came back unchanged and taking it out.
type relayAgent struct {
	conn    *ipv4.PacketConn
	raw     net.PacketConn
	down    *net.Interface
	giaddr  netip.Addr
	server  netip.Addr
	option  []byte // the option 82 the agent adds: code, length, sub-options
	stopped chan struct{}

	mu      sync.Mutex
	replies int // server replies seen
	echoed  int // of those, with our option 82 back unchanged
	errs    []error
}

// startRelay runs an agent on r's router for a server at server.
func startRelay(t *testing.T, lab *netlab.Lab, r *netlab.RelayLink, server netip.Addr) *relayAgent {
	t.Helper()
	a := &relayAgent{giaddr: r.Addr4.Addr(), server: server, stopped: make(chan struct{})}
	circuit := []byte("lhI-port-7")
	a.option = append([]byte{82, byte(2 + len(circuit) + 2 + len(r.DownMAC)), 1, byte(len(circuit))}, circuit...)
	a.option = append(append(a.option, 2, byte(len(r.DownMAC))), r.DownMAC...)
	err := lab.InNS(r.RouterNS, func() error {
		var err error
		if a.down, err = net.InterfaceByName(r.DownIf); err != nil {
			return err
		}
		if a.raw, err = net.ListenPacket("udp4", "0.0.0.0:67"); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("relay agent in %s: %v", r.RouterNS, err)
	}
	sc, err := a.raw.(*net.UDPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := sc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
	}); err != nil || serr != nil {
		t.Fatalf("relay agent: SO_BROADCAST: %v %v", err, serr)
	}
	a.conn = ipv4.NewPacketConn(a.raw)
	if err := a.conn.SetControlMessage(ipv4.FlagInterface, true); err != nil {
		t.Fatal(err)
	}
	go a.run()
	t.Cleanup(func() {
		a.raw.Close()
		<-a.stopped
	})
	return a
}

func (a *relayAgent) run() {
	defer close(a.stopped)
	buf := make([]byte, 1500)
	for {
		n, cm, src, err := a.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if err := a.handle(buf[:n], cm, src); err != nil {
			a.mu.Lock()
			a.errs = append(a.errs, err)
			a.mu.Unlock()
		}
	}
}

func (a *relayAgent) handle(p []byte, cm *ipv4.ControlMessage, src net.Addr) error {
	if len(p) < 241 || !bytes.Equal(p[236:240], []byte{99, 130, 83, 99}) {
		return fmt.Errorf("not DHCP from %v (%d bytes)", src, len(p))
	}
	end, o82, err := walkOptions(p)
	if err != nil {
		return fmt.Errorf("from %v: %w", src, err)
	}
	switch p[0] {
	case 1: // BOOTREQUEST, from a client on the far link
		if cm == nil || cm.IfIndex != a.down.Index {
			return nil // our own forwarded copy or stray traffic
		}
		out := append([]byte(nil), p[:end]...)
		out[3]++ // hops
		if bytes.Equal(out[24:28], []byte{0, 0, 0, 0}) {
			g := a.giaddr.As4()
			copy(out[24:28], g[:])
		}
		out = append(append(out, a.option...), 255)
		_, err := a.conn.WriteTo(out, nil, &net.UDPAddr{IP: a.server.AsSlice(), Port: 67})
		return err
	case 2: // BOOTREPLY, from the server
		a.mu.Lock()
		a.replies++
		if o82 != nil && bytes.Equal(p[o82[0]:o82[1]], a.option) {
			a.echoed++
		}
		a.mu.Unlock()
		out := append([]byte(nil), p[:end]...)
		if o82 != nil {
			out = append(append([]byte(nil), p[:o82[0]]...), p[o82[1]:end]...)
		}
		out = append(out, 255)
		_, err := a.conn.WriteTo(out, &ipv4.ControlMessage{IfIndex: a.down.Index}, &net.UDPAddr{IP: net.IPv4bcast, Port: 68})
		return err
	}
	return fmt.Errorf("op %d from %v", p[0], src)
}

// walkOptions finds the END option and option 82 (as the [start, end) of
// its bytes, code and length included) in a DHCPv4 message.
func walkOptions(p []byte) (end int, o82 []int, err error) {
	i := 240
	for i < len(p) {
		switch p[i] {
		case 0:
			i++
			continue
		case 255:
			return i, o82, nil
		}
		if i+1 >= len(p) || i+2+int(p[i+1]) > len(p) {
			return 0, nil, fmt.Errorf("option %d at %d runs past the end", p[i], i)
		}
		if p[i] == 82 {
			o82 = []int{i, i + 2 + int(p[i+1])}
		}
		i += 2 + int(p[i+1])
	}
	return 0, nil, errors.New("no END option")
}

// counts returns the replies seen, those that echoed option 82, and the
// agent's errors.
func (a *relayAgent) counts() (replies, echoed int, errs []error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.replies, a.echoed, append([]error(nil), a.errs...)
}

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/net/ipv6"

	"github.com/leasehold/leasehold/internal/netlab"
)

// relayAgent6 is a DHCPv6 relay agent (RFC 8415 section 19) for the tests,
// run in a relay link's router namespace: it wraps the far link's client
// messages in RELAY-FORW with the far link's address as link-address and
// an interface-id, sends them to the server, and hands the relay-msg of
// each RELAY-REPL to the client it names, after checking that the server
// echoed the interface-id. RELAY-FORW goes to All_DHCP_Relay_Agents_and_
// Servers (ff02::1:2) on the server link: Kea 2.2 listens on its link-local
// and multicast addresses only, unless an interface entry names a unicast
// address.
type relayAgent6 struct {
	conn    *ipv6.PacketConn
	raw     net.PacketConn
	down    *net.Interface
	link    netip.Addr
	up      *net.Interface // towards the server
	ifaceID []byte
	stopped chan struct{}

	mu      sync.Mutex
	replies int // RELAY-REPL messages seen
	echoed  int // of those, with our interface-id
	errs    []error
}

const (
	msgRelayForw = 12
	msgRelayRepl = 13
	optRelayMsg  = 9
	optIfaceID   = 18
)

func startRelay6(t *testing.T, lab *netlab.Lab, r *netlab.RelayLink) *relayAgent6 {
	t.Helper()
	a := &relayAgent6{link: r.Addr6.Addr(), ifaceID: []byte("lhI-down-7"), stopped: make(chan struct{})}
	err := lab.InNS(r.RouterNS, func() error {
		var err error
		if a.down, err = net.InterfaceByName(r.DownIf); err != nil {
			return err
		}
		if a.up, err = net.InterfaceByName(r.UpIf); err != nil {
			return err
		}
		a.raw, err = net.ListenPacket("udp6", "[::]:547")
		return err
	})
	if err != nil {
		t.Fatalf("relay agent in %s: %v", r.RouterNS, err)
	}
	a.conn = ipv6.NewPacketConn(a.raw)
	if err := a.conn.JoinGroup(a.down, &net.UDPAddr{IP: net.ParseIP("ff02::1:2")}); err != nil {
		t.Fatal(err)
	}
	if err := a.conn.SetControlMessage(ipv6.FlagInterface, true); err != nil {
		t.Fatal(err)
	}
	go a.run()
	t.Cleanup(func() {
		a.raw.Close()
		<-a.stopped
	})
	return a
}

func (a *relayAgent6) run() {
	defer close(a.stopped)
	buf := make([]byte, 1500)
	for {
		n, cm, src, err := a.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if err := a.handle(buf[:n], cm, src.(*net.UDPAddr)); err != nil {
			a.mu.Lock()
			a.errs = append(a.errs, err)
			a.mu.Unlock()
		}
	}
}

func (a *relayAgent6) handle(p []byte, cm *ipv6.ControlMessage, src *net.UDPAddr) error {
	if len(p) < 4 {
		return fmt.Errorf("%d bytes from %v", len(p), src)
	}
	switch {
	case p[0] == msgRelayRepl:
		if len(p) < 34 {
			return fmt.Errorf("RELAY-REPL of %d bytes", len(p))
		}
		peer := net.IP(append([]byte(nil), p[18:34]...))
		var msg []byte
		echo := false
		for o := p[34:]; len(o) >= 4; {
			code, n := binary.BigEndian.Uint16(o), int(binary.BigEndian.Uint16(o[2:]))
			if 4+n > len(o) {
				return fmt.Errorf("RELAY-REPL option %d runs past the end", code)
			}
			switch code {
			case optRelayMsg:
				msg = o[4 : 4+n]
			case optIfaceID:
				echo = bytes.Equal(o[4:4+n], a.ifaceID)
			}
			o = o[4+n:]
		}
		a.mu.Lock()
		a.replies++
		if echo {
			a.echoed++
		}
		a.mu.Unlock()
		if msg == nil {
			return fmt.Errorf("RELAY-REPL without relay-msg")
		}
		// Zones by index: a name would be looked up in the namespace of
		// whatever thread runs this, not the router's.
		_, err := a.conn.WriteTo(msg, nil, &net.UDPAddr{IP: peer, Port: 546, Zone: strconv.Itoa(a.down.Index)})
		return err
	case p[0] >= 1 && p[0] <= 11 && cm != nil && cm.IfIndex == a.down.Index:
		fw := []byte{msgRelayForw, 0}
		link := a.link.As16()
		fw = append(append(fw, link[:]...), src.IP.To16()...)
		fw = binary.BigEndian.AppendUint16(fw, optIfaceID)
		fw = binary.BigEndian.AppendUint16(fw, uint16(len(a.ifaceID)))
		fw = append(fw, a.ifaceID...)
		fw = binary.BigEndian.AppendUint16(fw, optRelayMsg)
		fw = binary.BigEndian.AppendUint16(fw, uint16(len(p)))
		fw = append(fw, p...)
		_, err := a.conn.WriteTo(fw, nil, &net.UDPAddr{IP: net.ParseIP("ff02::1:2"), Port: 547, Zone: strconv.Itoa(a.up.Index)})
		return err
	}
	return nil // our own traffic, or messages for other agents
}

func (a *relayAgent6) counts() (replies, echoed int, errs []error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.replies, a.echoed, append([]error(nil), a.errs...)
}

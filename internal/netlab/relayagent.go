package netlab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// RelayAgent is a DHCP relay agent run in a relay link's router namespace
// (StartAgent4, StartAgent6): it forwards the far link's client messages
// to the server and the server's replies back, checking that each reply
// echoes what the agent added. It stops when Close or the lab's Close is
// called.
type RelayAgent struct {
	raw     net.PacketConn
	down    *net.Interface // the far link's bridge
	stopped chan struct{}

	mu      sync.Mutex
	replies int // server replies seen
	echoed  int // of those, with the agent's option back unchanged
	errs    []error
}

// StartAgent4 runs a DHCPv4 relay agent (RFC 1542, with RFC 3046's option
// 82) for a server at server: it forwards the far link's client broadcasts
// with giaddr Addr4 and an option 82 added (circuit-id "lhI-port-7",
// remote-id DownMAC), and the server's replies back to the far link by
// broadcast, after checking that option 82 came back unchanged and taking
// it out.
func (r *RelayLink) StartAgent4(server netip.Addr) (*RelayAgent, error) {
	a := &relayAgent4{giaddr: r.Addr4.Addr(), server: server, option: option82([]byte("lhI-port-7"), r.DownMAC)}
	var conn *ipv4.PacketConn
	err := a.open(r, func() (net.PacketConn, error) {
		return net.ListenPacket("udp4", "0.0.0.0:67")
	}, func() error {
		if err := setBroadcast(a.raw); err != nil {
			return err
		}
		conn = ipv4.NewPacketConn(a.raw)
		return conn.SetControlMessage(ipv4.FlagInterface, true)
	})
	if err != nil {
		return nil, err
	}
	go a.run(withIfIndex(conn.ReadFrom, func(cm *ipv4.ControlMessage) int { return cm.IfIndex }), a.relay, func(out []byte, dst *net.UDPAddr) error {
		var cm *ipv4.ControlMessage
		if dst.Port == 68 {
			cm = &ipv4.ControlMessage{IfIndex: a.down.Index}
		}
		_, err := conn.WriteTo(out, cm, dst)
		return err
	})
	return r.lab.addAgent(&a.RelayAgent), nil
}

// StartAgent6 runs a DHCPv6 relay agent (RFC 8415 section 19): it wraps
// the far link's client messages in RELAY-FORW with Addr6 as link-address
// and an interface-id ("lhI-down-7"), and hands the relay-msg of each
// RELAY-REPL to the client it names, after checking that the server echoed
// the interface-id. RELAY-FORW goes to All_DHCP_Relay_Agents_and_Servers
// (ff02::1:2) on the server link: Kea 2.2 listens on its link-local and
// multicast addresses only, unless an interface entry names a unicast
// address.
func (r *RelayLink) StartAgent6() (*RelayAgent, error) {
	a := &relayAgent6{link: r.Addr6.Addr(), ifaceID: []byte("lhI-down-7")}
	var conn *ipv6.PacketConn
	err := a.open(r, func() (net.PacketConn, error) {
		var err error
		if a.up, err = net.InterfaceByName(r.UpIf); err != nil {
			return nil, err
		}
		return net.ListenPacket("udp6", "[::]:547")
	}, func() error {
		conn = ipv6.NewPacketConn(a.raw)
		if err := conn.JoinGroup(a.down, &net.UDPAddr{IP: net.ParseIP("ff02::1:2")}); err != nil {
			return err
		}
		return conn.SetControlMessage(ipv6.FlagInterface, true)
	})
	if err != nil {
		return nil, err
	}
	go a.run(withIfIndex(conn.ReadFrom, func(cm *ipv6.ControlMessage) int { return cm.IfIndex }), a.relay, func(out []byte, dst *net.UDPAddr) error {
		_, err := conn.WriteTo(out, nil, dst)
		return err
	})
	return r.lab.addAgent(&a.RelayAgent), nil
}

// open finds the far link's interface and opens the agent's socket with
// listen, both in the router's namespace, then lets configure set the
// socket up. On error nothing stays open.
func (a *RelayAgent) open(r *RelayLink, listen func() (net.PacketConn, error), configure func() error) error {
	a.stopped = make(chan struct{})
	err := r.lab.InNS(r.RouterNS, func() error {
		var err error
		if a.down, err = net.InterfaceByName(r.DownIf); err != nil {
			return err
		}
		a.raw, err = listen()
		return err
	})
	if err == nil {
		if err = configure(); err != nil {
			a.raw.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("netlab %s: relay agent in %s: %w", r.lab.ID, r.RouterNS, err)
	}
	return nil
}

// run relays the messages read returns (with the index of the interface
// each came in on, 0 if unknown) until the socket is closed: relay says
// what to send where, write sends it. It keeps the errors.
func (a *RelayAgent) run(read func([]byte) (n, ifIndex int, src net.Addr, err error),
	relay func(p []byte, fromFar bool, src net.Addr) ([]byte, *net.UDPAddr, error),
	write func([]byte, *net.UDPAddr) error) {
	defer close(a.stopped)
	buf := make([]byte, 1500)
	for {
		n, ifIndex, src, err := read(buf)
		if err != nil {
			return
		}
		out, dst, err := relay(buf[:n], ifIndex == a.down.Index, src)
		if err == nil && out != nil {
			err = write(out, dst)
		}
		if err != nil {
			a.mu.Lock()
			a.errs = append(a.errs, err)
			a.mu.Unlock()
		}
	}
}

// withIfIndex turns an ipv4 or ipv6 PacketConn's ReadFrom into what run
// reads with: the index of the interface each message came in on, 0 when
// the control message is missing.
func withIfIndex[CM any](read func([]byte) (int, *CM, net.Addr, error), index func(*CM) int) func([]byte) (int, int, net.Addr, error) {
	return func(buf []byte) (int, int, net.Addr, error) {
		n, cm, src, err := read(buf)
		if cm == nil {
			return n, 0, src, err
		}
		return n, index(cm), src, err
	}
}

// reply counts a server reply.
func (a *RelayAgent) reply(echoed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.replies++
	if echoed {
		a.echoed++
	}
}

// Counts returns the server replies the agent saw and how many of them
// echoed its option 82 (interface-id) unchanged.
func (a *RelayAgent) Counts() (replies, echoed int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.replies, a.echoed
}

// Err returns what went wrong relaying so far (malformed messages,
// failed sends), or nil.
func (a *RelayAgent) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return errors.Join(a.errs...)
}

// Close stops the agent.
func (a *RelayAgent) Close() error {
	err := a.raw.Close()
	<-a.stopped
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

type relayAgent4 struct {
	RelayAgent
	giaddr, server netip.Addr
	option         []byte // the option 82 the agent adds: code, length, sub-options
}

// option82 is a relay agent information option with a circuit-id and a
// remote-id sub-option.
func option82(circuit, remote []byte) []byte {
	o := append([]byte{82, byte(2 + len(circuit) + 2 + len(remote)), 1, byte(len(circuit))}, circuit...)
	return append(append(o, 2, byte(len(remote))), remote...)
}

// relay returns what to send where for a DHCPv4 message p from src: a
// BOOTREQUEST that arrived on the far link goes to the server with hops
// counted, giaddr set and option 82 added; a BOOTREPLY goes to the far
// link's broadcast address without option 82. Other BOOTREQUESTs (our own
// forwarded copies, stray traffic) are left alone.
func (a *relayAgent4) relay(p []byte, fromFar bool, src net.Addr) ([]byte, *net.UDPAddr, error) {
	if len(p) < 241 || !bytes.Equal(p[236:240], []byte{99, 130, 83, 99}) {
		return nil, nil, fmt.Errorf("not DHCP from %v (%d bytes)", src, len(p))
	}
	end, o82, err := walkOptions4(p)
	if err != nil {
		return nil, nil, fmt.Errorf("from %v: %w", src, err)
	}
	switch p[0] {
	case 1: // BOOTREQUEST
		if !fromFar {
			return nil, nil, nil
		}
		out := append([]byte(nil), p[:end]...)
		out[3]++ // hops
		if bytes.Equal(out[24:28], []byte{0, 0, 0, 0}) {
			g := a.giaddr.As4()
			copy(out[24:28], g[:])
		}
		out = append(append(out, a.option...), 255)
		return out, &net.UDPAddr{IP: a.server.AsSlice(), Port: 67}, nil
	case 2: // BOOTREPLY
		a.reply(o82 != nil && bytes.Equal(p[o82[0]:o82[1]], a.option))
		out := append([]byte(nil), p[:end]...)
		if o82 != nil {
			out = append(append([]byte(nil), p[:o82[0]]...), p[o82[1]:end]...)
		}
		return append(out, 255), &net.UDPAddr{IP: net.IPv4bcast, Port: 68}, nil
	}
	return nil, nil, fmt.Errorf("op %d from %v", p[0], src)
}

// walkOptions4 finds the END option and option 82 (as the [start, end) of
// its bytes, code and length included) in a DHCPv4 message.
func walkOptions4(p []byte) (end int, o82 []int, err error) {
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

type relayAgent6 struct {
	RelayAgent
	link    netip.Addr
	up      *net.Interface // towards the server
	ifaceID []byte
}

const (
	msgRelayForw = 12
	msgRelayRepl = 13
	optRelayMsg  = 9
	optIfaceID   = 18
)

// relay returns what to send where for a DHCPv6 message p from src: a
// client message that arrived on the far link goes to the servers in a
// RELAY-FORW, a RELAY-REPL's relay-msg to the client it names. Anything
// else (our own traffic, messages for other agents) is left alone.
func (a *relayAgent6) relay(p []byte, fromFar bool, src net.Addr) ([]byte, *net.UDPAddr, error) {
	if len(p) < 4 {
		return nil, nil, fmt.Errorf("%d bytes from %v", len(p), src)
	}
	switch {
	case p[0] == msgRelayRepl:
		if len(p) < 34 {
			return nil, nil, fmt.Errorf("RELAY-REPL of %d bytes", len(p))
		}
		peer := net.IP(append([]byte(nil), p[18:34]...))
		var msg []byte
		echo := false
		for o := p[34:]; len(o) >= 4; {
			code, n := binary.BigEndian.Uint16(o), int(binary.BigEndian.Uint16(o[2:]))
			if 4+n > len(o) {
				return nil, nil, fmt.Errorf("RELAY-REPL option %d runs past the end", code)
			}
			switch code {
			case optRelayMsg:
				msg = o[4 : 4+n]
			case optIfaceID:
				echo = bytes.Equal(o[4:4+n], a.ifaceID)
			}
			o = o[4+n:]
		}
		a.reply(echo)
		if msg == nil {
			return nil, nil, fmt.Errorf("RELAY-REPL without relay-msg")
		}
		// Zones by index: a name would be looked up in the namespace of
		// whatever thread runs this, not the router's.
		return msg, &net.UDPAddr{IP: peer, Port: 546, Zone: strconv.Itoa(a.down.Index)}, nil
	case p[0] >= 1 && p[0] <= 11 && fromFar:
		fw := []byte{msgRelayForw, 0}
		link := a.link.As16()
		peer, ok := src.(*net.UDPAddr)
		if !ok {
			return nil, nil, fmt.Errorf("a client message from %v, not a UDP address", src)
		}
		fw = append(append(fw, link[:]...), peer.IP.To16()...)
		fw = binary.BigEndian.AppendUint16(fw, optIfaceID)
		fw = binary.BigEndian.AppendUint16(fw, uint16(len(a.ifaceID)))
		fw = append(fw, a.ifaceID...)
		fw = binary.BigEndian.AppendUint16(fw, optRelayMsg)
		fw = binary.BigEndian.AppendUint16(fw, uint16(len(p)))
		fw = append(fw, p...)
		return fw, &net.UDPAddr{IP: net.ParseIP("ff02::1:2"), Port: 547, Zone: strconv.Itoa(a.up.Index)}, nil
	}
	return nil, nil, nil
}

// setBroadcast lets a DHCPv4 agent send to the far link's broadcast
// address.
func setBroadcast(c net.PacketConn) error {
	sc, err := c.(*net.UDPConn).SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := sc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("SO_BROADCAST: %w", serr)
	}
	return nil
}

// addAgent makes Close stop a.
func (l *Lab) addAgent(a *RelayAgent) *RelayAgent {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.agents = append(l.agents, a)
	return a
}

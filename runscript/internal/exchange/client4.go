package exchange

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/leasehold/leasehold/dhcp4"
)

// Relay4 is a DHCPv4 relay agent in front of a client: it sets giaddr and
// adds option 82 with the sub-options that are not nil.
type Relay4 struct {
	GIAddr    netip.Addr
	CircuitID []byte
	RemoteID  []byte
	// Option82, when set, is the whole option 82 data, sent as is instead
	// of CircuitID and RemoteID (to show what the server does with
	// sub-options out of order or unknown).
	Option82 []byte
}

// Client4 is a simulated DHCPv4 client with fixed identity. Addr and Server
// are learnt from the server's replies.
type Client4 struct {
	MAC       net.HardwareAddr
	ClientID  []byte // option 61, nil for none
	Hostname  string // option 12, "" for none
	Broadcast bool   // ask for broadcast replies
	Secs      uint16
	Relay     *Relay4

	Addr   netip.Addr
	Server netip.Addr
}

// V4 drives Client4 exchanges through a raw socket in the client namespace.
type V4 struct {
	conn *conn4
	sent *[][]byte // every DHCP message sent, for the step's record
	// bind configures (or removes) a direct client's address in the
	// client namespace.
	bind       func(a netip.Addr, add bool) error
	relayMAC   net.HardwareAddr // the MAC relayed frames come from
	serverMAC  net.HardwareAddr
	serverAddr netip.Addr
	timeout    time.Duration
}

var broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// request kinds (RFC 2131 section 4.3.2).
type reqKind int

const (
	selecting  reqKind = iota // after an OFFER: server id and requested IP
	renewing                  // ciaddr set, unicast
	initReboot                // requested IP, no server id
)

func (v *V4) header(c *Client4, xid uint32, ciaddr netip.Addr) dhcp4.Header {
	h := dhcp4.Header{Op: dhcp4.BootRequest, HType: 1, HLen: uint8(len(c.MAC)), XID: xid, Secs: c.Secs, CIAddr: ciaddr}
	copy(h.CHAddr[:], c.MAC)
	if c.Broadcast {
		h.Flags = dhcp4.BroadcastFlag
	}
	if c.Relay != nil {
		h.Hops = 1
		h.GIAddr = c.Relay.GIAddr
	}
	return h
}

func (v *V4) build(c *Client4, h dhcp4.Header, t dhcp4.MessageType, requested, server netip.Addr) ([]byte, error) {
	b := dhcp4.NewBuilder(make([]byte, 0, 576), h)
	errs := []error{b.AddMessageType(t)}
	if c.ClientID != nil {
		errs = append(errs, b.AddOption(dhcp4.OptClientID, c.ClientID))
	}
	if requested.IsValid() {
		errs = append(errs, b.AddIP(dhcp4.OptRequestedIP, requested))
	}
	if server.IsValid() {
		errs = append(errs, b.AddIP(dhcp4.OptServerID, server))
	}
	if c.Hostname != "" && t != dhcp4.Release && t != dhcp4.Decline {
		errs = append(errs, b.AddString(dhcp4.OptHostname, c.Hostname))
	}
	if t == dhcp4.Discover || t == dhcp4.Request {
		errs = append(errs, b.AddOption(dhcp4.OptParamRequest, []byte{1, 3, 6}))
	}
	if r := c.Relay; r != nil && r.Option82 != nil {
		errs = append(errs, b.AddOption(dhcp4.OptRelayAgentInfo, r.Option82))
	} else if r != nil && (r.CircuitID != nil || r.RemoteID != nil) {
		// Relay agents append option 82 last (RFC 3046 section 2.1).
		errs = append(errs, b.StartOption(dhcp4.OptRelayAgentInfo))
		if r.CircuitID != nil {
			errs = append(errs, b.AddSubOption(dhcp4.RelayCircuitID, r.CircuitID))
		}
		if r.RemoteID != nil {
			errs = append(errs, b.AddSubOption(dhcp4.RelayRemoteID, r.RemoteID))
		}
		errs = append(errs, b.EndOption())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return b.Finish()
}

// send frames msg the way c's position on the network implies: from the
// relay, by unicast from ciaddr, or broadcast from 0.0.0.0.
func (v *V4) send(c *Client4, msg []byte, ciaddr netip.Addr) error {
	*v.sent = append(*v.sent, msg)
	server := netip.AddrPortFrom(v.serverAddr, 67)
	var f []byte
	switch {
	case c.Relay != nil:
		f = frame4(v.serverMAC, v.relayMAC, netip.AddrPortFrom(c.Relay.GIAddr, 67), server, msg)
	case ciaddr.IsValid():
		f = frame4(v.serverMAC, c.MAC, netip.AddrPortFrom(ciaddr, 68), server, msg)
	default:
		f = frame4(broadcastMAC, c.MAC, netip.AddrPortFrom(netip.IPv4Unspecified(), 68),
			netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), 67), msg)
	}
	return v.conn.send(f)
}

// roundTrip sends msg and waits for the reply with c's xid and chaddr.
func (v *V4) roundTrip(c *Client4, msg []byte, xid uint32, ciaddr netip.Addr) (*dhcp4.Message, error) {
	// One try per second, as a client retransmits; a second copy that the
	// server did answer shows up as an unexpected hook call.
	var m dhcp4.Message
	var err error
	for try := 0; try < 3; try++ {
		if err := v.send(c, msg, ciaddr); err != nil {
			return nil, err
		}
		_, err = v.conn.recv(time.Now().Add(v.timeout/3), func(d *udp4) bool {
			if d.Src.Port() != 67 {
				return false
			}
			if m.Decode(d.Payload) != nil || m.Op != dhcp4.BootReply || m.XID != xid {
				return false
			}
			return string(m.HWAddr()) == string(c.MAC)
		})
		if err == nil {
			return &m, nil
		}
	}
	return nil, fmt.Errorf("no reply to xid %#x from %s after 3 tries: %w", xid, c.MAC, err)
}

func replyType(m *dhcp4.Message) dhcp4.MessageType {
	t, _ := m.MessageType()
	return t
}

// Discover sends a DISCOVER and expects an OFFER, whose address and server
// it remembers for the next Request.
func (v *V4) Discover(c *Client4, xid uint32) error {
	msg, err := v.build(c, v.header(c, xid, netip.Addr{}), dhcp4.Discover, c.Addr, netip.Addr{})
	if err != nil {
		return err
	}
	m, err := v.roundTrip(c, msg, xid, netip.Addr{})
	if err != nil {
		return err
	}
	if t := replyType(m); t != dhcp4.Offer {
		return fmt.Errorf("DISCOVER xid %#x: got %v, want OFFER", xid, t)
	}
	c.Addr = m.YIAddr
	c.Server, _ = m.ServerID()
	return nil
}

// Request sends a REQUEST of the given kind and returns the reply type
// (ACK or NAK); an ACK's address is remembered.
func (v *V4) request(c *Client4, xid uint32, kind reqKind, addr netip.Addr) (dhcp4.MessageType, error) {
	var ciaddr, requested, server netip.Addr
	switch kind {
	case selecting:
		requested, server = addr, c.Server
	case renewing:
		ciaddr = addr
	case initReboot:
		requested = addr
	}
	msg, err := v.build(c, v.header(c, xid, ciaddr), dhcp4.Request, requested, server)
	if err != nil {
		return 0, err
	}
	m, err := v.roundTrip(c, msg, xid, ciaddr)
	if err != nil {
		return 0, err
	}
	t := replyType(m)
	if t == dhcp4.Ack {
		c.Addr = m.YIAddr
		if s, ok := m.ServerID(); ok {
			c.Server = s
		}
		if c.Relay == nil {
			if err := v.bind(c.Addr, true); err != nil {
				return t, err
			}
		}
	}
	return t, nil
}

// Select is the REQUEST after an OFFER; it must be ACKed.
func (v *V4) Select(c *Client4, xid uint32) error {
	return v.wantAck(v.request(c, xid, selecting, c.Addr))
}

// Renew is a REQUEST from a bound client (ciaddr set); it must be ACKed.
func (v *V4) Renew(c *Client4, xid uint32) error {
	return v.wantAck(v.request(c, xid, renewing, c.Addr))
}

// InitReboot asks for addr without a server id; it returns the reply type.
func (v *V4) InitReboot(c *Client4, xid uint32, addr netip.Addr) (dhcp4.MessageType, error) {
	return v.request(c, xid, initReboot, addr)
}

func (v *V4) wantAck(t dhcp4.MessageType, err error) error {
	if err != nil {
		return err
	}
	if t != dhcp4.Ack {
		return fmt.Errorf("got %v, want ACK", t)
	}
	return nil
}

// Release gives c's address back (unicast from ciaddr; no reply).
func (v *V4) Release(c *Client4, xid uint32) error {
	msg, err := v.build(c, v.header(c, xid, c.Addr), dhcp4.Release, netip.Addr{}, c.Server)
	if err != nil {
		return err
	}
	if err := v.send(c, msg, c.Addr); err != nil {
		return err
	}
	if c.Relay == nil {
		return v.bind(c.Addr, false)
	}
	return nil
}

// Decline reports c's address in use (broadcast, requested IP; no reply).
func (v *V4) Decline(c *Client4, xid uint32) error {
	msg, err := v.build(c, v.header(c, xid, netip.Addr{}), dhcp4.Decline, c.Addr, c.Server)
	if err != nil {
		return err
	}
	if err := v.send(c, msg, netip.Addr{}); err != nil {
		return err
	}
	if c.Relay == nil {
		return v.bind(c.Addr, false)
	}
	return nil
}

package exchange

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/leasehold/leasehold/dhcp6"
)

// IA6 is one IA of a Client6: an IA_NA or IA_PD with the address or prefix
// the server gave it.
type IA6 struct {
	PD     bool
	IAID   uint32
	Addr   netip.Addr   // IA_NA
	Prefix netip.Prefix // IA_PD
}

// Relay6 is a DHCPv6 relay agent in front of a client.
type Relay6 struct {
	LinkAddr, PeerAddr netip.Addr
	InterfaceID        []byte // option 18, nil for none
	RemoteID           []byte // option 37 (enterprise 4491 prepended), nil for none
}

// Client6 is a simulated DHCPv6 client with a fixed DUID.
type Client6 struct {
	DUID  []byte
	IAs   []*IA6
	Relay *Relay6

	ServerID []byte // learnt from ADVERTISE / REPLY
}

// V6 drives Client6 exchanges over UDP sockets in the client namespace: one
// on port 546 for direct clients, one on the relay's address and port 547.
type V6 struct {
	direct  *net.UDPConn
	relay   *net.UDPConn
	zone    string // the client interface's index
	timeout time.Duration
	sent    *[][]byte // every message sent, for the step's record
}

// listen6 opens the sockets; call it inside the client namespace. Zones
// are given as interface indices looked up here: the net package caches
// zone names for the whole process, and the process spans namespaces.
func listen6(ifName string, relayAddr netip.Addr) (*V6, error) {
	ifi, err := net.InterfaceByName(ifName)
	if err != nil {
		return nil, fmt.Errorf("interface %s: %w", ifName, err)
	}
	zone := strconv.Itoa(ifi.Index)
	d, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6unspecified, Port: 546, Zone: zone})
	if err != nil {
		return nil, fmt.Errorf("listen [::%%%s]:546 (%s): %w", zone, ifName, err)
	}
	r, err := net.ListenUDP("udp6", net.UDPAddrFromAddrPort(netip.AddrPortFrom(relayAddr, 547)))
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("listen [%s]:547: %w", relayAddr, err)
	}
	return &V6{direct: d, relay: r, zone: zone}, nil
}

func (v *V6) Close() error { return errors.Join(v.direct.Close(), v.relay.Close()) }

// build writes a message of type t with c's IAs; withAddrs includes the
// leased addresses and prefixes, only selects the IAs given (all if nil).
func (v *V6) build(c *Client6, t dhcp6.MessageType, xid uint32, withServer, withAddrs bool, only []*IA6) ([]byte, error) {
	buf := make([]byte, 0, 1500)
	var b dhcp6.Builder
	if r := c.Relay; r != nil {
		var opts dhcp6.Builder // bare option run
		if r.InterfaceID != nil {
			opts.AddInterfaceID(r.InterfaceID)
		}
		if r.RemoteID != nil {
			opts.AddRemoteID(4491, r.RemoteID)
		}
		run, err := opts.Finish()
		if err != nil {
			return nil, err
		}
		hop := dhcp6.RelayHop{Type: dhcp6.RelayForw, LinkAddr: r.LinkAddr, PeerAddr: r.PeerAddr, Options: run}
		b = dhcp6.NewRelayBuilder(buf, []dhcp6.RelayHop{hop}, t, xid)
	} else {
		b = dhcp6.NewBuilder(buf, t, xid)
	}
	b.AddOption(dhcp6.OptClientID, c.DUID)
	if withServer {
		b.AddOption(dhcp6.OptServerID, c.ServerID)
	}
	b.AddElapsedTime(0)
	ias := only
	if ias == nil {
		ias = c.IAs
	}
	for _, ia := range ias {
		if ia.PD {
			b.AddIAPD(ia.IAID, 0, 0)
			if withAddrs && ia.Prefix.IsValid() {
				b.AddIAPrefix(ia.Prefix, 0, 0)
			}
		} else {
			b.AddIANA(ia.IAID, 0, 0)
			if withAddrs && ia.Addr.IsValid() {
				b.AddIAAddr(ia.Addr, 0, 0)
			}
		}
		b.EndOption()
	}
	if t == dhcp6.Solicit || t == dhcp6.Request || t == dhcp6.Renew || t == dhcp6.Rebind {
		b.AddORO(dhcp6.OptDNSServers)
	}
	return b.Finish()
}

var allServers = netip.MustParseAddr("ff02::1:2")

// roundTrip sends msg from where c sits and waits for the reply with xid;
// it returns the client message inside any RELAY-REPL.
func (v *V6) roundTrip(c *Client6, msg []byte, xid uint32, want dhcp6.MessageType) (*dhcp6.Packet, error) {
	conn := v.direct
	if c.Relay != nil {
		conn = v.relay
	}
	dst := &net.UDPAddr{IP: net.IP(allServers.AsSlice()), Port: 547, Zone: v.zone}
	*v.sent = append(*v.sent, msg)
	buf := make([]byte, 65536)
	// One try per second, as a client retransmits; a second copy that the
	// server did answer shows up as an unexpected hook call.
	var err error
	for try := 0; try < 3; try++ {
		if _, err := conn.WriteToUDP(msg, dst); err != nil {
			return nil, err
		}
		if want == 0 {
			return nil, nil
		}
		deadline := time.Now().Add(v.timeout / 3)
		for {
			if err = conn.SetReadDeadline(deadline); err != nil {
				return nil, err
			}
			var n int
			n, _, err = conn.ReadFromUDP(buf)
			if err != nil {
				break
			}
			p := new(dhcp6.Packet)
			if p.Decode(append([]byte(nil), buf[:n]...)) != nil || p.Msg.TransactionID != xid {
				continue
			}
			if p.Msg.Type != want {
				return nil, fmt.Errorf("xid %#x: got %v, want %v", xid, p.Msg.Type, want)
			}
			return p, nil
		}
	}
	return nil, fmt.Errorf("no reply to xid %#x after 3 tries: %w", xid, err)
}

// learn takes the server id and the leases of each IA from a reply.
func (c *Client6) learn(p *dhcp6.Packet) error {
	if sid, ok := p.Msg.Options.Get(dhcp6.OptServerID); ok {
		c.ServerID = append([]byte(nil), sid...)
	}
	for code, data := range p.Msg.Options.All() {
		switch code {
		case dhcp6.OptIANA:
			ia, err := dhcp6.ParseIANA(data)
			if err != nil {
				return err
			}
			if a, ok := ia.Options.Get(dhcp6.OptIAAddr); ok {
				ad, err := dhcp6.ParseIAAddr(a)
				if err != nil {
					return err
				}
				if x := c.ia(false, ia.IAID); x != nil {
					x.Addr = ad.Addr
				}
			}
		case dhcp6.OptIAPD:
			ia, err := dhcp6.ParseIAPD(data)
			if err != nil {
				return err
			}
			if a, ok := ia.Options.Get(dhcp6.OptIAPrefix); ok {
				pr, err := dhcp6.ParseIAPrefix(a)
				if err != nil {
					return err
				}
				if x := c.ia(true, ia.IAID); x != nil {
					x.Prefix = pr.Prefix
				}
			}
		}
	}
	return nil
}

func (c *Client6) ia(pd bool, iaid uint32) *IA6 {
	for _, x := range c.IAs {
		if x.PD == pd && x.IAID == iaid {
			return x
		}
	}
	return nil
}

func (v *V6) exchange(c *Client6, t dhcp6.MessageType, xid uint32, withServer, withAddrs bool, only []*IA6, want dhcp6.MessageType) error {
	msg, err := v.build(c, t, xid, withServer, withAddrs, only)
	if err != nil {
		return err
	}
	p, err := v.roundTrip(c, msg, xid, want)
	if err != nil || p == nil {
		return err
	}
	return c.learn(p)
}

// Solicit expects an ADVERTISE and learns what it offers.
func (v *V6) Solicit(c *Client6, xid uint32) error {
	return v.exchange(c, dhcp6.Solicit, xid, false, false, nil, dhcp6.Advertise)
}

// Request asks for what the ADVERTISE offered.
func (v *V6) Request(c *Client6, xid uint32) error {
	return v.exchange(c, dhcp6.Request, xid, true, true, nil, dhcp6.Reply)
}

// Renew extends every IA's lease with the server that gave it.
func (v *V6) Renew(c *Client6, xid uint32) error {
	return v.exchange(c, dhcp6.Renew, xid, true, true, nil, dhcp6.Reply)
}

// Rebind extends every IA's lease with any server.
func (v *V6) Rebind(c *Client6, xid uint32) error {
	return v.exchange(c, dhcp6.Rebind, xid, false, true, nil, dhcp6.Reply)
}

// Release gives back the given IAs (all if none).
func (v *V6) Release(c *Client6, xid uint32, ias ...*IA6) error {
	return v.exchange(c, dhcp6.Release, xid, true, true, ias, dhcp6.Reply)
}

// Decline reports the addresses of the given IAs in use.
func (v *V6) Decline(c *Client6, xid uint32, ias ...*IA6) error {
	return v.exchange(c, dhcp6.Decline, xid, true, true, ias, dhcp6.Reply)
}

package dhcp4_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/leasehold/leasehold/dhcp4"
)

// A client's DISCOVER, as a relay would forward it.
func discover() []byte {
	h := dhcp4.Header{Op: dhcp4.BootRequest, HType: 1, HLen: 6, XID: 0x1234,
		GIAddr: netip.MustParseAddr("198.51.100.1")}
	copy(h.CHAddr[:], []byte{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01})
	b := dhcp4.NewBuilder(nil, h)
	b.AddMessageType(dhcp4.Discover)
	b.AddString(dhcp4.OptHostname, "host-a")
	b.AddOption(dhcp4.OptParamRequest, []byte{dhcp4.OptSubnetMask, dhcp4.OptRouter, dhcp4.OptDNS})
	b.StartOption(dhcp4.OptRelayAgentInfo)
	b.AddSubOption(dhcp4.RelayCircuitID, []byte("eth0/7"))
	b.EndOption()
	pkt, _ := b.Finish()
	return pkt
}

func ExampleMessage_Decode() {
	var m dhcp4.Message // reused for every packet
	if err := m.Decode(discover()); err != nil {
		if errors.Is(err, dhcp4.ErrBadOption) {
			fmt.Println("drop: bad option:", err)
		}
		return
	}
	t, _ := m.MessageType()
	host, _ := m.Hostname()
	fmt.Printf("%v from %x via %v, hostname %s\n", t, m.HWAddr(), m.GIAddr, host)
	if ri, ok := m.RelayAgentInfo(); ok {
		circuit, _ := ri.CircuitID()
		fmt.Printf("circuit-id %q\n", circuit)
	}
	for i := range m.NumOptions() {
		code, data := m.OptionAt(i)
		fmt.Println("option", code, len(data), "bytes")
	}
	// Output:
	// DHCPDISCOVER from 02005e000001 via 198.51.100.1, hostname host-a
	// circuit-id "eth0/7"
	// option 53 1 bytes
	// option 12 6 bytes
	// option 55 3 bytes
	// option 82 8 bytes
}

func ExampleBuilder() {
	var req dhcp4.Message
	if err := req.Decode(discover()); err != nil {
		return
	}
	h := req.Header // xid, chaddr, giaddr, flags come from the request
	h.Op = dhcp4.BootReply
	h.Hops = 0
	h.YIAddr = netip.MustParseAddr("192.0.2.10")

	buf := make([]byte, 0, 1500) // from a pool in a server
	b := dhcp4.NewBuilder(buf, h)
	size, ok := req.MaxMessageSize()
	if !ok {
		size = 576
	}
	b.SetMaxSize(int(size))
	b.AddMessageType(dhcp4.Offer)
	b.AddIP(dhcp4.OptServerID, netip.MustParseAddr("192.0.2.1"))
	b.AddUint32(dhcp4.OptLeaseTime, 3600)
	b.AddIP(dhcp4.OptSubnetMask, netip.MustParseAddr("255.255.255.0"))
	b.AddIPs(dhcp4.OptRouter, []netip.Addr{netip.MustParseAddr("192.0.2.1")})
	if ri, ok := req.RelayAgentInfo(); ok {
		b.AddRelayAgentInfo(ri) // echoed last (RFC 3046)
	}
	reply, err := b.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}

	var m dhcp4.Message
	if err := m.Decode(reply); err != nil {
		fmt.Println(err)
		return
	}
	t, _ := m.MessageType()
	lease, _ := m.LeaseTime()
	fmt.Println(len(reply), "bytes:", t, m.YIAddr, "for", lease, "seconds")
	// Output:
	// 300 bytes: DHCPOFFER 192.0.2.10 for 3600 seconds
}

package main

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/leasehold/leasehold/internal/pcapfile"
)

// dhcpMsg is a DHCPv4 message seen in a capture.
type dhcpMsg struct {
	Type   layers.DHCPMsgType
	CHAddr net.HardwareAddr
	YIAddr netip.Addr
}

// readDHCP returns the DHCPv4 messages of a capture, decoded by gopacket.
func readDHCP(path string) ([]dhcpMsg, error) {
	dgrams, err := pcapfile.ReadUDP(path, 67, 68)
	if err != nil {
		return nil, err
	}
	var out []dhcpMsg
	for _, d := range dgrams {
		var l layers.DHCPv4
		if err := l.DecodeFromBytes(d.Payload, gopacket.NilDecodeFeedback); err != nil {
			return nil, fmt.Errorf("%s frame %d: %w", path, d.Frame, err)
		}
		m := dhcpMsg{CHAddr: l.ClientHWAddr}
		m.YIAddr, _ = netip.AddrFromSlice(l.YourClientIP.To4())
		for _, o := range l.Options {
			if o.Type == layers.DHCPOptMessageType && len(o.Data) == 1 {
				m.Type = layers.DHCPMsgType(o.Data[0])
			}
		}
		out = append(out, m)
	}
	return out, nil
}

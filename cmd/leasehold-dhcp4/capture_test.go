package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// dhcpMsg is a DHCPv4 message seen in a capture.
type dhcpMsg struct {
	Type   layers.DHCPMsgType
	CHAddr net.HardwareAddr
	YIAddr netip.Addr
}

// readDHCP returns the DHCPv4 messages of a classic pcap file of Ethernet
// frames (what netlab's captures write). A record cut short at the end (the
// capture was stopped mid-write) is left out. gopacket decodes the frames;
// its pcapgo reader needs modules this module does not require.
func readDHCP(path string) ([]dhcpMsg, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("%s: no pcap header", path)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch bo.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("%s: not a classic pcap file", path)
	}
	if lt := bo.Uint32(b[20:]); lt != 1 {
		return nil, fmt.Errorf("%s: link type %d, want Ethernet", path, lt)
	}
	var out []dhcpMsg
	for off := 24; off+16 <= len(b); {
		n := int(bo.Uint32(b[off+8:]))
		if off+16+n > len(b) {
			break
		}
		pkt := gopacket.NewPacket(b[off+16:off+16+n], layers.LayerTypeEthernet, gopacket.NoCopy)
		off += 16 + n
		l, ok := pkt.Layer(layers.LayerTypeDHCPv4).(*layers.DHCPv4)
		if !ok {
			continue
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

// Package pcapfile reads and writes the UDP datagrams of packet captures,
// for the tests that hold leasehold's codecs and configuration against
// traffic real clients and Kea exchanged. It reads classic pcap (what
// dumpcap -P in internal/netlab writes) and pcapng, through gopacket.
//
//	dgrams, err := pcapfile.ReadUDP("testdata/pcap/dhclient.pcap", 67, 68)
//	if err != nil {
//		t.Fatal(err)
//	}
//	for _, d := range dgrams {
//		var m dhcp4.Message
//		if err := m.Decode(d.Payload); err != nil {
//			t.Errorf("frame %d: %v", d.Frame, err)
//		}
//	}
package pcapfile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Datagram is one UDP datagram of a capture.
type Datagram struct {
	// Frame is the frame's number in the file, from 1, as Wireshark
	// counts: the number to look the packet up by.
	Frame            int
	SrcPort, DstPort uint16
	Payload          []byte
}

// ReadUDP returns the UDP datagrams of the capture at path that come from
// or go to one of ports (all of them when no port is given), in capture
// order. Frames that hold no UDP header (ARP, ICMPv6, non-first
// fragments) are passed over.
func ReadUDP(path string, ports ...uint16) ([]Datagram, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := newSource(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Datagram
	for frame := 1; ; frame++ {
		data, ci, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("%s: frame %d: %w", path, frame, err)
		}
		p := gopacket.NewPacket(data, src.linkType(ci), gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		udp, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if !ok {
			continue
		}
		d := Datagram{Frame: frame, SrcPort: uint16(udp.SrcPort), DstPort: uint16(udp.DstPort), Payload: udp.Payload}
		if len(ports) == 0 || slices.Contains(ports, d.SrcPort) || slices.Contains(ports, d.DstPort) {
			out = append(out, d)
		}
	}
}

// source is a classic pcap or a pcapng reader.
type source struct {
	pcap *pcapgo.Reader
	ng   *pcapgo.NgReader
}

// pcapngMagic opens a pcapng file (its Section Header Block type, the same
// in either byte order).
const pcapngMagic = 0x0a0d0d0a

func newSource(r *bufio.Reader) (*source, error) {
	magic, err := r.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("too short for a capture: %w", err)
	}
	if binary.LittleEndian.Uint32(magic) == pcapngMagic {
		ng, err := pcapgo.NewNgReader(r, pcapgo.DefaultNgReaderOptions)
		return &source{ng: ng}, err
	}
	p, err := pcapgo.NewReader(r)
	return &source{pcap: p}, err
}

func (s *source) ReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	if s.ng != nil {
		return s.ng.ReadPacketData()
	}
	return s.pcap.ReadPacketData()
}

// linkType is the link type of a frame: the file's, or in pcapng that of
// the interface the frame was captured on.
func (s *source) linkType(ci gopacket.CaptureInfo) layers.LinkType {
	if s.ng == nil {
		return s.pcap.LinkType()
	}
	if i, err := s.ng.Interface(ci.InterfaceIndex); err == nil {
		return i.LinkType
	}
	return s.ng.LinkType()
}

// WriteUDP writes a classic pcap holding one Ethernet frame per payload,
// each a UDP datagram from src to dst (both IPv4 or both IPv6) with its
// checksums right, as a capture of that traffic would read. The MAC
// addresses are fixed local ones: nothing here reads them.
func WriteUDP(w io.Writer, src, dst netip.AddrPort, payloads ...[]byte) error {
	if src.Addr().Is4() != dst.Addr().Is4() {
		return fmt.Errorf("pcapfile: %v and %v are not of one address family", src, dst)
	}
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	var ip gopacket.SerializableLayer
	if src.Addr().Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		v4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
			SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		ip = v4
		_ = udp.SetNetworkLayerForChecksum(v4) // cannot fail for an IPv4 layer
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		v6 := &layers.IPv6{Version: 6, HopLimit: 1, NextHeader: layers.IPProtocolUDP,
			SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		ip = v6
		_ = udp.SetNetworkLayerForChecksum(v6)
	}
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // fixed: equal input, equal file
	for i, p := range payloads {
		buf := gopacket.NewSerializeBuffer()
		err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			eth, ip, udp, gopacket.Payload(p))
		if err != nil {
			return fmt.Errorf("pcapfile: datagram %d: %w", i, err)
		}
		frame := buf.Bytes()
		ci := gopacket.CaptureInfo{Timestamp: when.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(frame), Length: len(frame)}
		if err := pw.WritePacket(ci, frame); err != nil {
			return err
		}
	}
	return nil
}

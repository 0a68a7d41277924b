package dhcp4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestGoldenPcaps decodes every DHCPv4 packet (UDP port 67 or 68) of the
// real exchanges captured in testdata/pcap (dhclient, udhcpc, dhcpcd and
// perfdhcp against Kea) with our decoder and with gopacket's, and fails on
// any disagreement in header fields or options. What gopacket does
// differently by design (see gopacketDiff) is logged, not failed.
func TestGoldenPcaps(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "pcap", "*.pcap*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no captures in testdata/pcap: the golden test needs real exchanges to check against")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			types := map[string]int{}
			notes := map[string]int{}
			n := 0
			readDHCP(t, file, func(i int, payload []byte) {
				n++
				diffs, ns, err := gopacketDiff(payload)
				if err != nil {
					t.Errorf("packet %d: %v", i, err)
					return
				}
				for _, d := range diffs {
					t.Errorf("packet %d: %s", i, d)
				}
				for _, note := range ns {
					notes[note]++
				}
				var m Message
				if err := m.Decode(payload); err == nil {
					mt, _ := m.MessageType()
					types[mt.String()]++
					checkRoundTrip(t, i, &m)
				}
				if a := testing.AllocsPerRun(10, func() { _ = m.Decode(payload) }); a != 0 {
					t.Errorf("packet %d: decoding allocates %v times, want 0", i, a)
				}
			})
			if n == 0 {
				t.Fatal("no DHCPv4 packets in the capture")
			}
			t.Logf("%d DHCPv4 packets: %v", n, sortedCounts(types))
			for note, c := range notes {
				t.Logf("%d× %s", c, note)
			}
		})
	}
}

// checkRoundTrip re-encodes a captured message and decodes it again.
func checkRoundTrip(t *testing.T, i int, m *Message) {
	out, err := m.AppendTo(nil)
	if err != nil {
		t.Errorf("packet %d: AppendTo: %v", i, err)
		return
	}
	var m2 Message
	if err := m2.Decode(out); err != nil {
		t.Errorf("packet %d: decoding the re-encoded message: %v", i, err)
		return
	}
	if diff := compareMessages(m, &m2); diff != "" {
		t.Errorf("packet %d: round trip: %s", i, diff)
	}
}

// readDHCP calls fn with the UDP payload of every packet of a capture
// that goes to or from port 67 or 68.
func readDHCP(t *testing.T, file string, fn func(i int, payload []byte)) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := readCapture(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for i, fr := range frames {
		p := gopacket.NewPacket(fr.data, layers.LinkType(fr.link), gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		udp, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if !ok {
			continue
		}
		if !isDHCPPort(udp.SrcPort) && !isDHCPPort(udp.DstPort) {
			continue
		}
		fn(i+1, udp.Payload)
	}
}

type frame struct {
	link uint32 // pcap link type
	data []byte
}

// readCapture splits a classic pcap or a pcapng file into frames. It is
// here rather than gopacket's pcapgo because pcapgo's package imports
// netlink, which is not in go.sum, and go.mod is not ours to change.
func readCapture(b []byte) ([]frame, error) {
	if len(b) < 4 {
		return nil, errors.New("file too short for a capture")
	}
	if binary.LittleEndian.Uint32(b) == 0x0a0d0d0a {
		return readPcapng(b)
	}
	return readPcap(b)
}

func readPcap(b []byte) ([]frame, error) {
	if len(b) < 24 {
		return nil, errors.New("pcap header truncated")
	}
	var bo binary.ByteOrder
	switch m := binary.LittleEndian.Uint32(b); m {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("not a pcap file (magic %#08x)", m)
	}
	link := bo.Uint32(b[20:]) & 0x0fffffff // upper bits carry FCS flags
	var out []frame
	for off := 24; off < len(b); {
		if off+16 > len(b) {
			return nil, fmt.Errorf("record at offset %d: header truncated", off)
		}
		n := int(bo.Uint32(b[off+8:]))
		if n > len(b)-off-16 {
			return nil, fmt.Errorf("record at offset %d: length %d runs past end of file", off, n)
		}
		out = append(out, frame{link, b[off+16 : off+16+n]})
		off += 16 + n
	}
	return out, nil
}

// readPcapng reads Enhanced and Simple Packet Blocks, taking link types
// from the Interface Description Blocks of the current section.
func readPcapng(b []byte) ([]frame, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	var links []uint32
	var out []frame
	for off := 0; off < len(b); {
		if off+12 > len(b) {
			return nil, fmt.Errorf("block at offset %d truncated", off)
		}
		typ := bo.Uint32(b[off:])
		if typ == 0x0a0d0d0a { // section header: sets the byte order
			switch binary.LittleEndian.Uint32(b[off+8:]) {
			case 0x1a2b3c4d:
				bo = binary.LittleEndian
			case 0x4d3c2b1a:
				bo = binary.BigEndian
			default:
				return nil, fmt.Errorf("section at offset %d: bad byte-order magic", off)
			}
			links = links[:0]
		}
		n := int(bo.Uint32(b[off+4:]))
		if n < 12 || n%4 != 0 || n > len(b)-off {
			return nil, fmt.Errorf("block at offset %d: bad length %d", off, n)
		}
		body := b[off+8 : off+n-4]
		switch typ {
		case 1: // interface description
			if len(body) < 2 {
				return nil, fmt.Errorf("interface block at offset %d truncated", off)
			}
			links = append(links, uint32(bo.Uint16(body)))
		case 6: // enhanced packet
			if len(body) < 20 {
				return nil, fmt.Errorf("packet block at offset %d truncated", off)
			}
			iface, capLen := int(bo.Uint32(body)), int(bo.Uint32(body[12:]))
			if iface >= len(links) || capLen > len(body)-20 {
				return nil, fmt.Errorf("packet block at offset %d: bad interface %d or length %d", off, iface, capLen)
			}
			out = append(out, frame{links[iface], body[20 : 20+capLen]})
		case 3: // simple packet
			if len(links) == 0 || len(body) < 4 {
				return nil, fmt.Errorf("simple packet block at offset %d without interface", off)
			}
			capLen := min(int(bo.Uint32(body)), len(body)-4)
			out = append(out, frame{links[0], body[4 : 4+capLen]})
		}
		off += n
	}
	return out, nil
}

func isDHCPPort(p layers.UDPPort) bool { return p == 67 || p == 68 }

func sortedCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var s []string
	for _, k := range keys {
		s = append(s, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(s, ", ")
}

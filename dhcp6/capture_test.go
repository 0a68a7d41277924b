package dhcp6

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// A classic pcap reader and writer, small enough to keep here. gopacket's
// pcapgo would do, but it imports golang.org/x/net/bpf and x/sys/unix, and
// with those modules marked indirect in go.mod the build refuses them
// without a go.mod change.

const (
	pcapMagicMicro = 0xa1b2c3d4
	pcapMagicNano  = 0xa1b23c4d
)

// dhcp6Payloads returns the UDP payload of every packet to or from port
// 546 or 547 in a classic pcap file.
func dhcp6Payloads(path string) ([][]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < 24 {
		return nil, fmt.Errorf("%s: %d bytes, too short for a pcap header", path, len(raw))
	}
	var bo binary.ByteOrder
	switch m := binary.LittleEndian.Uint32(raw); m {
	case pcapMagicMicro, pcapMagicNano:
		bo = binary.LittleEndian
	default:
		if m2 := binary.BigEndian.Uint32(raw); m2 != pcapMagicMicro && m2 != pcapMagicNano {
			return nil, fmt.Errorf("%s: magic %#x is not classic pcap (pcapng? write with tshark -F pcap)", path, m)
		}
		bo = binary.BigEndian
	}
	link := layers.LinkType(bo.Uint32(raw[20:]) & 0xffff)
	var out [][]byte
	for off := 24; off < len(raw); {
		if len(raw)-off < 16 {
			return out, fmt.Errorf("%s: record header at offset %d cut short", path, off)
		}
		n := int(bo.Uint32(raw[off+8:]))
		off += 16
		if n > len(raw)-off {
			return out, fmt.Errorf("%s: record at offset %d claims %d bytes, %d left", path, off-16, n, len(raw)-off)
		}
		frame := raw[off : off+n]
		off += n
		pkt := gopacket.NewPacket(frame, link, gopacket.Default)
		udp, ok := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if !ok {
			continue
		}
		if isDHCP6Port(udp.SrcPort) || isDHCP6Port(udp.DstPort) {
			out = append(out, udp.Payload)
		}
	}
	return out, nil
}

func isDHCP6Port(p layers.UDPPort) bool { return p == 546 || p == 547 }

// writePcap writes DHCPv6 payloads as Ethernet/IPv6/UDP frames into a
// classic pcap, client to server.
func writePcap(w io.Writer, payloads [][]byte) error {
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr, pcapMagicMicro)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], uint32(layers.LinkTypeEthernet))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	for _, p := range payloads {
		eth := layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{0x33, 0x33, 0, 1, 0, 2}, EthernetType: layers.EthernetTypeIPv6}
		ip := layers.IPv6{Version: 6, HopLimit: 1, NextHeader: layers.IPProtocolUDP,
			SrcIP: net.ParseIP("fe80::2"), DstIP: net.ParseIP("ff02::1:2")}
		udp := layers.UDP{SrcPort: 546, DstPort: 547}
		if err := udp.SetNetworkLayerForChecksum(&ip); err != nil {
			return err
		}
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			&eth, &ip, &udp, gopacket.Payload(p)); err != nil {
			return err
		}
		frame := buf.Bytes()
		rec := make([]byte, 16)
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
		if _, err := w.Write(append(rec, frame...)); err != nil {
			return err
		}
	}
	return nil
}

// checkCapture decodes every DHCPv6 packet of a capture with our decoder
// and with gopacket's layers.DHCPv6 and requires them to agree on message
// type, transaction id, relay header fields and every option at every
// level; that AppendTo gives back the captured bytes; and that the typed
// parser of every option we have one for accepts what was sent.
func checkCapture(t *testing.T, path string) {
	payloads, err := dhcp6Payloads(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if len(payloads) == 0 {
		t.Fatalf("%s has no DHCPv6 (UDP 546/547) packets", path)
	}
	seen := map[string]int{}
	for i, pl := range payloads {
		for _, d := range crossCheck(pl) {
			t.Errorf("packet %d: %s", i, d)
		}
		var p Packet
		if err := p.Decode(pl); err != nil {
			t.Errorf("packet %d: %v\n% x", i, err, pl)
			continue
		}
		for j := range p.NumRelays {
			if err := parseAll(p.Relays[j].Options); err != nil {
				t.Errorf("packet %d relay %d: %v", i, j, err)
			}
		}
		if err := parseAll(p.Msg.Options); err != nil {
			t.Errorf("packet %d %v: %v", i, p.Msg.Type, err)
		}
		var codes []string
		for c := range p.Msg.Options.All() {
			codes = append(codes, c.String())
		}
		seen[strings.Repeat("RELAY ", p.NumRelays)+p.Msg.Type.String()+" ["+strings.Join(codes, " ")+"]"]++
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%3d × %s", seen[k], k)
	}
}

// TestCaptureReader runs the golden checks on a capture written here, so
// the reading path is tested even where no real captures are present.
func TestCaptureReader(t *testing.T) {
	var q Packet
	if err := q.Decode(relayedSolicitBytes(t, 2)); err != nil {
		t.Fatal(err)
	}
	rb := NewRelayReplyBuilder(nil, &q, Reply, q.Msg.TransactionID)
	buildReply(&rb)
	payloads := [][]byte{solicitBytes(t), replyBytes(t), relayedSolicitBytes(t, 2), mustFinish(t, &rb)}
	var buf bytes.Buffer
	if err := writePcap(&buf, payloads); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "built.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := dhcp6Payloads(path)
	if err != nil || len(got) != len(payloads) {
		t.Fatalf("read %d payloads (%v), want %d", len(got), err, len(payloads))
	}
	for i := range got {
		if !bytes.Equal(got[i], payloads[i]) {
			t.Errorf("payload %d differs", i)
		}
	}
	checkCapture(t, path)
}

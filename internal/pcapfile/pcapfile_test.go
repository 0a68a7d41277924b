package pcapfile

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteThenRead(t *testing.T) {
	payloads := [][]byte{[]byte("first"), {}, bytes.Repeat([]byte{0xab}, 1200)}
	for _, tt := range []struct {
		name     string
		src, dst netip.AddrPort
	}{
		{"IPv4", netip.MustParseAddrPort("192.0.2.1:68"), netip.MustParseAddrPort("255.255.255.255:67")},
		{"IPv6", netip.MustParseAddrPort("[fe80::2]:546"), netip.MustParseAddrPort("[ff02::1:2]:547")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteUDP(&buf, tt.src, tt.dst, payloads...); err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, buf.Bytes())
			got, err := ReadUDP(path, tt.dst.Port())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(payloads) {
				t.Fatalf("%d datagrams, want %d", len(got), len(payloads))
			}
			for i, d := range got {
				if d.Frame != i+1 || d.SrcPort != tt.src.Port() || d.DstPort != tt.dst.Port() || !bytes.Equal(d.Payload, payloads[i]) {
					t.Errorf("datagram %d: frame %d ports %d>%d payload %d bytes; want frame %d ports %d>%d payload %d bytes",
						i, d.Frame, d.SrcPort, d.DstPort, len(d.Payload), i+1, tt.src.Port(), tt.dst.Port(), len(payloads[i]))
				}
			}
			if got, err := ReadUDP(path, 53); err != nil || len(got) != 0 {
				t.Errorf("other port: %d datagrams (%v), want none", len(got), err)
			}
			if got, err := ReadUDP(path); err != nil || len(got) != len(payloads) {
				t.Errorf("no port given: %d datagrams (%v), want all %d", len(got), err, len(payloads))
			}
		})
	}
}

// TestPcapngAndOtherFrames reads a pcapng file holding an ARP frame
// between two datagrams: the frames keep their numbers in the file.
func TestPcapngAndOtherFrames(t *testing.T) {
	var classic bytes.Buffer
	src, dst := netip.MustParseAddrPort("192.0.2.1:68"), netip.MustParseAddrPort("192.0.2.2:67")
	if err := WriteUDP(&classic, src, dst, []byte("one"), []byte("two")); err != nil {
		t.Fatal(err)
	}
	r, err := pcapgo.NewReader(&classic)
	if err != nil {
		t.Fatal(err)
	}
	arp := gopacket.NewSerializeBuffer()
	err = gopacket.SerializeLayers(arp, gopacket.SerializeOptions{FixLengths: true},
		&layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPRequest, SourceHwAddress: []byte{2, 0, 0, 0, 0, 1}, SourceProtAddress: []byte{192, 0, 2, 1},
			DstHwAddress: make([]byte, 6), DstProtAddress: []byte{192, 0, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	var ng bytes.Buffer
	w, err := pcapgo.NewNgWriter(&ng, layers.LinkTypeEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ci := gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), CaptureLength: len(arp.Bytes()), Length: len(arp.Bytes())}
			if err := w.WritePacket(ci, arp.Bytes()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadUDP(writeFile(t, ng.Bytes()), 67)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Frame != 1 || got[1].Frame != 3 || string(got[0].Payload) != "one" || string(got[1].Payload) != "two" {
		t.Errorf("got %+v, want frames 1 and 3 with one and two", got)
	}
}

func TestErrors(t *testing.T) {
	var good bytes.Buffer
	if err := WriteUDP(&good, netip.MustParseAddrPort("192.0.2.1:68"), netip.MustParseAddrPort("192.0.2.2:67"), []byte("payload")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short for a capture"},
		{"not a capture", []byte("this is text, not packets"), "magic"},
		{"record cut short", good.Bytes()[:good.Len()-3], "frame 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadUDP(writeFile(t, tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	if _, err := ReadUDP(filepath.Join(t.TempDir(), "absent.pcap")); err == nil {
		t.Error("a missing file gave no error")
	}
	err := WriteUDP(&bytes.Buffer{}, netip.MustParseAddrPort("192.0.2.1:68"), netip.MustParseAddrPort("[2001:db8::1]:547"))
	if err == nil {
		t.Error("WriteUDP took addresses of two families")
	}
}

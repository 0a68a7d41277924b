package dhcp4

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/internal/pcapfile"
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
// that goes to or from port 67 or 68, and the packet's frame number.
func readDHCP(t *testing.T, file string, fn func(frame int, payload []byte)) {
	t.Helper()
	dgrams, err := pcapfile.ReadUDP(file, 67, 68)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dgrams {
		fn(d.Frame, d.Payload)
	}
}

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

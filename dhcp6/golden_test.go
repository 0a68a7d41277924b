package dhcp6

import (
	"path/filepath"
	"testing"
)

// goldenDir holds captures of real DHCPv6 exchanges (dhclient -6,
// dhclient -6 -P, dhcpcd -6, perfdhcp -6 against Kea).
const goldenDir = "testdata/pcap"

// TestGolden decodes every DHCPv6 packet of every capture with our decoder
// and with gopacket's layers.DHCPv6 and requires them to agree on message
// type, transaction id, relay header fields and every option at every
// level; that AppendTo gives back the captured bytes; and that the typed
// parser of every option we have one for accepts what real software sent.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.pcap*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no captures in %s: the golden test has nothing to check", goldenDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { checkCapture(t, f) })
	}
}

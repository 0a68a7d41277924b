package dhcp6

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/internal/pcapfile"
)

// dhcp6Payloads returns the UDP payload of every packet to or from port
// 546 or 547 in a capture.
func dhcp6Payloads(path string) ([][]byte, error) {
	dgrams, err := pcapfile.ReadUDP(path, 546, 547)
	var out [][]byte
	for _, d := range dgrams {
		out = append(out, d.Payload)
	}
	return out, err
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
	client, servers := netip.MustParseAddrPort("[fe80::2]:546"), netip.MustParseAddrPort("[ff02::1:2]:547")
	if err := pcapfile.WriteUDP(&buf, client, servers, payloads...); err != nil {
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

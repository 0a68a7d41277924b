package sock

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// TestSenderMAC checks SenderMAC against the neighbour table a ping from
// the client namespace leaves in the server's: the client's own entry for
// an on-link source, the gateway's for a source routed through it.
func TestSenderMAC(t *testing.T) {
	lab := netlab.NewT(t, netlab.Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	for _, a := range [][]string{
		{lab.ClientNS, "addr", "add", "192.0.2.2/24", "dev", lab.ClientIf},
		{lab.ServerNS, "route", "add", "203.0.113.0/24", "via", "192.0.2.2", "dev", lab.ServerIf},
	} {
		if out, err := lab.IP(ctx, a[0], a[1:]...); err != nil {
			t.Fatalf("ip %v: %v: %s", a[1:], err, out)
		}
	}
	// The client's ARP request for the server makes the server's kernel
	// record the client, as a relay's does.
	if err := lab.Ping(ctx, lab.ClientNS, lab.ServerAddr4.Addr()); err != nil {
		t.Fatal(err)
	}
	idx := ifIndex(t, lab, lab.ServerNS, lab.ServerIf)
	for _, tc := range []struct {
		name    string
		ifIndex int
		src     string
		want    net.HardwareAddr // nil: not found
	}{
		{"on-link", idx, "192.0.2.2", lab.ClientMAC},
		{"mapped", idx, "::ffff:192.0.2.2", lab.ClientMAC},
		{"via gateway", idx, "203.0.113.9", lab.ClientMAC},
		{"no entry", idx, "192.0.2.77", nil},
		{"other interface", idx + 1000, "192.0.2.2", nil},
		{"IPv6", idx, "2001:db8:1::2", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mac net.HardwareAddr
			var ok bool
			err := lab.InNS(lab.ServerNS, func() error {
				mac, ok = SenderMAC(tc.ifIndex, netip.MustParseAddr(tc.src))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.want != nil) || !bytes.Equal(mac, tc.want) {
				t.Errorf("SenderMAC(%d, %s) = %v, %v; want %v", tc.ifIndex, tc.src, mac, ok, tc.want)
			}
		})
	}
}

package netlab

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPrefix is this package's own prefix: Sweep in NewT only ever touches
// labs made with it.
const testPrefix = "lhE"

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func readSysctl(t *testing.T, l *Lab, ns, key string) string {
	t.Helper()
	var v string
	err := l.InNS(ns, func() error {
		b, err := os.ReadFile(filepath.Join("/proc/sys", key))
		v = strings.TrimSpace(string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNewBuildsTopology(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	if !strings.HasPrefix(l.ID, testPrefix) || len(l.ID) != len(testPrefix)+idLen {
		t.Errorf("ID %q: want %s + %d characters", l.ID, testPrefix, idLen)
	}
	for _, ns := range []string{l.ServerNS, l.ClientNS} {
		if _, err := os.Stat(nsPath(ns)); err != nil {
			t.Errorf("namespace %s: %v", ns, err)
		}
		b, err := os.ReadFile(filepath.Join("/etc/netns", ns, "resolv.conf"))
		if err != nil || len(b) != 0 {
			t.Errorf("/etc/netns/%s/resolv.conf: %q, %v; want an empty file", ns, b, err)
		}
		for _, key := range []string{"net/ipv6/conf/default/accept_dad", "net/ipv6/conf/all/accept_dad", "net/ipv6/conf/default/dad_transmits"} {
			if v := readSysctl(t, l, ns, key); v != "0" {
				t.Errorf("%s in %s = %s, want 0", key, ns, v)
			}
		}
	}
	for _, name := range []string{l.ServerIf, l.ClientIf, l.FirstClient().Port} {
		if len(name) > 15 {
			t.Errorf("interface name %q longer than 15 bytes", name)
		}
	}
	addrs, err := l.Addrs(l.ServerNS, l.ServerIf)
	if err != nil {
		t.Fatal(err)
	}
	want := map[netip.Prefix]bool{l.ServerAddr4: false, l.ServerAddr6: false}
	for _, a := range addrs {
		if _, ok := want[a.Prefix]; ok {
			want[a.Prefix] = true
		}
		if a.Tentative {
			t.Errorf("address %s is tentative", a.Prefix)
		}
	}
	for p, seen := range want {
		if !seen {
			t.Errorf("server address %s missing from %s: %+v", p, l.ServerIf, addrs)
		}
	}
	if l.ServerAddr4 != netip.MustParsePrefix("192.0.2.1/24") || l.ServerAddr6 != netip.MustParsePrefix("2001:db8:1::1/64") {
		t.Errorf("default server addresses %s, %s", l.ServerAddr4, l.ServerAddr6)
	}
	if got := l.ClientMAC.String(); got != "02:6c:68:00:01:01" {
		t.Errorf("ClientMAC %s, want 02:6c:68:00:01:01", got)
	}
	ll, err := l.LinkLocal(l.ClientNS, l.ClientIf)
	if err != nil {
		t.Fatal(err)
	}
	// EUI-64 from the fixed MAC: the same on every run.
	if want := "fe80::6c:68ff:fe00:101%" + l.ClientIf; ll.String() != want {
		t.Errorf("client link-local %s, want %s", ll, want)
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"long prefix", Options{Prefix: "abcdefgh"}, "want 1 to 7 characters"},
		{"bad prefix", Options{Prefix: "l-h"}, "only letters and digits"},
		{"v6 as v4", Options{ServerAddr4: netip.MustParsePrefix("2001:db8::1/64")}, "is not IPv4"},
		{"v4 as v6", Options{ServerAddr6: netip.MustParsePrefix("192.0.2.1/24")}, "is not IPv6"},
		{"short MAC", Options{ClientMAC: net.HardwareAddr{1, 2, 3}}, "want 6 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestAddClientAndPing(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix, ClientMAC: net.HardwareAddr{0x02, 0, 0, 0, 0, 0x42}})
	ctx := testCtx(t, 20*time.Second)
	cs, err := l.Clients(2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].NS != l.ClientNS {
		t.Fatalf("Clients(2) = %+v, want the first client and an added one", cs)
	}
	c2 := cs[1]
	if l.ClientMAC.String() != "02:00:00:00:00:42" {
		t.Errorf("ClientMAC %s, want the one in Options", l.ClientMAC)
	}
	if c2.NS == l.ClientNS || c2.If == l.ClientIf || c2.MAC.String() == l.ClientMAC.String() {
		t.Fatalf("second client %+v shares names or MAC with the first", c2)
	}
	c1 := l.FirstClient()
	for i, c := range []*Client{c1, c2} {
		a4 := netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)}), 24)
		a6 := netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 15: byte(10 + i)}), 64)
		for _, a := range []netip.Prefix{a4, a6} {
			if err := l.AddAddr(ctx, c.NS, c.If, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	srvLL, err := l.LinkLocal(l.ServerNS, l.ServerIf)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Client{c1, c2} {
		for _, dst := range []netip.Addr{l.ServerAddr4.Addr(), l.ServerAddr6.Addr(), srvLL.WithZone(c.If)} {
			if err := l.Ping(ctx, c.NS, dst); err != nil {
				t.Errorf("from %s: %v", c.NS, err)
			}
		}
	}
	if err := l.Ping(ctx, c1.NS, netip.MustParseAddr("192.0.2.11")); err != nil {
		t.Errorf("client to client: %v", err)
	}
}

func TestRunInEachNamespace(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 20*time.Second)
	r, err := l.AddRelayLink(RelayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c3, err := l.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	// Each namespace sees its own interfaces and nobody else's.
	want := map[string][]string{
		l.ServerNS: {l.ServerIf, l.FirstClient().Port, c3.Port},
		l.ClientNS: {l.ClientIf},
		c3.NS:      {c3.If},
		r.RouterNS: {r.UpIf, r.DownIf},
		r.ClientNS: {r.ClientIf},
	}
	for ns, ifs := range want {
		out, err := l.Run(ctx, ns, "ip", "-o", "link", "show")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range ifs {
			if !strings.Contains(string(out), " "+name) {
				t.Errorf("%s: interface %s missing from:\n%s", ns, name, out)
			}
		}
		if ns != l.ServerNS && strings.Contains(string(out), l.ServerIf) {
			t.Errorf("%s sees the server bridge:\n%s", ns, out)
		}
	}
	if _, err := l.Run(ctx, "lhEnotours", "true"); err == nil {
		t.Error("Run in a namespace not of the lab succeeded")
	}
}

func TestRelayLinkRoutes(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 20*time.Second)
	r, err := l.AddRelayLink(RelayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Addr4.String() != "198.51.100.1/24" || r.Addr6.String() != "2001:db8:2::1/64" ||
		r.UpAddr4.String() != "192.0.2.254/24" || r.UpAddr6.String() != "2001:db8:1::fe/64" {
		t.Errorf("relay addresses %s %s %s %s", r.Addr4, r.Addr6, r.UpAddr4, r.UpAddr6)
	}
	// The server reaches the far link's gateway addresses through the router.
	for _, dst := range []netip.Addr{r.Addr4.Addr(), r.Addr6.Addr()} {
		if err := l.Ping(ctx, l.ServerNS, dst); err != nil {
			t.Error(err)
		}
	}
	// A far client with an address and a default route reaches the server
	// through the router's forwarding.
	for _, p := range []string{"198.51.100.50/24", "2001:db8:2::50/64"} {
		if err := l.AddAddr(ctx, r.ClientNS, r.ClientIf, netip.MustParsePrefix(p)); err != nil {
			t.Fatal(err)
		}
	}
	steps := [][]string{
		{"route", "add", "default", "via", r.Addr4.Addr().String()},
		{"-6", "route", "add", "default", "via", r.Addr6.Addr().String()},
	}
	for _, s := range steps {
		if _, err := l.IP(ctx, r.ClientNS, s...); err != nil {
			t.Fatal(err)
		}
	}
	for _, dst := range []netip.Addr{l.ServerAddr4.Addr(), l.ServerAddr6.Addr()} {
		if err := l.Ping(ctx, r.ClientNS, dst); err != nil {
			t.Error(err)
		}
	}
	r2, err := l.AddRelayLink(RelayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Addr4.String() != "203.0.113.1/24" || r2.UpAddr4.String() != "192.0.2.253/24" || r2.Addr6.String() != "2001:db8:3::1/64" {
		t.Errorf("second relay link addresses %s %s %s", r2.Addr4, r2.UpAddr4, r2.Addr6)
	}
	if _, err := l.AddRelayLink(RelayOptions{}); err == nil || !strings.Contains(err.Error(), "set RelayOptions.Addr4") {
		t.Errorf("third relay link without Addr4: %v", err)
	}
}

// TestOwnLink: a client whose port became a link of its own reaches the
// server's address there, IPv4 and IPv6, and not the server bridge's.
func TestOwnLink(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 20*time.Second)
	cs, err := l.Clients(3)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct{ server, client string }{
		{"198.51.100.1/24", "198.51.100.2/24"},
		{"2001:db8:5::1/64", "2001:db8:5::2/64"},
	} {
		c := cs[i+1]
		name, err := l.OwnLink(ctx, c, netip.MustParsePrefix(tc.server))
		if err != nil || name != c.Port {
			t.Fatalf("OwnLink: %q, %v; want %q", name, err, c.Port)
		}
		if err := l.AddAddr(ctx, c.NS, c.If, netip.MustParsePrefix(tc.client)); err != nil {
			t.Fatal(err)
		}
		if err := l.Ping(ctx, c.NS, netip.MustParsePrefix(tc.server).Addr()); err != nil {
			t.Errorf("to the server on its own link: %v", err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := l.AddAddr(ctx, cs[1].NS, cs[1].If, netip.MustParsePrefix("192.0.2.77/24")); err != nil {
		t.Fatal(err)
	}
	if err := l.Ping(short, cs[1].NS, l.ServerAddr4.Addr()); err == nil {
		t.Error("a client on its own link reached the server bridge's address")
	}
}

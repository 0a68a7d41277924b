package netlab

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"
)

// hasAddr reports whether ifName in ns holds addr.
func hasAddr(t *testing.T, l *Lab, ns, ifName string, addr netip.Addr) bool {
	t.Helper()
	addrs, err := l.Addrs(ns, ifName)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if a.Prefix.Addr() == addr {
			return true
		}
	}
	return false
}

func TestRealClients(t *testing.T) {
	tests := []struct {
		name    string
		tool    string
		v6      bool
		start   func(*Lab, *Client) (*DHCPClient, error)
		bound   string
		addrKey string
		release string
	}{
		{"dhclient", "dhclient", false, func(l *Lab, c *Client) (*DHCPClient, error) {
			return l.StartDHClient(c, ClientOptions{})
		}, "BOUND", "new_ip_address", "RELEASE"},
		{"dhclient6", "dhclient", true, func(l *Lab, c *Client) (*DHCPClient, error) {
			return l.StartDHClient(c, ClientOptions{V6: true})
		}, "BOUND6", "new_ip6_address", "RELEASE6"},
		{"udhcpc", "udhcpc", false, func(l *Lab, c *Client) (*DHCPClient, error) {
			return l.StartUDHCPC(c, ClientOptions{})
		}, "bound", "ip", "deconfig"},
		{"dhcpcd", "dhcpcd", false, func(l *Lab, c *Client) (*DHCPClient, error) {
			return l.StartDHCPCD(c, ClientOptions{})
		}, "BOUND", "new_ip_address", "STOP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kea := "kea-dhcp4"
			if tt.v6 {
				kea = "kea-dhcp6"
			}
			RequireTool(t, kea)
			RequireTool(t, tt.tool)
			l := NewT(t, Options{Prefix: testPrefix})
			ctx := testCtx(t, 30*time.Second)
			cfg := l.KeaConfig4(filepath.Join(l.Dir, "leases.csv"))
			if tt.v6 {
				cfg = l.KeaConfig6(filepath.Join(l.Dir, "leases.csv"))
			}
			if _, err := l.StartKea(ctx, l.ServerNS, tt.v6, cfg); err != nil {
				t.Fatal(err)
			}
			d, err := tt.start(l, l.FirstClient())
			if err != nil {
				t.Fatal(err)
			}
			ev, err := d.WaitEvent(ctx, tt.bound)
			if err != nil {
				t.Fatal(err)
			}
			addr, err := netip.ParseAddr(ev[tt.addrKey])
			if err != nil {
				t.Fatalf("%s event without a valid %s: %v", tt.bound, tt.addrKey, ev)
			}
			pool := netip.MustParsePrefix("192.0.2.0/24")
			if tt.v6 {
				pool = netip.MustParsePrefix("2001:db8:1::/64")
			}
			if !pool.Contains(addr) {
				t.Errorf("leased %s, outside %s", addr, pool)
			}
			if !hasAddr(t, l, d.NS, d.If, addr) {
				t.Errorf("%s not configured on %s", addr, d.If)
			}
			if err := d.Release(ctx); err != nil {
				t.Fatal(err)
			}
			evs, err := d.Events()
			if err != nil {
				t.Fatal(err)
			}
			if r := reasonsOf(evs); !contains(r, tt.release) {
				t.Errorf("script calls %v, no %s after release", r, tt.release)
			}
			if hasAddr(t, l, d.NS, d.If, addr) {
				t.Errorf("%s still on %s after release", addr, d.If)
			}
			for _, f := range []string{"/var/lib/dhcp/dhclient.leases", "/var/lib/dhcpcd/" + d.If + ".lease"} {
				if fileExists(f) {
					t.Errorf("%s wrote %s outside its directory", tt.tool, f)
				}
			}
		})
	}
}

func TestDHCPCDInform(t *testing.T) {
	RequireTool(t, "kea-dhcp4")
	RequireTool(t, "dhcpcd")
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 30*time.Second)
	if _, err := l.StartKea(ctx, l.ServerNS, false, l.KeaConfig4(filepath.Join(l.Dir, "leases.csv"))); err != nil {
		t.Fatal(err)
	}
	d, err := l.StartDHCPCD(l.FirstClient(), ClientOptions{Inform: netip.MustParsePrefix("192.0.2.60/24")})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := d.WaitEvent(ctx, "INFORM")
	if err != nil {
		t.Fatal(err)
	}
	if ev["new_dhcp_server_identifier"] != "192.0.2.1" || ev["new_dhcp_message_type"] != "5" {
		t.Errorf("INFORM answered by %q with type %q, want an ACK from 192.0.2.1", ev["new_dhcp_server_identifier"], ev["new_dhcp_message_type"])
	}
}

package netlab

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Relayed traffic from the router namespace reaches Kea, which picks the
// far link's subnet by giaddr / link-address and answers through the
// router.
func TestRelayLinkWithKea(t *testing.T) {
	RequireTool(t, "perfdhcp")
	for _, v6 := range []bool{false, true} {
		name := map[bool]string{false: "v4", true: "v6"}[v6]
		t.Run(name, func(t *testing.T) {
			RequireTool(t, map[bool]string{false: "kea-dhcp4", true: "kea-dhcp6"}[v6])
			l := NewT(t, Options{Prefix: testPrefix})
			ctx := testCtx(t, 30*time.Second)
			r, err := l.AddRelayLink(RelayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			leases := filepath.Join(l.Dir, "leases.csv")
			if v6 {
				// -A1 takes its link-address from the interface given
				// with -l: the far link's.
				if _, err := l.StartKea(ctx, l.ServerNS, true, l.KeaConfig6(leases)); err != nil {
					t.Fatal(err)
				}
				out, err := l.Run(ctx, r.RouterNS, "perfdhcp", "-6", "-A1", "-l", r.DownIf, "-n", "2", "-r", "10", "-W", "500000", l.ServerAddr6.Addr().String())
				if err != nil && !strings.Contains(err.Error(), "exit status 3") { // 3: some drops
					t.Fatalf("perfdhcp: %v\n%s", err, out)
				}
				if n := leasesIn(t, leases, r.Addr6.Masked()); n == 0 {
					t.Errorf("no lease from the far link %s; perfdhcp said:\n%s", r.Addr6.Masked(), out)
				}
				return
			}
			// perfdhcp -4 sends from the interface holding its -l address and
			// listens there only, so here it sends from the server link with
			// the far link's giaddr (-J), and the OFFER, routed to giaddr, is
			// read by a socket standing where a relay agent's would.
			if _, err := l.StartKea(ctx, l.ServerNS, false, l.KeaConfig4(leases)); err != nil {
				t.Fatal(err)
			}
			var agent net.PacketConn
			err = l.InNS(r.RouterNS, func() (err error) {
				agent, err = net.ListenPacket("udp4", netip.AddrPortFrom(r.Addr4.Addr(), 67).String())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			defer agent.Close()
			giaddrs, err := l.WriteFile("giaddr", r.Addr4.Addr().String()+"\n")
			if err != nil {
				t.Fatal(err)
			}
			out, err := l.Run(ctx, r.RouterNS, "perfdhcp", "-4", "-l", r.UpAddr4.Addr().String(), "-J", giaddrs,
				"-n", "1", "-r", "10", "-W", "200000", l.ServerAddr4.Addr().String())
			if err != nil && !strings.Contains(err.Error(), "exit status 3") { // the OFFER went to the agent
				t.Fatalf("perfdhcp: %v\n%s", err, out)
			}
			agent.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 1500)
			n, from, err := agent.ReadFrom(buf)
			if err != nil {
				t.Fatalf("no reply routed to giaddr %s: %v", r.Addr4.Addr(), err)
			}
			if n < 240 || buf[0] != 2 {
				t.Fatalf("%d bytes from %s: not a BOOTREPLY", n, from)
			}
			yiaddr := netip.AddrFrom4([4]byte(buf[16:20]))
			if !r.Addr4.Masked().Contains(yiaddr) {
				t.Errorf("offered %s, not from the far link %s", yiaddr, r.Addr4.Masked())
			}
		})
	}
}

// leasesIn counts the leases of a Kea CSV lease file inside p.
func leasesIn(t *testing.T, path string, p netip.Prefix) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n")[1:] {
		addr, _, _ := strings.Cut(line, ",")
		if a, err := netip.ParseAddr(addr); err == nil && p.Contains(a) {
			n++
		}
	}
	return n
}

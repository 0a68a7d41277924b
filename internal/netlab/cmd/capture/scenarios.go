package main

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"

	"github.com/leasehold/leasehold/internal/netlab"
)

// scenario is one golden capture: a fresh lab, Kea, one client run.
type scenario struct {
	file  string // file name in the family's pcap directory
	v6    bool
	what  string // for the README
	tools []string
	// want lists message types that must appear (DHCPv4 option 53 values,
	// DHCPv6 msg-type values including relay ones).
	want []int
	run  func(ctx context.Context, lab *netlab.Lab) error
}

// DHCPv4 message types (RFC 2132 option 53) and DHCPv6 ones (RFC 8415).
const (
	discover, offer, request4, ack, release4, inform                            = 1, 2, 3, 5, 7, 8
	solicit, advertise, request6, renew6, reply, release6, relayForw, relayRepl = 1, 2, 3, 5, 7, 8, 12, 13
)

// dhclientConfig asks for a few more options than dhclient's defaults and
// sends a host name (v4) or FQDN (v6), so the captures carry them.
const (
	dhclientConfig4 = `send host-name "netlab-dhclient";
request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, host-name, interface-mtu, ntp-servers;`
	dhclientConfig6 = `send fqdn.fqdn "netlab-dhclient6.example.";
request dhcp6.name-servers, dhcp6.domain-search;`
)

var scenarios = []scenario{
	{
		file: "dhclient.pcap", what: "ISC dhclient: DORA, a unicast renewal at T1 (4 s), RELEASE (dhclient -r)",
		tools: []string{"dhclient"}, want: []int{discover, offer, request4, ack, release4},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c, err := lab.StartDHClient(lab.FirstClient(), netlab.ClientOptions{Config: dhclientConfig4})
			if err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "BOUND"); err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "RENEW"); err != nil {
				return err
			}
			return c.Release(ctx)
		},
	},
	{
		file: "udhcpc.pcap", what: "busybox udhcpc: DORA, RELEASE (SIGUSR2)",
		tools: []string{"udhcpc"}, want: []int{discover, offer, request4, ack, release4},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c, err := lab.StartUDHCPC(lab.FirstClient(), netlab.ClientOptions{Args: []string{"-x", "hostname:netlab-udhcpc"}})
			if err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "bound"); err != nil {
				return err
			}
			return c.Release(ctx)
		},
	},
	{
		file: "dhcpcd.pcap", what: "dhcpcd: DORA, RELEASE (on exit, config 'release')",
		tools: []string{"dhcpcd"}, want: []int{discover, offer, request4, ack, release4},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c, err := lab.StartDHCPCD(lab.FirstClient(), netlab.ClientOptions{})
			if err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "BOUND"); err != nil {
				return err
			}
			return c.Release(ctx)
		},
	},
	{
		file: "dhcpcd-inform.pcap", what: "dhcpcd -s 192.0.2.60/24: DHCPINFORM and its ACK",
		tools: []string{"dhcpcd"}, want: []int{inform, ack},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c, err := lab.StartDHCPCD(lab.FirstClient(), netlab.ClientOptions{Inform: netip.MustParsePrefix("192.0.2.60/24")})
			if err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "INFORM"); err != nil {
				return err
			}
			return c.Stop(ctx)
		},
	},
	{
		file: "perfdhcp.pcap", what: "perfdhcp -4 as a relay (giaddr 192.0.2.50) to 192.0.2.1: three DORA exchanges of three clients",
		tools: []string{"perfdhcp"}, want: []int{discover, offer, request4, ack},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c := lab.FirstClient()
			if err := lab.AddAddr(ctx, c.NS, c.If, netip.MustParsePrefix("192.0.2.50/24")); err != nil {
				return err
			}
			return perfdhcp(ctx, lab, c.NS, "-4", "-l", "192.0.2.50", "-b", "mac=02:6c:68:00:0a:01",
				lab.ServerAddr4.Addr().String())
		},
	},
	{
		file: "dhclient6.pcap", v6: true, what: "ISC dhclient -6 (DUID-LL): SOLICIT/ADVERTISE/REQUEST/REPLY, RENEW at T1 (4 s), RELEASE",
		tools: []string{"dhclient"}, want: []int{solicit, advertise, request6, reply, renew6, release6},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c, err := lab.StartDHClient(lab.FirstClient(), netlab.ClientOptions{V6: true, Config: dhclientConfig6})
			if err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "BOUND6"); err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "RENEW6"); err != nil {
				return err
			}
			return c.Release(ctx)
		},
	},
	{
		file: "dhclient6-pd.pcap", v6: true, what: "ISC dhclient -P (prefix delegation only): SARR with IA_PD, RELEASE",
		tools: []string{"dhclient"}, want: []int{solicit, advertise, request6, reply, release6},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c, err := lab.StartDHClient(lab.FirstClient(), netlab.ClientOptions{PD: true})
			if err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "BOUND6"); err != nil {
				return err
			}
			return c.Release(ctx)
		},
	},
	{
		file: "dhcpcd6.pcap", v6: true, what: "dhcpcd -6 with ia_na and ia_pd: SARR, RELEASE (on exit)",
		tools: []string{"dhcpcd"}, want: []int{solicit, advertise, request6, reply, release6},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c, err := lab.StartDHCPCD(lab.FirstClient(), netlab.ClientOptions{V6: true, PD: true, NA: true})
			if err != nil {
				return err
			}
			if _, err := c.WaitEvent(ctx, "BOUND6"); err != nil {
				return err
			}
			return c.Release(ctx)
		},
	},
	{
		file: "perfdhcp6.pcap", v6: true,
		what:  "perfdhcp -6 -e address-and-prefix (IA_NA and IA_PD): three SARR exchanges to ff02::1:2, then three relayed (-A1) to 2001:db8:1::1 in RELAY-FORW/RELAY-REPL",
		tools: []string{"perfdhcp"}, want: []int{solicit, advertise, request6, reply, relayForw, relayRepl},
		run: func(ctx context.Context, lab *netlab.Lab) error {
			c := lab.FirstClient()
			if err := lab.AddAddr(ctx, c.NS, c.If, netip.MustParsePrefix("2001:db8:1::50/64")); err != nil {
				return err
			}
			if err := perfdhcp(ctx, lab, c.NS, "-6", "-l", c.If, "-e", "address-and-prefix", "-n", "3", "-R", "2",
				"-b", "duid=00030001026c68000a01"); err != nil {
				return err
			}
			return perfdhcp(ctx, lab, c.NS, "-6", "-A1", "-l", c.If, "-e", "address-and-prefix", "-n", "3", "-R", "2",
				"-b", "duid=00030001026c68000b01", lab.ServerAddr6.Addr().String())
		},
	},
}

// perfdhcp runs a few exchanges (by default three clients) with a fixed
// seed, waiting half a second after the last so its answers are captured.
// Its exit status 3 means some exchanges were dropped; the packet checks
// decide whether the capture is good.
func perfdhcp(ctx context.Context, lab *netlab.Lab, ns string, args ...string) error {
	full := append([]string{"-r", "10", "-s", "1", "-W", "500000"}, args...)
	if !contains(args, "-n") {
		full = append([]string{"-n", "3", "-R", "3"}, full...)
	}
	out, err := lab.Run(ctx, ns, "perfdhcp", full...)
	if err != nil && !exitStatus(err, 3) {
		return fmt.Errorf("perfdhcp: %w: %s", err, out)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keaConfig is netlab's minimal Kea config for the lab, leases in dir.
func keaConfig(lab *netlab.Lab, v6 bool, dir string) string {
	if v6 {
		return lab.KeaConfig6(filepath.Join(dir, "kea-leases6.csv"))
	}
	return lab.KeaConfig4(filepath.Join(dir, "kea-leases4.csv"))
}

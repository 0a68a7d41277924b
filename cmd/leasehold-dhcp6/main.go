// Command leasehold-dhcp6 is leasehold's DHCPv6 server daemon, a drop-in
// for ISC Kea's kea-dhcp6: the same configuration file, command line
// (-c, -t, -T, -v, -V, -d, -p, -P), exit codes, signals (SIGHUP reloads,
// SIGTERM and SIGINT stop) and lease file. See internal/daemon for the
// details and dhcp6.Server for the server it runs.
//
//	leasehold-dhcp6 -c /etc/kea/kea-dhcp6.conf
package main

import (
	"github.com/leasehold/leasehold/internal/daemon"
	"github.com/leasehold/leasehold/internal/daemon/dhcpd"
)

func main() { daemon.Main(dhcpd.V6()) }

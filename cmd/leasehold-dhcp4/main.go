// Command leasehold-dhcp4 is leasehold's DHCPv4 server daemon, a drop-in
// for ISC Kea's kea-dhcp4: the same configuration file, command line
// (-c, -t, -T, -v, -V, -d, -p, -P), exit codes, signals (SIGHUP reloads,
// SIGTERM and SIGINT stop) and lease file. See internal/daemon for the
// details and dhcp4.Server for the server it runs.
//
//	leasehold-dhcp4 -c /etc/kea/kea-dhcp4.conf
package main

import (
	"github.com/leasehold/leasehold/internal/daemon"
	"github.com/leasehold/leasehold/internal/daemon/dhcpd"
)

func main() { daemon.Main(dhcpd.V4()) }

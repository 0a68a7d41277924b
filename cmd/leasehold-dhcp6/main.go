// Command leasehold-dhcp6 is leasehold's DHCPv6 server daemon, a drop-in
// for ISC Kea's kea-dhcp6: the same configuration file, command line
// (-c, -t, -T, -v, -V, -d, -p, -P), exit codes, signals (SIGHUP reloads,
// SIGTERM and SIGINT stop) and lease file. See internal/daemon for the
// details and dhcp6.Server for the server it runs.
//
//	leasehold-dhcp6 -c /etc/kea/kea-dhcp6.conf
package main

import (
	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/internal/daemon"
)

func main() {
	f := daemon.V6(newServer)
	f.Stats = daemon.CounterStats[*config.DHCP6, *dhcp6.Server, dhcp6.DropReason](counts)
	daemon.Main(f)
}

func newServer(cfg *config.DHCP6, d daemon.Deps) (daemon.Server[*config.DHCP6], error) {
	return daemon.Built[*config.DHCP6](dhcp6.NewServer(cfg, dhcp6.ServerOptions{
		Store: d.Store, Hooks: d.Hooks, Logger: d.Logger, Port: d.Port, ClientPort: d.ClientPort,
	}))
}

// counts are the server's counters for the line the daemon logs when it
// stops.
func counts(s *dhcp6.Server) (daemon.Counts, []uint64) {
	c := s.Counters()
	return daemon.Counts{
		Received: c.Received.Total, Sent: c.Sent.Total, Dropped: c.DroppedTotal(),
		LeasesAllocated: c.LeasesAllocated, LeasesRenewed: c.LeasesRenewed, LeasesReleased: c.LeasesReleased,
		LeasesDeclined: c.LeasesDeclined, LeasesReclaimed: c.LeasesReclaimed,
	}, c.Dropped[:]
}

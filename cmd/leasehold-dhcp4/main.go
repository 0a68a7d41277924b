// Command leasehold-dhcp4 is leasehold's DHCPv4 server daemon, a drop-in
// for ISC Kea's kea-dhcp4: the same configuration file, command line
// (-c, -t, -T, -v, -V, -d, -p, -P), exit codes, signals (SIGHUP reloads,
// SIGTERM and SIGINT stop) and lease file. See internal/daemon for the
// details and dhcp4.Server for the server it runs.
//
//	leasehold-dhcp4 -c /etc/kea/kea-dhcp4.conf
package main

import (
	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/internal/daemon"
)

func main() {
	f := daemon.V4(newServer)
	f.Stats = daemon.CounterStats[*config.DHCP4, *dhcp4.Server, dhcp4.DropReason](counts)
	daemon.Main(f)
}

func newServer(cfg *config.DHCP4, d daemon.Deps) (daemon.Server[*config.DHCP4], error) {
	return daemon.Built[*config.DHCP4](dhcp4.NewServer(cfg, dhcp4.Options{
		Store: d.Store, Hooks: d.Hooks, Logger: d.Logger, Port: d.Port, ClientPort: d.ClientPort,
	}))
}

// counts are the server's counters for the line the daemon logs when it
// stops.
func counts(s *dhcp4.Server) (daemon.Counts, []uint64) {
	c := s.Counters()
	return daemon.Counts{
		Received: c.Received.Total, Sent: c.Sent.Total, Dropped: c.DroppedTotal(),
		LeasesAllocated: c.LeasesAllocated, LeasesRenewed: c.LeasesRenewed, LeasesReleased: c.LeasesReleased,
		LeasesDeclined: c.LeasesDeclined, LeasesReclaimed: c.LeasesReclaimed,
	}, c.Dropped[:]
}

// Package dhcpd is what leasehold's two daemons run: the daemon.Family of
// each with its server built (dhcp4.Server, dhcp6.Server) and the server's
// counters rendered for the statistics line the daemon logs when it stops.
// cmd/leasehold-dhcp4 and cmd/leasehold-dhcp6 are these families under
// daemon.Main; a program that links hook libraries in adds them first:
//
//	f := dhcpd.V4()
//	f.Linked = map[string]hooks.Library{"/usr/lib/kea/hooks/libmine.so": mine}
//	daemon.Main(f)
package dhcpd

import (
	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/internal/daemon"
)

// V4 is the leasehold-dhcp4 daemon.
func V4() daemon.Family[*config.DHCP4] {
	f := daemon.V4(func(cfg *config.DHCP4, d daemon.Deps) (daemon.Server[*config.DHCP4], error) {
		return daemon.Built[*config.DHCP4](dhcp4.NewServer(cfg, dhcp4.ServerOptions{
			Store: d.Store, Hooks: d.Hooks, Logger: d.Logger, Port: d.Port, ClientPort: d.ClientPort,
		}))
	})
	f.Stats = daemon.CounterStats[*config.DHCP4, *dhcp4.Server, dhcp4.DropReason](func(s *dhcp4.Server) (daemon.Counts, []uint64) {
		c := s.Counters()
		return daemon.Counts{
			Received: c.Received.Total, Sent: c.Sent.Total, Dropped: c.DroppedTotal(),
			LeasesAllocated: c.LeasesAllocated, LeasesRenewed: c.LeasesRenewed, LeasesReleased: c.LeasesReleased,
			LeasesDeclined: c.LeasesDeclined, LeasesReclaimed: c.LeasesReclaimed,
		}, c.Dropped[:]
	})
	return f
}

// V6 is the leasehold-dhcp6 daemon.
func V6() daemon.Family[*config.DHCP6] {
	f := daemon.V6(func(cfg *config.DHCP6, d daemon.Deps) (daemon.Server[*config.DHCP6], error) {
		return daemon.Built[*config.DHCP6](dhcp6.NewServer(cfg, dhcp6.ServerOptions{
			Store: d.Store, Hooks: d.Hooks, Logger: d.Logger, Port: d.Port, ClientPort: d.ClientPort,
		}))
	})
	f.Stats = daemon.CounterStats[*config.DHCP6, *dhcp6.Server, dhcp6.DropReason](func(s *dhcp6.Server) (daemon.Counts, []uint64) {
		c := s.Counters()
		return daemon.Counts{
			Received: c.Received.Total, Sent: c.Sent.Total, Dropped: c.DroppedTotal(),
			LeasesAllocated: c.LeasesAllocated, LeasesRenewed: c.LeasesRenewed, LeasesReleased: c.LeasesReleased,
			LeasesDeclined: c.LeasesDeclined, LeasesReclaimed: c.LeasesReclaimed,
		}, c.Dropped[:]
	})
	return f
}

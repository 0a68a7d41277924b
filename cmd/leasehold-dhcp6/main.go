// Command leasehold-dhcp6 is leasehold's DHCPv6 server daemon, a drop-in
// for ISC Kea's kea-dhcp6: the same configuration file, command line
// (-c, -t, -T, -v, -V, -d, -p, -P), exit codes, signals (SIGHUP reloads,
// SIGTERM and SIGINT stop) and lease file. See internal/daemon for the
// details and dhcp6.Server for the server it runs.
//
//	leasehold-dhcp6 -c /etc/kea/kea-dhcp6.conf
package main

import (
	"log/slog"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/internal/daemon"
)

func main() {
	f := daemon.V6(newServer)
	f.Stats = stats
	daemon.Main(f)
}

func newServer(cfg *config.DHCP6, d daemon.Deps) (daemon.Server[*config.DHCP6], error) {
	s, err := dhcp6.NewServer(cfg, dhcp6.ServerOptions{
		Store:      d.Store,
		Hooks:      d.Hooks,
		Logger:     d.Logger,
		Port:       d.Port,
		ClientPort: d.ClientPort,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// stats renders the server's counters for the line the daemon logs when it
// stops: packets in and out, drops by reason, lease events.
func stats(s daemon.Server[*config.DHCP6]) []slog.Attr {
	srv, ok := s.(*dhcp6.Server)
	if !ok {
		return nil
	}
	c := srv.Counters()
	attrs := []slog.Attr{
		slog.Uint64("received", c.Received.Total),
		slog.Uint64("sent", c.Sent.Total),
		slog.Uint64("dropped", c.DroppedTotal()),
		slog.Uint64("leases-allocated", c.LeasesAllocated),
		slog.Uint64("leases-renewed", c.LeasesRenewed),
		slog.Uint64("leases-released", c.LeasesReleased),
		slog.Uint64("leases-declined", c.LeasesDeclined),
		slog.Uint64("leases-reclaimed", c.LeasesReclaimed),
	}
	for r := dhcp6.DropReason(0); r < dhcp6.NumDropReasons; r++ {
		if n := c.Dropped[r]; n > 0 {
			attrs = append(attrs, slog.Uint64("dropped-"+r.String(), n))
		}
	}
	return attrs
}

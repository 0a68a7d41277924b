package daemon

import (
	"log/slog"
)

// Counts are the totals a server's statistics line shows first. dhcp4 and
// dhcp6 keep them in counter types of their own, so package dhcpd fills
// them in.
type Counts struct {
	Received, Sent, Dropped uint64

	LeasesAllocated, LeasesRenewed, LeasesReleased uint64
	LeasesDeclined, LeasesReclaimed                uint64
}

// DropReason is a server's reason for dropping a packet (dhcp4.DropReason,
// dhcp6.DropReason): a small integer with a stable name.
type DropReason interface {
	~uint8
	String() string
}

// CounterStats makes a Family.Stats for servers of type S: counts reads a
// server's Counts and its drops indexed by reason R, and each reason with
// drops becomes a "dropped-<reason>" attribute after the totals. A Server
// that is not an S (a test's wrapper) has no statistics.
func CounterStats[C any, S Server[C], R DropReason](counts func(S) (Counts, []uint64)) func(Server[C]) []slog.Attr {
	return func(s Server[C]) []slog.Attr {
		srv, ok := s.(S)
		if !ok {
			return nil
		}
		c, dropped := counts(srv)
		attrs := []slog.Attr{
			slog.Uint64("received", c.Received),
			slog.Uint64("sent", c.Sent),
			slog.Uint64("dropped", c.Dropped),
			slog.Uint64("leases-allocated", c.LeasesAllocated),
			slog.Uint64("leases-renewed", c.LeasesRenewed),
			slog.Uint64("leases-released", c.LeasesReleased),
			slog.Uint64("leases-declined", c.LeasesDeclined),
			slog.Uint64("leases-reclaimed", c.LeasesReclaimed),
		}
		for r, n := range dropped {
			if n > 0 {
				attrs = append(attrs, slog.Uint64("dropped-"+R(r).String(), n))
			}
		}
		return attrs
	}
}

// Built returns what a server constructor returned as a Server: on error
// only the error, so that a nil *dhcp4.Server never becomes a non-nil
// Server.
func Built[C any, S Server[C]](s S, err error) (Server[C], error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}

package daemon

import (
	"context"
	"log/slog"
	"path/filepath"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// DataDir is where the lease files live when lease-database names none: the
// directory Debian's Kea packages use, so leasehold can take over a Kea
// installation's leases in place.
const DataDir = "/var/lib/kea"

// Server is what a daemon runs. dhcp4.Server satisfies Server[*config.DHCP4]
// and dhcp6.Server satisfies Server[*config.DHCP6].
type Server[C any] interface {
	// Serve handles packets until ctx ends or Shutdown is called.
	Serve(ctx context.Context) error
	// Shutdown stops reading, lets in-flight packets finish and syncs the
	// lease store.
	Shutdown(ctx context.Context) error
	// Reconfigure swaps the configuration in; on error the old one stays.
	Reconfigure(cfg C) error
}

// Readier is what a Server may also implement to say when it serves: Ready
// is closed once its sockets are open. The daemon then logs its start line
// only after that, as Kea logs DHCP4_STARTED after opening its sockets, and
// a server whose sockets fail never reports a start.
type Readier interface {
	Ready() <-chan struct{}
}

// Deps are what the daemon hands a server it builds: the lease store it
// opened, the hook libraries it loaded, its logger and the -p/-P ports
// (0 when not given).
type Deps struct {
	Store            lease.Store
	Hooks            *hooks.Manager
	Logger           *slog.Logger
	Port, ClientPort int
}

// Family describes one daemon: its names, how to find its part of a
// configuration file, and how to build its server. V4 and V6 return the two
// leasehold has.
type Family[C any] struct {
	Program string // command name, in usage and error messages
	Title   string // "DHCPv4" or "DHCPv6"
	Logger  string // Kea's root logger name: "kea-dhcp4" or "kea-dhcp6"
	Map     string // the configuration's top-level map: "Dhcp4" or "Dhcp6"
	V6      bool   // which memfile family the lease file holds

	// Section returns the family's map of a parsed file, false when the
	// file has none.
	Section func(*config.Config) (C, bool)
	// Common returns the settings every family shares.
	Common func(C) *config.Server
	// DefaultLeaseFile is the memfile path when lease-database has no name.
	DefaultLeaseFile func(C) string
	// New builds the server. It must not return a nil Server with a nil
	// error.
	New func(cfg C, d Deps) (Server[C], error)
	// Linked are hook libraries built into the daemon, by the name a
	// configuration's "library" gives them.
	Linked map[string]hooks.Library
	// Stats, when set, renders the server's counters for the log line the
	// daemon writes when it stops ("server statistics ..."): packets, drops
	// by reason, lease events.
	Stats func(Server[C]) []slog.Attr
}

// V4 is the leasehold-dhcp4 family; newServer builds the server (the
// daemon's main passes a function around dhcp4.NewServer).
func V4(newServer func(*config.DHCP4, Deps) (Server[*config.DHCP4], error)) Family[*config.DHCP4] {
	return Family[*config.DHCP4]{
		Program: "leasehold-dhcp4",
		Title:   "DHCPv4",
		Logger:  "kea-dhcp4",
		Map:     "Dhcp4",
		Section: func(c *config.Config) (*config.DHCP4, bool) { return c.DHCP4, c.DHCP4 != nil },
		Common:  func(c *config.DHCP4) *config.Server { return &c.Server },
		DefaultLeaseFile: func(*config.DHCP4) string {
			return filepath.Join(DataDir, "kea-leases4.csv")
		},
		New: newServer,
	}
}

// V6 is the leasehold-dhcp6 family. As in Kea, Dhcp6's "data-directory"
// moves the default lease file.
func V6(newServer func(*config.DHCP6, Deps) (Server[*config.DHCP6], error)) Family[*config.DHCP6] {
	return Family[*config.DHCP6]{
		Program: "leasehold-dhcp6",
		Title:   "DHCPv6",
		Logger:  "kea-dhcp6",
		Map:     "Dhcp6",
		V6:      true,
		Section: func(c *config.Config) (*config.DHCP6, bool) { return c.DHCP6, c.DHCP6 != nil },
		Common:  func(c *config.DHCP6) *config.Server { return &c.Server },
		DefaultLeaseFile: func(c *config.DHCP6) string {
			dir := c.DataDirectory
			if dir == "" {
				dir = DataDir
			}
			return filepath.Join(dir, "kea-leases6.csv")
		},
		New: newServer,
	}
}

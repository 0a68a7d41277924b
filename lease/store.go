package lease

import (
	"context"
	"net/netip"
	"time"
)

// Store holds the leases of a DHCP server. Memfile implements it; the
// interface is kept small enough for a shared SQL database to implement it
// too.
//
// # Durability
//
// A write (Add, Update, Delete, DeleteReclaimed) is applied at once: every
// read after it returns sees it. It is also queued for stable storage, and
// Sync returns once every write made before Sync was called is on stable
// storage (for Memfile: written to the lease file and fsynced). Concurrent
// Syncs share one fsync (group commit), and writes carry on while a sync is
// in flight. A server therefore processes a batch of packets, calls Sync
// once, and only then sends the replies that promise the leases; if Sync
// fails, it must not send them. A store without persistence returns nil from
// Sync at once.
//
// # Ownership
//
// Leases returned by a Store belong to the caller (slices are fresh copies).
// Leases passed in are copied before the call returns.
//
// # Held addresses
//
// A lease in StateDefault or StateDeclined holds its address; one in
// StateExpiredReclaimed does not, and Add replaces it.
type Store interface {
	// Get4 returns the v4 lease of addr, or ErrNotFound.
	Get4(ctx context.Context, addr netip.Addr) (Lease4, error)
	// Get4ByHWAddr returns the lease of a hardware address in a subnet. If
	// several match, a held lease wins over a reclaimed one, then the
	// latest expiry.
	Get4ByHWAddr(ctx context.Context, hwaddr []byte, subnetID uint32) (Lease4, error)
	// Get4ByClientID is Get4ByHWAddr for a client identifier.
	Get4ByClientID(ctx context.Context, clientID []byte, subnetID uint32) (Lease4, error)
	// Add4 stores a new lease. It fails with ErrExists if the address is
	// held by another lease.
	Add4(ctx context.Context, l *Lease4) error
	// Update4 replaces the lease of l.Addr; ErrNotFound if there is none.
	Update4(ctx context.Context, l *Lease4) error
	// Delete4 removes the lease of addr; ErrNotFound if there is none.
	Delete4(ctx context.Context, addr netip.Addr) error
	// Expired4 returns up to max (all if max <= 0) leases in StateDefault or
	// StateDeclined whose expiry is before now, oldest first. A declined
	// lease whose probation period has ended is one of them, as in Kea.
	Expired4(ctx context.Context, now time.Time, max int) ([]Lease4, error)
	// DeleteReclaimed4 removes leases in StateExpiredReclaimed whose expiry
	// is before the given time (Kea's hold-reclaimed-time flush) and returns
	// how many it removed.
	DeleteReclaimed4(ctx context.Context, before time.Time) (int, error)
	// Counts4 returns how many v4 leases there are per subnet, pool and
	// state, for pool-use statistics.
	Counts4(ctx context.Context) ([]Count, error)

	// Get6 returns the lease of the given type at addr (the prefix address
	// for TypePD), or ErrNotFound.
	Get6(ctx context.Context, t Type, addr netip.Addr) (Lease6, error)
	// Get6ByDUID returns the leases of one IA: DUID, IAID, type and subnet.
	Get6ByDUID(ctx context.Context, t Type, duid []byte, iaid, subnetID uint32) ([]Lease6, error)
	// Add6 stores a new lease; ErrExists if its address is held.
	Add6(ctx context.Context, l *Lease6) error
	// Update6 replaces the lease at l.Addr; ErrNotFound if there is none of
	// type l.Type.
	Update6(ctx context.Context, l *Lease6) error
	// Delete6 removes the lease of type t at addr; ErrNotFound if none.
	Delete6(ctx context.Context, t Type, addr netip.Addr) error
	// Expired6 is Expired4 for DHCPv6 leases of all types.
	Expired6(ctx context.Context, now time.Time, max int) ([]Lease6, error)
	// DeleteReclaimed6 is DeleteReclaimed4 for DHCPv6.
	DeleteReclaimed6(ctx context.Context, before time.Time) (int, error)
	// Counts6 returns lease counts per subnet, pool, type and state.
	Counts6(ctx context.Context) ([]Count, error)

	// Sync returns when every write made before the call is on stable
	// storage, or with the error that kept it from getting there.
	Sync(ctx context.Context) error
}

// Count is the number of leases of one subnet, pool, type and state. Type is
// TypeNA for DHCPv4 counts.
type Count struct {
	SubnetID uint32
	PoolID   uint32
	Type     Type
	State    State
	N        uint64
}

// FreeFinder is implemented by stores that keep an ordered index of held
// addresses. Allocators use it to skip runs of leased addresses in one step;
// with a store that lacks it they probe address by address.
type FreeFinder interface {
	// NextFree4 returns the first address in [from, last] that no lease
	// holds (no lease, or a reclaimed one), and false if there is none.
	NextFree4(ctx context.Context, from, last netip.Addr) (netip.Addr, bool, error)
	// NextFree6 does the same for DHCPv6 addresses (prefixLen 128) or for
	// delegated prefixes of length prefixLen: from and last are prefix
	// addresses and the step is one prefix.
	NextFree6(ctx context.Context, from, last netip.Addr, prefixLen uint8) (netip.Addr, bool, error)
}

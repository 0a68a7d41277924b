package lease

import (
	"errors"
	"fmt"
	"net/netip"
)

// State is a lease's state, numbered as in Kea's lease files.
type State uint8

// Lease states. Kea stores them as the numbers in its "state" column.
const (
	StateDefault          State = 0 // assigned (or expired but not yet reclaimed)
	StateDeclined         State = 1 // the client declined it; held for the probation period
	StateExpiredReclaimed State = 2 // expired and reclaimed; the address is free again
)

// String returns Kea's name for the state.
func (s State) String() string {
	switch s {
	case StateDefault:
		return "default"
	case StateDeclined:
		return "declined"
	case StateExpiredReclaimed:
		return "expired-reclaimed"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// held reports whether a lease in this state keeps its address from being
// handed to another client.
func (s State) held() bool { return s != StateExpiredReclaimed }

// Type is a DHCPv6 lease type, numbered as Kea's lease_type column.
type Type uint8

// DHCPv6 lease types.
const (
	TypeNA Type = 0 // non-temporary address (IA_NA)
	TypeTA Type = 1 // temporary address (IA_TA)
	TypePD Type = 2 // delegated prefix (IA_PD)
)

// String returns the IA name Kea uses for the type ("IA_NA", "IA_TA", "IA_PD").
func (t Type) String() string {
	switch t {
	case TypeNA:
		return "IA_NA"
	case TypeTA:
		return "IA_TA"
	case TypePD:
		return "IA_PD"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// InfiniteLifetime is the valid lifetime that never expires (RFC 2131 and
// RFC 8415 both reserve all-ones for "infinity").
const InfiniteLifetime = 0xFFFFFFFF

// Errors a Store returns; callers compare with errors.Is.
var (
	// ErrNotFound: no lease matches.
	ErrNotFound = errors.New("lease: not found")
	// ErrExists: Add found the address held by another lease.
	ErrExists = errors.New("lease: address already leased")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("lease: store closed")
	// ErrPoolExhausted: the allocator found no free address in the pool.
	ErrPoolExhausted = errors.New("lease: pool exhausted")
)

// Lease4 is a DHCPv4 lease, with the fields of Kea's DHCPv4 lease file.
//
// A Lease4 returned by a Store belongs to the caller: its slices are fresh
// copies. A Lease4 handed to a Store is copied; the store keeps no reference.
type Lease4 struct {
	Addr          netip.Addr
	HWAddr        []byte // hardware (MAC) address; empty for a declined lease
	ClientID      []byte // client identifier (option 61), empty if none
	ValidLifetime uint32 // seconds; InfiniteLifetime never expires
	CLTT          int64  // client last transmission time, Unix seconds
	SubnetID      uint32
	PoolID        uint32 // persisted only with MemfileOptions.PoolIDColumn
	FQDNFwd       bool   // a forward DNS update was done
	FQDNRev       bool   // a reverse DNS update was done
	Hostname      string
	State         State
	UserContext   string // JSON text, or "" for none
}

// Expire returns the lease's expiry time in Unix seconds (CLTT + valid
// lifetime), the value of Kea's "expire" column.
func (l *Lease4) Expire() int64 { return l.CLTT + int64(l.ValidLifetime) }

// Expired reports whether the lease has expired at now (Unix seconds). A
// lease with an infinite lifetime never expires, as in Kea.
func (l *Lease4) Expired(now int64) bool {
	return l.ValidLifetime != InfiniteLifetime && l.Expire() < now
}

// Lease6 is a DHCPv6 lease (address or delegated prefix), with the fields of
// Kea's DHCPv6 lease file.
//
// Ownership is as for Lease4.
type Lease6 struct {
	Type              Type
	Addr              netip.Addr // the address, or the first address of the delegated prefix
	PrefixLen         uint8      // 128 for addresses, the delegated length for TypePD
	DUID              []byte
	IAID              uint32
	ValidLifetime     uint32
	PreferredLifetime uint32
	CLTT              int64
	SubnetID          uint32
	PoolID            uint32
	FQDNFwd           bool
	FQDNRev           bool
	Hostname          string
	HWAddr            []byte
	HWType            uint16 // hardware type of HWAddr (1 = Ethernet); written only with HWAddr
	HWAddrSource      uint32 // Kea's HWADDR_SOURCE_* bit saying where HWAddr came from
	State             State
	UserContext       string
}

// Expire returns CLTT + valid lifetime in Unix seconds.
func (l *Lease6) Expire() int64 { return l.CLTT + int64(l.ValidLifetime) }

// Expired reports whether the lease has expired at now (Unix seconds).
func (l *Lease6) Expired(now int64) bool {
	return l.ValidLifetime != InfiniteLifetime && l.Expire() < now
}

// Prefix returns the lease's address or prefix as a netip.Prefix.
func (l *Lease6) Prefix() netip.Prefix {
	return netip.PrefixFrom(l.Addr, int(l.PrefixLen))
}

// check4 rejects leases a store must not accept.
func check4(l *Lease4) error {
	if !l.Addr.Is4() {
		return fmt.Errorf("lease: v4 lease address %v is not an IPv4 address", l.Addr)
	}
	if len(l.HWAddr) > maxHWAddr {
		return fmt.Errorf("lease %v: hardware address of %d bytes is longer than %d", l.Addr, len(l.HWAddr), maxHWAddr)
	}
	if len(l.ClientID) > 255 {
		return fmt.Errorf("lease %v: client id of %d bytes is longer than 255", l.Addr, len(l.ClientID))
	}
	if len(l.Hostname) > maxHostname {
		return fmt.Errorf("lease %v: hostname of %d bytes is longer than %d", l.Addr, len(l.Hostname), maxHostname)
	}
	return nil
}

// checkWrite rejects what a lease file row cannot carry back: a valid
// lifetime of 0 (in Kea's lease files a row with it deletes the lease, so
// such a lease would vanish on the next load) and a user context that is
// not a JSON object.
func checkWrite(addr netip.Addr, valid uint32, userContext string) error {
	if valid == 0 {
		return fmt.Errorf("lease %v: valid lifetime 0 (in Kea's lease files that marks a deleted lease)", addr)
	}
	if err := checkUserContext(userContext); err != nil {
		return fmt.Errorf("lease %v: %w", addr, err)
	}
	return nil
}

// check6 rejects leases a store must not accept.
func check6(l *Lease6) error {
	if !l.Addr.Is6() || l.Addr.Is4In6() || l.Addr.Zone() != "" {
		return fmt.Errorf("lease: v6 lease address %v is not a plain IPv6 address", l.Addr)
	}
	switch l.Type {
	case TypeNA, TypeTA:
		if l.PrefixLen != 128 {
			return fmt.Errorf("lease %v: %v lease with prefix length %d (want 128)", l.Addr, l.Type, l.PrefixLen)
		}
	case TypePD:
		if l.PrefixLen == 0 || l.PrefixLen > 128 {
			return fmt.Errorf("lease %v: prefix length %d out of range 1-128", l.Addr, l.PrefixLen)
		}
		if p := netip.PrefixFrom(l.Addr, int(l.PrefixLen)); p.Masked().Addr() != l.Addr {
			return fmt.Errorf("lease %v/%d: host bits set in delegated prefix", l.Addr, l.PrefixLen)
		}
	default:
		return fmt.Errorf("lease %v: unknown lease type %d", l.Addr, l.Type)
	}
	if len(l.DUID) > 255 || len(l.HWAddr) > maxHWAddr {
		return fmt.Errorf("lease %v: DUID (%d bytes, max 255) or hardware address (%d bytes, max %d) too long",
			l.Addr, len(l.DUID), len(l.HWAddr), maxHWAddr)
	}
	if len(l.Hostname) > maxHostname {
		return fmt.Errorf("lease %v: hostname of %d bytes is longer than %d", l.Addr, len(l.Hostname), maxHostname)
	}
	return nil
}

// Limits that let records use small length fields. Kea's own limits are
// 20 bytes for a hardware address and 255 for a DNS name.
const (
	maxHWAddr   = 64
	maxHostname = 0xFFFF
)

package hooks

import (
	"encoding/json"
	"net/netip"

	"github.com/leasehold/leasehold/lease"
)

// Args are the arguments of one hook point call: the fields Kea passes at
// that point, named after Kea's arguments. A server fills the fields doc.go
// lists for the point and leaves the others zero. Callouts may change only
// the fields Point.Changes lists; the Manager validates every change and
// undoes (and logs) one that breaks the rules of validate.go.
//
// Packets are wire bytes. Treat every slice as read-only: to change a packet
// or a lease's bytes, assign a new slice (the server may reuse the old
// backing array once the call returns).
type Args struct {
	// Query is the client's packet (Kea's query4/query6) as received,
	// including any relay encapsulation.
	Query []byte
	// QueryAddr is where Query travelled, wherever Query is set: what Kea
	// keeps in the query's packet object besides its bytes. The server
	// fills it and never reads it back.
	QueryAddr Addressing
	// Response is the server's reply (response4/response6), already encoded,
	// at the points where Kea has one.
	Response []byte

	// Subnet4/Subnet6 is the selected subnet (nil for none); Subnets4/6 the
	// collection it was selected from (subnet4collection), at
	// subnet4_select/subnet6_select. A callout selects another subnet by
	// pointing Subnet4 at an element of Subnets4 (only its ID counts).
	Subnet4  *Subnet4
	Subnets4 []Subnet4
	Subnet6  *Subnet6
	Subnets6 []Subnet6

	// Lease4 is the lease of the point (lease4 in Kea); Leases4 and
	// DeletedLeases4 are leases4/deleted_leases4 of leases4_committed and
	// lease4_offer (both always set there, maybe empty).
	Lease4         *lease.Lease4
	Leases4        []lease.Lease4
	DeletedLeases4 []lease.Lease4
	OldLease4      *lease.Lease4 // old_lease at lease4_offer

	Lease6         *lease.Lease6
	Leases6        []lease.Lease6
	DeletedLeases6 []lease.Lease6

	HWAddr   []byte // hwaddr: the client's hardware address (no type byte)
	HWType   uint16 // its ARP hardware type (1 = Ethernet)
	ClientID []byte // clientid: the client identifier option's value

	FakeAllocation    bool   // fake_allocation: true for DISCOVER/SOLICIT
	RemoveLease       bool   // remove_lease at lease4_expire/lease6_expire
	OfferLifetime     uint32 // offer_lifetime at lease4_offer, seconds
	OfferAddressInUse bool   // offer_address_in_use at lease4_offer (out)

	// IA is the ia_na or ia_pd option (code, length and body, as on the
	// wire) at lease6_renew and lease6_rebind.
	IA []byte

	// IDType and IDValue are id_type/id_value of host4_identifier and
	// host6_identifier: "hw-address", "duid", "circuit-id", "client-id" or
	// "flex-id", and the identifier's bytes.
	IDType  string
	IDValue []byte

	// Host is the reservation of the client, if any (host in Kea).
	Host *Host

	// GlobalUserContext is the user-context of the Dhcp4/Dhcp6 map, as JSON.
	GlobalUserContext string

	// JSONConfig is the configuration just applied, at *_srv_configured;
	// Error is what a callout that DROPs there says is wrong.
	JSONConfig json.RawMessage
	Error      string

	// Outcome is set for observe-only callouts: the status as it stood at
	// the observer's place in configuration order, Continue unless a
	// synchronous callout before it chose another step (Kea's callouts
	// see the status the ones before them set, and run_script does
	// nothing when it is SKIP or DROP).
	Outcome NextStep

	// Park is set by the Manager at points where a callout may PARK: a
	// callout that returns Park keeps it and calls Resume later.
	Park ParkHandle
}

// Addressing is how a query reached the server: the datagram's
// addresses and ports, the interface it arrived on and, for DHCPv4 where
// the server knows them, the link-layer addresses of its frame. Zero
// values mean unknown (an embedder's Handle call may not know them).
type Addressing struct {
	// Local is the datagram's destination (a broadcast or multicast
	// address, or one of the server's) and port; Remote its source: a
	// client, or a relay. An IPv6 link-local address carries its zone.
	Local, Remote netip.AddrPort
	// IfIndex and IfName name the receiving interface.
	IfIndex int
	IfName  string
	// LocalHWAddr and RemoteHWAddr are the frame's destination and source
	// hardware addresses (no type byte) with their ARP hardware types;
	// nil when unknown. Kea has them only for DHCPv4 on raw sockets.
	LocalHWAddr  []byte
	LocalHWType  uint16
	RemoteHWAddr []byte
	RemoteHWType uint16
}

// Subnet4 is what a callout learns about an IPv4 subnet. The server fills it
// from its configuration; a callout cannot change the server's subnet
// through it.
type Subnet4 struct {
	ID                       uint32
	Prefix                   netip.Prefix
	SharedNetwork            string // name of the shared network, "" for none
	UserContext              string // the subnet's user-context, JSON
	SharedNetworkUserContext string // the shared network's user-context, JSON
	Pools                    []Pool
}

// Subnet6 is the DHCPv6 counterpart of Subnet4.
type Subnet6 struct {
	ID                       uint32
	Prefix                   netip.Prefix
	SharedNetwork            string
	UserContext              string
	SharedNetworkUserContext string
	Pools                    []Pool
	PDPools                  []PDPool
}

// Pool is an address pool of a subnet.
type Pool struct {
	ID          uint32
	First, Last netip.Addr
	UserContext string // JSON
}

// PDPool is a prefix delegation pool of a DHCPv6 subnet.
type PDPool struct {
	ID           uint32
	Prefix       netip.Prefix
	DelegatedLen uint8
	UserContext  string // JSON
}

// Host is a reservation.
type Host struct {
	IDType      string // as Args.IDType
	ID          []byte
	Hostname    string
	Addrs       []netip.Addr   // reserved addresses (one IPv4, or IPv6 ones)
	Prefixes    []netip.Prefix // reserved IPv6 prefixes
	UserContext string         // JSON
}

// Clone returns a deep copy of a, for a callout that outlives the call (an
// observer's queue, a parked packet). Park is kept.
func (a *Args) Clone() *Args {
	c := *a
	c.Query = cloneBytes(a.Query)
	c.Response = cloneBytes(a.Response)
	c.QueryAddr.LocalHWAddr = cloneBytes(a.QueryAddr.LocalHWAddr)
	c.QueryAddr.RemoteHWAddr = cloneBytes(a.QueryAddr.RemoteHWAddr)
	c.Subnets4 = cloneSlice(a.Subnets4, cloneSubnet4)
	c.Subnet4 = clonePtrIn(a.Subnet4, a.Subnets4, c.Subnets4, cloneSubnet4)
	c.Subnets6 = cloneSlice(a.Subnets6, cloneSubnet6)
	c.Subnet6 = clonePtrIn(a.Subnet6, a.Subnets6, c.Subnets6, cloneSubnet6)
	c.Lease4 = clonePtr(a.Lease4, cloneLease4)
	c.Leases4 = cloneSlice(a.Leases4, cloneLease4)
	c.DeletedLeases4 = cloneSlice(a.DeletedLeases4, cloneLease4)
	c.OldLease4 = clonePtr(a.OldLease4, cloneLease4)
	c.Lease6 = clonePtr(a.Lease6, cloneLease6)
	c.Leases6 = cloneSlice(a.Leases6, cloneLease6)
	c.DeletedLeases6 = cloneSlice(a.DeletedLeases6, cloneLease6)
	c.HWAddr = cloneBytes(a.HWAddr)
	c.ClientID = cloneBytes(a.ClientID)
	c.IA = cloneBytes(a.IA)
	c.IDValue = cloneBytes(a.IDValue)
	c.Host = clonePtr(a.Host, func(h Host) Host {
		h.ID = cloneBytes(h.ID)
		h.Addrs = append([]netip.Addr(nil), h.Addrs...)
		h.Prefixes = append([]netip.Prefix(nil), h.Prefixes...)
		return h
	})
	c.JSONConfig = cloneBytes(a.JSONConfig)
	return &c
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func cloneSlice[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i := range s {
		out[i] = f(s[i])
	}
	return out
}

func clonePtr[T any](p *T, f func(T) T) *T {
	if p == nil {
		return nil
	}
	v := f(*p)
	return &v
}

// clonePtrIn keeps a pointer into a collection pointing into the copy of the
// collection, so a cloned subnet4_select call still selects by element.
func clonePtrIn[T any](p *T, old, cloned []T, f func(T) T) *T {
	for i := range old {
		if p == &old[i] {
			return &cloned[i]
		}
	}
	return clonePtr(p, f)
}

func cloneSubnet4(s Subnet4) Subnet4 {
	s.Pools = append([]Pool(nil), s.Pools...)
	return s
}

func cloneSubnet6(s Subnet6) Subnet6 {
	s.Pools = append([]Pool(nil), s.Pools...)
	s.PDPools = append([]PDPool(nil), s.PDPools...)
	return s
}

func cloneLease4(l lease.Lease4) lease.Lease4 {
	l.HWAddr = cloneBytes(l.HWAddr)
	l.ClientID = cloneBytes(l.ClientID)
	return l
}

func cloneLease6(l lease.Lease6) lease.Lease6 {
	l.DUID = cloneBytes(l.DUID)
	l.HWAddr = cloneBytes(l.HWAddr)
	return l
}

package config

import (
	"encoding/json"
	"net/netip"
)

// SharedNetwork4 is one entry of "shared-networks" in Dhcp4.
type SharedNetwork4 struct {
	// Params4 holds the network's effective values (network, then global).
	Params4
	Name string
	// Interface, Relay: as in Subnet4 (the network's own values).
	Interface string
	Relay     []netip.Addr
	// ClientClass restricts the whole network to clients of that class
	// ("" = all); RequireClientClasses are evaluated late for it.
	ClientClass          string
	RequireClientClasses []string
	Options              []OptionData
	// Subnets of this network in configuration order.
	Subnets     []*Subnet4
	UserContext json.RawMessage
	Comment     string
	Path        string
}

// SharedNetwork6 is one entry of "shared-networks" in Dhcp6.
type SharedNetwork6 struct {
	Params6
	Name                 string
	Interface            string
	InterfaceID          []byte
	RapidCommit          bool
	Relay                []netip.Addr
	ClientClass          string
	RequireClientClasses []string
	Options              []OptionData
	Subnets              []*Subnet6
	UserContext          json.RawMessage
	Comment              string
	Path                 string
}

// Subnet4 is one DHCPv4 subnet, with every inherited value resolved so a
// server reads only this struct (and its pools and network for options).
type Subnet4 struct {
	// Params4 holds the effective values: subnet, then shared network,
	// then global, then Kea's default.
	Params4
	// ID is the configured id, or the one assigned as Kea 2.2 does when
	// the id is 0 or missing: a counter starting at 1 hands the next value
	// to each such subnet, shared networks' subnets first and then
	// "subnet4", in configuration order; an assigned id that collides with
	// a configured one is an error, as in Kea.
	ID uint32
	// Prefix is the subnet, masked.
	Prefix netip.Prefix
	Pools  []Pool
	// Reservations made in this subnet.
	Reservations []Reservation
	// Options are this subnet's own option-data. Shared network, pool,
	// class, reservation and global options are kept at their own level;
	// Kea 2.2 looks an option up in this order and takes the first found:
	// reservation, pool, subnet, shared network, client classes (in the
	// order the packet was classified), global. OptionScopes returns the
	// middle of that list.
	Options []OptionData
	// Interface selects the subnet for directly connected clients on that
	// interface (subnet, then shared network; "" = none).
	Interface string
	// Relay holds relay.ip-addresses (subnet, else shared network): a
	// relayed packet from one of them selects this subnet.
	Relay []netip.Addr
	// ClientClass restricts the subnet to one class ("" = all). A subnet
	// in a shared network also requires the network's ClientClass: use
	// Admits, which applies both.
	ClientClass string
	// RequireClientClasses are evaluated after subnet selection; the
	// pool's and shared network's lists apply too (RequiredClasses).
	RequireClientClasses []string
	// Network is the shared network the subnet belongs to, or nil.
	Network     *SharedNetwork4
	UserContext json.RawMessage
	Comment     string
	// Path is the subnet's JSON path, for messages.
	Path string
}

// Subnet6 is one DHCPv6 subnet; see Subnet4.
type Subnet6 struct {
	Params6
	ID           uint32
	Prefix       netip.Prefix
	Pools        []Pool
	PDPools      []PDPool
	Reservations []Reservation
	Options      []OptionData
	Interface    string
	// InterfaceID selects the subnet for packets relayed with this
	// interface-id option (18) value (subnet, then shared network).
	InterfaceID []byte
	// RapidCommit allows two-message exchanges (subnet, then shared
	// network; default false).
	RapidCommit          bool
	Relay                []netip.Addr
	ClientClass          string
	RequireClientClasses []string
	Network              *SharedNetwork6
	UserContext          json.RawMessage
	Comment              string
	Path                 string
}

// Pool is an address range of a subnet, "a - b" or a prefix in the
// configuration.
type Pool struct {
	First, Last          netip.Addr
	Options              []OptionData
	ClientClass          string
	RequireClientClasses []string
	UserContext          json.RawMessage
	Comment              string
	Path                 string
}

// PDPool is a prefix delegation pool: Prefix (prefix/prefix-len) is cut
// into prefixes of DelegatedLen bits.
type PDPool struct {
	Prefix       netip.Prefix
	DelegatedLen int
	// ExcludedPrefix (RFC 6603) is taken out of every delegated prefix;
	// the zero Prefix when none.
	ExcludedPrefix       netip.Prefix
	Options              []OptionData
	ClientClass          string
	RequireClientClasses []string
	UserContext          json.RawMessage
	Comment              string
	Path                 string
}

// IdentifierType names how a reservation identifies its host.
type IdentifierType string

// The identifier types of Kea's host reservations.
const (
	IDHWAddress IdentifierType = "hw-address"
	IDDUID      IdentifierType = "duid"
	IDCircuitID IdentifierType = "circuit-id" // DHCPv4 only
	IDClientID  IdentifierType = "client-id"  // DHCPv4 only
	IDFlexID    IdentifierType = "flex-id"
)

// Reservation is a host reservation, global or in a subnet. DHCPv4 ones
// use IPAddress and the boot fields; DHCPv6 ones IPAddresses and Prefixes.
type Reservation struct {
	// IDType and ID identify the host: ID holds the decoded bytes (hex
	// with or without ':' or ' ', or 'quoted text' as Kea accepts).
	IDType IdentifierType
	ID     []byte
	// IPAddress is the reserved IPv4 address (invalid when none).
	IPAddress netip.Addr
	// IPAddresses and Prefixes are the reserved IPv6 addresses and
	// delegated prefixes.
	IPAddresses []netip.Addr
	Prefixes    []netip.Prefix
	Hostname    string
	Options     []OptionData
	// ClientClasses are assigned to the host's packets.
	ClientClasses []string
	// NextServer, ServerHostname and BootFileName override siaddr, sname
	// and file (DHCPv4).
	NextServer     netip.Addr
	ServerHostname string
	BootFileName   string
	UserContext    json.RawMessage
	Comment        string
	Path           string
}

// ClientClass is one entry of "client-classes".
type ClientClass struct {
	Name string
	// Test is the class expression, unparsed (the expression language is
	// the servers' business). "" means no test.
	Test string
	// OnlyIfRequired: evaluate the test only when a subnet, network or
	// pool requires the class. Default false.
	OnlyIfRequired bool
	Options        []OptionData
	// OptionDefs defined in the class (DHCPv4: option 43 and the
	// site-specific codes 224-254 only, as in Kea).
	OptionDefs []OptionDef
	// NextServer, ServerHostname, BootFileName (DHCPv4 only).
	NextServer     netip.Addr
	ServerHostname string
	BootFileName   string
	// ValidLifetime and PreferredLifetime (DHCPv6 only) override the
	// subnet's when the class matches; nil when not configured.
	ValidLifetime     *Lifetime
	PreferredLifetime *Lifetime
	UserContext       json.RawMessage
	Comment           string
	Path              string
}

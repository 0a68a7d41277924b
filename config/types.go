package config

import (
	"encoding/json"
	"net/netip"
)

// Config is a parsed and validated configuration file. A file may hold a
// Dhcp4 map, a Dhcp6 map or both; the other is nil.
type Config struct {
	DHCP4 *DHCP4
	DHCP6 *DHCP6
	// Warnings are things Kea accepts with a warning: extra commas,
	// deprecated keys. Each names its place.
	Warnings []string
}

// DHCP4 is the "Dhcp4" map.
type DHCP4 struct {
	Server
	// Params4 holds the global values of the parameters that shared
	// networks and subnets inherit, Kea's defaults filled in.
	Params4
	// EchoClientID: send the client identifier back (RFC 6842). Default true.
	EchoClientID bool
	// Subnets lists every subnet, those inside shared networks included,
	// sorted by ID: the order in which Kea 2.2 tries subnets when it
	// selects one for a packet.
	Subnets []*Subnet4
	// SharedNetworks in configuration order.
	SharedNetworks []*SharedNetwork4
	// Reservations are the global host reservations ("reservations" at the
	// top of Dhcp4), used when reservations-global is true.
	Reservations []Reservation
}

// DHCP6 is the "Dhcp6" map.
type DHCP6 struct {
	Server
	// Params6 holds the global values of the inherited parameters.
	Params6
	// Subnets lists every subnet sorted by ID (see DHCP4.Subnets).
	Subnets        []*Subnet6
	SharedNetworks []*SharedNetwork6
	Reservations   []Reservation
	// ServerID configures the server DUID ("server-id").
	ServerID ServerID
	// MACSources lists where the server looks for a client's hardware
	// address, in order ("mac-sources"). Kea's default is ["any"].
	MACSources []string
	// RelaySuppliedOptions are the option codes a relay may supply for the
	// client (RFC 6422 RSOO). Kea's default is [65] (erp-local-domain-name).
	RelaySuppliedOptions []uint16
	// DataDirectory is where Kea keeps its DUID and lease files
	// ("data-directory"); "" means the server's default.
	DataDirectory string
}

// Server holds what the Dhcp4 and Dhcp6 maps share.
type Server struct {
	InterfacesConfig        InterfacesConfig
	LeaseDatabase           LeaseDatabase
	ExpiredLeasesProcessing ExpiredLeasesProcessing
	// DeclineProbationPeriod is how long, in seconds, a declined address is
	// held. Default 86400.
	DeclineProbationPeriod uint32
	// HooksLibraries in configuration order, the order callouts run in.
	HooksLibraries []HooksLibrary
	Loggers        []Logger
	// ServerTag names this server for configuration backends. Default "".
	ServerTag string
	// DHCP4o6Port is the first of the two DHCPv4-over-DHCPv6 ports
	// (RFC 7341); 0 (the default) turns 4o6 off. Stored only: leasehold
	// has no 4o6 transport.
	DHCP4o6Port uint16
	// ParkedPacketLimit caps packets parked by hook libraries. Default 256;
	// 0 means no limit.
	ParkedPacketLimit uint32
	MultiThreading    MultiThreading
	SanityChecks      SanityChecks
	DHCPQueueControl  QueueControl
	DHCPDDNS          DHCPDDNS
	// HostReservationIdentifiers lists the identifier types tried when
	// looking a client's reservation up, in order. Kea's default is
	// hw-address, duid, circuit-id, client-id (DHCPv4) and hw-address,
	// duid (DHCPv6).
	HostReservationIdentifiers []IdentifierType
	// EarlyGlobalReservationsLookup: look global reservations up before
	// subnet selection. Default false.
	EarlyGlobalReservationsLookup bool
	// IPReservationsUnique: an address may be reserved for one host only
	// per subnet. Default true; when false duplicates are allowed.
	IPReservationsUnique bool
	// ReservationsLookupFirst: look reservations up before leases.
	// Default false.
	ReservationsLookupFirst bool
	// StatisticDefaultSampleCount (default 20) and
	// StatisticDefaultSampleAge (default 0, seconds) bound how many
	// samples a statistic keeps.
	StatisticDefaultSampleCount uint32
	StatisticDefaultSampleAge   uint32
	// LenientOptionParsing is compatibility.lenient-option-parsing
	// (default false): accept some malformed options from clients.
	LenientOptionParsing bool
	// OptionDefs are the custom option definitions ("option-def").
	OptionDefs []OptionDef
	// Options are the global option-data.
	Options []OptionData
	// ClientClasses in configuration order: the order Kea evaluates them.
	ClientClasses []ClientClass
	UserContext   json.RawMessage
	Comment       string
	// JSON is the map as read (the value of "Dhcp4" or "Dhcp6"), in
	// standard JSON: comments dropped, includes spliced in, members in
	// file order, no defaults added. The servers pass it to the
	// dhcp4_srv_configured and dhcp6_srv_configured hook points as
	// json_config, where Kea passes the same map with its defaults filled
	// in.
	JSON json.RawMessage
}

// Lifetime is Kea's (min, default, max) triplet for a lifetime. A client
// hint is clamped to [Min, Max]; no hint gets Default. When only the default
// is configured, Min and Max equal it.
type Lifetime struct {
	Min, Default, Max uint32
}

// Params4 are the DHCPv4 parameters that a subnet inherits from its shared
// network and the shared network from the global level. At each level the
// values are effective: the first of subnet, shared network, global and
// Kea's default that is set (Kea's inheritance).
type Params4 struct {
	// ValidLifetime from valid-lifetime, min-valid-lifetime and
	// max-valid-lifetime. Default 7200 for all three.
	ValidLifetime Lifetime
	// RenewTimer (T1) and RebindTimer (T2) in seconds; nil when not
	// configured at any level (Kea then sends them only when
	// CalculateTeeTimes is true).
	RenewTimer, RebindTimer *uint32
	// CalculateTeeTimes: compute T1/T2 from the lifetime when the timers
	// are not configured. Default false for DHCPv4.
	CalculateTeeTimes bool
	// T1Percent and T2Percent of the valid lifetime, used when
	// CalculateTeeTimes is true. Defaults 0.5 and 0.875 for DHCPv4.
	T1Percent, T2Percent float64
	// MatchClientID: identify clients by client identifier before
	// hardware address. Default true.
	MatchClientID bool
	// Authoritative: NAK requests for addresses the server does not know.
	// Default false.
	Authoritative bool
	// NextServer is siaddr; default 0.0.0.0 (unset).
	NextServer netip.Addr
	// ServerHostname (sname) and BootFileName (file); default "".
	ServerHostname   string
	BootFileName     string
	ReservationModes ReservationModes
	// Allocator is "iterative" (default) or "random" (Kea 2.4's key,
	// accepted by leasehold; Kea 2.2 always iterates).
	Allocator string
	// StoreExtendedInfo: keep relay information in the lease's user
	// context. Default false.
	StoreExtendedInfo bool
	// CacheThreshold (0-1, exclusive) and CacheMaxAge (seconds) let a
	// renewing client keep its lease unchanged; nil when not configured
	// (no lease caching).
	CacheThreshold *float64
	CacheMaxAge    *uint32
	DDNS           DDNSParams
}

// Params6 are the inherited DHCPv6 parameters; see Params4.
type Params6 struct {
	// ValidLifetime default 7200; PreferredLifetime default 3600.
	ValidLifetime     Lifetime
	PreferredLifetime Lifetime
	// RenewTimer and RebindTimer as in Params4.
	RenewTimer, RebindTimer *uint32
	// CalculateTeeTimes default true for DHCPv6; T1Percent 0.5 and
	// T2Percent 0.8.
	CalculateTeeTimes    bool
	T1Percent, T2Percent float64
	ReservationModes     ReservationModes
	// Allocator for addresses and PDAllocator for delegated prefixes:
	// "iterative" (default) or "random".
	Allocator         string
	PDAllocator       string
	StoreExtendedInfo bool
	CacheThreshold    *float64
	CacheMaxAge       *uint32
	DDNS              DDNSParams
}

// ReservationModes say where a server looks for host reservations
// (reservations-global, reservations-in-subnet, reservations-out-of-pool;
// or the deprecated reservation-mode, translated as Kea does).
type ReservationModes struct {
	// Global: use the global reservations. Default false.
	Global bool
	// InSubnet: use the subnet's reservations. Default true.
	InSubnet bool
	// OutOfPool: the server may assume reserved addresses lie outside
	// the pools (a speed-up). Default false.
	OutOfPool bool
}

// DDNSParams are Kea's ddns-* and hostname-char-* parameters. leasehold
// sends no DNS updates (dhcp-ddns.enable-updates true is unsupported); the
// values are stored because they also shape the host name a server keeps
// in the lease and echoes in the client FQDN/host name options.
type DDNSParams struct {
	SendUpdates           bool   // ddns-send-updates, default true
	OverrideNoUpdate      bool   // ddns-override-no-update, default false
	OverrideClientUpdate  bool   // ddns-override-client-update, default false
	ReplaceClientName     string // ddns-replace-client-name: never (default), always, when-present, when-not-present
	GeneratedPrefix       string // ddns-generated-prefix, default "myhost"
	QualifyingSuffix      string // ddns-qualifying-suffix, default ""
	UpdateOnRenew         bool   // ddns-update-on-renew, default false
	UseConflictResolution bool   // ddns-use-conflict-resolution, default true
	// HostnameCharSet is a regular expression of the characters to replace
	// in client-supplied names (default "[^A-Za-z0-9.-]"), and
	// HostnameCharReplacement what replaces them (default "": removed).
	HostnameCharSet         string
	HostnameCharReplacement string
}

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

// Interface is one entry of interfaces-config.interfaces: "eth0" (Addr
// invalid), "eth0/192.0.2.1" (listen on that address only) or "*" (Name
// "*", every interface).
type Interface struct {
	Name string
	Addr netip.Addr
}

// InterfacesConfig is "interfaces-config".
type InterfacesConfig struct {
	Interfaces []Interface
	// DHCPSocketType is "raw" (Kea's default) or "udp"; DHCPv4 only ("" in
	// DHCPv6, which always uses UDP).
	DHCPSocketType string
	// OutboundInterface is "same-as-inbound" (default) or "use-routing";
	// DHCPv4 only.
	OutboundInterface string
	// ReDetect: re-detect interfaces on reconfiguration. Default true when
	// interfaces-config is present (Kea leaves it false when the map is
	// absent, which matters not as no interface is then used).
	ReDetect bool
	// ServiceSocketsRequireAll: fail when a socket cannot be opened.
	// Default false. ServiceSocketsMaxRetries (default 0) and
	// ServiceSocketsRetryWaitTime (milliseconds, default 5000) govern
	// retries.
	ServiceSocketsRequireAll    bool
	ServiceSocketsMaxRetries    uint32
	ServiceSocketsRetryWaitTime uint32
	UserContext                 json.RawMessage
	Comment                     string
}

// LeaseDatabase is "lease-database". Only the memfile type is supported.
type LeaseDatabase struct {
	// Type is "memfile" (the default).
	Type string
	// Name is the lease file; "" means the server's default (Kea:
	// <data directory>/kea-leases4.csv or kea-leases6.csv).
	Name string
	// Persist: write leases to the file. Default true.
	Persist bool
	// LFCInterval is the seconds between lease file cleanups; default
	// 3600, 0 disables them.
	LFCInterval uint32
	// MaxRowErrors: give up loading after this many bad rows; default 0
	// (no limit).
	MaxRowErrors uint32
}

// ExpiredLeasesProcessing is "expired-leases-processing"; the field
// comments give Kea 2.2's defaults.
type ExpiredLeasesProcessing struct {
	ReclaimTimerWaitTime        uint32 // seconds between reclamation runs; 10
	FlushReclaimedTimerWaitTime uint32 // seconds between flushes of reclaimed leases; 25
	HoldReclaimedTime           uint32 // seconds a reclaimed lease is kept (affinity); 3600
	MaxReclaimLeases            uint32 // leases per run, 0 = no limit; 100
	MaxReclaimTime              uint32 // milliseconds per run, 0 = no limit; 250
	UnwarnedReclaimCycles       uint32 // unfinished runs before a warning; 5
}

// HooksLibrary is one entry of "hooks-libraries".
type HooksLibrary struct {
	// Library is the path of the library (for leasehold, a plugin binary).
	Library string
	// Parameters is the library's "parameters" value, raw; nil when absent.
	Parameters json.RawMessage
}

// Logger is one entry of "loggers".
type Logger struct {
	Name string
	// Severity is FATAL, ERROR, WARN, INFO, DEBUG or NONE (upper case).
	Severity string
	// DebugLevel 0-99 (default 0), used with DEBUG.
	DebugLevel int
	// OutputOptions are the destinations; none means stdout, as in Kea.
	OutputOptions []LogOutput
	UserContext   json.RawMessage
	Comment       string
}

// LogOutput is one entry of a logger's "output_options".
type LogOutput struct {
	// Output is stdout, stderr, syslog, syslog:<name> or a file path.
	Output string
	// MaxSize (bytes, default 10240000) and MaxVer (default 1) rotate
	// file outputs; Flush (default true) writes each message through.
	MaxSize uint64
	MaxVer  int
	Flush   bool
	// Pattern is the log4cplus layout; "" means Kea's default.
	Pattern string
}

// MultiThreading is "multi-threading" (stored; leasehold's own worker
// model applies). Defaults false, 0 (auto), 64.
type MultiThreading struct {
	EnableMultiThreading bool
	ThreadPoolSize       uint32
	PacketQueueSize      uint32
	UserContext          json.RawMessage
	Comment              string
}

// SanityChecks is "sanity-checks".
type SanityChecks struct {
	// LeaseChecks says what to do with a loaded lease whose subnet id does
	// not fit: none, warn (default), fix, fix-del, del.
	LeaseChecks string
}

// QueueControl is "dhcp-queue-control" (stored). Defaults: false,
// "kea-ring4"/"kea-ring6", 64. Raw holds the whole map, as Kea lets queue
// implementations take any extra key.
type QueueControl struct {
	EnableQueue bool
	QueueType   string
	Capacity    uint32
	Raw         json.RawMessage
}

// DHCPDDNS is "dhcp-ddns". EnableUpdates is always false: sending name
// change requests is unsupported. The connection values are stored with
// Kea's defaults; Raw keeps the map as written (Kea 2.2 ignores its
// deprecated keys generated-prefix, qualifying-suffix, ...).
type DHCPDDNS struct {
	EnableUpdates bool
	ServerIP      netip.Addr // default 127.0.0.1
	ServerPort    uint16     // default 53001
	SenderIP      netip.Addr // default unspecified (0.0.0.0)
	SenderPort    uint16     // default 0
	MaxQueueSize  uint32     // default 1024
	NCRProtocol   string     // "UDP"
	NCRFormat     string     // "JSON"
	Raw           json.RawMessage
}

// ServerID is the DHCPv6 "server-id" map: how the server DUID is made.
type ServerID struct {
	// Type is "LLT" (default), "EN" or "LL".
	Type string
	// Identifier is the DUID's variable part (link-layer address or
	// enterprise identifier); nil means generate one.
	Identifier []byte
	// Time (LLT), HType (LLT, LL), EnterpriseID (EN); 0 means generate.
	Time         uint32
	HType        uint16
	EnterpriseID uint32
	// Persist: store the DUID in a file and reuse it. Default true.
	Persist     bool
	UserContext json.RawMessage
	Comment     string
}

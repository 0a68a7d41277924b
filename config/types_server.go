package config

import (
	"encoding/json"
	"net/netip"
)

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
	// Leasehold is leasehold's own per-library settings object (the
	// "leasehold" key beside "library" and "parameters": deadline, failure
	// policy, observer buffer, checksum, ...), raw; nil when absent. The
	// hooks package defines and checks its keys.
	Leasehold json.RawMessage
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

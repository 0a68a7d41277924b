package dhcp4

import (
	"net/netip"
	"sync/atomic"
)

// DropReason says why the server dropped a packet without replying. It is
// also the error Server.Handle returns for a dropped packet, so a caller
// can branch with errors.Is(err, dhcp4.DropNoAddress).
type DropReason uint8

// Drop reasons. The names (String) are stable: daemons export them.
const (
	dropNone DropReason = iota
	// Malformed input (the codec's sentinel errors and header checks).
	DropTruncated       // shorter than the fixed header and cookie
	DropBadCookie       // wrong magic cookie
	DropBadOption       // an option's framing or content is malformed
	DropBadOverload     // option 52 malformed, or options that loop through file/sname
	DropTooLarge        // longer than a UDP datagram
	DropInterface       // arrived on an interface the configuration does not serve
	DropNotRequest      // op is not BOOTREQUEST
	DropTooManyHops     // hops above 16 (RFC 1542 section 4.1.1)
	DropRelayClientPort // relayed (giaddr set) but sent from the client port 68
	DropNoMessageType   // no option 53: BOOTP, which Kea 2.2 does not serve without its hook
	DropUnsupportedType // a message type the server does not process (OFFER, ACK, LEASEQUERY, ...)
	DropNoClientID      // neither a hardware address nor a client identifier
	// Kea's acceptance rules.
	DropNoSubnetDirect   // a broadcast from a directly connected client on a link with no subnet
	DropInformNoAddress  // INFORM from a client with no address to answer to
	DropServerIDMismatch // option 54 names another server
	DropServerIDInDiscover
	DropMissingRequestedIP // DECLINE without option 50
	// Decisions.
	DropHook              // a hook callout dropped (or skipped) the packet
	DropClass             // the packet is in the DROP class
	DropNoSubnet          // no subnet matches a relayed or unicast DISCOVER
	DropNoAddress         // no address could be offered (pool exhausted, or no pool for the client's classes)
	DropInitRebootUnknown // INIT-REBOOT from a client the server has no lease for, not authoritative
	DropUnknownAddress    // REQUEST for an address in none of the server's pools: not ours to NAK
	DropAddressInUse      // a hook found the offered address in use; it is declined
	DropStoreError        // the lease store failed
	DropInternal          // a bug: a recovered panic or a reply that could not be built
	DropOverload          // the server could not keep up; dropped unread
	DropSyncFailed        // the lease could not be made durable, so the reply was not sent
	NumDropReasons        // the number of reasons, for arrays indexed by reason
)

var dropNames = [NumDropReasons]string{
	dropNone:               "none",
	DropTruncated:          "truncated",
	DropBadCookie:          "bad-magic-cookie",
	DropBadOption:          "bad-option",
	DropBadOverload:        "bad-overload",
	DropTooLarge:           "too-large",
	DropInterface:          "interface-not-served",
	DropNotRequest:         "not-a-request",
	DropTooManyHops:        "too-many-hops",
	DropRelayClientPort:    "relayed-from-client-port",
	DropNoMessageType:      "no-message-type",
	DropUnsupportedType:    "unsupported-message-type",
	DropNoClientID:         "no-client-identifier",
	DropNoSubnetDirect:     "no-subnet-for-link",
	DropInformNoAddress:    "inform-without-address",
	DropServerIDMismatch:   "server-id-mismatch",
	DropServerIDInDiscover: "server-id-in-discover",
	DropMissingRequestedIP: "missing-requested-address",
	DropHook:               "hook",
	DropClass:              "drop-class",
	DropNoSubnet:           "no-subnet",
	DropNoAddress:          "no-address-available",
	DropInitRebootUnknown:  "init-reboot-unknown-client",
	DropUnknownAddress:     "unknown-requested-address",
	DropAddressInUse:       "address-in-use",
	DropStoreError:         "lease-store-error",
	DropInternal:           "internal-error",
	DropOverload:           "overload",
	DropSyncFailed:         "sync-failed",
}

// String returns the reason's stable name, such as "no-address-available".
func (r DropReason) String() string {
	if r < NumDropReasons {
		return dropNames[r]
	}
	return "unknown"
}

// Error makes a DropReason usable as the error of a dropped packet.
func (r DropReason) Error() string { return "dhcp4: packet dropped: " + r.String() }

// numTypes covers the message types of RFC 2132 through RFC 7724 (1-18),
// index 0 counting the packets that had none.
const numTypes = 19

// MessageCounts counts packets per DHCP message type.
type MessageCounts struct {
	Total  uint64
	ByType [numTypes]uint64 // index: MessageType; 0 = no or unknown type
}

// Of returns the count of message type t.
func (c *MessageCounts) Of(t MessageType) uint64 {
	if int(t) < numTypes {
		return c.ByType[t]
	}
	return c.ByType[0]
}

// PoolUse is the address use of one subnet's pools.
type PoolUse struct {
	SubnetID uint32
	Prefix   netip.Prefix
	Total    uint64 // addresses in the subnet's pools
	Assigned uint64 // leases held (assigned, not yet reclaimed), declined ones included as Kea counts them
	Declined uint64 // leases declined and still in probation
}

// Counters is a snapshot of a server's counters since NewServer.
type Counters struct {
	Received MessageCounts
	Sent     MessageCounts
	// Dropped counts packets dropped without a reply, by reason.
	Dropped [NumDropReasons]uint64
	// Leases.
	LeasesAllocated          uint64 // new leases (REQUEST for an address the client did not hold)
	LeasesRenewed            uint64 // existing leases extended (renew, rebind, re-request)
	LeasesReleased           uint64
	LeasesDeclined           uint64
	LeasesReclaimed          uint64 // expired leases reclaimed
	DeclinedReclaimed        uint64 // declined addresses back after probation
	Naks                     uint64 // NAKs sent (also counted in Sent)
	HookCalls, ParkedReplies uint64
	// Pools is the address use per subnet, for the current configuration.
	Pools []PoolUse
}

// DroppedTotal sums Dropped.
func (c *Counters) DroppedTotal() uint64 {
	var n uint64
	for _, v := range c.Dropped {
		n += v
	}
	return n
}

// counters are the live atomics behind Counters.
type counters struct {
	received, sent                   [numTypes]atomic.Uint64
	receivedTotal, sentTotal         atomic.Uint64
	dropped                          [NumDropReasons]atomic.Uint64
	allocated, renewed, released     atomic.Uint64
	declined, reclaimed, declReclaim atomic.Uint64
	naks, hookCalls, parked          atomic.Uint64
}

func typeIndex(t MessageType) int {
	if int(t) < numTypes {
		return int(t)
	}
	return 0
}

func (c *counters) drop(r DropReason) {
	if r < NumDropReasons {
		c.dropped[r].Add(1)
	}
}

func (c *counters) snapshot() Counters {
	var s Counters
	s.Received.Total = c.receivedTotal.Load()
	s.Sent.Total = c.sentTotal.Load()
	for i := range numTypes {
		s.Received.ByType[i] = c.received[i].Load()
		s.Sent.ByType[i] = c.sent[i].Load()
	}
	for i := range s.Dropped {
		s.Dropped[i] = c.dropped[i].Load()
	}
	s.LeasesAllocated = c.allocated.Load()
	s.LeasesRenewed = c.renewed.Load()
	s.LeasesReleased = c.released.Load()
	s.LeasesDeclined = c.declined.Load()
	s.LeasesReclaimed = c.reclaimed.Load()
	s.DeclinedReclaimed = c.declReclaim.Load()
	s.Naks = c.naks.Load()
	s.HookCalls = c.hookCalls.Load()
	s.ParkedReplies = c.parked.Load()
	return s
}

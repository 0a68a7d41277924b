package dhcp6

import (
	"context"
	"net/netip"
	"strconv"
	"sync/atomic"

	"github.com/leasehold/leasehold/lease"
)

// DropReason says why the server sent nothing back for a datagram.
type DropReason uint8

// Drop reasons. Each has a Counters.Dropped slot.
const (
	// DropTruncated: the datagram ends inside a header or an option.
	DropTruncated DropReason = iota
	// DropMalformed: an option or a message does not fit its format (a
	// relay message without relay-msg, an IA too short to hold its IAID,
	// an unreadable DUID).
	DropMalformed
	// DropTooManyRelays: relays nest deeper than MaxRelays.
	DropTooManyRelays
	// DropNotForServer: a message type a server does not answer
	// (ADVERTISE, REPLY, RECONFIGURE, RELAY-REPL, leasequery, 4o6).
	DropNotForServer
	// DropServerID: the message names another server in its server-id.
	DropServerID
	// DropUnicast: SOLICIT, CONFIRM, REBIND or INFORMATION-REQUEST sent
	// straight to a unicast address (RFC 8415 section 16; Kea drops them).
	DropUnicast
	// DropRFCViolation: client-id or server-id missing, repeated or
	// present where the message type forbids it, or a DUID of a bad length.
	DropRFCViolation
	// DropClass: the packet was put in the DROP class.
	DropClass
	// DropHook: a hook callout said drop (or skip where that means drop).
	DropHook
	// DropDiscard: the RFC says discard: a CONFIRM without addresses, a
	// REBIND of prefixes the server knows nothing about.
	DropDiscard
	// DropStore: the lease store failed while the packet was processed.
	DropStore
	// DropBuild: the reply could not be encoded (an option too long).
	DropBuild
	// DropOverload: every batch was waiting for the lease store; the
	// datagram was read and thrown away.
	DropOverload
	// DropInternal: processing panicked; the packet was dropped and the
	// panic logged.
	DropInternal
	// DropSync: the lease store could not make the leases durable, so the
	// reply that promised them was not sent.
	DropSync
	// DropSend: the socket refused the reply.
	DropSend
	// DropParkLimit: a hook library parked more packets than
	// parked-packet-limit allows.
	DropParkLimit

	// NumDropReasons is the number of drop reasons.
	NumDropReasons
)

var dropNames = [NumDropReasons]string{
	"truncated", "malformed", "too-many-relays", "not-for-server",
	"server-id-mismatch", "unicast", "rfc-violation", "drop-class", "hook",
	"discard", "store-error", "build-error", "overload", "internal-error",
	"sync-failed", "send-failed", "park-limit",
}

// String returns the reason's name, as used in logs and metrics
// ("truncated", "server-id-mismatch", ...).
func (r DropReason) String() string {
	if r < NumDropReasons {
		return dropNames[r]
	}
	return "DropReason(" + strconv.Itoa(int(r)) + ")"
}

// DropError is the error Handle returns for a datagram that gets no reply.
// One value per reason is shared, so returning it costs nothing; compare
// with errors.As and read Reason.
type DropError struct {
	Reason DropReason
}

func (e *DropError) Error() string { return "dhcp6: packet dropped: " + e.Reason.String() }

var dropErrors = func() (d [NumDropReasons]DropError) {
	for i := range d {
		d[i].Reason = DropReason(i)
	}
	return d
}()

func dropped(r DropReason) error { return &dropErrors[r] }

// NumMessageTypes bounds the message types counted one by one: the known
// types are 1 to 21 (DHCPV4_RESPONSE); every other type is counted at
// index 0.
const NumMessageTypes = 22

// MessageCounts counts datagrams in total and by message type (of the
// client or server message inside any relays).
type MessageCounts struct {
	Total  uint64
	ByType [NumMessageTypes]uint64 // index: MessageType; 0 = unknown type, or too broken to have one
}

// Of returns the count of message type t.
func (c *MessageCounts) Of(t MessageType) uint64 { return c.ByType[typeSlot(t)] }

// Counters is a snapshot of the server's counters since NewServer.
type Counters struct {
	// Received counts every datagram read; Sent every reply handed to the
	// socket layer (ADVERTISE, REPLY).
	Received, Sent MessageCounts
	// Dropped counts datagrams that got no reply, by reason.
	Dropped [NumDropReasons]uint64

	// Lease events: leases made (REQUEST, rapid commit, renewals that
	// needed a new lease), renewed (RENEW, REBIND, a REQUEST for a lease
	// the client holds), released, declined, and reclaimed after expiry
	// (DeclinedReclaimed of those ended a decline probation).
	LeasesAllocated   uint64
	LeasesRenewed     uint64
	LeasesReleased    uint64
	LeasesDeclined    uint64
	LeasesReclaimed   uint64
	DeclinedReclaimed uint64
	// ParkedReplies counts replies a hook library parked at
	// leases6_committed.
	ParkedReplies uint64

	// Pools is the use of each subnet's address and prefix pools.
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

// PoolUse is how much of one subnet's pools of one kind is in use.
type PoolUse struct {
	SubnetID uint32
	Prefix   netip.Prefix
	// Type is TypeNA for the address pools (temporary addresses count
	// there too) or TypePD for the prefix delegation pools.
	Type lease.Type
	// Total is the number of addresses or prefixes in the pools (saturated
	// at 2^64-1), Assigned those held by a lease in the default state,
	// Declined those held after a DECLINE.
	Total, Assigned, Declined uint64
}

// counters are the live atomics behind Counters.
type counters struct {
	received      [NumMessageTypes]atomic.Uint64
	receivedTotal atomic.Uint64
	sent          [NumMessageTypes]atomic.Uint64
	sentTotal     atomic.Uint64
	dropped       [NumDropReasons]atomic.Uint64

	allocated, renewed, released, declined, reclaimed, recovered atomic.Uint64
	parked                                                       atomic.Uint64
}

func typeSlot(t MessageType) int {
	if int(t) < NumMessageTypes {
		return int(t)
	}
	return 0
}

func (c *counters) drop(r DropReason) error {
	c.dropped[r].Add(1)
	return dropped(r)
}

// Counters returns a snapshot of the counters. Pool use is read from the
// lease store's per-subnet counts; the packet counters are plain loads.
func (s *Server) Counters() Counters {
	c := &s.counters
	var out Counters
	for i := range out.Received.ByType {
		out.Received.ByType[i] = c.received[i].Load()
		out.Sent.ByType[i] = c.sent[i].Load()
	}
	out.Received.Total = c.receivedTotal.Load()
	out.Sent.Total = c.sentTotal.Load()
	for i := range out.Dropped {
		out.Dropped[i] = c.dropped[i].Load()
	}
	out.LeasesAllocated = c.allocated.Load()
	out.LeasesRenewed = c.renewed.Load()
	out.LeasesReleased = c.released.Load()
	out.LeasesDeclined = c.declined.Load()
	out.LeasesReclaimed = c.reclaimed.Load()
	out.DeclinedReclaimed = c.recovered.Load()
	out.ParkedReplies = c.parked.Load()
	out.Pools = s.poolUse()
	s.engineDrops(&out)
	return out
}

// poolUse joins the configured pool sizes with the store's lease counts.
func (s *Server) poolUse() []PoolUse {
	v := s.view.Load()
	if v == nil {
		return nil
	}
	var out []PoolUse
	idx := map[[2]uint32]int{}
	for _, sn := range v.subnets {
		var na, pd uint64
		for _, p := range sn.pools {
			na = addSat(na, p.na.Size())
		}
		for _, p := range sn.pdPools {
			pd = addSat(pd, p.pool.Size())
		}
		if len(sn.pools) > 0 {
			idx[[2]uint32{sn.id, uint32(lease.TypeNA)}] = len(out)
			out = append(out, PoolUse{SubnetID: sn.id, Prefix: sn.prefix, Type: lease.TypeNA, Total: na})
		}
		if len(sn.pdPools) > 0 {
			idx[[2]uint32{sn.id, uint32(lease.TypePD)}] = len(out)
			out = append(out, PoolUse{SubnetID: sn.id, Prefix: sn.prefix, Type: lease.TypePD, Total: pd})
		}
	}
	counts, err := s.store.Counts6(context.Background())
	if err != nil {
		s.log.Warn("cannot read lease counts for pool statistics", "error", err)
		return out
	}
	for _, c := range counts {
		t := c.Type
		if t == lease.TypeTA {
			t = lease.TypeNA
		}
		i, ok := idx[[2]uint32{c.SubnetID, uint32(t)}]
		if !ok {
			continue
		}
		switch c.State {
		case lease.StateDefault:
			out[i].Assigned += c.N
		case lease.StateDeclined:
			out[i].Declined += c.N
		}
	}
	return out
}

func addSat(a, b uint64) uint64 {
	if a+b < a {
		return ^uint64(0)
	}
	return a + b
}

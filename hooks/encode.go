package hooks

import (
	"fmt"
	"net/netip"

	"github.com/leasehold/leasehold/lease"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The host encodes Args straight into protocol bytes, without the pb
// messages of argsToPB: on the packet path, building those messages and
// marshalling them by reflection cost more than the rest of an event's
// delivery. The bytes are exactly what proto.Marshal(argsToPB(a)) gives
// (fields in number order, zero values left out); TestEncodeArgs holds the
// two together, every field of Args filled. Plugins decode with the
// generated code as before.

// Field numbers of hooks.proto used by the encoder.
const (
	fieldFrameCall  = 1
	fieldFrameReply = 2
	fieldFrameEvent = 3

	fieldCallID        = 1
	fieldCallPoint     = 2
	fieldCallArgs      = 3
	fieldCallParkID    = 4
	fieldCallTimeoutUs = 5

	fieldReplyID      = 1
	fieldReplyStep    = 2
	fieldReplyChanges = 3
	fieldReplyError   = 4

	fieldEventSeq     = 1
	fieldEventPoint   = 2
	fieldEventOutcome = 3
	fieldEventArgs    = 4
)

// appendCallFrame appends a length-prefixed Frame holding a Call.
func appendCallFrame(b []byte, id uint64, p Point, a *Args, parkID uint64, timeoutUs uint32) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	b, call := beginMessage(b, fieldFrameCall)
	b = appendUint(b, fieldCallID, id)
	b = appendUint(b, fieldCallPoint, uint64(p))
	b, args := beginMessage(b, fieldCallArgs)
	b = appendArgs(b, a)
	b = endMessage(b, args)
	b = appendUint(b, fieldCallParkID, parkID)
	b = appendUint(b, fieldCallTimeoutUs, uint64(timeoutUs))
	b = endMessage(b, call)
	return putFrameLen(b, start)
}

// appendReplyFrame appends a length-prefixed Frame holding a Reply, the
// bytes proto.Marshal gives; the Changes a callout made, rare, are
// marshalled by the generated code.
func appendReplyFrame(b []byte, r callReply) ([]byte, error) {
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	b, reply := beginMessage(b, fieldFrameReply)
	b = appendUint(b, fieldReplyID, r.id)
	b = appendUint(b, fieldReplyStep, uint64(r.step))
	if r.changes != nil {
		var ch int
		b, ch = beginMessage(b, fieldReplyChanges)
		var err error
		if b, err = (proto.MarshalOptions{}).MarshalAppend(b, r.changes); err != nil {
			return b[:start], fmt.Errorf("marshal reply: %w", err)
		}
		b = endMessage(b, ch)
	}
	b = appendString(b, fieldReplyError, r.err)
	b = endMessage(b, reply)
	if n := len(b) - start - 4; n > maxFrame {
		return b[:start], fmt.Errorf("reply of %d bytes exceeds %d", n, maxFrame)
	}
	return putFrameLen(b, start), nil
}

// appendEventBody appends an Event's fields but its seq, which the writer
// adds when it puts the event on the wire (eventFrame): events are encoded
// on the packet path, possibly by several goroutines at once, and numbered
// in the order they are written.
func appendEventBody(b []byte, p Point, outcome NextStep, a *Args) []byte {
	b = appendUint(b, fieldEventPoint, uint64(p))
	b = appendUint(b, fieldEventOutcome, uint64(outcome))
	b, args := beginMessage(b, fieldEventArgs)
	b = appendArgs(b, a)
	return endMessage(b, args)
}

// appendEventFrame appends a length-prefixed Frame holding the Event whose
// other fields appendEventBody encoded.
func appendEventFrame(b []byte, seq uint64, body []byte) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	n := len(body)
	if seq != 0 {
		n += protowire.SizeTag(fieldEventSeq) + protowire.SizeVarint(seq)
	}
	b = protowire.AppendTag(b, fieldFrameEvent, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(n))
	b = appendUint(b, fieldEventSeq, seq)
	b = append(b, body...)
	return putFrameLen(b, start)
}

// putFrameLen writes the length of the frame that starts at start (after
// its 4-byte length).
func putFrameLen(b []byte, start int) []byte {
	n := len(b) - start - 4
	b[start], b[start+1], b[start+2], b[start+3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return b
}

// beginMessage starts a length-delimited field, reserving one byte for its
// length; endMessage fills it in, moving the body when the length needs
// more bytes.
func beginMessage(b []byte, num protowire.Number) ([]byte, int) {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = append(b, 0)
	return b, len(b)
}

func endMessage(b []byte, start int) []byte {
	n := len(b) - start
	if n < 0x80 {
		b[start-1] = byte(n)
		return b
	}
	k := protowire.SizeVarint(uint64(n))
	b = append(b, make([]byte, k-1)...)
	copy(b[start+k-1:], b[start:start+n])
	protowire.AppendVarint(b[:start-1], uint64(n))
	return b
}

func appendUint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// appendInt is an int32 or int64 field: negative values take ten bytes, as
// protobuf sign-extends them.
func appendInt(b []byte, num protowire.Number, v int64) []byte {
	return appendUint(b, num, uint64(v))
}

func appendBool(b []byte, num protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	return append(protowire.AppendTag(b, num, protowire.VarintType), 1)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendString(b []byte, num protowire.Number, v string) []byte {
	if v == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, v)
}

// appendAddr is an address as 4 or 16 bytes (none when invalid), without
// allocating as AsSlice does.
func appendAddr(b []byte, num protowire.Number, a netip.Addr) []byte {
	switch {
	case a.Is4():
		v := a.As4()
		return appendBytes(b, num, v[:])
	case a.IsValid():
		v := a.As16()
		return appendBytes(b, num, v[:])
	}
	return b
}

// appendAddrElem is one element of a repeated bytes field of addresses:
// written even when empty, as every element of a list is.
func appendAddrElem(b []byte, num protowire.Number, a netip.Addr) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	switch {
	case a.Is4():
		v := a.As4()
		return protowire.AppendBytes(b, v[:])
	case a.IsValid():
		v := a.As16()
		return protowire.AppendBytes(b, v[:])
	}
	return protowire.AppendVarint(b, 0)
}

func appendMsg[T any](b []byte, num protowire.Number, v *T, enc func([]byte, *T) []byte) []byte {
	if v == nil {
		return b
	}
	b, start := beginMessage(b, num)
	b = enc(b, v)
	return endMessage(b, start)
}

func appendList[T any](b []byte, num protowire.Number, list []T, enc func([]byte, *T) []byte) []byte {
	for i := range list {
		b = appendMsg(b, num, &list[i], enc)
	}
	return b
}

// appendArgs encodes a as argsToPB and proto.Marshal would.
func appendArgs(b []byte, a *Args) []byte {
	b = appendBytes(b, 1, a.Query)
	b = appendBytes(b, 2, a.Response)
	index := int64(-1)
	switch {
	case a.Subnet4 != nil || len(a.Subnets4) > 0:
		b = appendMsg(b, 3, a.Subnet4, appendSubnet4)
		b = appendList(b, 4, a.Subnets4, appendSubnet4)
		index = indexIn(a.Subnet4, a.Subnets4)
	case a.Subnet6 != nil || len(a.Subnets6) > 0:
		b = appendMsg(b, 3, a.Subnet6, appendSubnet6)
		b = appendList(b, 4, a.Subnets6, appendSubnet6)
		index = indexIn(a.Subnet6, a.Subnets6)
	}
	b = appendMsg(b, 5, a.Lease4, appendLease4)
	b = appendList(b, 6, a.Leases4, appendLease4)
	b = appendList(b, 7, a.DeletedLeases4, appendLease4)
	b = appendMsg(b, 8, a.OldLease4, appendLease4)
	b = appendMsg(b, 9, a.Lease6, appendLease6)
	b = appendList(b, 10, a.Leases6, appendLease6)
	b = appendList(b, 11, a.DeletedLeases6, appendLease6)
	b = appendBytes(b, 12, a.HWAddr)
	b = appendUint(b, 13, uint64(a.HWType))
	b = appendBytes(b, 14, a.ClientID)
	b = appendBool(b, 15, a.FakeAllocation)
	b = appendBool(b, 16, a.RemoveLease)
	b = appendUint(b, 17, uint64(a.OfferLifetime))
	b = appendBool(b, 18, a.OfferAddressInUse)
	b = appendBytes(b, 19, a.IA)
	b = appendString(b, 20, a.IDType)
	b = appendBytes(b, 21, a.IDValue)
	b = appendMsg(b, 22, a.Host, appendHost)
	b = appendString(b, 23, a.GlobalUserContext)
	b = appendBytes(b, 24, a.JSONConfig)
	b = appendString(b, 25, a.Error)
	b = appendInt(b, 26, index)
	if addressingKnown(&a.QueryAddr) {
		b = appendMsg(b, 27, &a.QueryAddr, appendAddressing)
	}
	return b
}

// indexIn is the index of selected in list, -1 when it points elsewhere.
func indexIn[S any](selected *S, list []S) int64 {
	for i := range list {
		if selected == &list[i] {
			return int64(i)
		}
	}
	return -1
}

func appendSubnet4(b []byte, s *Subnet4) []byte {
	b = appendUint(b, 1, uint64(s.ID))
	b = appendAddr(b, 2, s.Prefix.Addr())
	b = appendUint(b, 3, prefixLen(s.Prefix))
	b = appendString(b, 4, s.SharedNetwork)
	b = appendString(b, 5, s.UserContext)
	b = appendString(b, 6, s.SharedNetworkUserContext)
	return appendList(b, 7, s.Pools, appendPool)
}

func appendSubnet6(b []byte, s *Subnet6) []byte {
	b = appendUint(b, 1, uint64(s.ID))
	b = appendAddr(b, 2, s.Prefix.Addr())
	b = appendUint(b, 3, prefixLen(s.Prefix))
	b = appendString(b, 4, s.SharedNetwork)
	b = appendString(b, 5, s.UserContext)
	b = appendString(b, 6, s.SharedNetworkUserContext)
	b = appendList(b, 7, s.Pools, appendPool)
	return appendList(b, 8, s.PDPools, appendPDPool)
}

func appendPool(b []byte, p *Pool) []byte {
	b = appendUint(b, 1, uint64(p.ID))
	b = appendAddr(b, 2, p.First)
	b = appendAddr(b, 3, p.Last)
	return appendString(b, 4, p.UserContext)
}

func appendPDPool(b []byte, p *PDPool) []byte {
	b = appendUint(b, 1, uint64(p.ID))
	b = appendAddr(b, 2, p.Prefix.Addr())
	b = appendUint(b, 3, prefixLen(p.Prefix))
	b = appendUint(b, 4, uint64(p.DelegatedLen))
	return appendString(b, 5, p.UserContext)
}

func appendHost(b []byte, h *Host) []byte {
	b = appendString(b, 1, h.IDType)
	b = appendBytes(b, 2, h.ID)
	b = appendString(b, 3, h.Hostname)
	for _, a := range h.Addrs {
		b = appendAddrElem(b, 4, a)
	}
	for _, p := range h.Prefixes {
		b = appendAddrElem(b, 5, p.Addr())
	}
	if len(h.Prefixes) > 0 { // packed, as proto3 repeated scalars are
		var start int
		b, start = beginMessage(b, 6)
		for _, p := range h.Prefixes {
			b = protowire.AppendVarint(b, prefixLen(p))
		}
		b = endMessage(b, start)
	}
	return appendString(b, 7, h.UserContext)
}

// prefixLen is a prefix length as argsToPB sends it (an invalid prefix's
// -1 too, which the far side ignores with the missing address).
func prefixLen(p netip.Prefix) uint64 { return uint64(uint32(p.Bits())) }

func appendLease4(b []byte, l *lease.Lease4) []byte {
	b = appendAddr(b, 1, l.Addr)
	b = appendBytes(b, 2, l.HWAddr)
	b = appendBytes(b, 3, l.ClientID)
	b = appendUint(b, 4, uint64(l.ValidLifetime))
	b = appendInt(b, 5, l.CLTT)
	b = appendUint(b, 6, uint64(l.SubnetID))
	b = appendUint(b, 7, uint64(l.PoolID))
	b = appendBool(b, 8, l.FQDNFwd)
	b = appendBool(b, 9, l.FQDNRev)
	b = appendString(b, 10, l.Hostname)
	b = appendUint(b, 11, uint64(l.State))
	return appendString(b, 12, l.UserContext)
}

func appendLease6(b []byte, l *lease.Lease6) []byte {
	b = appendUint(b, 1, uint64(l.Type))
	b = appendAddr(b, 2, l.Addr)
	b = appendUint(b, 3, uint64(l.PrefixLen))
	b = appendBytes(b, 4, l.DUID)
	b = appendUint(b, 5, uint64(l.IAID))
	b = appendUint(b, 6, uint64(l.ValidLifetime))
	b = appendUint(b, 7, uint64(l.PreferredLifetime))
	b = appendInt(b, 8, l.CLTT)
	b = appendUint(b, 9, uint64(l.SubnetID))
	b = appendUint(b, 10, uint64(l.PoolID))
	b = appendBool(b, 11, l.FQDNFwd)
	b = appendBool(b, 12, l.FQDNRev)
	b = appendString(b, 13, l.Hostname)
	b = appendBytes(b, 14, l.HWAddr)
	b = appendUint(b, 15, uint64(l.HWType))
	b = appendUint(b, 16, uint64(l.HWAddrSource))
	b = appendUint(b, 17, uint64(l.State))
	return appendString(b, 18, l.UserContext)
}

func appendAddressing(b []byte, a *Addressing) []byte {
	b = appendAddr(b, 1, a.Local.Addr())
	b = appendString(b, 2, a.Local.Addr().Zone())
	b = appendUint(b, 3, uint64(a.Local.Port()))
	b = appendAddr(b, 4, a.Remote.Addr())
	b = appendString(b, 5, a.Remote.Addr().Zone())
	b = appendUint(b, 6, uint64(a.Remote.Port()))
	b = appendInt(b, 7, int64(int32(a.IfIndex)))
	b = appendString(b, 8, a.IfName)
	b = appendBytes(b, 9, a.LocalHWAddr)
	b = appendUint(b, 10, uint64(a.LocalHWType))
	b = appendBytes(b, 11, a.RemoteHWAddr)
	return appendUint(b, 12, uint64(a.RemoteHWType))
}

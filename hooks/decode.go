package hooks

import (
	"net/netip"
	"unicode/utf8"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"github.com/leasehold/leasehold/lease"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The plugin decodes the Call and Event frames the host writes straight
// into Args: proto.Unmarshal and argsFromPB cost half of an observer
// plugin's CPU. The frame's bytes are copied once and the byte fields of
// Args point into the copy (capped, so that appending to one cannot write
// over the next). The decoder takes only the common form; anything else
// (a field repeated that protobuf would merge, invalid UTF-8, a malformed
// field) makes it give up, and the generated code decodes the frame as
// before. Where it does not give up, its Args are those of argsFromPB
// after proto.Unmarshal (FuzzDecodeArgs).

// callFields are the fields of a Call but its Args.
type callFields struct {
	id        uint64
	point     Point
	parkID    uint64
	timeoutUs uint32
}

// decodeCallFrame decodes a frame that holds only a Call.
func decodeCallFrame(frame []byte) (callFields, *Args, bool) {
	var c callFields
	body, ok := onlyField(frame, fieldFrameCall)
	if !ok {
		return c, nil, false
	}
	var args []byte
	seenArgs := false
	ok = eachField(body, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		switch {
		case num == fieldCallID && typ == protowire.VarintType:
			c.id = v
		case num == fieldCallPoint && typ == protowire.VarintType:
			c.point = Point(uint32(v))
		case num == fieldCallArgs && typ == protowire.BytesType:
			if seenArgs {
				return false
			}
			args, seenArgs = b, true
		case num == fieldCallParkID && typ == protowire.VarintType:
			c.parkID = v
		case num == fieldCallTimeoutUs && typ == protowire.VarintType:
			c.timeoutUs = uint32(v)
		}
		return true
	})
	if !ok {
		return c, nil, false
	}
	a, ok := decodeArgs(c.point, args)
	return c, a, ok
}

// callReply is a Reply: the callout's step, the changes it made, or the
// error it failed with.
type callReply struct {
	id      uint64
	step    NextStep
	changes *pb.Changes
	err     string
}

func replyFromPB(r *pb.Reply) callReply {
	return callReply{id: r.Id, step: stepFromWire(r.Step), changes: r.Changes, err: r.Error}
}

// stepFromWire keeps a step number too large for NextStep from wrapping
// into a real step: it becomes one that no point honours.
func stepFromWire(v uint32) NextStep {
	if v > 0xff {
		return 0xff
	}
	return NextStep(v)
}

// decodeReplyFrame decodes a frame that holds only a Reply. Changes, when
// there are any, are left to the generated code.
func decodeReplyFrame(frame []byte) (callReply, bool) {
	var r callReply
	body, ok := onlyField(frame, fieldFrameReply)
	if !ok {
		return r, false
	}
	ok = eachField(body, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		switch {
		case num == fieldReplyID && typ == protowire.VarintType:
			r.id = v
		case num == fieldReplyStep && typ == protowire.VarintType:
			r.step = stepFromWire(uint32(v))
		case num == fieldReplyChanges && typ == protowire.BytesType:
			if r.changes != nil {
				return false // protobuf would merge the two
			}
			r.changes = &pb.Changes{}
			return proto.Unmarshal(b, r.changes) == nil
		case num == fieldReplyError && typ == protowire.BytesType:
			return stringOf(b, &r.err)
		}
		return true
	})
	return r, ok
}

// decodeEventFrame decodes a frame that holds only an Event.
func decodeEventFrame(frame []byte) (Point, NextStep, *Args, bool) {
	body, ok := onlyField(frame, fieldFrameEvent)
	if !ok {
		return 0, 0, nil, false
	}
	var p Point
	var outcome NextStep
	var args []byte
	seenArgs := false
	ok = eachField(body, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		switch {
		case num == fieldEventPoint && typ == protowire.VarintType:
			p = Point(uint32(v))
		case num == fieldEventOutcome && typ == protowire.VarintType:
			outcome = NextStep(uint32(v))
		case num == fieldEventArgs && typ == protowire.BytesType:
			if seenArgs {
				return false
			}
			args, seenArgs = b, true
		}
		return true
	})
	if !ok {
		return 0, 0, nil, false
	}
	a, ok := decodeArgs(p, args)
	return p, outcome, a, ok
}

// onlyField returns the body of a frame made of one length-delimited field
// num and nothing else.
func onlyField(frame []byte, num protowire.Number) ([]byte, bool) {
	n, typ, k := protowire.ConsumeTag(frame)
	if k < 0 || n != num || typ != protowire.BytesType {
		return nil, false
	}
	body, m := protowire.ConsumeBytes(frame[k:])
	if m < 0 || k+m != len(frame) {
		return nil, false
	}
	return body, true
}

// eachField calls fn with each field of a message: v for a varint, b for a
// length-delimited field; other wire types are skipped, as unknown fields
// are. It stops and reports false on malformed input or when fn does.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || !num.IsValid() { // ConsumeTag lets numbers up to 2^31 through; protobuf does not
			return false
		}
		b = b[n:]
		var v uint64
		var val []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			val, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return false
		}
		b = b[n:]
		if (typ == protowire.VarintType || typ == protowire.BytesType) && !fn(num, typ, v, val) {
			return false
		}
	}
	return true
}

// bytesOf is a length-delimited field's value as argsFromPB has it: nil
// when empty, and capped.
func bytesOf(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b[:len(b):len(b)]
}

// stringOf converts a string field; protobuf refuses invalid UTF-8.
func stringOf(b []byte, dst *string) bool {
	if !utf8.Valid(b) {
		return false
	}
	*dst = string(b)
	return true
}

// decodeArgs decodes an Args message for point p (an absent one is empty,
// as in protobuf).
func decodeArgs(p Point, msg []byte) (*Args, bool) {
	buf := append([]byte(nil), msg...)
	a := &Args{}
	var single [28][]byte // raw singular message fields, by number
	var seen [28]bool
	var subnets [][]byte
	var index int32
	ok := eachField(buf, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		if typ == protowire.VarintType {
			switch num {
			case 13:
				a.HWType = uint16(uint32(v))
			case 15:
				a.FakeAllocation = v != 0
			case 16:
				a.RemoveLease = v != 0
			case 17:
				a.OfferLifetime = uint32(v)
			case 18:
				a.OfferAddressInUse = v != 0
			case 26:
				index = int32(v)
			}
			return true
		}
		switch num {
		case 1:
			a.Query = bytesOf(b)
		case 2:
			a.Response = bytesOf(b)
		case 3, 5, 8, 9, 22, 27:
			if seen[num] { // protobuf would merge the two
				return false
			}
			single[num], seen[num] = b, true
		case 4:
			subnets = append(subnets, b)
		case 6, 7:
			l, ok := decodeLease4(b)
			if !ok {
				return false
			}
			if num == 6 {
				a.Leases4 = append(a.Leases4, l)
			} else {
				a.DeletedLeases4 = append(a.DeletedLeases4, l)
			}
		case 10, 11:
			l, ok := decodeLease6(b)
			if !ok {
				return false
			}
			if num == 10 {
				a.Leases6 = append(a.Leases6, l)
			} else {
				a.DeletedLeases6 = append(a.DeletedLeases6, l)
			}
		case 12:
			a.HWAddr = bytesOf(b)
		case 14:
			a.ClientID = bytesOf(b)
		case 19:
			a.IA = bytesOf(b)
		case 20:
			return stringOf(b, &a.IDType)
		case 21:
			a.IDValue = bytesOf(b)
		case 23:
			return stringOf(b, &a.GlobalUserContext)
		case 24:
			a.JSONConfig = bytesOf(b)
		case 25:
			return stringOf(b, &a.Error)
		}
		return true
	})
	if !ok || !decodeSingles(p, a, &single, &seen, subnets, index) {
		return nil, false
	}
	if p == Leases4Committed || p == Lease4Offer {
		a.Leases4 = nonNil(a.Leases4)
		a.DeletedLeases4 = nonNil(a.DeletedLeases4)
	}
	if p == Leases6Committed {
		a.Leases6 = nonNil(a.Leases6)
		a.DeletedLeases6 = nonNil(a.DeletedLeases6)
	}
	return a, true
}

// decodeSingles decodes the singular message fields and the subnets.
func decodeSingles(p Point, a *Args, single *[28][]byte, seen *[28]bool, subnets [][]byte, index int32) bool {
	var ok bool
	for _, f := range []struct {
		num int
		dst **lease.Lease4
	}{{5, &a.Lease4}, {8, &a.OldLease4}} {
		if seen[f.num] {
			l := new(lease.Lease4)
			if *l, ok = decodeLease4(single[f.num]); !ok {
				return false
			}
			*f.dst = l
		}
	}
	if seen[9] {
		l := new(lease.Lease6)
		if *l, ok = decodeLease6(single[9]); !ok {
			return false
		}
		a.Lease6 = l
	}
	if seen[22] {
		if a.Host, ok = decodeHost(single[22]); !ok {
			return false
		}
	}
	if seen[27] {
		if a.QueryAddr, ok = decodeAddressing(single[27]); !ok {
			return false
		}
	}
	raws := make([]rawSubnet, 0, len(subnets))
	for _, b := range subnets {
		s, ok := decodeSubnet(b)
		if !ok {
			return false
		}
		raws = append(raws, s)
	}
	var sel *rawSubnet
	if seen[3] {
		s, ok := decodeSubnet(single[3])
		if !ok {
			return false
		}
		sel = &s
	}
	if p.V6() {
		a.Subnets6, a.Subnet6 = convertSubnets(raws, sel, index, rawSubnet.v6)
	} else {
		a.Subnets4, a.Subnet4 = convertSubnets(raws, sel, index, rawSubnet.v4)
	}
	return true
}

// convertSubnets is subnetsFromPB on decoded subnets.
func convertSubnets[S any](raws []rawSubnet, sel *rawSubnet, index int32, conv func(rawSubnet) S) ([]S, *S) {
	var list []S
	for _, r := range raws {
		list = append(list, conv(r))
	}
	if i := int(index); i >= 0 && i < len(list) {
		return list, &list[i]
	}
	if sel == nil {
		return list, nil
	}
	s := conv(*sel)
	return list, &s
}

// rawSubnet is a Subnet message, for either family.
type rawSubnet struct {
	id                   uint32
	addr                 []byte
	bits                 uint32
	shared, uc, sharedUC string
	pools                []Pool
	pdPools              []PDPool
}

func (r rawSubnet) v4() Subnet4 {
	return Subnet4{ID: r.id, Prefix: prefix(r.addr, r.bits), SharedNetwork: r.shared, UserContext: r.uc,
		SharedNetworkUserContext: r.sharedUC, Pools: r.pools}
}

func (r rawSubnet) v6() Subnet6 {
	return Subnet6{ID: r.id, Prefix: prefix(r.addr, r.bits), SharedNetwork: r.shared, UserContext: r.uc,
		SharedNetworkUserContext: r.sharedUC, Pools: r.pools, PDPools: r.pdPools}
}

func decodeSubnet(b []byte) (rawSubnet, bool) {
	var s rawSubnet
	ok := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		switch {
		case num == 1 && typ == protowire.VarintType:
			s.id = uint32(v)
		case num == 2 && typ == protowire.BytesType:
			s.addr = b
		case num == 3 && typ == protowire.VarintType:
			s.bits = uint32(v)
		case num == 4 && typ == protowire.BytesType:
			return stringOf(b, &s.shared)
		case num == 5 && typ == protowire.BytesType:
			return stringOf(b, &s.uc)
		case num == 6 && typ == protowire.BytesType:
			return stringOf(b, &s.sharedUC)
		case num == 7 && typ == protowire.BytesType:
			p, ok := decodePool(b)
			s.pools = append(s.pools, p)
			return ok
		case num == 8 && typ == protowire.BytesType:
			p, ok := decodePDPool(b)
			s.pdPools = append(s.pdPools, p)
			return ok
		}
		return true
	})
	return s, ok
}

func decodePool(b []byte) (Pool, bool) {
	var p Pool
	ok := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		switch {
		case num == 1 && typ == protowire.VarintType:
			p.ID = uint32(v)
		case num == 2 && typ == protowire.BytesType:
			p.First = addr(b)
		case num == 3 && typ == protowire.BytesType:
			p.Last = addr(b)
		case num == 4 && typ == protowire.BytesType:
			return stringOf(b, &p.UserContext)
		}
		return true
	})
	return p, ok
}

func decodePDPool(b []byte) (PDPool, bool) {
	var p PDPool
	var a []byte
	var bits uint32
	ok := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		switch {
		case num == 1 && typ == protowire.VarintType:
			p.ID = uint32(v)
		case num == 2 && typ == protowire.BytesType:
			a = b
		case num == 3 && typ == protowire.VarintType:
			bits = uint32(v)
		case num == 4 && typ == protowire.VarintType:
			p.DelegatedLen = uint8(uint32(v))
		case num == 5 && typ == protowire.BytesType:
			return stringOf(b, &p.UserContext)
		}
		return true
	})
	p.Prefix = prefix(a, bits)
	return p, ok
}

func decodeHost(b []byte) (*Host, bool) {
	h := &Host{}
	var prefixAddrs [][]byte
	var lens []uint32
	ok := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		switch {
		case num == 1 && typ == protowire.BytesType:
			return stringOf(b, &h.IDType)
		case num == 2 && typ == protowire.BytesType:
			h.ID = bytesOf(b)
		case num == 3 && typ == protowire.BytesType:
			return stringOf(b, &h.Hostname)
		case num == 4 && typ == protowire.BytesType:
			h.Addrs = append(h.Addrs, addr(b))
		case num == 5 && typ == protowire.BytesType:
			prefixAddrs = append(prefixAddrs, b)
		case num == 6 && typ == protowire.VarintType:
			lens = append(lens, uint32(v))
		case num == 6 && typ == protowire.BytesType: // packed
			for len(b) > 0 {
				x, n := protowire.ConsumeVarint(b)
				if n < 0 {
					return false
				}
				lens = append(lens, uint32(x))
				b = b[n:]
			}
		case num == 7 && typ == protowire.BytesType:
			return stringOf(b, &h.UserContext)
		}
		return true
	})
	for i, a := range prefixAddrs {
		if i < len(lens) {
			h.Prefixes = append(h.Prefixes, netip.PrefixFrom(addr(a), int(lens[i])))
		}
	}
	return h, ok
}

func decodeLease4(b []byte) (lease.Lease4, bool) {
	var l lease.Lease4
	ok := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		if typ == protowire.VarintType {
			switch num {
			case 4:
				l.ValidLifetime = uint32(v)
			case 5:
				l.CLTT = int64(v)
			case 6:
				l.SubnetID = uint32(v)
			case 7:
				l.PoolID = uint32(v)
			case 8:
				l.FQDNFwd = v != 0
			case 9:
				l.FQDNRev = v != 0
			case 11:
				l.State = lease.State(uint32(v))
			}
			return true
		}
		switch num {
		case 1:
			l.Addr = addr(b)
		case 2:
			l.HWAddr = bytesOf(b)
		case 3:
			l.ClientID = bytesOf(b)
		case 10:
			return stringOf(b, &l.Hostname)
		case 12:
			return stringOf(b, &l.UserContext)
		}
		return true
	})
	return l, ok
}

func decodeLease6(b []byte) (lease.Lease6, bool) {
	var l lease.Lease6
	ok := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		if typ == protowire.VarintType {
			switch num {
			case 1:
				l.Type = lease.Type(uint32(v))
			case 3:
				l.PrefixLen = uint8(uint32(v))
			case 5:
				l.IAID = uint32(v)
			case 6:
				l.ValidLifetime = uint32(v)
			case 7:
				l.PreferredLifetime = uint32(v)
			case 8:
				l.CLTT = int64(v)
			case 9:
				l.SubnetID = uint32(v)
			case 10:
				l.PoolID = uint32(v)
			case 11:
				l.FQDNFwd = v != 0
			case 12:
				l.FQDNRev = v != 0
			case 15:
				l.HWType = uint16(uint32(v))
			case 16:
				l.HWAddrSource = uint32(v)
			case 17:
				l.State = lease.State(uint32(v))
			}
			return true
		}
		switch num {
		case 2:
			l.Addr = addr(b)
		case 4:
			l.DUID = bytesOf(b)
		case 13:
			return stringOf(b, &l.Hostname)
		case 14:
			l.HWAddr = bytesOf(b)
		case 18:
			return stringOf(b, &l.UserContext)
		}
		return true
	})
	return l, ok
}

func decodeAddressing(b []byte) (Addressing, bool) {
	var a Addressing
	var local, remote []byte
	var localZone, remoteZone string
	var localPort, remotePort uint32
	ok := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) bool {
		if typ == protowire.VarintType {
			switch num {
			case 3:
				localPort = uint32(v)
			case 6:
				remotePort = uint32(v)
			case 7:
				a.IfIndex = int(int32(v))
			case 10:
				a.LocalHWType = uint16(uint32(v))
			case 12:
				a.RemoteHWType = uint16(uint32(v))
			}
			return true
		}
		switch num {
		case 1:
			local = b
		case 2:
			return stringOf(b, &localZone)
		case 4:
			remote = b
		case 5:
			return stringOf(b, &remoteZone)
		case 8:
			return stringOf(b, &a.IfName)
		case 9:
			a.LocalHWAddr = bytesOf(b)
		case 11:
			a.RemoteHWAddr = bytesOf(b)
		}
		return true
	})
	a.Local = netip.AddrPortFrom(addr(local).WithZone(localZone), uint16(localPort))
	a.Remote = netip.AddrPortFrom(addr(remote).WithZone(remoteZone), uint16(remotePort))
	return a, ok
}

package dhcp4

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// maxHops is RFC 1542's bound on the hops a request may have travelled;
// a relay discards above it, and so does the server.
const maxHops = 16

// exchange is the state of one packet's processing (Kea's Dhcpv4Exchange
// and ClientContext4), kept in the worker and reset per packet.
type exchange struct {
	ctx   context.Context
	v     *view
	meta  *PacketMeta
	query []byte // the wire bytes decoded into worker.m
	typ   MessageType
	xid   uint32
	now   time.Time
	unix  int64

	subnet *subnet4 // current subnet; allocation may move it within a shared network
	orig   *subnet4 // the subnet selection chose
	cid    []byte   // client identifier (option 61), when a subnet was selected
	hw     []byte   // chaddr cut to hlen
	ids    clientIDs
	hosts  []hostHit // reservations found per subnet
	ghost  *host4    // global reservation

	fake      bool       // DISCOVER: find an address, write nothing
	hint      netip.Addr // requested address (option 50, else ciaddr)
	unknownRq bool       // the requested address is in none of the allowed pools
	hookSkip  bool       // a lease4_select callout returned SKIP: stop allocating

	lease     lease.Lease4 // the lease offered or assigned
	haveLease bool
	old       lease.Lease4 // the client's previous lease (old_lease)
	haveOld   bool
	deleted   bool // old was removed (the client moved to another address)
	reused    bool // lease cache: the lease was not written (reuseable lifetime)
	reuseLft  uint32
	changed   bool // a lease was written: sync before the reply

	name nameState

	respType MessageType // Offer, Ack, Nak; 0 = no reply
	yiaddr   netip.Addr
	ciaddr   netip.Addr
	pool     *pool4
	host     *host4 // currentHost() once allocation settled
	flags    uint16
}

type hostHit struct {
	subnet *subnet4
	host   *host4
}

func (x *exchange) reset(ctx context.Context, v *view, meta *PacketMeta, now time.Time) {
	hosts := x.hosts[:0]
	*x = exchange{ctx: ctx, v: v, meta: meta, now: now, unix: now.Unix(), hosts: hosts}
}

func isZero(a netip.Addr) bool { return u32(a) == 0 }

var bcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

func (w *worker) drop(r DropReason) (Reply, DropReason) {
	w.s.cnt.drop(r)
	return Reply{}, r
}

// decodeReason maps a codec error to the reason the packet is counted
// under.
func decodeReason(err error) DropReason {
	switch {
	case errors.Is(err, ErrTruncated):
		return DropTruncated
	case errors.Is(err, ErrBadMagicCookie):
		return DropBadCookie
	case errors.Is(err, ErrBadOverload):
		return DropBadOverload
	case errors.Is(err, ErrTooLarge):
		return DropTooLarge
	}
	return DropBadOption
}

// handle processes one datagram: Kea's processPacket and
// processDhcp4Query, in Kea's order of checks.
func (w *worker) handle(ctx context.Context, req []byte, meta *PacketMeta, buf []byte) (Reply, DropReason) {
	s := w.s
	v := s.view.Load()
	s.cnt.receivedTotal.Add(1)
	x := &w.x
	x.reset(ctx, v, meta, s.now())
	w.pkt.meta = meta

	query := req
	if s.hooks.Enabled(hooks.Buffer4Receive) {
		a := &hooks.Args{Query: req, QueryAddr: w.queryAddr(req)}
		if s.callHook(ctx, hooks.Buffer4Receive, a) == hooks.Drop {
			s.cnt.received[0].Add(1)
			return w.drop(DropHook)
		}
		query = a.Query
	}
	if err := w.m.Decode(query); err != nil {
		s.cnt.received[0].Add(1)
		s.pktLog.Debug("packet dropped: malformed", "from", meta.Src, "error", err)
		return w.drop(decodeReason(err))
	}
	x.query, x.xid = query, w.m.XID
	typ, hasType := w.m.MessageType()
	if hasType {
		s.cnt.received[typeIndex(typ)].Add(1)
	} else {
		s.cnt.received[0].Add(1)
	}
	x.typ = typ
	if w.m.Op != BootRequest {
		return w.drop(DropNotRequest)
	}
	if w.m.Hops > maxHops {
		return w.drop(DropTooManyHops)
	}
	if w.relayed() && meta.Src.Port() == 68 {
		// A relay sends from port 67 (or the port of RFC 8357's relay-port
		// sub-option, never 68): this is a client forging giaddr.
		return w.drop(DropRelayClientPort)
	}
	if !hasType {
		return w.drop(DropNoMessageType)
	}
	switch typ {
	case Discover, Request, Release, Decline, Inform:
	default:
		return w.drop(DropUnsupportedType)
	}
	x.hw = w.m.HWAddr()

	w.cls.reset(v)
	w.classifyEarly()
	if r := w.accept(); r != dropNone {
		return w.drop(r)
	}
	if s.hooks.Enabled(hooks.Pkt4Receive) {
		a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query)}
		if st := s.callHook(ctx, hooks.Pkt4Receive, a); st == hooks.Drop || st == hooks.Skip {
			return w.drop(DropHook)
		}
		if r := w.requery(a.Query); r != dropNone {
			return w.drop(r)
		}
	}
	if w.cls.has(v.idxDROP) {
		return w.drop(DropClass)
	}
	if !w.identified() {
		return w.drop(DropNoClientID)
	}

	switch typ {
	case Discover:
		return w.processDiscover(buf)
	case Request:
		return w.processRequest(buf)
	case Release:
		return w.processRelease()
	case Decline:
		return w.processDecline()
	default:
		return w.processInform(buf)
	}
}

// requery decodes a query a callout replaced.
func (w *worker) requery(q []byte) DropReason {
	if bytes.Equal(q, w.x.query) {
		return dropNone
	}
	if err := w.m.Decode(q); err != nil {
		return decodeReason(err)
	}
	w.x.query = q
	w.x.hw = w.m.HWAddr()
	return dropNone
}

func (w *worker) relayed() bool {
	g := u32(w.m.GIAddr)
	return g != 0 && g != 0xffffffff
}

// identified is Kea's sanityCheck: a client needs a hardware address or
// a non-empty client identifier.
func (w *worker) identified() bool {
	if len(w.x.hw) > 0 {
		return true
	}
	cid, ok := w.m.ClientID()
	return ok && len(cid) > 0
}

// accept is Kea's Dhcpv4Srv::accept after the message type check:
// directly connected clients must be on a link with a subnet, and a
// server identifier must be one of ours.
func (w *worker) accept() DropReason {
	x := &w.x
	if !w.relayed() {
		if x.typ == Inform && isZero(x.meta.Src.Addr()) && isZero(w.m.CIAddr) {
			return DropInformNoAddress
		}
		if x.meta.Dst == bcast || !x.meta.Dst.IsValid() {
			if s := w.selectSubnetQuiet(); s == nil {
				return DropNoSubnetDirect
			}
		}
	}
	if !w.serverIDAccepted() {
		return DropServerIDMismatch
	}
	return dropNone
}

// serverIDAccepted is Kea's acceptServerId: no option 54, or one naming
// this server: the relay's server-id-override, an address of an interface
// the server listens on, or option 54 as configured on a subnet, shared
// network, class of the packet or globally.
func (w *worker) serverIDAccepted() bool {
	x := &w.x
	raw, ok := w.m.Option(OptServerID)
	if !ok {
		return true
	}
	if len(raw) != 4 {
		return false
	}
	id := netip.AddrFrom4([4]byte(raw))
	if rai, ok := w.m.RelayAgentInfo(); ok {
		if o, ok := rai.ServerIDOverride(); ok && o == id {
			return true
		}
	}
	if id == x.meta.IfAddr || (id == x.meta.Dst && id != bcast) || (*w.s.ownAddrs.Load())[id] {
		return true
	}
	if x.v.cfgServerIDs[id] {
		return true
	}
	for _, i := range w.cls.order {
		if sid := x.v.classes[i].opts.serverID; sid.IsValid() && sid == id {
			return true
		}
	}
	return false
}

// initExchange is the Dhcpv4Exchange constructor: client identifier,
// reservations, classes from reservations, KNOWN/UNKNOWN and the second
// classification pass. It reports false when the packet must be dropped
// (DROP class).
func (w *worker) initExchange() bool {
	x := &w.x
	if x.subnet != nil {
		if cid, ok := w.m.ClientID(); ok && len(cid) > 0 {
			x.cid = cid
		}
		w.hostIdentifiers()
		if x.subnet.cfg.ReservationModes.InSubnet || x.subnet.cfg.ReservationModes.Global {
			w.findReservation()
		}
	}
	// Reserved classes count now when they cannot change with the subnet:
	// a global reservation, or a subnet outside any shared network.
	cur := w.currentHost()
	if (x.ghost != nil && x.subnet != nil && x.subnet.cfg.ReservationModes.Global && len(x.ghost.classes) > 0) ||
		(x.subnet != nil && x.subnet.net == nil && cur != nil && len(cur.classes) > 0) {
		w.removeEvaluated()
		if cur != nil {
			for _, c := range cur.classes {
				w.cls.add(c)
			}
		}
		w.evalClasses(false)
	}
	if len(x.hosts) > 0 || x.ghost != nil {
		w.cls.add(x.v.idxKNOWN)
	} else {
		w.cls.add(x.v.idxUNKNOWN)
	}
	w.evalClasses(true)
	return !w.cls.has(x.v.idxDROP)
}

// hostIdentifiers lists the client's identifiers in the configured order.
func (w *worker) hostIdentifiers() {
	x := &w.x
	x.ids = clientIDs{}
	for _, t := range x.v.idTypes {
		k := idKind(t)
		switch k {
		case 0: // hw-address
			x.ids.add(k, x.hw)
		case 1: // duid: client identifier type 255, IAID, DUID (RFC 4361)
			if len(x.cid) > 5 && x.cid[0] == 255 {
				x.ids.add(k, x.cid[5:])
			}
		case 2: // circuit-id
			if rai, ok := w.m.RelayAgentInfo(); ok {
				if c, ok := rai.CircuitID(); ok {
					x.ids.add(k, c)
				}
			}
		case 3: // client-id
			x.ids.add(k, x.cid)
		case 4: // flex-id: only a host4_identifier callout can produce one
			if w.s.hooks.Enabled(hooks.Host4Identifier) {
				a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query), IDType: string(idKinds[4])}
				if w.s.callHook(x.ctx, hooks.Host4Identifier, a) == hooks.Continue && len(a.IDValue) > 0 {
					k = idKind(idTypeOf(a.IDType))
					if k >= 0 {
						x.ids.add(k, a.IDValue)
					}
				}
			}
		}
	}
}

// findReservation is AllocEngine::findReservation: the global
// reservation, then one per subnet of the shared network the client may
// use.
func (w *worker) findReservation() {
	x := &w.x
	s := x.subnet
	if s.cfg.ReservationModes.Global {
		if h := x.v.globalHosts.find(&x.ids); h != nil {
			x.ghost = h
			if !s.cfg.ReservationModes.InSubnet {
				return
			}
		}
	}
	for c := s; c != nil; c = w.nextSubnet(c, s) {
		if w.supported(c) && c.cfg.ReservationModes.InSubnet {
			if h := c.hosts.find(&x.ids); h != nil {
				x.hosts = append(x.hosts, hostHit{c, h})
			}
		}
	}
}

// currentHost is ClientContext4::currentHost: the reservation in the
// current subnet, else the global one.
func (w *worker) currentHost() *host4 {
	x := &w.x
	if x.subnet == nil {
		return nil
	}
	if x.subnet.cfg.ReservationModes.InSubnet {
		for _, hh := range x.hosts {
			if hh.subnet == x.subnet {
				return hh.host
			}
		}
	}
	return w.globalHost()
}

func (w *worker) globalHost() *host4 {
	x := &w.x
	if x.subnet != nil && x.subnet.cfg.ReservationModes.Global {
		return x.ghost
	}
	return nil
}

// conditionallySetReservedClasses adds the classes of a subnet
// reservation once a subnet of a shared network is settled (Kea's
// Dhcpv4Exchange::conditionallySetReservedClientClasses).
func (w *worker) conditionallySetReservedClasses() {
	x := &w.x
	if x.subnet == nil || x.subnet.net == nil {
		return
	}
	if h := w.currentHost(); h != nil && h.subnetID != 0 {
		for _, c := range h.classes {
			w.cls.add(c)
		}
	}
}

package dhcp6

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/expr"
	"github.com/leasehold/leasehold/lease"
)

// exchange is the processing of one datagram. A Server keeps a pool of
// them; all the slices are reused from packet to packet.
type exchange struct {
	s    *Server
	v    *view
	ctx  context.Context
	meta PacketMeta

	raw  []byte // the query being processed
	buf  []byte // the reply is built in buf[:0]
	own  []byte // holds a query a hook library changed
	pkt  Packet
	msg  *Message
	now  time.Time
	unix int64

	clientID []byte
	hw       hwAddr
	macBuf   [6]byte
	classes  classSet
	scratch  expr.Scratch
	req      []int

	ids        []hostID
	flexID     []byte
	subnet     *subnet
	hostSubnet *subnet
	hosts      []hostRef

	fake     bool
	reply    MessageType
	changed  bool
	storeErr error

	// Reply content.
	ias       []iaOut
	subs      []subOut
	status    *statusOut
	top       statusOut
	rapid     bool
	allocated []netip.Prefix
	reused    []netip.Prefix // leases sent from the cache, not written
	newLeases []lease.Lease6
	oldLeases []lease.Lease6
	levels    []*optionLevel
	items     []item
	codes     []uint16
	out       []outOption

	vendorEnt  uint32
	vendorIdx  int
	vendorSubs []outOption

	fqdnOut          bool
	fqdnFlags        uint8
	fqdnName         []byte // wire format
	hostname         string
	fqdnFwd, fqdnRev bool

	// Scratch for allocation.
	hints        []hint
	oldScratch   []lease.Lease6
	freshScratch []netip.Prefix
	oneScratch   [1]lease.Lease6
	// cand is the lease createLease builds and extendLease renews, prev
	// the renewed lease as it was: locals would escape (the store and the
	// hook arguments take their addresses) and cost an allocation per
	// SOLICIT, REQUEST and renewal.
	cand, prev  lease.Lease6
	poolList    []*lease.Pool6
	resList     []netip.Prefix
	allocSubnet *subnet
	relayOpts   []byte
	hops        [MaxRelays]RelayHop

	args       hooks.Args
	inClassFn  func(string) bool
	reservedFn func(netip.Prefix) bool
}

// hwAddr is the client's hardware address and where it came from (Kea's
// HWADDR_SOURCE_* bit).
type hwAddr struct {
	addr   []byte
	htype  uint16
	source uint32
}

func newExchange(s *Server) *exchange {
	x := &exchange{s: s}
	x.inClassFn = x.inClass
	x.reservedFn = x.reservedForOther
	return x
}

func (x *exchange) reset(ctx context.Context, req []byte, meta PacketMeta) {
	x.v = x.s.view.Load()
	x.ctx, x.meta, x.raw = ctx, meta, req
	x.msg = nil
	x.now = x.s.now()
	x.unix = x.now.Unix()
	x.clientID = nil
	x.hw = hwAddr{}
	x.ids = x.ids[:0]
	x.subnet, x.hostSubnet = nil, nil
	x.hosts = x.hosts[:0]
	x.fake, x.changed, x.storeErr = false, false, nil
	x.ias, x.subs = x.ias[:0], x.subs[:0]
	x.status, x.rapid = nil, false
	x.allocated, x.reused = x.allocated[:0], x.reused[:0]
	x.newLeases, x.oldLeases = x.newLeases[:0], x.oldLeases[:0]
	x.levels, x.out = x.levels[:0], x.out[:0]
	x.vendorSubs, x.vendorIdx = x.vendorSubs[:0], -1
	x.fqdnOut, x.fqdnName, x.hostname = false, x.fqdnName[:0], ""
	x.fqdnFwd, x.fqdnRev = false, false
	x.classes.reset(len(x.v.classes))
}

// runSafe is run with a last-resort recover: a bug met by one packet drops
// that packet, is counted and logged, and the server goes on.
func (x *exchange) runSafe(ctx context.Context, req []byte, meta PacketMeta, buf []byte) (r Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			x.s.log.Error("packet processing panicked; packet dropped",
				"panic", fmt.Sprint(p), "from", meta.Src, "stack", string(debug.Stack()))
			r, err = Response{}, x.s.counters.drop(DropInternal)
		}
	}()
	return x.run(ctx, req, meta, buf)
}

// run is Kea's processPacket and processDhcp6Query for one datagram.
func (x *exchange) run(ctx context.Context, req []byte, meta PacketMeta, buf []byte) (Response, error) {
	x.reset(ctx, req, meta)
	x.buf = buf
	s := x.s
	c := &s.counters
	c.receivedTotal.Add(1)
	if s.hooks.Enabled(hooks.Buffer6Receive) {
		x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr()}
		if s.hooks.Call(ctx, hooks.Buffer6Receive, &x.args) == hooks.Drop {
			c.received[0].Add(1)
			return Response{}, x.drop(DropHook)
		}
		x.takeQuery(x.args.Query)
	}
	if err := x.pkt.Decode(x.raw); err != nil {
		c.received[0].Add(1)
		return Response{}, x.drop(decodeReason(err))
	}
	x.msg = &x.pkt.Msg
	c.received[typeSlot(x.msg.Type)].Add(1)
	if !x.v.validOptions(&x.pkt) {
		return Response{}, x.drop(DropMalformed)
	}
	if !x.testServerID() {
		return Response{}, x.drop(DropServerID)
	}
	if !x.testUnicast() {
		return Response{}, x.drop(DropUnicast)
	}
	x.classify()
	if s.hooks.Enabled(hooks.Pkt6Receive) {
		x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr()}
		if st := s.hooks.Call(ctx, hooks.Pkt6Receive, &x.args); st == hooks.Skip || st == hooks.Drop {
			return Response{}, x.drop(DropHook)
		}
		if err := x.adoptQuery(x.args.Query); err != nil {
			return Response{}, x.drop(decodeReason(err))
		}
	}
	if r, ok := x.sanityCheck(); !ok {
		return Response{}, x.drop(r)
	}
	if x.inClass("DROP") {
		return Response{}, x.drop(DropClass)
	}
	if data, ok := x.msg.Options.Get(OptClientID); ok {
		x.clientID = data
	}
	x.hw = x.getMAC()
	if x.v.earlyGlobal && !x.earlyGlobalLookup() {
		return Response{}, x.drop(DropClass)
	}
	if r, ok := x.initContext(); !ok {
		return Response{}, x.drop(r)
	}
	reason, ok := x.dispatch()
	if x.storeErr != nil {
		s.allocLog.Error("lease store failed; packet dropped", "type", x.msg.Type.String(), "error", x.storeErr)
		return Response{}, x.drop(DropStore)
	}
	if !ok {
		return Response{}, x.drop(reason)
	}
	return x.finish()
}

// drop counts a datagram that gets no reply and logs it at debug level
// (Kea's bad-packets and packets loggers do the same).
func (x *exchange) drop(r DropReason) error {
	if log := x.s.pktLog; log.Enabled(x.ctx, slog.LevelDebug) {
		t := "unknown"
		if x.msg != nil {
			t = x.msg.Type.String()
		}
		log.LogAttrs(x.ctx, slog.LevelDebug, "packet dropped", slog.String("reason", r.String()),
			slog.String("type", t), slog.String("from", x.meta.Src.String()))
	}
	return x.s.counters.drop(r)
}

// takeQuery makes a query a buffer6_receive callout returned the one to
// decode, copied so the callout's slice is not kept.
func (x *exchange) takeQuery(q []byte) {
	if sameSlice(q, x.raw) {
		return
	}
	x.own = append(x.own[:0], q...)
	x.raw = x.own
}

// adoptQuery takes a query a callout changed after decoding: it is copied,
// decoded and checked again; the classification made so far stays.
func (x *exchange) adoptQuery(q []byte) error {
	if sameSlice(q, x.raw) {
		return nil
	}
	buf := append(make([]byte, 0, len(q)), q...)
	var p Packet
	if err := p.Decode(buf); err != nil {
		x.s.log.Warn("a hook library changed the query into one that does not decode", "error", err)
		return err
	}
	if !x.v.validOptions(&p) {
		x.s.log.Warn("a hook library changed the query into one with malformed options")
		return ErrBadOption
	}
	x.own, x.raw = buf, buf
	x.pkt = p
	x.msg = &x.pkt.Msg
	return nil
}

// decodeReason maps a decoding error to its drop reason.
func decodeReason(err error) DropReason {
	switch {
	case errors.Is(err, ErrTruncated):
		return DropTruncated
	case errors.Is(err, ErrTooManyRelays):
		return DropTooManyRelays
	}
	return DropMalformed
}

// testServerID: a message naming another server is for that server.
func (x *exchange) testServerID() bool {
	id, ok := x.msg.Options.Get(OptServerID)
	return !ok || string(id) == string(x.v.serverID)
}

// testUnicast: SOLICIT, CONFIRM, REBIND and INFORMATION-REQUEST must come
// to the multicast address or through a relay (RFC 8415 section 16);
// Kea drops the others silently rather than answering UseMulticast.
func (x *exchange) testUnicast() bool {
	switch x.msg.Type {
	case Solicit, Confirm, Rebind, InformationRequest:
		return x.pkt.NumRelays > 0 || !x.meta.Dst.IsValid() || x.meta.Dst.IsMulticast()
	}
	return true
}

type requirement uint8

const (
	forbidden requirement = iota
	mandatory
	optional
)

// sanityCheck is Kea's check of client-id and server-id by message type.
func (x *exchange) sanityCheck() (DropReason, bool) {
	var cid, sid requirement
	switch x.msg.Type {
	case Solicit, Rebind, Confirm:
		cid, sid = mandatory, forbidden
	case Request, Renew, Release, Decline:
		cid, sid = mandatory, mandatory
	case InformationRequest:
		cid, sid = optional, optional
	default:
		return DropNotForServer, false
	}
	if !checkDUIDOption(x.msg.Options, OptClientID, cid) || !checkDUIDOption(x.msg.Options, OptServerID, sid) {
		return DropRFCViolation, false
	}
	return 0, true
}

func checkDUIDOption(opts Options, code OptionCode, r requirement) bool {
	n := 0
	var data []byte
	for c, d := range opts.All() {
		if c == code {
			n++
			data = d
		}
	}
	switch {
	case r == mandatory && n != 1, r == optional && n > 1:
		return false
	case r == forbidden:
		// Kea never forbids a client-id; a forbidden server-id must be
		// absent.
		return code == OptClientID || n == 0
	}
	return n == 0 || (len(data) >= minDUIDLen && len(data) <= maxDUIDLen)
}

// initContext selects the subnet, finds the client's reservations and
// finishes classification (Kea's initContext). ok false: drop.
func (x *exchange) initContext() (DropReason, bool) {
	sn, drop := x.selectSubnet()
	if drop {
		return DropHook, false
	}
	x.subnet = sn
	if sn != nil {
		if !x.v.earlyGlobal {
			x.setHostIdentifiers()
		}
		x.findReservations()
	}
	g := x.globalHost()
	cur := x.currentHost()
	if (!x.v.earlyGlobal && g != nil && len(g.cfg.ClientClasses) > 0) ||
		((sn == nil || sn.network == nil) && cur != nil && len(cur.cfg.ClientClasses) > 0) {
		x.removeEvaluatedClasses()
		x.setReservedClasses()
		x.evaluateClasses(false)
	}
	if x.classes.known == 0 {
		if len(x.hosts) > 0 {
			x.classes.known = 1
			x.classes.order = append(x.classes.order, classKNOWN)
		} else {
			x.classes.known = -1
			x.classes.order = append(x.classes.order, classUNKNOWN)
		}
	}
	x.evaluateClasses(true)
	if x.inClass("DROP") {
		return DropClass, false
	}
	return 0, true
}

// logLease logs a lease event at INFO, as Kea's lease logger does.
func (x *exchange) logLease(l *lease.Lease6, msg string) {
	log := x.s.leaseLog
	if !log.Enabled(x.ctx, slog.LevelInfo) {
		return
	}
	log.LogAttrs(x.ctx, slog.LevelInfo, msg,
		slog.String("type", l.Type.String()),
		slog.String("lease", l.Prefix().String()),
		slog.Uint64("iaid", uint64(l.IAID)),
		slog.String("duid", DUID{Raw: l.DUID}.String()),
		slog.Uint64("valid", uint64(l.ValidLifetime)))
}

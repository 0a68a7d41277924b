package dhcp4

import (
	"context"
	"errors"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// ErrParked is returned by Handle when a hook library parked the packet
// (leases4_committed or lease4_offer): its reply, if the library lets it
// go on, is sent later by the running Serve loop.
var ErrParked = errors.New("dhcp4: packet parked by a hook library")

// reasonParked is the worker's way of saying "parked", never counted as a
// drop.
const reasonParked DropReason = 255

// sendReply builds the reply and runs the hook points that come with it:
// lease4_offer for an OFFER, leases4_committed for the answer to a
// REQUEST, then pkt4_send and buffer4_send.
func (w *worker) sendReply(buf []byte) (Reply, DropReason) {
	x := &w.x
	s := w.s
	r := Reply{Type: x.respType}
	w.replyAddressing(&r)
	data, err := w.buildReply(buf, &r)
	if err != nil {
		s.log.Error("cannot build the reply; packet dropped", "type", x.respType, "to", r.Dst, "error", err)
		return w.drop(DropInternal)
	}
	r.Data = data
	r.Sync = x.changed
	sub := x.subnet
	switch {
	case x.typ == Discover && s.hooks.Enabled(hooks.Lease4Offer):
		return w.offerHook(r, sub)
	case x.typ == Request && s.hooks.Enabled(hooks.Leases4Committed):
		return w.committedHook(r, sub)
	}
	return s.finishSend(x.ctx, x.query, w.sendAddr(), sub, r)
}

// finishSend runs pkt4_send and buffer4_send and counts the reply. The
// reply is already encoded, so both points see wire bytes; a callout may
// replace them. qa is where query came from.
func (s *Server) finishSend(ctx context.Context, query []byte, qa hooks.Addressing, sub *subnet4, r Reply) (Reply, DropReason) {
	if s.hooks.Enabled(hooks.Pkt4Send) {
		a := &hooks.Args{Query: query, QueryAddr: qa, Response: r.Data, Subnet4: hookSubnet(sub)}
		if s.callHook(ctx, hooks.Pkt4Send, a) == hooks.Drop {
			s.cnt.drop(DropHook)
			return Reply{}, DropHook
		}
		r.Data = a.Response
	}
	if s.hooks.Enabled(hooks.Buffer4Send) {
		a := &hooks.Args{Response: r.Data}
		if st := s.callHook(ctx, hooks.Buffer4Send, a); st == hooks.Drop || st == hooks.Skip {
			s.cnt.drop(DropHook)
			return Reply{}, DropHook
		}
		r.Data = a.Response
	}
	s.cnt.sentTotal.Add(1)
	s.cnt.sent[typeIndex(r.Type)].Add(1)
	if r.Type == Nak {
		s.cnt.naks.Add(1)
	}
	return r, dropNone
}

// parkedReply is what a parked packet needs to be finished on another
// goroutine: copies, since the worker moves on.
type parkedReply struct {
	s     *Server
	query []byte
	qa    hooks.Addressing
	sub   *subnet4
	r     Reply
	offer *lease.Lease4 // the offered lease, for lease4_offer's address-in-use
}

func (w *worker) park(r Reply, sub *subnet4) *parkedReply {
	r.Data = cloneBytes(r.Data)
	r.HWAddr = cloneBytes(r.HWAddr)
	p := &parkedReply{s: w.s, query: cloneBytes(w.x.query), qa: w.queryAddr(w.x.query), sub: sub, r: r}
	if w.x.haveLease {
		p.offer = hookLease(&w.x.lease)
	}
	return p
}

// committedHook runs leases4_committed, which may drop the reply or park
// it until the library resumes it.
func (w *worker) committedHook(r Reply, sub *subnet4) (Reply, DropReason) {
	x := &w.x
	s := w.s
	mayPark := s.hooks.MayPark(hooks.Leases4Committed)
	a := w.committedArgs(r.Data, mayPark)
	var done func(hooks.NextStep, *hooks.Args)
	if mayPark { // observe-only callouts alone cannot park: no copies then
		p := w.park(r, sub)
		done = func(step hooks.NextStep, _ *hooks.Args) { p.resume(step, false) }
	}
	s.cnt.hookCalls.Add(1)
	st := s.hooks.CallParkable(x.ctx, hooks.Leases4Committed, a, done)
	switch st {
	case hooks.Drop:
		return w.drop(DropHook)
	case hooks.Park:
		s.cnt.parked.Add(1)
		return Reply{}, reasonParked
	}
	return s.finishSend(x.ctx, x.query, w.sendAddr(), sub, r)
}

// offerHook runs lease4_offer (Kea 3's point, for ping checks): a callout
// may drop the OFFER, park it, or report the address in use, which
// declines it instead of offering it.
func (w *worker) offerHook(r Reply, sub *subnet4) (Reply, DropReason) {
	x := &w.x
	s := w.s
	a := &hooks.Args{Query: cloneBytes(x.query), QueryAddr: w.queryAddr(x.query), Response: cloneBytes(r.Data), Leases4: []lease.Lease4{},
		Host: hookHost(x.host)}
	if x.haveLease {
		a.Leases4 = append(a.Leases4, *hookLease(&x.lease))
	}
	if x.haveOld {
		a.OldLease4 = hookLease(&x.old)
	}
	p := w.park(r, sub)
	s.cnt.hookCalls.Add(1)
	st := s.hooks.CallParkable(x.ctx, hooks.Lease4Offer, a, func(step hooks.NextStep, a *hooks.Args) {
		p.resume(step, a != nil && a.OfferAddressInUse)
	})
	switch st {
	case hooks.Drop:
		return w.drop(DropHook)
	case hooks.Park:
		s.cnt.parked.Add(1)
		return Reply{}, reasonParked
	}
	if a.OfferAddressInUse && p.offer != nil {
		s.serverDecline(x.ctx, p.query, p.qa, p.offer)
		return w.drop(DropAddressInUse)
	}
	return s.finishSend(x.ctx, x.query, w.sendAddr(), sub, r)
}

// resume finishes a parked packet once its library lets it go.
func (p *parkedReply) resume(step hooks.NextStep, inUse bool) {
	s := p.s
	ctx := context.Background()
	if step != hooks.Continue {
		s.cnt.drop(DropHook)
		return
	}
	if inUse && p.offer != nil {
		s.serverDecline(ctx, p.query, p.qa, p.offer)
		s.cnt.drop(DropAddressInUse)
		return
	}
	r, reason := s.finishSend(ctx, p.query, p.qa, p.sub, p.r)
	if reason != dropNone {
		return
	}
	s.sendLate(ctx, &r)
}

// sendLate sends a reply finished after its batch: the lease is synced
// first, as for any reply that promises one.
func (s *Server) sendLate(ctx context.Context, r *Reply) {
	if r.Sync {
		if err := s.store.Sync(ctx); err != nil {
			s.cnt.drop(DropSyncFailed)
			s.log.Error("lease sync failed; parked reply not sent", "error", err)
			return
		}
	}
	s.mu.Lock()
	late := s.late
	s.mu.Unlock()
	if late == nil {
		s.pktLog.Debug("parked reply resumed but the server is not serving; not sent", "to", r.Dst)
		return
	}
	late(r)
}

// serverDecline marks an address a hook found in use as declined, and
// tells lease4_server_decline. qa is where query came from.
func (s *Server) serverDecline(ctx context.Context, query []byte, qa hooks.Addressing, offered *lease.Lease4) {
	v := s.view.Load()
	d := *offered
	d.HWAddr, d.ClientID, d.Hostname = nil, nil, ""
	d.FQDNFwd, d.FQDNRev = false, false
	d.CLTT = s.now().Unix()
	d.State = lease.StateDeclined
	d.ValidLifetime = v.cfg.DeclineProbationPeriod
	s.leaseMu.RLock()
	err := s.store.Add4(ctx, &d)
	if errors.Is(err, lease.ErrExists) {
		err = s.store.Update4(ctx, &d)
	}
	s.leaseMu.RUnlock()
	if err != nil {
		s.log.Error("cannot decline an address found in use", "address", d.Addr, "error", err)
		return
	}
	s.cnt.declined.Add(1)
	s.syncAfter(ctx, 1)
	s.leaseLog.Info("offered address found in use; declined", "address", d.Addr, "probation", d.ValidLifetime)
	if s.hooks.Enabled(hooks.Lease4ServerDecline) {
		s.callHook(ctx, hooks.Lease4ServerDecline, &hooks.Args{Query: query, QueryAddr: qa, Lease4: hookLease(&d)})
	}
}

package dhcp6

import (
	"context"
	"log/slog"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// finish builds the reply and runs the last hook points:
// leases6_committed (for a message that commits leases: not for an
// ADVERTISE, a CONFIRM or an INFORMATION-REQUEST), pkt6_send and
// buffer6_send.
func (x *exchange) finish() (Response, error) {
	s := x.s
	c := &s.counters
	if x.msg.Type == InformationRequest {
		x.conditionallySetReservedClasses()
	}
	x.processRSOO()
	data, items, err := x.build(x.buf[:0], x.items)
	x.items = items
	if err != nil {
		s.log.Error("cannot encode the reply; packet dropped", "type", x.reply.String(), "error", err)
		return Response{}, x.drop(DropBuild)
	}
	r := Response{Data: data, Type: x.reply, Dst: x.destination(), IfIndex: x.meta.IfIndex, Sync: x.changed}
	var sub *hooks.Subnet6
	if x.subnet != nil {
		sub = x.subnet.hook
	}
	commits := !x.fake && x.msg.Type != Confirm && x.msg.Type != InformationRequest
	if commits && s.hooks.Enabled(hooks.Leases6Committed) {
		// The callouts see the leases as the store has them, before the
		// batch's sync, as in DHCPv4 (Kea's memfile does not sync at
		// all); the reply still waits for the sync: with its batch, or,
		// parked, in resumeParked.
		a := &hooks.Args{Query: x.raw, QueryAddr: x.queryAddr(), Response: data, Leases6: nonNil(x.committed()), DeletedLeases6: nonNil(x.deleted())}
		var done func(hooks.NextStep, *hooks.Args)
		if s.hooks.MayPark(hooks.Leases6Committed) {
			// A parked packet must outlive this call: the caller reuses
			// its buffers. Observe-only callouts alone cannot park, and
			// take what they need during the call.
			a = a.Clone()
			deliver := x.meta.Deliver
			pending := r
			pending.Data = append([]byte(nil), data...)
			done = func(step hooks.NextStep, a *hooks.Args) { s.resumeParked(step, a, pending, sub, deliver) }
		}
		switch s.hooks.CallParkable(x.ctx, hooks.Leases6Committed, a, done) {
		case hooks.Drop:
			return Response{}, x.drop(DropHook)
		case hooks.Park:
			c.parked.Add(1)
			return Response{}, ErrParked
		}
	}
	r, ok := s.sendHooks(x.ctx, x.raw, x.queryAddr(), r, sub, &x.args)
	if !ok {
		return Response{}, x.drop(DropHook)
	}
	c.sent[typeSlot(r.Type)].Add(1)
	c.sentTotal.Add(1)
	return r, nil
}

// committed lists the leases the message wrote (leases6_committed's
// leases6): those sent from the lease cache were not.
func (x *exchange) committed() []lease.Lease6 {
	if len(x.reused) == 0 {
		return x.newLeases
	}
	var out []lease.Lease6
	for _, l := range x.newLeases {
		if !x.isReused(l.Prefix()) {
			out = append(out, l)
		}
	}
	return out
}

// deleted lists the leases the message took away from the client that
// it did not give back (leases6_committed's deleted_leases6).
func (x *exchange) deleted() []lease.Lease6 {
	out := x.oldLeases[:0:0]
	for _, o := range x.oldLeases {
		kept := false
		for _, n := range x.newLeases {
			if n.Addr == o.Addr && n.PrefixLen == o.PrefixLen {
				kept = true
				break
			}
		}
		if !kept {
			out = append(out, o)
		}
	}
	return out
}

func nonNil(ls []lease.Lease6) []lease.Lease6 {
	if ls == nil {
		return []lease.Lease6{}
	}
	return ls
}

// sendHooks runs pkt6_send and buffer6_send. A callout's changed reply is
// taken when it still decodes as a DHCPv6 message; ok false: a callout
// dropped the reply. qa is where query came from.
func (s *Server) sendHooks(ctx context.Context, query []byte, qa hooks.Addressing, r Response, sub *hooks.Subnet6, a *hooks.Args) (Response, bool) {
	if s.hooks.Enabled(hooks.Pkt6Send) {
		*a = hooks.Args{Query: query, QueryAddr: qa, Response: r.Data, Subnet6: sub}
		if s.hooks.Call(ctx, hooks.Pkt6Send, a) == hooks.Drop {
			return r, false
		}
		r = s.takeResponse(r, a.Response)
	}
	if s.hooks.Enabled(hooks.Buffer6Send) {
		*a = hooks.Args{Response: r.Data}
		if st := s.hooks.Call(ctx, hooks.Buffer6Send, a); st == hooks.Skip || st == hooks.Drop {
			return r, false
		}
		r = s.takeResponse(r, a.Response)
	}
	return r, true
}

func (s *Server) takeResponse(r Response, resp []byte) Response {
	if sameSlice(resp, r.Data) {
		return r
	}
	var p Packet
	if err := p.Decode(resp); err != nil {
		s.log.Warn("a hook library changed the reply into one that does not decode; the server's reply is sent", "error", err)
		return r
	}
	r.Data = append(r.Data[:0], resp...)
	r.Type = p.Msg.Type
	return r
}

// resumeParked finishes a reply a leases6_committed callout parked, once
// it is resumed.
func (s *Server) resumeParked(step hooks.NextStep, a *hooks.Args, r Response, sub *hooks.Subnet6, deliver func(Response)) {
	c := &s.counters
	if step != hooks.Continue {
		c.drop(DropHook)
		return
	}
	var args hooks.Args
	r, ok := s.sendHooks(context.Background(), a.Query, a.QueryAddr, r, sub, &args)
	if !ok {
		c.drop(DropHook)
		return
	}
	if deliver == nil {
		deliver = s.lateSender()
	}
	if deliver == nil {
		s.log.LogAttrs(context.Background(), slog.LevelWarn, "a parked reply was resumed but there is no socket to send it on; dropped")
		c.drop(DropSend)
		return
	}
	if r.Sync { // its batch went without it: the lease is made durable here
		if err := s.store.Sync(context.Background()); err != nil {
			s.log.Error("lease store sync failed; parked reply not sent", "error", err)
			c.drop(DropSync)
			return
		}
		r.Sync = false
	}
	c.sent[typeSlot(r.Type)].Add(1)
	c.sentTotal.Add(1)
	deliver(r)
}

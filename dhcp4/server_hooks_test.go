package dhcp4

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// recorder registers synchronous callouts at every DHCPv4 point, records
// the calls and answers with the step set for a point.
type recorder struct {
	mu    sync.Mutex
	calls []hookCall
	steps map[hooks.Point]hooks.NextStep
	edit  func(hooks.Point, *hooks.Args)
}

type hookCall struct {
	p hooks.Point
	a *hooks.Args
}

func newRecorder() *recorder { return &recorder{steps: map[hooks.Point]hooks.NextStep{}} }

func (r *recorder) lib() *hookLib {
	var pts []hooks.Point
	for _, p := range hooks.Points() {
		if !p.V6() && p != hooks.Dhcp4SrvConfigured {
			pts = append(pts, p)
		}
	}
	return syncLib(func(p hooks.Point, a *hooks.Args) hooks.NextStep {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls = append(r.calls, hookCall{p, a.Clone()})
		if r.edit != nil {
			r.edit(p, a)
		}
		return r.steps[p]
	}, pts...)
}

func (r *recorder) points() []hooks.Point {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hooks.Point
	for _, c := range r.calls {
		out = append(out, c.p)
	}
	return out
}

func (r *recorder) last(p hooks.Point) *hooks.Args {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.calls) - 1; i >= 0; i-- {
		if r.calls[i].p == p {
			return r.calls[i].a
		}
	}
	return nil
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
}

func TestHookPointsOfDORA(t *testing.T) {
	rec := newRecorder()
	h := newHarness(t, hBasic, withHooks(t, rec.lib()))
	r, err := h.send(client{typ: Discover, mac: mac(1)})
	offer := h.reply(r, err, Offer)
	want := []hooks.Point{hooks.Buffer4Receive, hooks.Pkt4Receive, hooks.Subnet4Select, hooks.Lease4Select,
		hooks.Lease4Offer, hooks.Pkt4Send, hooks.Buffer4Send}
	if got := rec.points(); !slices.Equal(got, want) {
		t.Errorf("DISCOVER points %v, want %v", got, want)
	}
	sel := rec.last(hooks.Lease4Select)
	if !sel.FakeAllocation || sel.Lease4 == nil || sel.Lease4.Addr != offer.YIAddr || sel.Subnet4 == nil || sel.Subnet4.ID != 1 {
		t.Errorf("lease4_select args: fake %v lease %+v subnet %+v", sel.FakeAllocation, sel.Lease4, sel.Subnet4)
	}
	ss := rec.last(hooks.Subnet4Select)
	if ss.Subnet4 == nil || ss.Subnet4.ID != 1 || len(ss.Subnets4) != 1 || len(ss.Query) == 0 {
		t.Errorf("subnet4_select args %+v", ss)
	}
	if ps := rec.last(hooks.Pkt4Send); len(ps.Response) == 0 || len(ps.Query) == 0 {
		t.Error("pkt4_send without query or response")
	}
	rec.reset()
	r, err = h.send(client{typ: Request, mac: mac(1), reqIP: offer.YIAddr, srvID: hSrvAddr})
	h.reply(r, err, Ack)
	want = []hooks.Point{hooks.Buffer4Receive, hooks.Pkt4Receive, hooks.Subnet4Select, hooks.Lease4Select,
		hooks.Leases4Committed, hooks.Pkt4Send, hooks.Buffer4Send}
	if got := rec.points(); !slices.Equal(got, want) {
		t.Errorf("REQUEST points %v, want %v", got, want)
	}
	lc := rec.last(hooks.Leases4Committed)
	if len(lc.Leases4) != 1 || lc.Leases4[0].Addr != offer.YIAddr || len(lc.DeletedLeases4) != 0 || len(lc.Response) == 0 {
		t.Errorf("leases4_committed leases %v deleted %v", lc.Leases4, lc.DeletedLeases4)
	}
	if rec.last(hooks.Lease4Select).FakeAllocation {
		t.Error("lease4_select fake_allocation true for REQUEST")
	}
	// A renewal fires lease4_renew (Kea fires it for a DISCOVER of a client
	// holding a lease too).
	rec.reset()
	h.send(client{typ: Discover, mac: mac(1)})
	if !slices.Contains(rec.points(), hooks.Lease4Renew) {
		t.Errorf("DISCOVER of a client with a lease: %v, want lease4_renew", rec.points())
	}
	rn := rec.last(hooks.Lease4Renew)
	if m1 := mac(1); string(rn.HWAddr) != string(m1[:]) || rn.HWType != 1 || rn.Lease4 == nil {
		t.Errorf("lease4_renew args %+v", rn)
	}
	rec.reset()
	h.send(client{typ: Release, mac: mac(1), ciaddr: offer.YIAddr, srvID: hSrvAddr})
	want = []hooks.Point{hooks.Buffer4Receive, hooks.Pkt4Receive, hooks.Lease4Release, hooks.Leases4Committed}
	if got := rec.points(); !slices.Equal(got, want) {
		t.Errorf("RELEASE points %v, want %v", got, want)
	}
	if lc := rec.last(hooks.Leases4Committed); len(lc.DeletedLeases4) != 1 || len(lc.Leases4) != 0 {
		t.Errorf("leases4_committed for RELEASE: leases %v deleted %v", lc.Leases4, lc.DeletedLeases4)
	}
}

// An observe-only library at leases4_committed cannot park, so the server
// hands it the worker's own query and reply buffers (no copies); the
// observer must still get each exchange's packets, not the next one's
// written over them.
func TestObserverCommittedArgs(t *testing.T) {
	type seen struct{ query, response []byte }
	got := make(chan seen, 4)
	obs := &hookLib{reg: hooks.Registration{hooks.Leases4Committed: hooks.Observe},
		call: func(_ hooks.Point, a *hooks.Args) hooks.NextStep {
			got <- seen{a.Query, a.Response}
			return hooks.Continue
		}}
	h := newHarness(t, hBasic, withHooks(t, obs))
	if h.s.hooks.MayPark(hooks.Leases4Committed) {
		t.Fatal("an observer alone may park")
	}
	buf := make([]byte, 0, 1500)
	var queries, acks [][]byte
	for i := range 2 {
		m := mac(byte(10 + i))
		r, err := h.s.Handle(context.Background(), client{typ: Discover, mac: m}.bytes(t), h.meta, buf)
		offer := h.reply(r, err, Offer)
		q := client{typ: Request, mac: m, reqIP: offer.YIAddr, srvID: hSrvAddr}.bytes(t)
		r, err = h.s.Handle(context.Background(), q, h.meta, buf)
		h.reply(r, err, Ack)
		queries, acks = append(queries, append([]byte(nil), q...)), append(acks, append([]byte(nil), r.Data...))
		for j := range q {
			q[j] = 0 // the caller reuses its query buffer too
		}
	}
	for i := range 2 {
		select {
		case s := <-got:
			if !bytes.Equal(s.query, queries[i]) || !bytes.Equal(s.response, acks[i]) {
				t.Errorf("exchange %d: the observer got another query or reply", i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("exchange %d never observed", i)
		}
	}
}

func TestHookNextSteps(t *testing.T) {
	tests := []struct {
		name  string
		point hooks.Point
		step  hooks.NextStep
		edit  func(hooks.Point, *hooks.Args)
		check func(t *testing.T, h *harness)
	}{
		{name: "buffer4_receive drop", point: hooks.Buffer4Receive, step: hooks.Drop, check: discoverDropped(DropHook)},
		{name: "pkt4_receive skip drops", point: hooks.Pkt4Receive, step: hooks.Skip, check: discoverDropped(DropHook)},
		{name: "subnet4_select drop", point: hooks.Subnet4Select, step: hooks.Drop, check: discoverDropped(DropHook)},
		{name: "subnet4_select skip: no subnet", point: hooks.Subnet4Select, step: hooks.Skip, check: discoverDropped(DropNoSubnet)},
		{name: "subnet4_select picks another subnet", point: hooks.Subnet4Select,
			edit: func(p hooks.Point, a *hooks.Args) {
				if p == hooks.Subnet4Select {
					a.Subnet4 = &a.Subnets4[1]
				}
			},
			check: func(t *testing.T, h *harness) {
				r, err := h.send(client{typ: Discover, mac: mac(1)})
				if m := h.reply(r, err, Offer); !strings.HasPrefix(m.YIAddr.String(), "198.51.100.") {
					t.Errorf("offered %v, want an address of the subnet the callout chose", m.YIAddr)
				}
			}},
		{name: "lease4_select skip: no offer", point: hooks.Lease4Select, step: hooks.Skip, check: discoverDropped(DropHook)},
		{name: "lease4_select skip on REQUEST: NAK, nothing stored", point: hooks.Lease4Select, step: hooks.Skip,
			check: func(t *testing.T, h *harness) {
				r, err := h.send(client{typ: Request, mac: mac(1), reqIP: hAddr10, srvID: hSrvAddr})
				h.reply(r, err, Nak)
				if h.store.Len4() != 0 {
					t.Error("lease stored after SKIP")
				}
			}},
		{name: "lease4_offer drop", point: hooks.Lease4Offer, step: hooks.Drop, check: discoverDropped(DropHook)},
		{name: "lease4_offer address in use: declined", point: hooks.Lease4Offer,
			edit: func(p hooks.Point, a *hooks.Args) {
				if p == hooks.Lease4Offer {
					a.OfferAddressInUse = true
				}
			},
			check: func(t *testing.T, h *harness) {
				discoverDropped(DropAddressInUse)(t, h)
				l, err := h.store.Get4(t.Context(), hAddr10)
				if err != nil || l.State != lease.StateDeclined {
					t.Errorf("address found in use not declined: %+v %v", l, err)
				}
			}},
		{name: "leases4_committed drop", point: hooks.Leases4Committed, step: hooks.Drop,
			check: func(t *testing.T, h *harness) {
				r, err := h.send(client{typ: Request, mac: mac(1), reqIP: hAddr10, srvID: hSrvAddr})
				wantDrop(t, r, err, DropHook)
				if _, err := h.store.Get4(t.Context(), hAddr10); err != nil {
					t.Error("the lease must stay written: Kea drops only the reply")
				}
			}},
		{name: "pkt4_send changes the reply", point: hooks.Pkt4Send,
			edit: func(p hooks.Point, a *hooks.Args) {
				if p == hooks.Pkt4Send {
					resp := append([]byte(nil), a.Response...)
					copy(resp[20:24], []byte{192, 0, 2, 69}) // siaddr
					a.Response = resp
				}
			},
			check: func(t *testing.T, h *harness) {
				r, err := h.send(client{typ: Discover, mac: mac(1)})
				if m := h.reply(r, err, Offer); m.SIAddr.String() != "192.0.2.69" {
					t.Error("pkt4_send change not applied")
				}
			}},
		{name: "pkt4_send drop", point: hooks.Pkt4Send, step: hooks.Drop, check: discoverDropped(DropHook)},
		{name: "buffer4_send skip: not sent", point: hooks.Buffer4Send, step: hooks.Skip, check: discoverDropped(DropHook)},
		{name: "lease4_release skip: lease kept", point: hooks.Lease4Release, step: hooks.Skip,
			check: func(t *testing.T, h *harness) {
				_, ack := h.dora(client{mac: mac(1)})
				h.send(client{typ: Release, mac: mac(1), ciaddr: ack.YIAddr})
				if _, err := h.store.Get4(t.Context(), ack.YIAddr); err != nil {
					t.Error("released despite SKIP")
				}
			}},
		{name: "lease4_decline skip: not declined", point: hooks.Lease4Decline, step: hooks.Skip,
			check: func(t *testing.T, h *harness) {
				_, ack := h.dora(client{mac: mac(1)})
				h.send(client{typ: Decline, mac: mac(1), reqIP: ack.YIAddr})
				if l, _ := h.store.Get4(t.Context(), ack.YIAddr); l.State != lease.StateDefault {
					t.Error("declined despite SKIP")
				}
			}},
		{name: "lease4_renew skip: lease not updated", point: hooks.Lease4Renew, step: hooks.Skip,
			check: func(t *testing.T, h *harness) {
				_, ack := h.dora(client{mac: mac(1)})
				before, _ := h.store.Get4(t.Context(), ack.YIAddr)
				h.now = h.now.Add(100 * time.Second)
				r, err := h.send(client{typ: Request, mac: mac(1), ciaddr: ack.YIAddr})
				h.reply(r, err, Ack)
				if after, _ := h.store.Get4(t.Context(), ack.YIAddr); after.CLTT != before.CLTT {
					t.Error("lease renewed despite SKIP")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			rec.steps[tt.point] = tt.step
			rec.edit = tt.edit
			cfg := hBasic
			if tt.edit != nil && tt.point == hooks.Subnet4Select {
				cfg = hBasic[:strings.LastIndex(hBasic, "]")] + `,
					{"id": 2, "subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.10 - 198.51.100.19"}]}]`
			}
			h := newHarness(t, cfg, withHooks(t, rec.lib()))
			tt.check(t, h)
		})
	}
}

func discoverDropped(reason DropReason) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		t.Helper()
		r, err := h.send(client{typ: Discover, mac: mac(1)})
		wantDrop(t, r, err, reason)
	}
}

func TestReclaimHooks(t *testing.T) {
	rec := newRecorder()
	h := newHarness(t, hBasic+`, "decline-probation-period": 100`, withHooks(t, rec.lib()))
	_, a1 := h.dora(client{mac: mac(1)})
	_, a2 := h.dora(client{mac: mac(2)})
	h.send(client{typ: Decline, mac: mac(2), reqIP: a2.YIAddr})
	rec.reset()
	h.now = h.now.Add(5000 * time.Second)
	if n, _, err := h.s.reclaimExpired(t.Context(), h.now); err != nil || n != 2 {
		t.Fatalf("reclaimed %d, %v", n, err)
	}
	got := rec.points()
	// Oldest first: the declined lease (probation 100 s) expires, then is
	// recovered; then the other lease expires.
	want := []hooks.Point{hooks.Lease4Expire, hooks.Lease4Recover, hooks.Lease4Expire}
	if !slices.Equal(got, want) {
		t.Fatalf("points %v, want %v", got, want)
	}
	if a := rec.calls[1].a; a.Lease4 == nil || a.Lease4.Addr != a2.YIAddr || a.Lease4.State != lease.StateDeclined {
		t.Errorf("lease4_recover lease %+v", a.Lease4)
	}
	exp := rec.calls[2].a
	if exp.Lease4 == nil || exp.Lease4.Addr != a1.YIAddr || exp.RemoveLease || string(exp.Lease4.HWAddr) == "" {
		t.Errorf("lease4_expire args lease %+v remove %v", exp.Lease4, exp.RemoveLease)
	}
}

// A lease4_expire callout that SKIPs has reclaimed the lease itself: the
// server leaves it alone.
func TestReclaimExpireSkip(t *testing.T) {
	rec := newRecorder()
	rec.steps[hooks.Lease4Expire] = hooks.Skip
	h := newHarness(t, hBasic, withHooks(t, rec.lib()))
	_, ack := h.dora(client{mac: mac(1)})
	h.now = h.now.Add(5000 * time.Second)
	h.s.reclaimExpired(t.Context(), h.now)
	if l, _ := h.store.Get4(t.Context(), ack.YIAddr); l.State != lease.StateDefault {
		t.Errorf("state %v after SKIP", l.State)
	}
}

func TestSrvConfiguredDrop(t *testing.T) {
	lib := syncLib(func(_ hooks.Point, a *hooks.Args) hooks.NextStep {
		a.Error = "not today"
		return hooks.Drop
	}, hooks.Dhcp4SrvConfigured)
	store, _ := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	defer store.Close()
	o := ServerOptions{Store: store}
	withHooks(t, lib)(&o)
	_, err := NewServer(hConfig(t, hBasic), o)
	if err == nil || !strings.Contains(err.Error(), "not today") {
		t.Errorf("NewServer = %v, want the callout's error", err)
	}
}

// Without libraries a hook point costs nothing; with a nil manager the
// server runs.
func TestNoHooksManager(t *testing.T) {
	h := newHarness(t, hBasic)
	if h.s.hooks != nil {
		t.Fatal("expected no manager")
	}
	h.dora(client{mac: mac(1)})
	if c := h.s.Counters(); c.HookCalls != 0 {
		t.Errorf("hook calls %d without libraries", c.HookCalls)
	}
}

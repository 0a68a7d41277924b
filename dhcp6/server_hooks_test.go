package dhcp6

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// TestHookPoints checks that each DHCPv6 point fires where Kea fires it,
// with Kea's arguments, and that the server honours the next steps.
func TestHookPoints(t *testing.T) {
	d := duidLL(1)
	sol := srvMsg(Solicit, 1, d, []opt{withNA(1)})
	tests := []struct {
		name  string
		point hooks.Point
		step  hooks.NextStep
		edit  func(*hooks.Args)
		cfg   string
		run   func(t *testing.T, ts *tsrv, rec *recorder)
	}{
		{"order of a REQUEST", hooks.Pkt6Receive, hooks.Continue, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.ask(srvMsg(Request, 1, d, []opt{withServerID(ts.sid()), withNA(1)}), tsDirect)
			want := []hooks.Point{hooks.Buffer6Receive, hooks.Pkt6Receive, hooks.Subnet6Select, hooks.Lease6Select,
				hooks.Leases6Committed, hooks.Pkt6Send, hooks.Buffer6Send}
			if got := rec.order(); !slices.Equal(got, want) {
				t.Fatalf("points fired %v; want %v", got, want)
			}
		}},
		{"buffer6_receive drop", hooks.Buffer6Receive, hooks.Drop, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.dropped(sol, tsDirect, DropHook)
			if a := rec.of(hooks.Buffer6Receive); len(a) != 1 || string(a[0].Query) != string(sol) {
				t.Fatal("buffer6_receive did not get the datagram")
			}
		}},
		{"buffer6_receive changes the query", hooks.Buffer6Receive, hooks.Skip, func(a *hooks.Args) {
			a.Query = srvMsg(Solicit, 1, duidLL(9), []opt{withNA(4)})
		}, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			p := ts.ask(sol, tsDirect)
			requireHas(t, p, "CLIENTID=00030001020000000509", "IA_NA(4 ")
		}},
		{"pkt6_receive skip", hooks.Pkt6Receive, hooks.Skip, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.dropped(sol, tsDirect, DropHook)
		}},
		{"subnet6_select args", hooks.Subnet6Select, hooks.Continue, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.ask(sol, tsDirect)
			a := rec.of(hooks.Subnet6Select)[0]
			if a.Subnet6 == nil || a.Subnet6.ID != 1 || len(a.Subnets6) != 2 || len(a.Subnet6.Pools) != 1 || len(a.Subnet6.PDPools) != 1 {
				t.Fatalf("subnet6_select args %+v", a)
			}
		}},
		{"subnet6_select picks another", hooks.Subnet6Select, hooks.Continue, func(a *hooks.Args) {
			a.Subnet6 = &a.Subnets6[1]
		}, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			requireHas(t, ts.ask(sol, tsDirect), "IAADDR(2001:db8:2::100 ")
		}},
		{"subnet6_select skip", hooks.Subnet6Select, hooks.Skip, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			requireHas(t, ts.ask(sol, tsDirect), "STATUS(NoAddrsAvail)")
		}},
		{"subnet6_select drop", hooks.Subnet6Select, hooks.Drop, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.dropped(sol, tsDirect, DropHook)
		}},
		{"lease6_select args and skip", hooks.Lease6Select, hooks.Skip, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			requireHas(t, ts.ask(sol, tsDirect), "STATUS(NoAddrsAvail)")
			ts.ask(srvMsg(Request, 2, d, []opt{withServerID(ts.sid()), withNA(1)}), tsDirect)
			calls := rec.of(hooks.Lease6Select)
			if len(calls) != 2 || !calls[0].FakeAllocation || calls[1].FakeAllocation || calls[0].Subnet6.ID != 1 ||
				calls[0].Lease6.Addr.String() != "2001:db8:1::100" || string(calls[0].Query) != string(sol) {
				t.Fatalf("lease6_select calls %+v", calls)
			}
			if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); ok {
				t.Error("a skipped lease was stored")
			}
		}},
		{"lease6_select changes the lease", hooks.Lease6Select, hooks.Continue, func(a *hooks.Args) {
			a.Lease6.ValidLifetime, a.Lease6.PreferredLifetime = 777, 555
		}, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			requireHas(t, ts.sarr(d, tsDirect, withNA(1)), "IAADDR(2001:db8:1::100 555/777 )")
			if l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100"); l.ValidLifetime != 777 {
				t.Errorf("stored valid lifetime %d", l.ValidLifetime)
			}
		}},
		{"lease6_renew skip keeps the lease", hooks.Lease6Renew, hooks.Skip, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			rep := ts.sarr(d, tsDirect, withNA(1))
			ts.advance(time.Hour)
			ts.ask(srvMsg(Renew, 3, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			a := rec.of(hooks.Lease6Renew)
			if len(a) != 1 || a[0].Lease6.Addr.String() != "2001:db8:1::100" || !validIA(OptIANA, a[0].IA) {
				t.Fatalf("lease6_renew args %+v", a)
			}
			if l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100"); l.CLTT == ts.now.Unix() {
				t.Error("a skipped renewal updated the lease")
			}
		}},
		{"lease6_rebind replaces the IA", hooks.Lease6Rebind, hooks.Continue, func(a *hooks.Args) {
			var b Builder
			b.AddIANA(1, 11, 22)
			b.AddIAAddr(a.Lease6.Addr, 33, 44)
			b.EndOption()
			a.IA, _ = b.Finish()
		}, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			rep := ts.sarr(d, tsDirect, withNA(1))
			p := ts.ask(srvMsg(Rebind, 3, d, []opt{withIAs(rep.Msg.Options)}), tsDirect)
			requireHas(t, p, "IA_NA(1 t1=11 t2=22 IAADDR(2001:db8:1::100 33/44 ) )")
			if len(rec.of(hooks.Lease6Renew)) != 0 {
				t.Error("lease6_renew fired for a REBIND")
			}
		}},
		{"lease6_release skip", hooks.Lease6Release, hooks.Skip, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			rep := ts.sarr(d, tsDirect, withNA(1))
			p := ts.ask(srvMsg(Release, 3, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			requireHas(t, p, "STATUS(UnspecFail)")
			if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); !ok {
				t.Error("a release a callout skipped removed the lease")
			}
		}},
		{"lease6_decline drop", hooks.Lease6Decline, hooks.Drop, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			rep := ts.sarr(d, tsDirect, withNA(1))
			ts.dropped(srvMsg(Decline, 3, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect, DropHook)
			if l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100"); l.State != lease.StateDefault {
				t.Error("a dropped decline declined the lease")
			}
		}},
		{"lease6_decline skip", hooks.Lease6Decline, hooks.Skip, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			rep := ts.sarr(d, tsDirect, withNA(1))
			p := ts.ask(srvMsg(Decline, 3, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			requireLacks(t, p, "STATUS")
			if l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100"); l.State != lease.StateDefault {
				t.Error("a skipped decline declined the lease")
			}
		}},
		{"leases6_committed args", hooks.Leases6Committed, hooks.Continue, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			rep := ts.sarr(d, tsDirect, withNA(1))
			ts.ask(srvMsg(Release, 3, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			ts.ask(srvMsg(Confirm, 4, d, []opt{withNA(1, "2001:db8:1::100")}), tsDirect)
			calls := rec.of(hooks.Leases6Committed)
			if len(calls) != 2 {
				t.Fatalf("%d calls; want REQUEST and RELEASE only", len(calls))
			}
			if len(calls[0].Leases6) != 1 || len(calls[0].DeletedLeases6) != 0 || len(calls[0].Response) == 0 {
				t.Errorf("REQUEST: leases %d deleted %d", len(calls[0].Leases6), len(calls[0].DeletedLeases6))
			}
			if calls[1].Leases6 == nil || len(calls[1].Leases6) != 0 || len(calls[1].DeletedLeases6) != 1 {
				t.Errorf("RELEASE: leases %v deleted %d", calls[1].Leases6, len(calls[1].DeletedLeases6))
			}
		}},
		{"leases6_committed drop", hooks.Leases6Committed, hooks.Drop, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.dropped(srvMsg(Request, 2, d, []opt{withServerID(ts.sid()), withNA(1)}), tsDirect, DropHook)
		}},
		{"pkt6_send drop", hooks.Pkt6Send, hooks.Drop, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.dropped(sol, tsDirect, DropHook)
		}},
		{"pkt6_send changes the reply", hooks.Pkt6Send, hooks.Continue, func(a *hooks.Args) {
			a.Response = append(append([]byte(nil), a.Response...), 0, byte(OptInfMaxRT), 0, 4, 0, 0, 1, 0)
		}, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			requireHas(t, ts.ask(sol, tsDirect), "INF_MAX_RT=00000100")
			if a := rec.of(hooks.Pkt6Send); a[0].Subnet6 == nil || a[0].Subnet6.ID != 1 {
				t.Error("pkt6_send has no subnet")
			}
		}},
		{"buffer6_send skip", hooks.Buffer6Send, hooks.Skip, nil, "", func(t *testing.T, ts *tsrv, rec *recorder) {
			ts.dropped(sol, tsDirect, DropHook)
		}},
		{"host6_identifier gives a flex-id", hooks.Host6Identifier, hooks.Continue, func(a *hooks.Args) {
			a.IDValue = []byte("flexy")
		}, `"host-reservation-identifiers": ["flex-id"],`, func(t *testing.T, ts *tsrv, rec *recorder) {
			requireHas(t, ts.ask(sol, tsDirect), "IAADDR(2001:db8:1::9 ")
			if a := rec.of(hooks.Host6Identifier); len(a) != 1 || a[0].IDType != "flex-id" {
				t.Fatalf("host6_identifier calls %+v", a)
			}
			if a := rec.of(hooks.Lease6Select); len(a) != 1 || a[0].Host == nil || a[0].Host.IDType != "flex-id" {
				t.Fatalf("lease6_select has no host: %+v", a)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(tc.point)
			if tc.point == hooks.Host6Identifier {
				rec = newRecorder(hooks.Host6Identifier, hooks.Lease6Select)
			}
			if tc.name == "order of a REQUEST" {
				rec = newRecorder(hooks.Buffer6Receive, hooks.Pkt6Receive, hooks.Subnet6Select, hooks.Lease6Select,
					hooks.Leases6Committed, hooks.Pkt6Send, hooks.Buffer6Send, hooks.Lease6Renew, hooks.Lease6Expire)
			}
			rec.set(tc.point, tc.step, tc.edit)
			cfg := strings.Replace(tsBase, `"option-data"`, tc.cfg+`"option-data"`, 1)
			cfg = strings.Replace(cfg, `"interface": "eth0",`, `"interface": "eth0", "reservations": [{"flex-id": "'flexy'", "ip-addresses": ["2001:db8:1::9"]}],`, 1)
			tc.run(t, newTS(t, cfg, withHooks(rec)), rec)
		})
	}
}

// parker parks every packet at leases6_committed and hands the handles
// to the test.
type parker struct{ handles chan hooks.ParkHandle }

func (p *parker) Load(context.Context, json.RawMessage) (hooks.Registration, error) {
	return hooks.Registration{hooks.Leases6Committed: hooks.Sync}, nil
}

func (p *parker) Callout(_ context.Context, _ hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	p.handles <- a.Park
	return hooks.Park, nil
}

func (p *parker) Unload(context.Context) error { return nil }

// syncCounter counts the store's syncs.
type syncCounter struct {
	lease.Store
	n atomic.Int32
}

func (s *syncCounter) Sync(ctx context.Context) error {
	s.n.Add(1)
	return s.Store.Sync(ctx)
}

// TestParkedReply parks a REPLY at leases6_committed: the callout sees the
// lease in the store before any sync (as in DHCPv4, so that a callout does
// not cost an fsync per packet), and the resumed reply goes out through
// PacketMeta.Deliver only after the store synced.
func TestParkedReply(t *testing.T) {
	pk := &parker{handles: make(chan hooks.ParkHandle, 1)}
	sc := &syncCounter{}
	ts := newTS(t, tsBase, withHooks(pk), func(o *ServerOptions) { sc.Store = o.Store; o.Store = sc })
	type delivery struct {
		r     Response
		syncs int32
	}
	delivered := make(chan delivery, 1)
	meta := tsDirect
	meta.Deliver = func(r Response) { delivered <- delivery{r, sc.n.Load()} }
	_, err := ts.s.Handle(context.Background(), srvMsg(Request, 2, duidLL(1), []opt{withServerID(ts.sid()), withNA(1)}), meta, nil)
	if !errors.Is(err, ErrParked) {
		t.Fatalf("Handle: %v; want ErrParked", err)
	}
	h := <-pk.handles
	if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); !ok {
		t.Fatal("lease not stored before leases6_committed")
	}
	if n := sc.n.Load(); n != 0 {
		t.Errorf("%d syncs before the parked reply was resumed, want none", n)
	}
	if err := h.Resume(hooks.Unpark{Step: hooks.Continue}); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-delivered:
		var p Packet
		if err := p.Decode(d.r.Data); err != nil || p.Msg.Type != Reply {
			t.Fatalf("delivered %v (%v)", p.Msg.Type, err)
		}
		if d.r.Dst.Port() != ClientPort {
			t.Errorf("delivered to %v", d.r.Dst)
		}
		if d.syncs < 1 || d.r.Sync {
			t.Errorf("delivered after %d syncs, still asking for one: %v; want it synced before", d.syncs, d.r.Sync)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("parked reply never delivered")
	}
	if c := ts.s.Counters(); c.ParkedReplies != 1 || c.Sent.Of(Reply) != 1 {
		t.Errorf("parked %d, sent %d", c.ParkedReplies, c.Sent.Of(Reply))
	}

	// Not parked, the reply leaves Handle asking for the sync, as any
	// reply that promises a lease.
	close(pk.handles)
	rec := newRecorder(hooks.Leases6Committed)
	ts2 := newTS(t, tsBase, withHooks(rec))
	r, err := ts2.s.Handle(context.Background(), srvMsg(Request, 3, duidLL(2), []opt{withServerID(ts2.sid()), withNA(1)}), tsDirect, nil)
	if err != nil || !r.Sync || len(rec.of(hooks.Leases6Committed)) != 1 {
		t.Errorf("REPLY with a leases6_committed callout (%d calls): sync %v, error %v; want a sync asked for",
			len(rec.of(hooks.Leases6Committed)), r.Sync, err)
	}
}

// rejecter drops at dhcp6_srv_configured.
type rejecter struct{}

func (rejecter) Load(context.Context, json.RawMessage) (hooks.Registration, error) {
	return hooks.Registration{hooks.Dhcp6SrvConfigured: hooks.Sync}, nil
}

func (rejecter) Callout(_ context.Context, _ hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	a.Error = "not today"
	return hooks.Drop, nil
}

func (rejecter) Unload(context.Context) error { return nil }

// TestSrvConfiguredDrop checks that a dhcp6_srv_configured callout that
// drops fails NewServer and Reconfigure, the old configuration staying.
func TestSrvConfiguredDrop(t *testing.T) {
	var o ServerOptions
	withHooks(rejecter{})(&o)
	defer o.Hooks.Close(context.Background())
	store, _ := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	o.Store = store
	_, err := NewServer(parseCfg(t, tsBase), o)
	if err == nil || !strings.Contains(err.Error(), "not today") {
		t.Fatalf("NewServer: %v", err)
	}
}

package dhcp6

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// TestDeclineProbation declines an address, checks it is held for the
// probation period, and that reclamation afterwards frees it (firing
// lease6_expire and lease6_recover).
func TestDeclineProbation(t *testing.T) {
	rec := newRecorder(hooks.Lease6Decline, hooks.Lease6Expire, hooks.Lease6Recover)
	cfg := strings.Replace(tsBase, "2001:db8:1::100-2001:db8:1::1ff", "2001:db8:1::100-2001:db8:1::100", 1)
	ts := newTS(t, cfg, withHooks(rec))
	rep := ts.sarr(duidLL(1), tsDirect, withNA(1))
	ts.ask(srvMsg(Decline, 3, duidLL(1), []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
	if calls := rec.of(hooks.Lease6Decline); len(calls) != 1 || string(calls[0].Lease6.DUID) != string(duidLL(1)) {
		t.Fatalf("lease6_decline calls %v; want one with the client's lease", calls)
	}
	p := ts.ask(srvMsg(Solicit, 4, duidLL(2), []opt{withNA(1)}), tsDirect)
	requireHas(t, p, "STATUS(NoAddrsAvail)")

	// Not yet: probation is 600 s.
	ts.advance(599 * time.Second)
	res, err := ts.s.ReclaimExpired(context.Background())
	if err != nil || res.Reclaimed != 0 {
		t.Fatalf("reclaimed %+v (%v) during probation", res, err)
	}
	ts.advance(2 * time.Second)
	res, err = ts.s.ReclaimExpired(context.Background())
	if err != nil || res.Reclaimed != 1 || res.Recovered != 1 {
		t.Fatalf("after probation: %+v (%v)", res, err)
	}
	if len(rec.of(hooks.Lease6Expire)) != 1 || len(rec.of(hooks.Lease6Recover)) != 1 {
		t.Errorf("expire/recover calls: %d/%d", len(rec.of(hooks.Lease6Expire)), len(rec.of(hooks.Lease6Recover)))
	}
	if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); ok {
		t.Error("a recovered declined lease is kept; Kea removes it")
	}
	p = ts.ask(srvMsg(Solicit, 5, duidLL(2), []opt{withNA(1)}), tsDirect)
	requireHas(t, p, "IAADDR(2001:db8:1::100 ")
	c := ts.s.Counters()
	if c.LeasesDeclined != 1 || c.DeclinedReclaimed != 1 || c.LeasesReclaimed != 1 {
		t.Errorf("declined %d, declined reclaimed %d, reclaimed %d", c.LeasesDeclined, c.DeclinedReclaimed, c.LeasesReclaimed)
	}
}

// TestReclamation expires leases under a fake clock and reclaims them as
// the expired-leases-processing settings say: marked reclaimed (and later
// flushed), removed at once when flushing is off, in limited batches.
func TestReclamation(t *testing.T) {
	tests := []struct {
		name       string
		elp        string
		wantState  bool // the lease stays, reclaimed
		incomplete bool
	}{
		{"keep reclaimed", `"expired-leases-processing": {"hold-reclaimed-time": 100}`, true, false},
		{"remove at once", `"expired-leases-processing": {"flush-reclaimed-timer-wait-time": 0}`, false, false},
		{"limited pass", `"expired-leases-processing": {"max-reclaim-leases": 2}`, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTS(t, strings.Replace(tsBase, `"decline-probation-period": 600,`, `"decline-probation-period": 600, `+tc.elp+`,`, 1))
			for i := range 3 {
				ts.sarr(duidLL(byte(i)), tsDirect, withNA(1))
			}
			ts.advance(4001 * time.Second)
			res, err := ts.s.ReclaimExpired(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Incomplete != tc.incomplete {
				t.Errorf("incomplete %v, want %v", res.Incomplete, tc.incomplete)
			}
			l, ok := ts.lease(lease.TypeNA, "2001:db8:1::100")
			if ok != tc.wantState || (ok && l.State != lease.StateExpiredReclaimed) {
				t.Fatalf("lease after reclamation: %+v (present %v)", l, ok)
			}
			if !tc.wantState {
				return
			}
			// The client comes back and gets its old address again.
			p := ts.ask(srvMsg(Request, 9, duidLL(0), []opt{withServerID(ts.sid()), withNA(1)}), tsDirect)
			requireHas(t, p, "IAADDR(2001:db8:1::100 ")
			ts.advance(5000 * time.Second)
			if _, err := ts.s.ReclaimExpired(context.Background()); err != nil {
				t.Fatal(err)
			}
			ts.advance(101 * time.Second)
			if _, err := ts.s.FlushReclaimed(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::101"); ok {
				t.Error("a reclaimed lease older than hold-reclaimed-time is not flushed")
			}
		})
	}
}

// TestReclaimLoop runs the timers: with a one-second reclaim timer, an
// expired lease is reclaimed while Serve runs.
func TestReclaimLoop(t *testing.T) {
	ts := newTS(t, strings.Replace(tsBase, `"decline-probation-period": 600,`,
		`"decline-probation-period": 600, "expired-leases-processing": {"reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": 0},`, 1))
	ts.sarr(duidLL(1), tsDirect, withNA(1))
	ts.advance(4001 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ts.s.reclaimLoop(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reclaim timer did not reclaim the expired lease")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
}

// TestReconfigure swaps configurations: leases stay, a lease outside the
// new pools is taken back at renewal (zero lifetimes) and replaced, and a
// configuration that fails leaves the old one in force.
func TestReconfigure(t *testing.T) {
	ts := newTS(t, tsBase)
	rep := ts.sarr(duidLL(1), tsDirect, withNA(1))
	if err := ts.s.Reconfigure(parseCfg(t, strings.Replace(tsBase, "2001:db8:1::100-2001:db8:1::1ff", "2001:db8:1::500-2001:db8:1::5ff", 1))); err != nil {
		t.Fatal(err)
	}
	if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); !ok {
		t.Fatal("lease lost in reconfiguration")
	}
	p := ts.ask(srvMsg(Renew, 3, duidLL(1), []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
	requireHas(t, p, "IA_NA(1 t1=1000 t2=2000 IAADDR(2001:db8:1::500 3000/4000 ) IAADDR(2001:db8:1::100 0/0 ) )")

	bad := strings.Replace(tsBase, `"option-data"`, `"client-classes": [{"name": "x", "test": "member('nope')"}], "option-data"`, 1)
	if err := ts.s.Reconfigure(parseCfg(t, bad)); err == nil {
		t.Fatal("a class test naming an undefined class was accepted")
	}
	requireHas(t, ts.ask(srvMsg(Solicit, 4, duidLL(2), []opt{withNA(1)}), tsDirect), "IAADDR(2001:db8:1::501 ")
}

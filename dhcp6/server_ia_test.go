package dhcp6

import (
	"strings"
	"sync"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

// TestIAs covers several IAs of each kind, hints, temporary addresses,
// lifetimes asked for by the client and prefix exclusion.
func TestIAs(t *testing.T) {
	d := duidLL(1)
	tests := []struct {
		name  string
		cfg   string
		q     []byte
		has   []string
		lacks []string
	}{
		{"several of each kind", tsBase, srvMsg(Solicit, 1, d, []opt{withNA(1), withPD(10), withNA(2), withPD(11), withTA(20)}),
			[]string{
				"IA_NA(1 t1=1000 t2=2000 IAADDR(2001:db8:1::100 3000/4000 ) ) IA_NA(2 t1=1000 t2=2000 IAADDR(2001:db8:1::101 3000/4000 ) ) IA_TA(20 IAADDR(2001:db8:1::102 3000/4000 ) )",
				"IA_PD(10 t1=1000 t2=2000 IAPREFIX(2001:db8:8000::/56 3000/4000 ) ) IA_PD(11 t1=1000 t2=2000 IAPREFIX(2001:db8:8000:100::/56 3000/4000 ) )",
			}, nil},
		{"free hints honoured", tsBase, srvMsg(Solicit, 1, d, []opt{withNA(1, "2001:db8:1::1a5"), withPD(2, "2001:db8:8000:3300::/56")}),
			[]string{"IAADDR(2001:db8:1::1a5 ", "IAPREFIX(2001:db8:8000:3300::/56 "}, nil},
		{"hint outside pools ignored", tsBase, srvMsg(Solicit, 1, d, []opt{withNA(1, "2001:db8:1::5"), withPD(2, "2001:db8:7000::/56")}),
			[]string{"IAADDR(2001:db8:1::100 ", "IAPREFIX(2001:db8:8000::/56 "}, nil},
		{"prefix hint takes the pool's length", tsBase, srvMsg(Solicit, 1, d, []opt{withPD(2, "2001:db8:8000:4400::/64")}),
			[]string{"IAPREFIX(2001:db8:8000:4400::/56 "}, nil},
		{"length-only prefix hint", tsBase, srvMsg(Solicit, 1, d, []opt{withPD(2, "::/48")}),
			[]string{"IAPREFIX(2001:db8:8000::/56 "}, nil},
		{"lifetime hints clamped", strings.Replace(tsBase, `"valid-lifetime": 4000,`, `"valid-lifetime": 4000, "min-valid-lifetime": 3500, "max-valid-lifetime": 5000,
  "min-preferred-lifetime": 2000, "max-preferred-lifetime": 3000,`, 1),
			srvMsg(Solicit, 1, d, []opt{withNALifetimes(1, "2001:db8:1::150", 100, 9000)}),
			[]string{"IA_NA(1 t1=1000 t2=2000 IAADDR(2001:db8:1::150 2000/5000 ) )"}, nil},
		{"calculated tee times", strings.Replace(tsBase, `"renew-timer": 1000, "rebind-timer": 2000,`, ``, 1),
			srvMsg(Solicit, 1, d, []opt{withNA(1), withTA(2)}),
			[]string{"IA_NA(1 t1=1500 t2=2400 ", "IA_TA(2 IAADDR"}, nil},
		{"tee times off", strings.Replace(tsBase, `"renew-timer": 1000, "rebind-timer": 2000,`, `"calculate-tee-times": false,`, 1),
			srvMsg(Solicit, 1, d, []opt{withNA(1)}),
			[]string{"IA_NA(1 t1=0 t2=0 IAADDR(2001:db8:1::100 3000/4000 ) )"}, nil},
		{"pd exclude when asked", strings.Replace(tsBase, `"delegated-len": 56}`, `"delegated-len": 56, "excluded-prefix": "2001:db8:8000:ab::", "excluded-prefix-len": 64}`, 1),
			srvMsg(Solicit, 1, d, []opt{withPD(1), withPD(2), withORO(OptPDExclude)}),
			[]string{"IAPREFIX(2001:db8:8000::/56 3000/4000 PD_EXCLUDE=40ab )", "IAPREFIX(2001:db8:8000:100::/56 3000/4000 PD_EXCLUDE=40ab )"}, nil},
		{"pd exclude not asked", strings.Replace(tsBase, `"delegated-len": 56}`, `"delegated-len": 56, "excluded-prefix": "2001:db8:8000:ab::", "excluded-prefix-len": 64}`, 1),
			srvMsg(Solicit, 1, d, []opt{withPD(1)}), nil, []string{"PD_EXCLUDE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTS(t, tc.cfg)
			p := ts.ask(tc.q, tsDirect)
			requireHas(t, p, tc.has...)
			requireLacks(t, p, tc.lacks...)
		})
	}
}

// TestTemporaryAddresses checks IA_TA leases: stored as TA, released and
// declined like IA_NA ones, and never renewed.
func TestTemporaryAddresses(t *testing.T) {
	ts := newTS(t, tsBase)
	d := duidLL(1)
	rep := ts.sarr(d, tsDirect, withTA(7))
	requireHas(t, rep, "IA_TA(7 IAADDR(2001:db8:1::100 3000/4000 ) )")
	l, ok := ts.lease(lease.TypeTA, "2001:db8:1::100")
	if !ok || l.IAID != 7 {
		t.Fatalf("TA lease %+v %v", l, ok)
	}
	// The address is taken for IA_NA too.
	p := ts.ask(srvMsg(Solicit, 3, duidLL(2), []opt{withNA(1, "2001:db8:1::100")}), tsDirect)
	requireHas(t, p, "IAADDR(2001:db8:1::101 ")
	p = ts.ask(srvMsg(Renew, 4, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
	requireLacks(t, p, "IA_TA")
	p = ts.ask(srvMsg(Release, 5, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
	requireHas(t, p, "IA_TA(7 STATUS(Success) )")
	if _, ok := ts.lease(lease.TypeTA, "2001:db8:1::100"); ok {
		t.Fatal("released TA lease still stored")
	}
}

// TestReuseExpired checks that a full pool hands out a lease that expired
// but was not reclaimed yet, and that the client whose lease it was gets
// it back with zero lifetimes when it renews.
func TestReuseExpired(t *testing.T) {
	cfg := strings.Replace(tsBase, "2001:db8:1::100-2001:db8:1::1ff", "2001:db8:1::100-2001:db8:1::100", 1)
	ts := newTS(t, cfg)
	old := ts.sarr(duidLL(1), tsDirect, withNA(1))
	ts.advance(5000e9)
	rep := ts.sarr(duidLL(2), tsDirect, withNA(1))
	requireHas(t, rep, "IAADDR(2001:db8:1::100 3000/4000 )")
	l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100")
	if string(l.DUID) != string(duidLL(2)) {
		t.Fatalf("lease still belongs to %x", l.DUID)
	}
	if c := ts.s.Counters(); c.LeasesReclaimed != 1 {
		t.Errorf("reclaimed %d, want 1", c.LeasesReclaimed)
	}
	p := ts.ask(srvMsg(Renew, 3, duidLL(1), []opt{withServerID(ts.sid()), withIAs(old.Msg.Options)}), tsDirect)
	requireHas(t, p, "IA_NA(1 t1=0 t2=0 IAADDR(2001:db8:1::100 0/0 ) STATUS(NoAddrsAvail) )")
}

// TestLeaseCache checks Kea's lease caching: a renewal early in the lease
// (within cache-threshold of the valid lifetime) keeps the stored lease
// and gets what is left of its lifetimes; a later one extends it.
func TestLeaseCache(t *testing.T) {
	ts := newTS(t, strings.Replace(tsBase, `"renew-timer": 1000,`, `"renew-timer": 1000, "cache-threshold": 0.25,`, 1))
	d := duidLL(1)
	rep := ts.sarr(d, tsDirect, withNA(1))
	stored, _ := ts.lease(lease.TypeNA, "2001:db8:1::100")
	ts.advance(600e9)
	p, r, err := ts.handle(srvMsg(Renew, 3, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
	if err != nil {
		t.Fatal(err)
	}
	requireHas(t, p, "IA_NA(1 t1=1000 t2=2000 IAADDR(2001:db8:1::100 2400/3400 ) )")
	if r.Sync {
		t.Error("a cached renewal asks for a sync")
	}
	if l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100"); l.CLTT != stored.CLTT {
		t.Error("a cached renewal rewrote the lease")
	}
	ts.advance(500e9) // 1100 s: past 25% of 4000
	p = ts.ask(srvMsg(Renew, 4, d, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
	requireHas(t, p, "IAADDR(2001:db8:1::100 3000/4000 )")
	if l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100"); l.CLTT != ts.now.Unix() {
		t.Error("a renewal past the threshold did not extend the lease")
	}
}

// TestConcurrentClients runs many clients through SOLICIT and REQUEST at
// once: every client ends up with its own address and prefix.
func TestConcurrentClients(t *testing.T) {
	ts := newTS(t, tsBase)
	const workers, each = 8, 25
	type got struct{ na, pd string }
	results := make(chan got, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				duid := AppendDUIDLL(nil, 1, []byte{2, 0, 0, 9, byte(w), byte(i)})
				adv, _, err := ts.handle(srvMsg(Solicit, 1, duid, []opt{withNA(1), withPD(2)}), tsDirect)
				if err != nil {
					t.Error(err)
					return
				}
				rep, _, err := ts.handle(srvMsg(Request, 2, duid, []opt{withServerIDOf(adv.Msg.Options), withIAs(adv.Msg.Options)}), tsDirect)
				if err != nil {
					t.Error(err)
					return
				}
				na, _ := rep.Msg.Options.Get(OptIANA)
				pd, _ := rep.Msg.Options.Get(OptIAPD)
				results <- got{string(na[12:]), string(pd[12:])}
			}
		}()
	}
	wg.Wait()
	close(results)
	seenNA, seenPD := map[string]bool{}, map[string]bool{}
	for r := range results {
		if seenNA[r.na] || seenPD[r.pd] {
			t.Fatal("two clients got the same address or prefix")
		}
		seenNA[r.na], seenPD[r.pd] = true, true
	}
	if len(seenNA) != workers*each || ts.store.Len6() != 2*workers*each {
		t.Fatalf("%d answers, %d leases stored; want %d and %d", len(seenNA), ts.store.Len6(), workers*each, 2*workers*each)
	}
}

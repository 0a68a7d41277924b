package dhcp6

import (
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// TestHandleMessageTypes walks every message type a server answers, with
// the status codes each can give.
func TestHandleMessageTypes(t *testing.T) {
	d1, d2 := duidLL(1), duidLL(2)
	tests := []struct {
		name string
		cfg  string
		run  func(t *testing.T, ts *tsrv)
	}{
		{"solicit-advertise", tsBase, func(t *testing.T, ts *tsrv) {
			p := ts.ask(srvMsg(Solicit, 0x10, d1, []opt{withNA(1), withPD(2), withORO(OptDNSServers)}), tsDirect)
			requireHas(t, p, "ADVERTISE xid=000010", "CLIENTID=", "SERVERID=",
				"IA_NA(1 t1=1000 t2=2000 IAADDR(2001:db8:1::100 3000/4000 ) )",
				"IA_PD(2 t1=1000 t2=2000 IAPREFIX(2001:db8:8000::/56 3000/4000 ) )",
				"DNS_SERVERS=20010db8000000000000000000000053")
			if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); ok {
				t.Error("ADVERTISE wrote a lease")
			}
		}},
		{"no-subnet-no-addrs", tsBase, func(t *testing.T, ts *tsrv) {
			meta := tsDirect
			meta.IfName = "eth9"
			p := ts.ask(srvMsg(Solicit, 1, d1, []opt{withNA(1), withPD(2)}), meta)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(NoAddrsAvail) )", "IA_PD(2 t1=0 t2=0 STATUS(NoPrefixAvail) )")
		}},
		{"pool-exhausted", strings.Replace(tsBase, "2001:db8:1::100-2001:db8:1::1ff", "2001:db8:1::100-2001:db8:1::100", 1), func(t *testing.T, ts *tsrv) {
			ts.sarr(d1, tsDirect, withNA(1))
			p := ts.ask(srvMsg(Solicit, 2, d2, []opt{withNA(1)}), tsDirect)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(NoAddrsAvail) )")
			p = ts.ask(srvMsg(Request, 3, d2, []opt{withServerID(ts.sid()), withNA(1)}), tsDirect)
			requireHas(t, p, "REPLY", "IA_NA(1 t1=0 t2=0 STATUS(NoAddrsAvail) )")
		}},
		{"request-reply", tsBase, func(t *testing.T, ts *tsrv) {
			p, r, err := ts.handle(srvMsg(Request, 7, d1, []opt{withServerID(ts.sid()), withNA(1), withPD(2)}), tsDirect)
			if err != nil {
				t.Fatal(err)
			}
			requireHas(t, p, "REPLY xid=000007", "IAADDR(2001:db8:1::100 3000/4000 )", "IAPREFIX(2001:db8:8000::/56 3000/4000 )")
			if !r.Sync {
				t.Error("REPLY that commits leases does not ask for a sync")
			}
			l, ok := ts.lease(lease.TypeNA, "2001:db8:1::100")
			if !ok || string(l.DUID) != string(d1) || l.IAID != 1 || l.ValidLifetime != 4000 || l.PreferredLifetime != 3000 ||
				l.SubnetID != 1 || l.CLTT != ts.now.Unix() || l.HWAddrSource != hwSrcDUID || l.HWType != 1 {
				t.Fatalf("stored lease %+v", l)
			}
			if _, ok := ts.lease(lease.TypePD, "2001:db8:8000::"); !ok {
				t.Fatal("no PD lease")
			}
		}},
		{"renew-extends", tsBase, func(t *testing.T, ts *tsrv) {
			rep := ts.sarr(d1, tsDirect, withNA(1), withPD(2))
			ts.advance(1500 * time.Second)
			p, r, err := ts.handle(srvMsg(Renew, 9, d1, []opt{withServerIDOf(rep.Msg.Options), withIAs(rep.Msg.Options)}), tsUnicast)
			if err != nil {
				t.Fatal(err)
			}
			requireHas(t, p, "REPLY", "IAADDR(2001:db8:1::100 3000/4000 )", "IAPREFIX(2001:db8:8000::/56 3000/4000 )")
			l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100")
			if l.CLTT != ts.now.Unix() || !r.Sync {
				t.Errorf("lease not renewed: cltt %d, now %d, sync %v", l.CLTT, ts.now.Unix(), r.Sync)
			}
		}},
		{"renew-unknown-address", tsBase, func(t *testing.T, ts *tsrv) {
			// Kea gives the client what it asks for when free, and reports
			// addresses it cannot have with zero lifetimes.
			p := ts.ask(srvMsg(Renew, 9, d1, []opt{withServerID(ts.sid()), withNA(1, "2001:db8:99::1")}), tsDirect)
			requireHas(t, p, "IA_NA(1 t1=1000 t2=2000 IAADDR(2001:db8:1::100 3000/4000 ) IAADDR(2001:db8:99::1 0/0 ) )")
		}},
		{"renew-no-subnet", tsBase, func(t *testing.T, ts *tsrv) {
			meta := tsDirect
			meta.IfName = "eth9"
			p := ts.ask(srvMsg(Renew, 9, d1, []opt{withServerID(ts.sid()), withNA(1, "2001:db8:1::100"), withPD(2, "2001:db8:8000::/56")}), meta)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(NoBinding) )", "IA_PD(2 t1=0 t2=0 STATUS(NoBinding) )")
		}},
		{"rebind", tsBase, func(t *testing.T, ts *tsrv) {
			rep := ts.sarr(d1, tsDirect, withNA(1), withPD(2))
			p := ts.ask(srvMsg(Rebind, 9, d1, []opt{withIAs(rep.Msg.Options)}), tsDirect)
			requireHas(t, p, "REPLY", "IAADDR(2001:db8:1::100 3000/4000 )", "IAPREFIX(2001:db8:8000::/56 3000/4000 )")
		}},
		{"rebind-prefix-no-subnet-discarded", tsBase, func(t *testing.T, ts *tsrv) {
			meta := tsDirect
			meta.IfName = "eth9"
			ts.dropped(srvMsg(Rebind, 9, d1, []opt{withPD(2, "2001:db8:8000::/56")}), meta, DropDiscard)
			p := ts.ask(srvMsg(Rebind, 9, d1, []opt{withNA(1, "2001:db8:1::100")}), meta)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(NoBinding) )")
		}},
		{"release", tsBase, func(t *testing.T, ts *tsrv) {
			rep := ts.sarr(d1, tsDirect, withNA(1), withPD(2))
			// Another client cannot release the lease.
			p := ts.ask(srvMsg(Release, 8, d2, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(NoBinding) )", "STATUS(NoBinding) IA_PD")
			// The owner through the wrong IA neither.
			p = ts.ask(srvMsg(Release, 8, d1, []opt{withServerID(ts.sid()), withNA(5, "2001:db8:1::100")}), tsDirect)
			requireHas(t, p, "IA_NA(5 t1=0 t2=0 STATUS(NoBinding) ) STATUS(NoBinding)")
			p, r, _ := ts.handle(srvMsg(Release, 8, d1, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(Success) ) STATUS(Success) IA_PD(2 t1=0 t2=0 STATUS(Success) )")
			if !r.Sync {
				t.Error("RELEASE reply does not ask for a sync")
			}
			if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); ok {
				t.Error("released lease still stored")
			}
			p = ts.ask(srvMsg(Release, 8, d1, []opt{withServerID(ts.sid()), withNA(1)}), tsDirect)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(NoBinding) ) STATUS(NoBinding)")
		}},
		{"decline", tsBase, func(t *testing.T, ts *tsrv) {
			rep := ts.sarr(d1, tsDirect, withNA(1))
			p := ts.ask(srvMsg(Decline, 8, d1, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			requireHas(t, p, "REPLY", "IA_NA(1 t1=0 t2=0 STATUS(Success) )")
			requireLacks(t, p, "DNS_SERVERS")
			l, _ := ts.lease(lease.TypeNA, "2001:db8:1::100")
			if l.State != lease.StateDeclined || string(l.DUID) != "\x00" || l.ValidLifetime != 600 || l.PreferredLifetime != 0 || l.HWAddr != nil {
				t.Fatalf("declined lease %+v", l)
			}
			// Now nobody's: the client's second decline finds no binding.
			p = ts.ask(srvMsg(Decline, 9, d1, []opt{withServerID(ts.sid()), withIAs(rep.Msg.Options)}), tsDirect)
			requireHas(t, p, "IA_NA(1 t1=0 t2=0 STATUS(NoBinding) )")
			p = ts.ask(srvMsg(Decline, 9, d1, []opt{withServerID(ts.sid()), withNA(3)}), tsDirect)
			requireHas(t, p, "IA_NA(3 t1=0 t2=0 STATUS(NoBinding) )")
			// The address is held: the next client gets another.
			p = ts.ask(srvMsg(Solicit, 10, d2, []opt{withNA(1, "2001:db8:1::100")}), tsDirect)
			requireHas(t, p, "IAADDR(2001:db8:1::101 ")
		}},
		{"confirm", tsBase, func(t *testing.T, ts *tsrv) {
			p := ts.ask(srvMsg(Confirm, 3, d1, []opt{withNA(1, "2001:db8:1::abc")}), tsDirect)
			requireHas(t, p, "REPLY", "STATUS(Success)")
			p = ts.ask(srvMsg(Confirm, 3, d1, []opt{withNA(1, "2001:db8:1::abc"), withNA(2, "2001:db8:7::1")}), tsDirect)
			requireHas(t, p, "STATUS(NotOnLink)")
			ts.dropped(srvMsg(Confirm, 3, d1, []opt{withNA(1)}), tsDirect, DropDiscard)
			meta := tsDirect
			meta.IfName = "eth9"
			p = ts.ask(srvMsg(Confirm, 3, d1, []opt{withNA(1, "2001:db8:1::abc")}), meta)
			requireHas(t, p, "STATUS(NotOnLink)")
		}},
		{"information-request", tsBase, func(t *testing.T, ts *tsrv) {
			p := ts.ask(srvMsg(InformationRequest, 4, d1, []opt{withORO(OptDNSServers)}), tsDirect)
			requireHas(t, p, "REPLY xid=000004 CLIENTID=", "DNS_SERVERS=")
			p = ts.ask(srvMsg(InformationRequest, 4, nil, []opt{withORO(OptDNSServers)}), tsDirect)
			requireLacks(t, p, "CLIENTID")
			requireHas(t, p, "DNS_SERVERS=")
		}},
		{"rapid-commit", strings.Replace(tsBase, `"interface": "eth0",`, `"interface": "eth0", "rapid-commit": true,`, 1), func(t *testing.T, ts *tsrv) {
			p, r, err := ts.handle(srvMsg(Solicit, 5, d1, []opt{withNA(1), withRapidCommit()}), tsDirect)
			if err != nil {
				t.Fatal(err)
			}
			requireHas(t, p, "REPLY xid=000005", "IAADDR(2001:db8:1::100 3000/4000 )", "RAPID_COMMIT=")
			if _, ok := ts.lease(lease.TypeNA, "2001:db8:1::100"); !ok || !r.Sync {
				t.Fatal("rapid commit did not commit the lease")
			}
			// Without the option the exchange has four messages.
			p = ts.ask(srvMsg(Solicit, 6, d2, []opt{withNA(1)}), tsDirect)
			requireHas(t, p, "ADVERTISE")
		}},
		{"rapid-commit-not-allowed", tsBase, func(t *testing.T, ts *tsrv) {
			p := ts.ask(srvMsg(Solicit, 5, d1, []opt{withNA(1), withRapidCommit()}), tsDirect)
			requireHas(t, p, "ADVERTISE")
			requireLacks(t, p, "RAPID_COMMIT")
		}},
		{"request-again-keeps-lease", tsBase, func(t *testing.T, ts *tsrv) {
			ts.sarr(d1, tsDirect, withNA(1))
			ts.advance(time.Minute)
			p := ts.ask(srvMsg(Request, 3, d1, []opt{withServerID(ts.sid()), withNA(1)}), tsDirect)
			requireHas(t, p, "IAADDR(2001:db8:1::100 3000/4000 )")
			if c := ts.s.Counters(); c.LeasesAllocated != 1 || c.LeasesRenewed != 1 {
				t.Errorf("allocated %d renewed %d; want 1 and 1", c.LeasesAllocated, c.LeasesRenewed)
			}
		}},
		{"use-multicast-not-sent", tsBase, func(t *testing.T, ts *tsrv) {
			// Kea 2.2 never answers UseMulticast: SOLICIT, CONFIRM, REBIND and
			// INFORMATION-REQUEST sent to a unicast address are dropped, the
			// other types are served.
			ts.dropped(srvMsg(Solicit, 1, d1, []opt{withNA(1)}), tsUnicast, DropUnicast)
			ts.dropped(srvMsg(InformationRequest, 1, d1, nil), tsUnicast, DropUnicast)
			p := ts.ask(srvMsg(Request, 1, d1, []opt{withServerID(ts.sid()), withNA(1)}), tsUnicast)
			requireLacks(t, p, "UseMulticast")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newTS(t, tc.cfg))
		})
	}
}

// TestHandleDrops checks that broken and unwanted datagrams get no answer
// and are counted under the right reason.
func TestHandleDrops(t *testing.T) {
	d := duidLL(1)
	ts := newTS(t, tsBase)
	sid := ts.sid()
	deep := srvMsg(Solicit, 1, d, []opt{withNA(1)})
	for range MaxRelays + 1 {
		deep = srvRelay(deep, relayHop{link: "2001:db8:2::1", peer: "fe80::1"})
	}
	badIA := srvMsg(Solicit, 1, d, []opt{withOption(OptIANA, []byte{0, 0, 0, 1})})
	badAddr := srvMsg(Solicit, 1, d, []opt{withOption(OptIANA, append([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 5, 0, 2, 0, 0))})
	tests := []struct {
		name string
		q    []byte
		meta PacketMeta
		want DropReason
	}{
		{"empty", nil, tsDirect, DropTruncated},
		{"short header", []byte{1, 0}, tsDirect, DropTruncated},
		{"option past end", []byte{1, 0, 0, 1, 0, 1, 0, 9, 1}, tsDirect, DropTruncated},
		{"relay without relay-msg", append([]byte{12, 0}, make([]byte, 32)...), tsRelay, DropMalformed},
		{"too many relays", deep, tsRelay, DropTooManyRelays},
		{"short IA_NA", badIA, tsDirect, DropMalformed},
		{"short IAADDR", badAddr, tsDirect, DropMalformed},
		{"advertise", srvMsg(Advertise, 1, d, nil), tsDirect, DropNotForServer},
		{"reply", srvMsg(Reply, 1, d, nil), tsDirect, DropNotForServer},
		{"reconfigure", srvMsg(Reconfigure, 1, d, nil), tsDirect, DropNotForServer},
		{"relay-repl", srvRelay(srvMsg(Reply, 1, d, nil), relayHop{link: "::", peer: "fe80::1"}), tsRelay, DropNotForServer},
		{"unknown type", srvMsg(200, 1, d, nil), tsDirect, DropNotForServer},
		{"other server", srvMsg(Request, 1, d, []opt{withServerID(duidLL(0x99)), withNA(1)}), tsDirect, DropServerID},
		{"unicast solicit", srvMsg(Solicit, 1, d, []opt{withNA(1)}), tsUnicast, DropUnicast},
		{"unicast rebind", srvMsg(Rebind, 1, d, []opt{withNA(1)}), tsUnicast, DropUnicast},
		{"unicast confirm", srvMsg(Confirm, 1, d, []opt{withNA(1, "2001:db8:1::5")}), tsUnicast, DropUnicast},
		{"solicit without client-id", srvMsg(Solicit, 1, nil, []opt{withNA(1)}), tsDirect, DropRFCViolation},
		{"solicit with server-id", srvMsg(Solicit, 1, d, []opt{withServerID(sid), withNA(1)}), tsDirect, DropRFCViolation},
		{"two client-ids", srvMsg(Solicit, 1, d, []opt{withOption(OptClientID, d), withNA(1)}), tsDirect, DropRFCViolation},
		{"short client-id", srvMsg(Solicit, 1, []byte{0, 3}, []opt{withNA(1)}), tsDirect, DropRFCViolation},
		{"request without server-id", srvMsg(Request, 1, d, []opt{withNA(1)}), tsDirect, DropRFCViolation},
		{"renew without server-id", srvMsg(Renew, 1, d, []opt{withNA(1)}), tsDirect, DropRFCViolation},
		{"release without client-id", srvMsg(Release, 1, nil, []opt{withServerID(sid)}), tsDirect, DropRFCViolation},
		{"two server-ids in inf-req", srvMsg(InformationRequest, 1, d, []opt{withServerID(sid), withServerID(sid)}), tsDirect, DropRFCViolation},
		{"odd ORO", srvMsg(InformationRequest, 1, d, []opt{withOption(OptORO, []byte{0, 23, 0})}), tsDirect, DropMalformed},
		{"confirm without addresses", srvMsg(Confirm, 1, d, []opt{withNA(1)}), tsDirect, DropDiscard},
		{"fqdn with N and S", srvMsg(Solicit, 1, d, []opt{withNA(1), withOption(OptClientFQDN, []byte{0x05, 1, 'a'})}), tsDirect, DropRFCViolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := ts.s.Counters().Dropped[tc.want]
			ts.t = t
			ts.dropped(tc.q, tc.meta, tc.want)
			if got := ts.s.Counters().Dropped[tc.want]; got != before+1 {
				t.Errorf("Dropped[%v] went from %d to %d", tc.want, before, got)
			}
		})
	}
	c := ts.s.Counters()
	if c.Received.Total != uint64(len(tests)) || c.Sent.Total != 0 || c.DroppedTotal() != uint64(len(tests)) {
		t.Errorf("received %d, sent %d, dropped %d; want %d, 0, %d", c.Received.Total, c.Sent.Total, c.DroppedTotal(), len(tests), len(tests))
	}
}

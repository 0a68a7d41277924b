package dhcp4

import (
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

func TestRelease(t *testing.T) {
	h := newHarness(t, hBasic)
	_, ack := h.dora(client{mac: mac(1)})
	// Another client cannot release it.
	r, err := h.send(client{typ: Release, mac: mac(2), ciaddr: ack.YIAddr, srvID: hSrvAddr})
	if err != nil || r.Data != nil {
		t.Fatalf("RELEASE got %v, %v; want no reply", r, err)
	}
	if _, err := h.store.Get4(t.Context(), ack.YIAddr); err != nil {
		t.Fatal("a stranger's RELEASE removed the lease")
	}
	r, err = h.send(client{typ: Release, mac: mac(1), ciaddr: ack.YIAddr, srvID: hSrvAddr})
	if err != nil || r.Data != nil || !r.Sync {
		t.Fatalf("RELEASE got %+v, %v; want no reply and a sync", r, err)
	}
	if _, err := h.store.Get4(t.Context(), ack.YIAddr); err == nil {
		t.Error("lease still there after RELEASE")
	}
	if c := h.s.Counters(); c.LeasesReleased != 1 {
		t.Errorf("released = %d", c.LeasesReleased)
	}
}

func TestDeclineProbation(t *testing.T) {
	h := newHarness(t, hBasic+`, "decline-probation-period": 300`)
	_, ack := h.dora(client{mac: mac(1)})
	addr := ack.YIAddr
	r, err := h.send(client{typ: Decline, mac: mac(2), reqIP: addr, srvID: hSrvAddr})
	if err != nil || r.Data != nil {
		t.Fatalf("stranger's DECLINE: %v %v", r, err)
	}
	if l, _ := h.store.Get4(t.Context(), addr); l.State != lease.StateDefault {
		t.Fatal("a stranger declined someone's lease")
	}
	r, err = h.send(client{typ: Decline, mac: mac(1), reqIP: addr, srvID: hSrvAddr})
	if err != nil || r.Data != nil {
		t.Fatalf("DECLINE: %v %v", r, err)
	}
	l, err := h.store.Get4(t.Context(), addr)
	if err != nil || l.State != lease.StateDeclined || len(l.HWAddr) != 0 || l.ValidLifetime != 300 {
		t.Fatalf("declined lease %+v, %v", l, err)
	}
	// The address stays out of use during probation: the client that
	// declined it gets another, and so does everybody else.
	_, ack = h.dora(client{mac: mac(1)})
	if ack.YIAddr == addr {
		t.Error("declined address offered again during probation")
	}
	r, err = h.send(client{typ: Request, mac: mac(3), reqIP: addr, srvID: hSrvAddr})
	h.reply(r, err, Nak)
	// After probation, reclamation recovers it.
	h.now = h.now.Add(301 * time.Second)
	n, _, err := h.s.reclaimExpired(t.Context(), h.now)
	if err != nil || n != 1 {
		t.Fatalf("reclaimed %d, %v", n, err)
	}
	if _, err := h.store.Get4(t.Context(), addr); err == nil {
		t.Error("recovered declined lease still in the store (Kea removes it)")
	}
	if c := h.s.Counters(); c.LeasesDeclined != 1 || c.DeclinedReclaimed != 1 {
		t.Errorf("counters declined %d recovered %d", c.LeasesDeclined, c.DeclinedReclaimed)
	}
	r, err = h.send(client{typ: Decline, mac: mac(1)})
	wantDrop(t, r, err, DropMissingRequestedIP)
}

func TestInform(t *testing.T) {
	h := newHarness(t, hBasic)
	cip := netip.MustParseAddr("192.0.2.77")
	relay := netip.MustParseAddr("192.0.2.250")
	tests := []struct {
		name string
		c    client
		meta PacketMeta
		dst  netip.AddrPort
		drop DropReason
	}{
		{name: "to ciaddr", c: client{ciaddr: cip},
			meta: PacketMeta{Src: netip.AddrPortFrom(cip, 68), Dst: hSrvAddr, IfIndex: 2, IfName: "eth0", IfAddr: hSrvAddr},
			dst:  netip.AddrPortFrom(cip, 68)},
		{name: "broadcast with ciaddr", c: client{ciaddr: cip},
			meta: PacketMeta{Src: netip.AddrPortFrom(cip, 68), Dst: bcast, IfIndex: 2, IfName: "eth0", IfAddr: hSrvAddr},
			dst:  netip.AddrPortFrom(cip, 68)},
		{name: "relayed without ciaddr goes to the relay", c: client{giaddr: relay},
			meta: PacketMeta{Src: netip.AddrPortFrom(relay, 67), Dst: hSrvAddr, IfIndex: 2, IfName: "eth0", IfAddr: hSrvAddr},
			dst:  netip.AddrPortFrom(relay, 67)},
		{name: "no address to answer", c: client{},
			meta: PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0", IfAddr: hSrvAddr},
			drop: DropInformNoAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.typ, c.mac, c.prl = Inform, mac(7), []byte{OptDNS, OptNTPServers}
			r, err := h.sendMeta(c, tt.meta)
			if tt.drop != 0 {
				wantDrop(t, r, err, tt.drop)
				return
			}
			m := h.reply(r, err, Ack)
			if !isZero(m.YIAddr) {
				t.Errorf("INFORM ACK with yiaddr %v", m.YIAddr)
			}
			if _, ok := m.LeaseTime(); ok {
				t.Error("INFORM ACK with a lease time")
			}
			if ntp, ok := m.IP(OptNTPServers); !ok || ntp != netip.MustParseAddr("192.0.2.123") {
				t.Errorf("requested option missing: %v", ntp)
			}
			if r.Dst != tt.dst || r.Raw {
				t.Errorf("sent to %v (raw %v), want %v", r.Dst, r.Raw, tt.dst)
			}
			if m.CIAddr != c.ciaddr && c.ciaddr.IsValid() {
				t.Errorf("ciaddr %v not copied", m.CIAddr)
			}
		})
	}
}

func TestLifetimes(t *testing.T) {
	const base = `"interfaces-config": {"interfaces": ["eth0"]},
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0", "pools": [{"pool": "192.0.2.10 - 192.0.2.19"}]}],`
	tests := []struct {
		name          string
		cfg           string
		hint          uint32
		valid, t1, t2 uint32
	}{
		{"default, no timers", `"valid-lifetime": 3000`, 0, 3000, 0, 0},
		{"configured timers", `"valid-lifetime": 3000, "renew-timer": 1000, "rebind-timer": 2000`, 0, 3000, 1000, 2000},
		{"calculated timers", `"valid-lifetime": 3000, "calculate-tee-times": true`, 0, 3000, 1500, 2625},
		{"custom percentages", `"valid-lifetime": 1000, "calculate-tee-times": true, "t1-percent": 0.4, "t2-percent": 0.7`, 0, 1000, 400, 700},
		{"timers not below the lifetime are not sent", `"valid-lifetime": 1000, "renew-timer": 1000, "rebind-timer": 1500`, 0, 1000, 0, 0},
		{"T2 at the lifetime is not sent, T1 still is", `"valid-lifetime": 1000, "renew-timer": 300, "rebind-timer": 1000`, 0, 1000, 300, 0},
		{"hint within bounds", `"valid-lifetime": 3000, "min-valid-lifetime": 1000, "max-valid-lifetime": 5000`, 4000, 4000, 0, 0},
		{"hint above max", `"valid-lifetime": 3000, "min-valid-lifetime": 1000, "max-valid-lifetime": 5000`, 9000, 5000, 0, 0},
		{"hint below min", `"valid-lifetime": 3000, "min-valid-lifetime": 1000, "max-valid-lifetime": 5000`, 10, 1000, 0, 0},
		{"hint without bounds is ignored", `"valid-lifetime": 3000`, 10, 3000, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, base+tt.cfg)
			_, ack := h.dora(client{mac: mac(1), lease: tt.hint})
			v, _ := ack.LeaseTime()
			t1, _ := ack.RenewalTime()
			t2, _ := ack.RebindingTime()
			if v != tt.valid || t1 != tt.t1 || t2 != tt.t2 {
				t.Errorf("valid %d T1 %d T2 %d, want %d %d %d", v, t1, t2, tt.valid, tt.t1, tt.t2)
			}
			l, _ := h.store.Get4(t.Context(), ack.YIAddr)
			if l.ValidLifetime != tt.valid {
				t.Errorf("stored lifetime %d", l.ValidLifetime)
			}
		})
	}
}

// A client identifier wins over the hardware address; with
// match-client-id false only the hardware address counts.
func TestClientIdentification(t *testing.T) {
	cid := []byte{1, 2, 0, 0, 0, 0, 1}
	for _, match := range []bool{true, false} {
		cfg := hBasic
		if !match {
			cfg += `, "match-client-id": false`
		}
		h := newHarness(t, cfg)
		_, ack := h.dora(client{mac: mac(1), cid: cid})
		// Same client id, new hardware address (a docking station).
		_, again := h.dora(client{mac: mac(2), cid: cid})
		if match && again.YIAddr != ack.YIAddr {
			t.Errorf("match-client-id: same client id got %v then %v", ack.YIAddr, again.YIAddr)
		}
		if !match && again.YIAddr == ack.YIAddr {
			t.Error("match-client-id false: another hardware address got the same lease")
		}
		l, _ := h.store.Get4(t.Context(), ack.YIAddr)
		if match != (len(l.ClientID) > 0) {
			t.Errorf("match-client-id %v: stored client id %x", match, l.ClientID)
		}
	}
}

// Expired leases are reclaimed: lease4_expire semantics without hooks,
// hold-reclaimed-time keeping a reclaimed lease for its client.
func TestReclaimExpired(t *testing.T) {
	h := newHarness(t, hBasic+`, "expired-leases-processing": {"hold-reclaimed-time": 600, "max-reclaim-leases": 1}`)
	_, a1 := h.dora(client{mac: mac(1)})
	h.dora(client{mac: mac(2)})
	h.now = h.now.Add(4001 * time.Second)
	n, more, err := h.s.reclaimExpired(t.Context(), h.now)
	if err != nil || n != 1 || !more {
		t.Fatalf("first run reclaimed %d (more %v, %v), want 1 with more left", n, more, err)
	}
	n, more, _ = h.s.reclaimExpired(t.Context(), h.now)
	if n != 1 || more {
		t.Fatalf("second run reclaimed %d (more %v)", n, more)
	}
	l, err := h.store.Get4(t.Context(), a1.YIAddr)
	if err != nil || l.State != lease.StateExpiredReclaimed {
		t.Fatalf("reclaimed lease %+v, %v", l, err)
	}
	// The client comes back and gets its address again (affinity).
	if _, ack := h.dora(client{mac: mac(1)}); ack.YIAddr != a1.YIAddr {
		t.Errorf("returning client got %v, want %v", ack.YIAddr, a1.YIAddr)
	}
	if c := h.s.Counters(); c.LeasesReclaimed != 2 {
		t.Errorf("reclaimed counter %d", c.LeasesReclaimed)
	}
	// Reclaimed leases held longer than hold-reclaimed-time are flushed.
	h.now = h.now.Add(700 * time.Second)
	if n, err := h.s.flushReclaimed(t.Context(), h.now); err != nil || n != 1 {
		t.Errorf("flushed %d, %v", n, err)
	}
}

// Kea 2.2 offers a declined address to a client that sends no hardware
// address (its lookup by the empty hardware address finds the declined
// lease); leasehold never offers an address in probation.
func TestDeclinedNotOfferedWithoutHWAddr(t *testing.T) {
	h := newHarness(t, hBasic)
	_, ack := h.dora(client{mac: mac(1)})
	h.send(client{typ: Decline, mac: mac(1), reqIP: ack.YIAddr})
	r, err := h.send(client{typ: Discover, hlen: -1, cid: []byte{1, 2, 0, 0, 0, 0, 9}})
	if m := h.reply(r, err, Offer); m.YIAddr == ack.YIAddr {
		t.Errorf("declined address %v offered", m.YIAddr)
	}
}

func TestReclaimExpiredAll(t *testing.T) {
	h := newHarness(t, hBasic+`, "expired-leases-processing": {"max-reclaim-leases": 2}`)
	for i := range 5 {
		h.dora(client{mac: mac(byte(i + 1))})
	}
	h.now = h.now.Add(5000 * time.Second)
	if n, err := h.s.ReclaimExpired(t.Context()); err != nil || n != 5 {
		t.Errorf("ReclaimExpired = %d, %v; want all 5 in passes of 2", n, err)
	}
}

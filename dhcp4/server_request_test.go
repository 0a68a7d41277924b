package dhcp4

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
)

var (
	hAddr10    = netip.MustParseAddr("192.0.2.10")
	hAddr11    = netip.MustParseAddr("192.0.2.11")
	hAddr15    = netip.MustParseAddr("192.0.2.15")
	hOutOfPool = netip.MustParseAddr("192.0.2.100")
	hOtherNet  = netip.MustParseAddr("203.0.113.7")
	hOtherSrv  = netip.MustParseAddr("192.0.2.254")
)

// TestRequestStates covers REQUEST in each client state of RFC 2131
// section 4.3.2 and Kea's NAK rules. Client 1 holds 192.0.2.10 and
// client 2 holds 192.0.2.11 before each case.
func TestRequestStates(t *testing.T) {
	const auth = hBasic + `, "authoritative": true`
	tests := []struct {
		name    string
		cfg     string
		c       client
		unicast bool
		want    MessageType // 0: no reply
		drop    DropReason
		yiaddr  netip.Addr
		ciaddr  netip.Addr
		dst     netip.AddrPort
	}{
		{name: "selecting", c: client{mac: mac(1), reqIP: hAddr10, srvID: hSrvAddr},
			want: Ack, yiaddr: hAddr10, dst: netip.AddrPortFrom(hAddr10, 68)},
		{name: "selecting another server", c: client{mac: mac(1), reqIP: hAddr10, srvID: hOtherSrv},
			drop: DropServerIDMismatch},
		{name: "selecting an address leased to another client", c: client{mac: mac(1), reqIP: hAddr11, srvID: hSrvAddr},
			want: Nak, dst: netip.AddrPortFrom(bcast, 68)},
		{name: "selecting an address outside the pools", c: client{mac: mac(1), reqIP: hOutOfPool, srvID: hSrvAddr},
			drop: DropUnknownAddress},
		{name: "init-reboot with its address", c: client{mac: mac(1), reqIP: hAddr10},
			want: Ack, yiaddr: hAddr10},
		{name: "init-reboot with a wrong address", c: client{mac: mac(1), reqIP: hAddr15},
			want: Nak},
		{name: "init-reboot unknown client, not authoritative", c: client{mac: mac(9), reqIP: hAddr15},
			drop: DropInitRebootUnknown},
		{name: "init-reboot unknown client, authoritative", cfg: auth, c: client{mac: mac(9), reqIP: hAddr15},
			want: Nak},
		{name: "renewing", c: client{mac: mac(1), ciaddr: hAddr10}, unicast: true,
			want: Ack, yiaddr: hAddr10, ciaddr: hAddr10, dst: netip.AddrPortFrom(hAddr10, 68)},
		{name: "rebinding", c: client{mac: mac(1), ciaddr: hAddr10},
			want: Ack, yiaddr: hAddr10, ciaddr: hAddr10, dst: netip.AddrPortFrom(hAddr10, 68)},
		{name: "renewing another client's address", c: client{mac: mac(1), ciaddr: hAddr11}, unicast: true,
			want: Nak, dst: netip.AddrPortFrom(hAddr11, 68)},
		{name: "renewing from an address in no subnet", c: client{mac: mac(1), ciaddr: hOtherNet}, unicast: true,
			want: Nak, dst: netip.AddrPortFrom(hOtherNet, 68)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := hBasic
			if tt.cfg != "" {
				cfg = tt.cfg
			}
			h := newHarness(t, cfg)
			h.dora(client{mac: mac(1)})
			h.dora(client{mac: mac(2)})
			c := tt.c
			c.typ = Request
			meta := h.meta
			if tt.unicast {
				meta.Src = netip.AddrPortFrom(c.ciaddr, 68)
				meta.Dst = hSrvAddr
			}
			r, err := h.sendMeta(c, meta)
			if tt.want == 0 {
				wantDrop(t, r, err, tt.drop)
				return
			}
			m := h.reply(r, err, tt.want)
			if tt.yiaddr.IsValid() && m.YIAddr != tt.yiaddr {
				t.Errorf("yiaddr %v, want %v", m.YIAddr, tt.yiaddr)
			}
			if tt.want == Nak && !isZero(m.YIAddr) {
				t.Errorf("NAK with yiaddr %v", m.YIAddr)
			}
			if tt.ciaddr.IsValid() && m.CIAddr != tt.ciaddr {
				t.Errorf("ciaddr %v, want %v", m.CIAddr, tt.ciaddr)
			}
			if tt.dst.IsValid() && r.Dst != tt.dst {
				t.Errorf("sent to %v, want %v", r.Dst, tt.dst)
			}
			if sid, _ := m.ServerID(); sid != hSrvAddr {
				t.Errorf("server id %v", sid)
			}
			if tt.want == Ack && !r.Sync {
				t.Error("ACK that wrote a lease does not ask for a sync")
			}
		})
	}
}

// A client that moves to another subnet (its relay changed) and asks for
// its old address in INIT-REBOOT gets a NAK from an authoritative server
// and silence from one that is not.
func TestInitRebootWrongSubnet(t *testing.T) {
	const cfg = `
		"interfaces-config": {"interfaces": ["eth0"]},
		"subnet4": [
			{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.10 - 192.0.2.19"}]},
			{"id": 2, "subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.10 - 198.51.100.19"}]}]`
	for _, auth := range []bool{false, true} {
		body := cfg
		if auth {
			body += `, "authoritative": true`
		}
		h := newHarness(t, body)
		_, ack := h.dora(client{mac: mac(1)})
		r, err := h.send(client{typ: Request, mac: mac(1), reqIP: ack.YIAddr, giaddr: hRelayAddr})
		if auth {
			h.reply(r, err, Nak)
			if r.Dst != netip.AddrPortFrom(hRelayAddr, 67) {
				t.Errorf("NAK to %v, want the relay", r.Dst)
			}
		} else {
			wantDrop(t, r, err, DropInitRebootUnknown)
		}
	}
}

func TestDiscover(t *testing.T) {
	h := newHarness(t, hBasic)
	_, ack := h.dora(client{mac: mac(1)})
	tests := []struct {
		name string
		c    client
		want netip.Addr
		drop DropReason
	}{
		{"client with a lease gets it again", client{mac: mac(1)}, ack.YIAddr, 0},
		{"requested address is offered", client{mac: mac(2), reqIP: hAddr15}, hAddr15, 0},
		{"requested address of another client is not", client{mac: mac(3), reqIP: ack.YIAddr}, hAddr11, 0},
		{"requested address outside the pools is not", client{mac: mac(4), reqIP: hOutOfPool}, netip.MustParseAddr("192.0.2.12"), 0},
		{"server identifier in DISCOVER", client{mac: mac(5), srvID: hSrvAddr}, netip.Addr{}, DropServerIDInDiscover},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.typ = Discover
			r, err := h.send(c)
			if tt.drop != 0 {
				wantDrop(t, r, err, tt.drop)
				return
			}
			m := h.reply(r, err, Offer)
			if m.YIAddr != tt.want {
				t.Errorf("offered %v, want %v", m.YIAddr, tt.want)
			}
			if r.Sync {
				t.Error("an OFFER asks for a sync, but nothing is written for DISCOVER")
			}
		})
	}
}

func TestPoolExhaustion(t *testing.T) {
	h := newHarness(t, hBasic)
	for i := range 10 {
		h.dora(client{mac: mac(byte(i + 1))})
	}
	r, err := h.send(client{typ: Discover, mac: mac(100)})
	wantDrop(t, r, err, DropNoAddress)
	if c := h.s.Counters(); c.Dropped[DropNoAddress] != 1 || c.Pools[0].Assigned != 10 || c.Pools[0].Total != 10 {
		t.Errorf("counters: dropped %d, pool %+v", c.Dropped[DropNoAddress], c.Pools)
	}
}

// Handle is safe for concurrent use: clients served from several
// goroutines at once never share an address.
func TestHandleConcurrent(t *testing.T) {
	h := newHarness(t, `"interfaces-config": {"interfaces": ["eth0"]},
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0", "pools": [{"pool": "192.0.2.10 - 192.0.2.250"}]}]`)
	const workers, each = 4, 40
	results := make(chan netip.Addr, workers*each)
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m := [6]byte{2, 0, 0, 0, byte(g), byte(i)}
				for attempt := 0; ; attempt++ {
					r, err := h.s.Handle(t.Context(), client{typ: Discover, mac: m}.bytes(t), h.meta, nil)
					if err != nil {
						errs <- err
						return
					}
					var offer Message
					offer.Decode(r.Data)
					r, err = h.s.Handle(t.Context(), client{typ: Request, mac: m, reqIP: offer.YIAddr, srvID: hSrvAddr}.bytes(t), h.meta, nil)
					var ack Message
					if err == nil {
						ack.Decode(r.Data)
					}
					if typ, _ := ack.MessageType(); typ == Ack {
						results <- ack.YIAddr
						break
					}
					// Another client leased the address offered to this
					// one before its REQUEST (offers hold nothing, as in
					// Kea): refused, it starts again. A goroutine kept off
					// the CPU while the others fill the pool can lose many
					// times in a row, so the bound is loose: once the
					// others are done nobody competes.
					if attempt > 1000 {
						errs <- fmt.Errorf("client %x got no lease", m)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(results)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[netip.Addr]bool{}
	for a := range results {
		if seen[a] {
			t.Errorf("%v leased twice", a)
		}
		seen[a] = true
	}
	if len(seen) != workers*each || h.store.Len4() != workers*each {
		t.Errorf("%d distinct leases, %d in the store, want %d", len(seen), h.store.Len4(), workers*each)
	}
}

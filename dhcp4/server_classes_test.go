package dhcp4

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

const hClassCfg = `
	"interfaces-config": {"interfaces": ["eth0"]},
	"reservations-global": true, "reservations-in-subnet": true,
	"reservations": [{"hw-address": "02:00:00:00:00:05", "hostname": "global-host", "client-classes": ["vip"]}],
	"client-classes": [
		{"name": "VENDOR_CLASS_docsis3.0", "option-data": [{"name": "log-servers", "data": "192.0.2.7"}]},
		{"name": "vip", "option-data": [{"name": "cookie-servers", "data": "192.0.2.8"}]},
		{"name": "known-only", "test": "member('KNOWN')"},
		{"name": "unknown-vendor", "test": "member('UNKNOWN') and option[60].text == 'evil'"},
		{"name": "DROP", "test": "option[60].text == 'drop-me'"}],
	"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0",
		"pools": [{"pool": "192.0.2.10 - 192.0.2.19", "client-class": "known-only"},
			{"pool": "192.0.2.20 - 192.0.2.29"}],
		"reservations": [{"hw-address": "02:00:00:00:00:01", "hostname": "known"}]}]`

func TestBuiltinAndReservedClasses(t *testing.T) {
	vendor := func(v string) [][2][]byte { return [][2][]byte{{{OptVendorClass}, []byte(v)}} }
	tests := []struct {
		name    string
		c       client
		drop    DropReason
		inPool1 bool // the KNOWN-only pool
		opt     uint8
		val     []byte
	}{
		{name: "vendor class option", c: client{mac: mac(2), extra: vendor("docsis3.0"), prl: []byte{OptLogServer}},
			opt: OptLogServer, val: []byte{192, 0, 2, 7}},
		{name: "known client (subnet reservation without address) uses the KNOWN pool", c: client{mac: mac(1)}, inPool1: true},
		{name: "unknown client does not", c: client{mac: mac(3)}},
		{name: "global reservation's class applies", c: client{mac: mac(5), prl: []byte{OptCookieServer}}, inPool1: true,
			opt: OptCookieServer, val: []byte{192, 0, 2, 8}},
		{name: "DROP class", c: client{mac: mac(6), extra: vendor("drop-me")}, drop: DropClass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, hClassCfg)
			c := tt.c
			c.typ = Discover
			r, err := h.send(c)
			if tt.drop != 0 {
				wantDrop(t, r, err, tt.drop)
				return
			}
			m := h.reply(r, err, Offer)
			in1 := u32(m.YIAddr) <= u32(netip.MustParseAddr("192.0.2.19"))
			if in1 != tt.inPool1 {
				t.Errorf("offered %v; in the KNOWN-only pool: %v, want %v", m.YIAddr, in1, tt.inPool1)
			}
			if tt.opt != 0 {
				if v, _ := m.Option(tt.opt); !bytes.Equal(v, tt.val) {
					t.Errorf("option %d = %x, want %x", tt.opt, v, tt.val)
				}
			}
		})
	}
}

func TestSharedNetworkClass(t *testing.T) {
	h := newHarness(t, `"interfaces-config": {"interfaces": ["eth0"]},
		"client-classes": [{"name": "lab", "test": "option[60].text == 'lab'"}],
		"shared-networks": [{"name": "labnet", "client-class": "lab", "relay": {"ip-addresses": ["198.51.100.1"]},
			"subnet4": [{"id": 1, "subnet": "203.0.113.0/24", "pools": [{"pool": "203.0.113.10 - 203.0.113.19"}]}]}],
		"subnet4": [{"id": 2, "subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.10 - 198.51.100.19"}]}]`)
	relay := netip.MustParseAddr("198.51.100.1")
	_, ack := h.dora(client{mac: mac(1), giaddr: relay, extra: [][2][]byte{{{OptVendorClass}, []byte("lab")}}})
	if !netip.MustParsePrefix("203.0.113.0/24").Contains(ack.YIAddr) {
		t.Errorf("lab client got %v, want the shared network", ack.YIAddr)
	}
	// Others do not pass the network's class: giaddr then selects by
	// prefix.
	_, ack = h.dora(client{mac: mac(2), giaddr: relay})
	if !netip.MustParsePrefix("198.51.100.0/24").Contains(ack.YIAddr) {
		t.Errorf("other client got %v, want the relay's own subnet", ack.YIAddr)
	}
}

// Vendor options (option 125) go to a client that names the enterprise in
// its own option 125: the DOCSIS sub-option list for CableLabs, and those
// marked always-send.
func TestVendorOptions(t *testing.T) {
	h := newHarness(t, `"interfaces-config": {"interfaces": ["eth0"]},
		"option-def": [{"name": "acme-srv", "code": 7, "space": "vendor-12345", "type": "ipv4-address"},
			{"name": "acme-flag", "code": 8, "space": "vendor-12345", "type": "uint8"}],
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0",
			"pools": [{"pool": "192.0.2.10 - 192.0.2.19"}],
			"option-data": [{"name": "acme-srv", "space": "vendor-12345", "data": "192.0.2.9", "always-send": true},
				{"name": "acme-flag", "space": "vendor-12345", "data": "1"}]}]`)
	vivso := []byte{0, 0, 0x30, 0x39, 0} // enterprise 12345, no data
	r, err := h.send(client{typ: Discover, mac: mac(1), extra: [][2][]byte{{{OptVIVendorSpecific}, vivso}}})
	m := h.reply(r, err, Offer)
	got, _ := m.Option(OptVIVendorSpecific)
	want := []byte{0, 0, 0x30, 0x39, 6, 7, 4, 192, 0, 2, 9}
	if !bytes.Equal(got, want) {
		t.Errorf("option 125 = %x, want %x (always-send sub-option only)", got, want)
	}
	r, err = h.send(client{typ: Discover, mac: mac(2)})
	if _, ok := h.reply(r, err, Offer).Option(OptVIVendorSpecific); ok {
		t.Error("option 125 sent to a client that did not name the enterprise")
	}
}

// With cache-threshold, a renewal early in the lease is answered with the
// remaining lifetime and nothing is written (Kea's lease caching).
func TestLeaseCache(t *testing.T) {
	h := newHarness(t, hBasic+`, "cache-threshold": 0.25`)
	_, ack := h.dora(client{mac: mac(1)})
	h.now = h.now.Add(500 * time.Second)
	r, err := h.send(client{typ: Request, mac: mac(1), ciaddr: ack.YIAddr})
	m := h.reply(r, err, Ack)
	if lt, _ := m.LeaseTime(); lt != 3500 {
		t.Errorf("lease time %d, want the remaining 3500", lt)
	}
	if r.Sync {
		t.Error("a cached renewal asks for a sync: nothing was written")
	}
	h.now = h.now.Add(600 * time.Second) // past 25% of 4000
	r, err = h.send(client{typ: Request, mac: mac(1), ciaddr: ack.YIAddr})
	if m := h.reply(r, err, Ack); !r.Sync {
		t.Errorf("renewal after the cache window not written (lease time %v)", m)
	}
}

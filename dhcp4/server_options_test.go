package dhcp4

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
)

// optionCodes lists a reply's options in wire order.
func optionCodes(m *Message) []uint8 {
	var out []uint8
	for i := range m.NumOptions() {
		c, _ := m.OptionAt(i)
		out = append(out, c)
	}
	return out
}

const hOptCfg = `
	"interfaces-config": {"interfaces": ["eth0"]},
	"valid-lifetime": 4000,
	"option-data": [
		{"name": "domain-name", "data": "global.example"},
		{"name": "time-offset", "data": "3600"},
		{"name": "ip-forwarding", "data": "false", "always-send": true},
		{"code": 44, "data": "192.0.2.53"}],
	"shared-networks": [{"name": "sn", "interface": "eth0",
		"option-data": [{"name": "domain-name", "data": "network.example"},
			{"name": "netbios-node-type", "data": "8"}],
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24",
			"option-data": [{"name": "routers", "data": "192.0.2.1"},
				{"name": "domain-name-servers", "data": "192.0.2.53"},
				{"name": "ntp-servers", "data": "192.0.2.123"},
				{"name": "time-offset", "data": "7200"},
				{"code": 44, "data": "192.0.2.99", "never-send": true}],
			"pools": [{"pool": "192.0.2.10 - 192.0.2.19",
				"option-data": [{"name": "ntp-servers", "data": "192.0.2.124"}]}]}]}]`

func TestOptionPrecedenceAndOrder(t *testing.T) {
	h := newHarness(t, hOptCfg)
	prl := []byte{OptNTPServers, OptTimeOffset, OptDomainName, OptSubnetMask, 44, OptNetBIOSNodeType}
	_, ack := h.dora(client{mac: mac(1), prl: prl, cid: []byte{1, 2, 0, 0, 0, 0, 1}})
	tests := []struct {
		code uint8
		want []byte
		ok   bool
	}{
		{OptNTPServers, []byte{192, 0, 2, 124}, true},    // pool beats subnet
		{OptTimeOffset, []byte{0, 0, 0x1c, 0x20}, true},  // subnet beats global
		{OptDomainName, []byte("network.example"), true}, // shared network beats global
		{OptNetBIOSNodeType, []byte{8}, true},            // shared network only
		{44, nil, false},                                 // never-send at the subnet masks the global
		{OptIPForwarding, []byte{0}, true},               // always-send, not requested
		{OptRouter, []byte{192, 0, 2, 1}, true},          // basic option, not requested
		{OptDNS, []byte{192, 0, 2, 53}, true},            // basic option, not requested
		{OptSubnetMask, []byte{255, 255, 255, 0}, true},  // from the prefix
		{OptClientID, []byte{1, 2, 0, 0, 0, 0, 1}, true}, // echoed (RFC 6842)
	}
	for _, tt := range tests {
		got, ok := ack.Option(tt.code)
		if ok != tt.ok || !bytes.Equal(got, tt.want) {
			t.Errorf("option %d = %x (present %v), want %x (present %v)", tt.code, got, ok, tt.want, tt.ok)
		}
	}
	// Order: message type and server id first, lease times and mask,
	// then the requested options in the client's order.
	codes := optionCodes(ack)
	want := []uint8{OptMessageType, OptServerID, OptLeaseTime, OptSubnetMask, OptNTPServers, OptTimeOffset, OptDomainName, OptNetBIOSNodeType}
	if !slices.Equal(codes[:len(want)], want) {
		t.Errorf("option order %v, want it to start %v", codes, want)
	}
}

func TestRelayAgentInfoEcho(t *testing.T) {
	h := newHarness(t, hBasic)
	rai := opt82(sub(RelayCircuitID, []byte("eth0/1/7")...), sub(RelayRemoteID, []byte("remote-17")...))
	relay := netip.MustParseAddr("192.0.2.250")
	offer, ack := h.dora(client{mac: mac(1), giaddr: relay, rai: rai, prl: []byte{OptDNS}})
	for _, m := range []*Message{offer, ack} {
		got, ok := m.Option(OptRelayAgentInfo)
		if !ok || !bytes.Equal(got, rai) {
			t.Errorf("option 82 = %x, want it echoed %x", got, rai)
		}
		codes := optionCodes(m)
		if codes[len(codes)-1] != OptRelayAgentInfo {
			t.Errorf("option 82 not last: %v", codes)
		}
		if m.GIAddr != relay {
			t.Errorf("giaddr %v not copied", m.GIAddr)
		}
	}
}

func TestReplyAddressing(t *testing.T) {
	tests := []struct {
		name string
		c    client
		dst  netip.AddrPort
		raw  bool
	}{
		{"no address: raw unicast to yiaddr", client{}, netip.MustParseAddrPort("192.0.2.10:68"), true},
		{"broadcast flag", client{flags: BroadcastFlag}, netip.MustParseAddrPort("255.255.255.255:68"), false},
		{"relayed", client{giaddr: netip.MustParseAddr("192.0.2.250")}, netip.MustParseAddrPort("192.0.2.250:67"), false},
		{"relay-port sub-option", client{giaddr: netip.MustParseAddr("192.0.2.250"), rai: opt82(sub(relayPortSub))},
			netip.MustParseAddrPort("192.0.2.250:67"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, hBasic)
			c := tt.c
			c.typ, c.mac = Discover, mac(1)
			r, err := h.send(c)
			m := h.reply(r, err, Offer)
			if r.Dst != tt.dst || r.Raw != tt.raw {
				t.Errorf("to %v raw %v, want %v raw %v", r.Dst, r.Raw, tt.dst, tt.raw)
			}
			if tt.raw && !bytes.Equal(r.HWAddr, m.HWAddr()) {
				t.Errorf("raw to %x, want chaddr %x", r.HWAddr, m.HWAddr())
			}
			if r.Src != hSrvAddr || r.IfIndex != 2 {
				t.Errorf("from %v on %d", r.Src, r.IfIndex)
			}
		})
	}
}

func TestHostNames(t *testing.T) {
	const cfg = hBasic + `, "ddns-qualifying-suffix": "example.org"`
	fqdn := func(flags byte, name ...byte) [][2][]byte {
		return [][2][]byte{{{OptClientFQDN}, append([]byte{flags, 0, 0}, name...)}}
	}
	wire := func(labels ...string) []byte {
		var b []byte
		for _, l := range labels {
			b = append(append(b, byte(len(l))), l...)
		}
		return append(b, 0)
	}
	tests := []struct {
		name      string
		extra     [][2][]byte
		wantOpt   uint8
		wantReply string
		wantLease string
		flags     uint8
	}{
		{"host name qualified", [][2][]byte{{{OptHostname}, []byte("Laptop")}}, OptHostname, "laptop.example.org", "laptop.example.org", 0},
		{"host name with bad characters scrubbed", [][2][]byte{{{OptHostname}, []byte("my_laptop.lan")}}, OptHostname, "mylaptop.lan", "mylaptop.lan", 0},
		{"FQDN, full, ASCII, S set", fqdn(FQDNServerUpdate, []byte("pc.example.com.")...), OptClientFQDN, "pc.example.com.", "pc.example.com.",
			FQDNNoUpdate | FQDNOverride},
		{"FQDN, partial, wire format", fqdn(FQDNEncoded, wire("pc")[:3]...), OptClientFQDN, "pc.example.org.", "pc.example.org.",
			FQDNNoUpdate | FQDNEncoded},
		{"FQDN, empty: generated", fqdn(0), OptClientFQDN, "myhost-192-0-2-10.example.org.", "myhost-192-0-2-10.example.org.", FQDNNoUpdate},
		{"no name", nil, 0, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cfg)
			_, ack := h.dora(client{mac: mac(1), extra: tt.extra})
			l, _ := h.store.Get4(t.Context(), ack.YIAddr)
			if l.Hostname != tt.wantLease || l.FQDNFwd || l.FQDNRev {
				t.Errorf("lease host name %q fwd %v rev %v, want %q and no DNS updates", l.Hostname, l.FQDNFwd, l.FQDNRev, tt.wantLease)
			}
			switch tt.wantOpt {
			case OptHostname:
				if hn, _ := ack.Hostname(); string(hn) != tt.wantReply {
					t.Errorf("option 12 %q, want %q", hn, tt.wantReply)
				}
			case OptClientFQDN:
				f, ok := ack.ClientFQDN()
				if !ok {
					t.Fatal("no option 81 in the reply")
				}
				if got := string(f.AppendText(nil)); got != tt.wantReply || f.Flags != tt.flags || f.RCode2 != 0 {
					t.Errorf("option 81 %q flags %#x rcode %d, want %q flags %#x rcode 0 (the client's, as Kea)", got, f.Flags, f.RCode2, tt.wantReply, tt.flags)
				}
			default:
				if _, ok := ack.Option(OptHostname); ok {
					t.Error("option 12 without a client name")
				}
			}
		})
	}
}

// A reply that does not fit the client's maximum message size loses
// optional options from the end, never the essentials.
func TestReplySizeLimit(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 200)
	cfg := `"interfaces-config": {"interfaces": ["eth0"]},
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0", "pools": [{"pool": "192.0.2.10 - 192.0.2.19"}],
		"option-data": [`
	var prl []byte
	for i, code := range []int{17, 18, 40, 64, 66, 67} {
		if i > 0 {
			cfg += ","
		}
		cfg += `{"code": ` + itoaTest(code) + `, "data": "'` + string(long) + `'"}`
		prl = append(prl, byte(code))
	}
	cfg += `]}]`
	h := newHarness(t, cfg)
	r, err := h.send(client{typ: Discover, mac: mac(1), prl: prl})
	m := h.reply(r, err, Offer)
	if len(r.Data) > 576-28 {
		t.Errorf("reply of %d bytes exceeds what a 576-byte datagram holds", len(r.Data))
	}
	if _, ok := m.LeaseTime(); !ok {
		t.Error("lease time dropped")
	}
	if _, ok := m.Option(17); !ok {
		t.Error("the first requested option should still fit")
	}
	if _, ok := m.Option(67); ok {
		t.Error("the last requested option cannot fit")
	}
}

func itoaTest(n int) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

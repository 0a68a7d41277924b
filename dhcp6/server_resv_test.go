package dhcp6

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

const tsResvConfig = `{"Dhcp6": {
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "renew-timer": 1000, "rebind-timer": 2000,
  "server-id": {"type": "LL", "identifier": "02000000aa01", "persist": false},
  "host-reservation-identifiers": ["hw-address", "duid"],
  "option-data": [
    {"name": "dns-servers", "data": "2001:db8::1"},
    {"name": "preference", "data": "200", "always-send": true},
    {"name": "sntp-servers", "data": "2001:db8::123"},
    {"name": "tftp-servers", "space": "vendor-4491", "data": "2001:db8::69"}
  ],
  "client-classes": [
    {"name": "gold", "option-data": [{"name": "dns-servers", "data": "2001:db8::4"}],
     "valid-lifetime": 8000, "preferred-lifetime": 6000},
    {"name": "known-clients", "test": "member('KNOWN')", "option-data": [{"name": "domain-search", "data": "known.example"}]},
    {"name": "late", "test": "member('ALL')", "only-if-required": true, "option-data": [{"name": "nis-servers", "data": "2001:db8::77"}]},
    {"name": "mute", "test": "option[1].hex == 0x0003000102000000059a", "option-data": [{"name": "sntp-servers", "never-send": true}]}
  ],
  "shared-networks": [{"name": "net", "interface": "eth0",
    "option-data": [{"name": "dns-servers", "data": "2001:db8::3"}],
    "subnet6": [
      {"id": 1, "subnet": "2001:db8:1::/64", "require-client-classes": ["late"],
       "option-data": [{"name": "dns-servers", "data": "2001:db8::2"}],
       "pools": [{"pool": "2001:db8:1::100-2001:db8:1::103", "client-class": "gold"},
                 {"pool": "2001:db8:1::200-2001:db8:1::2ff", "option-data": [{"name": "dns-servers", "data": "2001:db8::5"}]}],
       "pd-pools": [{"prefix": "2001:db8:8000::", "prefix-len": 40, "delegated-len": 56}],
       "reservations": [
         {"duid": "00:03:00:01:02:00:00:00:05:01", "ip-addresses": ["2001:db8:1::201"], "prefixes": ["2001:db8:9000::/56"],
          "hostname": "alpha", "client-classes": ["gold"], "option-data": [{"name": "dns-servers", "data": "2001:db8::6"}]},
         {"hw-address": "02:00:00:00:06:07", "ip-addresses": ["2001:db8:1::7"], "hostname": "by-mac"}
       ]},
      {"id": 2, "subnet": "2001:db8:2::/64",
       "pools": [{"pool": "2001:db8:2::100-2001:db8:2::1ff"}]}
    ]}]
}}`

// TestReservations covers reservations by DUID and hardware address:
// addresses and prefixes (also inside a pool, where nobody else gets
// them), host names, options, classes.
func TestReservations(t *testing.T) {
	ts := newTS(t, tsResvConfig)
	alpha := duidLL(1)
	oro := withORO(OptDNSServers, OptDomainList)
	adv := ts.ask(srvMsg(Solicit, 1, alpha, []opt{withNA(1), withPD(2), oro}), tsDirect)
	rep := ts.ask(srvMsg(Request, 2, alpha, []opt{withServerIDOf(adv.Msg.Options), withIAs(adv.Msg.Options), oro}), tsDirect)
	// In a shared network the reservation's classes come after allocation
	// (Kea's conditionallySetReservedClientClasses): gold's options apply,
	// its lifetimes do not.
	requireHas(t, rep, "IA_NA(1 t1=1000 t2=2000 IAADDR(2001:db8:1::201 3000/4000 ) )",
		"IA_PD(2 t1=1000 t2=2000 IAPREFIX(2001:db8:9000::/56 3000/4000 ) )",
		"DNS_SERVERS=20010db8000000000000000000000006", "DOMAIN_LIST=056b6e6f776e076578616d706c6500")
	l, _ := ts.lease(lease.TypeNA, "2001:db8:1::201")
	if l.Hostname != "alpha" {
		t.Errorf("lease host name %q, want alpha", l.Hostname)
	}
	// The reserved in-pool address is skipped for others, even as a hint.
	other := ts.ask(srvMsg(Solicit, 3, duidLL(2), []opt{withNA(1, "2001:db8:1::201")}), tsDirect)
	requireLacks(t, other, "2001:db8:1::201")
	// By hardware address (from the client's DUID-LLT).
	byMAC := ts.ask(srvMsg(Solicit, 4, AppendDUIDLLT(nil, 1, 7, []byte{2, 0, 0, 0, 6, 7}), []opt{withNA(1), withOption(OptClientFQDN, []byte{1, 3, 'm', 'e', 'e'})}), tsDirect)
	requireHas(t, byMAC, "IAADDR(2001:db8:1::7 3000/4000 )", "CLIENT_FQDN=060662792d6d616300")
	c := ts.s.Counters()
	if c.LeasesAllocated != 2 {
		t.Errorf("allocated %d, want 2", c.LeasesAllocated)
	}
}

// TestOptionPrecedence checks Kea's order of option levels: reservation,
// pool, subnet, shared network, classes, global; always-send and
// never-send; class-restricted pools and required classes.
func TestOptionPrecedence(t *testing.T) {
	dns := func(last byte) string { return "DNS_SERVERS=20010db80000000000000000000000" + hexString([]byte{last}) }
	tests := []struct {
		name      string
		cfg       string
		duid      []byte
		meta      PacketMeta
		has, lack []string
	}{
		{"pool level", tsResvConfig, duidLL(10), tsDirect, []string{"IAADDR(2001:db8:1::200 ", dns(5), "PREFERENCE=c8", "NIS_SERVERS="}, nil},
		{"subnet level", strings.Replace(tsResvConfig, `, "option-data": [{"name": "dns-servers", "data": "2001:db8::5"}]}]`, `}]`, 1),
			duidLL(11), tsDirect, []string{dns(2)}, nil},
		{"network level", strings.Replace(strings.Replace(tsResvConfig, `, "option-data": [{"name": "dns-servers", "data": "2001:db8::5"}]}]`, `}]`, 1),
			`"option-data": [{"name": "dns-servers", "data": "2001:db8::2"}],`, ``, 1), duidLL(12), tsDirect, []string{dns(3)}, nil},
		{"never-send masks the global option", tsResvConfig, duidLL(0x9a), tsDirect, []string{dns(5)}, []string{"SNTP_SERVERS"}},
		{"no subnet: global only", tsResvConfig, duidLL(13), PacketMeta{Src: tsDirect.Src, Dst: tsDirect.Dst, IfName: "eth7"},
			[]string{dns(1), "SNTP_SERVERS=", "PREFERENCE=c8"}, []string{"NIS_SERVERS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTS(t, tc.cfg)
			p := ts.ask(srvMsg(Solicit, 1, tc.duid, []opt{withNA(1), withORO(OptDNSServers, OptSNTPServers, OptNISServers)}), tc.meta)
			requireHas(t, p, tc.has...)
			requireLacks(t, p, tc.lack...)
		})
	}
}

// TestVendorOptions checks CableLabs' vendor options: sub-options asked
// for in the client's DOCSIS ORO come back in OPTION_VENDOR_OPTS.
func TestVendorOptions(t *testing.T) {
	ts := newTS(t, tsResvConfig)
	vendor := binary.BigEndian.AppendUint32(nil, 4491)
	vendor = append(vendor, 0, 1, 0, 2, 0, 32) // ORO sub-option asking for 32
	p := ts.ask(srvMsg(InformationRequest, 1, duidLL(20), []opt{withOption(OptVendorOpts, vendor)}), tsDirect)
	requireHas(t, p, "VENDOR_OPTS=0000118b0020001020010db8000000000000000000000069")
	p = ts.ask(srvMsg(InformationRequest, 1, duidLL(20), nil), tsDirect)
	requireLacks(t, p, "VENDOR_OPTS")
}

package dhcp6

import (
	"encoding/binary"
	"testing"
)

// keaResvConfig exercises reservations, classes, shared networks, option
// levels, vendor options, relay-supplied options and host names.
const keaResvConfig = `{"Dhcp6": {
  "interfaces-config": {"interfaces": ["IFACE/2001:db8:1::1"]},
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "server-id": {"type": "LL", "identifier": "02000000aa01", "htype": 1, "persist": false},
  "host-reservation-identifiers": ["hw-address", "duid"],
  "ddns-qualifying-suffix": "example.org",
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
    {"name": "silver", "test": "substring(option[1].hex, 0, 2) == 0x0002", "valid-lifetime": 9000, "preferred-lifetime": 7000,
     "option-data": [{"name": "sntp-servers", "data": "2001:db8::124"}]}
  ],
  "reservations": [
    {"duid": "00:02:00:00:27:0f:aa:70", "prefixes": ["2001:db8:9900::/56"], "hostname": "global-one"}
  ],
  "shared-networks": [{"name": "net", "interface": "IFACE",
    "option-data": [{"name": "dns-servers", "data": "2001:db8::3"}],
    "subnet6": [
      {"id": 1, "subnet": "2001:db8:1::/64", "require-client-classes": ["late"],
       "option-data": [{"name": "dns-servers", "data": "2001:db8::2"}],
       "pools": [{"pool": "2001:db8:1::100-2001:db8:1::103", "client-class": "gold"},
                 {"pool": "2001:db8:1::200-2001:db8:1::2ff", "option-data": [{"name": "dns-servers", "data": "2001:db8::5"}]}],
       "pd-pools": [{"prefix": "2001:db8:8000::", "prefix-len": 40, "delegated-len": 56}],
       "reservations": [
         {"duid": "00:03:00:01:02:00:00:00:05:61", "ip-addresses": ["2001:db8:1::201"], "prefixes": ["2001:db8:9000::/56"],
          "hostname": "alpha", "client-classes": ["gold"], "option-data": [{"name": "dns-servers", "data": "2001:db8::6"}]},
         {"hw-address": "02:00:00:00:06:67", "ip-addresses": ["2001:db8:1::7"], "hostname": "by-mac"}
       ]},
      {"id": 2, "subnet": "2001:db8:2::/64",
       "pools": [{"pool": "2001:db8:2::100-2001:db8:2::1ff"}]}
    ]}],
  "subnet6": [
    {"id": 3, "subnet": "2001:db8:3::/64", "reservations-global": true, "reservations-in-subnet": true,
     "ddns-replace-client-name": "always",
     "pools": [{"pool": "2001:db8:3::100-2001:db8:3::1ff"}],
     "pd-pools": [{"prefix": "2001:db8:9900::", "prefix-len": 48, "delegated-len": 56}]}
  ]
}}`

var keaResvScenarios = []scenario{
	{"reserved-client-in-shared-network", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(0x61))
		o := []opt{withORO(OptDNSServers, OptDomainList, OptNISServers, OptSNTPServers), withOption(OptClientFQDN, []byte{0x01, 4, 'h', 'o', 's', 't'})}
		if c.step("direct", srvMsg(Solicit, 0x110001, c.duid, append([]opt{withNA(1), withPD(2)}, o...))) == nil {
			return c.out
		}
		c.step("direct", srvMsg(Request, 0x110002, c.duid, append([]opt{withServerIDOf(c.last), withIAs(c.last)}, o...)))
		ias := c.last
		c.step("direct", srvMsg(Renew, 0x110003, c.duid, append([]opt{withServerIDOf(ias), withIAs(ias)}, o...)))
		return c.out
	}},
	{"reserved-address-not-for-others", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(0x62))
		c.step("direct", srvMsg(Solicit, 0x120001, c.duid, []opt{withNA(1, "2001:db8:1::201"), withORO(OptDNSServers, OptNISServers)}))
		return c.out
	}},
	{"reservation-by-hw-address", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, AppendDUIDLLT(nil, 1, 7, []byte{2, 0, 0, 0, 6, 0x67}))
		c.step("direct", srvMsg(Solicit, 0x130001, c.duid, []opt{withNA(1), withOption(OptClientFQDN, []byte{0x01, 3, 'm', 'e', 'e'}), withORO(OptDomainList)}))
		return c.out
	}},
	{"class-lifetimes-and-options", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidEN(0x63))
		q := srvMsg(Solicit, 0x140001, c.duid, []opt{withNA(1), withPD(2), withORO(OptSNTPServers, OptDNSServers)})
		c.step("relayed", srvRelay(q, relayHop{link: "2001:db8:3::1", peer: "fe80::63"}))
		return c.out
	}},
	{"global-reservation", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidEN(0x70))
		o := []opt{withNA(1), withPD(2), withOption(OptClientFQDN, []byte{0x01, 4, 'n', 'a', 'm', 'e'}), withORO(OptDomainList)}
		hop := relayHop{link: "2001:db8:3::1", peer: "fe80::70"}
		if c.step("relayed", srvRelay(srvMsg(Solicit, 0x150001, c.duid, o), hop)) == nil {
			return c.out
		}
		c.step("relayed", srvRelay(srvMsg(Request, 0x150002, c.duid, []opt{withServerIDOf(c.last), withIAs(c.last), o[2], o[3]}), hop))
		return c.out
	}},
	{"vendor-options", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(0x64))
		vendor := binary.BigEndian.AppendUint32(nil, 4491)
		vendor = append(vendor, 0, 1, 0, 4, 0, 32, 0, 33)
		c.step("direct", srvMsg(InformationRequest, 0x160001, c.duid, []opt{withOption(OptVendorOpts, vendor)}))
		c.step("direct", srvMsg(InformationRequest, 0x160002, c.duid, []opt{withOption(OptVendorClass, vendorClass(4491, "docsis3.0"))}))
		return c.out
	}},
	{"relay-supplied-and-source-port", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(0x65))
		rsoo := withOption(OptRSOO, []byte{0, 65, 0, 3, 'e', 'r', 'p'})
		q := srvMsg(Solicit, 0x170001, c.duid, []opt{withNA(1)})
		c.step("relayed", srvRelay(q, relayHop{link: "2001:db8:2::1", peer: "fe80::65", opts: []opt{rsoo, withOption(optRelaySourcePort, []byte{2, 35})}}))
		return c.out
	}},
	{"host-names", func(t *testing.T, tg target) []string {
		var out []string
		for i, fqdn := range [][]byte{
			{0x00, 7, 'b', 'a', 'd', '_', 'n', 'a', 'm'},
			{0x00, 4, 'f', 'u', 'l', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0},
			{0x00},
			{0x01, 3, 'a', 'b', 'c'},
		} {
			c := newConvo(t, tg, duidLL(byte(0x80+i)))
			if c.step("direct", srvMsg(Solicit, 0x180001+uint32(i), c.duid, []opt{withNA(1), withOption(OptClientFQDN, fqdn)})) == nil {
				out = append(out, c.out...)
				continue
			}
			c.step("direct", srvMsg(Request, 0x180101+uint32(i), c.duid, []opt{withServerIDOf(c.last), withIAs(c.last), withOption(OptClientFQDN, fqdn)}))
			out = append(out, c.out...)
		}
		// ddns-replace-client-name always, on subnet 3.
		c := newConvo(t, tg, duidLL(0x90))
		c.step("relayed", srvRelay(srvMsg(Solicit, 0x180201, c.duid, []opt{withNA(1), withOption(OptClientFQDN, []byte{0x01, 4, 'h', 'o', 's', 't'})}),
			relayHop{link: "2001:db8:3::1", peer: "fe80::90"}))
		return append(out, c.out...)
	}},
}

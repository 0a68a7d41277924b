package config

import (
	"net/netip"
	"reflect"
	"testing"
)

func u32(v uint32) *uint32 { return &v }

func TestInheritance4(t *testing.T) {
	cfg, err := Parse([]byte(v4(`
		"valid-lifetime": 1000, "min-valid-lifetime": 500, "max-valid-lifetime": 2000,
		"renew-timer": 100, "authoritative": true, "next-server": "192.0.2.250", "match-client-id": false,
		"reservation-mode": "out-of-pool", "allocator": "random",
		"calculate-tee-times": true, "t1-percent": 0.4, "t2-percent": 0.7, "store-extended-info": true,
		"boot-file-name": "/boot/global", "ddns-generated-prefix": "host",
		"shared-networks": [ {
			"name": "n", "valid-lifetime": 1500, "rebind-timer": 300, "interface": "eth1",
			"relay": { "ip-addresses": [ "198.51.100.1" ] }, "authoritative": false, "client-class": "netclass",
			"require-client-classes": [ "late" ], "ddns-generated-prefix": "nethost",
			"subnet4": [
				{ "id": 1, "subnet": "192.0.2.0/24", "max-valid-lifetime": 1600 },
				{ "id": 2, "subnet": "198.51.100.0/24", "relay": { "ip-addresses": [ "203.0.113.1" ] },
				  "authoritative": true, "next-server": "192.0.2.9", "client-class": "own", "allocator": "iterative",
				  "reservations-in-subnet": false, "calculate-tee-times": false, "cache-max-age": 60 }
			]
		} ],
		"subnet4": [ { "id": 3, "subnet": "203.0.113.0/24" } ]`)))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.DHCP4
	if len(c.Subnets) != 3 || c.Subnets[0].ID != 1 || c.Subnets[1].ID != 2 || c.Subnets[2].ID != 3 {
		t.Fatalf("subnets not sorted by id: %v", c.Subnets)
	}
	net := c.SharedNetworks[0]
	s1, s2, s3 := c.Subnets[0], c.Subnets[1], c.Subnets[2]
	relay1 := []netip.Addr{netip.MustParseAddr("198.51.100.1")}
	global := netip.MustParseAddr("192.0.2.250")
	oop := ReservationModes{InSubnet: true, OutOfPool: true}
	tests := []struct {
		name      string
		got, want any
	}{
		{"global lifetime", c.ValidLifetime, Lifetime{500, 1000, 2000}},
		{"network lifetime", net.ValidLifetime, Lifetime{500, 1500, 2000}},
		{"subnet lifetime, max own", s1.ValidLifetime, Lifetime{500, 1500, 1600}},
		{"subnet lifetime from network", s2.ValidLifetime, Lifetime{500, 1500, 2000}},
		{"plain subnet lifetime", s3.ValidLifetime, Lifetime{500, 1000, 2000}},
		{"renew from global", s1.RenewTimer, u32(100)},
		{"rebind from network", s1.RebindTimer, u32(300)},
		{"no rebind outside network", s3.RebindTimer, (*uint32)(nil)},
		{"authoritative from network", s1.Authoritative, false},
		{"authoritative own", s2.Authoritative, true},
		{"authoritative from global", s3.Authoritative, true},
		{"next-server from global", s1.NextServer, global},
		{"next-server own", s2.NextServer, netip.MustParseAddr("192.0.2.9")},
		{"boot file from global", s2.BootFileName, "/boot/global"},
		{"match-client-id from global", s1.MatchClientID, false},
		{"interface from network", s1.Interface, "eth1"},
		{"no interface outside network", s3.Interface, ""},
		{"relay from network", s1.Relay, relay1},
		{"relay own", s2.Relay, []netip.Addr{netip.MustParseAddr("203.0.113.1")}},
		{"network relay", net.Relay, relay1},
		{"client class not inherited", s1.ClientClass, ""},
		{"client class own", s2.ClientClass, "own"},
		{"network client class", net.ClientClass, "netclass"},
		{"required classes stay on the network", s1.RequireClientClasses, []string(nil)},
		{"network required classes", net.RequireClientClasses, []string{"late"}},
		{"reservation mode from global", s1.ReservationModes, oop},
		{"reservation mode partly own", s2.ReservationModes, ReservationModes{InSubnet: false, OutOfPool: true}},
		{"allocator from global", s1.Allocator, "random"},
		{"allocator own", s2.Allocator, "iterative"},
		{"tee times from global", [3]any{s1.CalculateTeeTimes, s1.T1Percent, s1.T2Percent}, [3]any{true, 0.4, 0.7}},
		{"tee times off", s2.CalculateTeeTimes, false},
		{"extended info from global", s3.StoreExtendedInfo, true},
		{"cache max age own", s2.CacheMaxAge, u32(60)},
		{"ddns prefix from network", s1.DDNS.GeneratedPrefix, "nethost"},
		{"ddns prefix from global", s3.DDNS.GeneratedPrefix, "host"},
		{"network pointer", s1.Network == net && s2.Network == net && s3.Network == nil, true},
		{"network subnets", len(net.Subnets), 2},
	}
	for _, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, deref(tc.got), deref(tc.want))
		}
	}
	if len(cfg.Warnings) != 1 {
		t.Errorf("want one warning (deprecated reservation-mode), got %q", cfg.Warnings)
	}
}

func TestInheritance6(t *testing.T) {
	cfg, err := Parse([]byte(v6(`
		"preferred-lifetime": 3000, "valid-lifetime": 4000, "pd-allocator": "random",
		"shared-networks": [ {
			"name": "n", "interface-id": "relay1", "rapid-commit": true, "min-preferred-lifetime": 2000,
			"subnet6": [
				{ "id": 1, "subnet": "2001:db8:1::/64" },
				{ "id": 2, "subnet": "2001:db8:2::/64", "rapid-commit": false, "preferred-lifetime": 2500,
				  "t2-percent": 0.9 }
			]
		} ],
		"subnet6": [ { "id": 3, "subnet": "2001:db8:3::/64", "interface": "eth0" } ]`)))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.DHCP6
	s1, s2, s3 := c.Subnets[0], c.Subnets[1], c.Subnets[2]
	tests := []struct {
		name      string
		got, want any
	}{
		{"preferred from global", s1.PreferredLifetime, Lifetime{2000, 3000, 3000}},
		{"preferred own", s2.PreferredLifetime, Lifetime{2000, 2500, 2500}},
		{"preferred plain", s3.PreferredLifetime, Lifetime{3000, 3000, 3000}},
		{"valid", s1.ValidLifetime, Lifetime{4000, 4000, 4000}},
		{"interface-id from network", string(s1.InterfaceID), "relay1"},
		{"no interface-id", s3.InterfaceID, []byte(nil)},
		{"rapid commit from network", s1.RapidCommit, true},
		{"rapid commit own", s2.RapidCommit, false},
		{"rapid commit default", s3.RapidCommit, false},
		{"interface own", s3.Interface, "eth0"},
		{"pd allocator from global", s1.PDAllocator, "random"},
		{"address allocator default", s1.Allocator, "iterative"},
		{"t2 own", s2.T2Percent, 0.9},
		{"t2 default", s1.T2Percent, 0.8},
		{"tee times default on", s3.CalculateTeeTimes, true},
	}
	for _, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, deref(tc.got), deref(tc.want))
		}
	}
}

func deref(v any) any {
	if p, ok := v.(*uint32); ok && p != nil {
		return *p
	}
	return v
}

// TestAutomaticIDs follows Kea 2.2's numbering: shared networks' subnets
// first, then subnet4, a counter from 1 for those without an id.
func TestAutomaticIDs(t *testing.T) {
	cfg, err := Parse([]byte(v4(`
		"subnet4": [ { "subnet": "192.0.2.0/24" }, { "id": 0, "subnet": "198.51.100.0/24" }, { "id": 9, "subnet": "203.0.113.0/24" } ],
		"shared-networks": [ { "name": "n", "subnet4": [ { "subnet": "198.18.0.0/24" } ] } ]`)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint32{"198.18.0.0/24": 1, "192.0.2.0/24": 2, "198.51.100.0/24": 3, "203.0.113.0/24": 9}
	for _, s := range cfg.DHCP4.Subnets {
		if want[s.Prefix.String()] != s.ID {
			t.Errorf("%s got id %d, want %d", s.Prefix, s.ID, want[s.Prefix.String()])
		}
	}
}

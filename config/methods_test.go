package config

import (
	"reflect"
	"testing"
)

func TestRunTimeHelpers(t *testing.T) {
	cfg, err := Parse([]byte(v4(`
		"shared-networks": [ { "name": "n", "client-class": "net", "require-client-classes": [ "a" ],
			"option-data": [ { "name": "domain-name", "data": "net.example" } ],
			"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "client-class": "sub", "require-client-classes": [ "b" ],
				"option-data": [ { "name": "domain-name", "data": "sub.example" } ],
				"pools": [ { "pool": "192.0.2.10 - 192.0.2.20", "client-class": "pool", "require-client-classes": [ "c" ],
					"option-data": [ { "name": "domain-name", "data": "pool.example" } ] } ] } ] } ],
		"subnet4": [ { "id": 2, "subnet": "198.51.100.0/24" } ]`)))
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := cfg.DHCP4.Subnets[0], cfg.DHCP4.Subnets[1]
	in := func(classes ...string) func(string) bool {
		return func(c string) bool {
			for _, x := range classes {
				if x == c {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"both classes", s1.Admits(in("net", "sub")), true},
		{"subnet class only", s1.Admits(in("sub")), false},
		{"network class only", s1.Admits(in("net")), false},
		{"unrestricted subnet", s2.Admits(in()), true},
		{"pool class", s1.Pools[0].Admits(in("pool")), true},
		{"pool class missing", s1.Pools[0].Admits(in("net", "sub")), false},
		{"required classes", s1.RequiredClasses(&s1.Pools[0]), []string{"a", "b", "c"}},
		{"required classes without pool", s1.RequiredClasses(nil), []string{"a", "b"}},
		{"option scopes", len(s1.OptionScopes(&s1.Pools[0])), 3},
		{"first scope is the pool", string(s1.OptionScopes(&s1.Pools[0])[0][0].Data), "pool.example"},
		{"then the subnet", string(s1.OptionScopes(nil)[0][0].Data), "sub.example"},
		{"then the network", string(s1.OptionScopes(nil)[1][0].Data), "net.example"},
		{"plain subnet scopes", len(s2.OptionScopes(nil)), 1},
	}
	for _, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	cfg6, err := Parse([]byte(v6(`"shared-networks": [ { "name": "n", "client-class": "net", "require-client-classes": [ "a" ],
		"subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/80", "require-client-classes": [ "b" ] } ],
			"pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56, "client-class": "pd", "require-client-classes": [ "c" ],
				"option-data": [ { "name": "preference", "data": "5" } ] } ] } ] } ]`)))
	if err != nil {
		t.Fatal(err)
	}
	s6 := cfg6.DHCP6.Subnets[0]
	if s6.Admits(in("pd")) || !s6.Admits(in("net")) || !s6.PDPools[0].Admits(in("pd")) || s6.PDPools[0].Admits(in("net")) {
		t.Error("DHCPv6 class checks wrong")
	}
	if got := s6.RequiredClasses([]*Pool{&s6.Pools[0]}, []*PDPool{&s6.PDPools[0]}); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("DHCPv6 required classes %v", got)
	}
	if sc := s6.OptionScopes(s6.PDPools[0].Options); len(sc) != 3 || sc[0][0].Code != 7 {
		t.Errorf("DHCPv6 option scopes %v", sc)
	}
}

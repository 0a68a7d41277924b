package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/leasehold/leasehold/config"
)

func ExampleParse() {
	cfg, err := config.Parse([]byte(`{
  "Dhcp4": {
    // Kea's comments are allowed.
    "interfaces-config": { "interfaces": [ "eth0/192.0.2.1" ] },
    "valid-lifetime": 4000,
    "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53, 192.0.2.54" } ],
    "shared-networks": [ {
      "name": "office",
      "authoritative": true,
      "subnet4": [ { "id": 10, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ] } ]
    } ]
  }
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := cfg.DHCP4.Subnets[0]
	fmt.Println(s.ID, s.Prefix, s.Pools[0].First, s.Pools[0].Last)
	fmt.Println("valid lifetime", s.ValidLifetime.Default, "authoritative", s.Authoritative, "network", s.Network.Name)
	o := cfg.DHCP4.Options[0]
	fmt.Printf("option %d %s: % x\n", o.Code, o.Name, o.Data)
	// Output:
	// 10 192.0.2.0/24 192.0.2.100 192.0.2.199
	// valid lifetime 4000 authoritative true network office
	// option 6 domain-name-servers: c0 00 02 35 c0 00 02 36
}

func ExampleParse_errors() {
	_, err := config.Parse([]byte(`{ "Dhcp4": { "subnet4": [ { "subnet": "192.0.2.0/24",
	  "pools": [ { "pool": "198.51.100.1 - 198.51.100.9" } ] } ] } }`), config.WithFileName("kea.conf"))
	fmt.Println(err)
	_, err = config.Parse([]byte(`{ "Dhcp4": { "hosts-database": { "type": "mysql" } } }`))
	fmt.Println(err, errors.Is(err, config.ErrUnsupported))
	// Output:
	// Dhcp4/subnet4[0]/pools[0]/pool: pool 198.51.100.1 - 198.51.100.9 is not within the subnet 192.0.2.0/24 (kea.conf:2:25)
	// unsupported: hosts-database at Dhcp4 (<input>:1:14) true
}

func ExampleParse_dhcp6() {
	cfg, err := config.Parse([]byte(`{
  "Dhcp6": {
    "preferred-lifetime": 3000,
    "valid-lifetime": 4000,
    "subnet6": [ {
      "subnet": "2001:db8:1::/64",
      "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],
      "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 } ],
      "rapid-commit": true
    } ]
  }
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := cfg.DHCP6.Subnets[0]
	// The subnet had no id: it got the first automatic one, as in Kea.
	fmt.Println(s.ID, s.Prefix, s.Pools[0].First, s.Pools[0].Last, "rapid commit", s.RapidCommit)
	fmt.Println("delegates /", s.PDPools[0].DelegatedLen, "from", s.PDPools[0].Prefix)
	fmt.Println("server-id type", cfg.DHCP6.ServerID.Type)
	// Output:
	// 1 2001:db8:1::/64 2001:db8:1::100 2001:db8:1::1ff rapid commit true
	// delegates / 56 from 2001:db8:8000::/48
	// server-id type LLT
}

func ExampleSubnet4_OptionScopes() {
	cfg, err := config.Parse([]byte(`{ "Dhcp4": { "shared-networks": [ {
  "name": "lab",
  "option-data": [ { "name": "domain-name", "data": "lab.example" } ],
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
    "option-data": [ { "name": "routers", "data": "192.0.2.1" } ],
    "pools": [ { "pool": "192.0.2.10 - 192.0.2.20", "client-class": "phones",
      "option-data": [ { "name": "domain-name", "data": "phones.example" } ] } ] } ]
} ] } }`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := cfg.DHCP4.Subnets[0]
	pool := &s.Pools[0]
	inClass := func(c string) bool { return c == "phones" }
	fmt.Println("subnet admits", s.Admits(inClass), "pool admits", pool.Admits(inClass))
	// The first scope that has an option code wins: the pool's
	// domain-name hides the network's.
	for _, scope := range s.OptionScopes(pool) {
		for _, o := range scope {
			fmt.Printf("%s %q\n", o.Name, o.Data)
		}
	}
	// Output:
	// subnet admits true pool admits true
	// domain-name "phones.example"
	// routers "\xc0\x00\x02\x01"
	// domain-name "lab.example"
}

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "kea-conf")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	// An included file is found next to the file that includes it.
	subnets := `[ { "id": 7, "subnet": "198.51.100.0/24" } ]`
	main := `{ "Dhcp4": { "subnet4": <?include "subnets.json"?> } }`
	if err := os.WriteFile(filepath.Join(dir, "subnets.json"), []byte(subnets), 0o600); err != nil {
		fmt.Println(err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "kea-dhcp4.conf"), []byte(main), 0o600); err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := config.Load(filepath.Join(dir, "kea-dhcp4.conf"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.DHCP4.Subnets[0].ID, cfg.DHCP4.Subnets[0].Prefix)
	// Output:
	// 7 198.51.100.0/24
}

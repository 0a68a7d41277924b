package config_test

import (
	"errors"
	"fmt"

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

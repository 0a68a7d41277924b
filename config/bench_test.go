package config

import (
	"fmt"
	"strings"
	"testing"
)

// benchConfig is a Dhcp4 map with n subnets, each with a pool, options and
// reservations: the shape of a large site's configuration.
func benchConfig(n int) []byte {
	var b strings.Builder
	b.WriteString(`{ "Dhcp4": { "valid-lifetime": 4000, "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53" } ], "subnet4": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{ "id": %d, "subnet": "10.%d.%d.0/24", "pools": [ { "pool": "10.%d.%d.10 - 10.%d.%d.200" } ],
			"option-data": [ { "name": "routers", "data": "10.%d.%d.1" } ],
			"reservations": [ { "hw-address": "02:00:00:00:%02x:%02x", "ip-address": "10.%d.%d.5" } ] }`,
			i+1, i/256, i%256, i/256, i%256, i/256, i%256, i/256, i%256, i/256, i%256, i/256, i%256)
	}
	b.WriteString("] } }")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{10, 1000} {
		data := benchConfig(n)
		b.Run(fmt.Sprintf("subnets=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package daemontest

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"

	"github.com/leasehold/leasehold/internal/netlab"
)

// Config is a Kea configuration being put together for a test: the
// family's map (Dhcp4 or Dhcp6) as generic JSON values that a test edits
// before it starts the server.
type Config struct {
	Map string         // "Dhcp4" or "Dhcp6"
	M   map[string]any // the map's members
}

// Obj is a JSON object.
type Obj = map[string]any

// Config4 is a DHCPv4 configuration for lab: raw sockets on the server
// link, the lease file at leaseFile, short timers (renew 4 s, rebind 8 s,
// lifetime 20 s) so renewals happen within a test, subnet 1 on the server
// link and subnet k+2 on relay link k, each with the pool .100-.199 and a
// router option, and the root logger on stdout at INFO.
func Config4(lab *netlab.Lab, leaseFile string) *Config {
	subnets := []any{Obj{
		"id": 1, "subnet": lab.ServerAddr4.Masked().String(),
		"pools": []any{Obj{"pool": pool4(lab.ServerAddr4)}},
		"option-data": []any{
			Obj{"name": "routers", "data": lab.ServerAddr4.Addr().String()},
			Obj{"name": "domain-name-servers", "data": lab.ServerAddr4.Addr().String()},
		},
	}}
	for i, r := range lab.Relays() {
		subnets = append(subnets, Obj{
			"id": i + 2, "subnet": r.Addr4.Masked().String(),
			"pools":       []any{Obj{"pool": pool4(r.Addr4)}},
			"option-data": []any{Obj{"name": "routers", "data": r.Addr4.Addr().String()}},
		})
	}
	return &Config{Map: "Dhcp4", M: Obj{
		"interfaces-config": Obj{"interfaces": []any{lab.ServerIf}, "dhcp-socket-type": "raw"},
		"lease-database":    Obj{"type": "memfile", "persist": true, "name": leaseFile, "lfc-interval": 0},
		"renew-timer":       4, "rebind-timer": 8, "valid-lifetime": 20,
		"subnet4": subnets,
		"loggers": []any{Obj{"name": "kea-dhcp4", "output_options": []any{Obj{"output": "stdout"}}, "severity": "INFO"}},
	}}
}

// Config6 is Config4's DHCPv6 counterpart: addresses ::100-::1ff and a
// prefix pool delegating /56s out of 2001:db8:100::/40 on the server link
// (2001:db8:200::/40 and on behind relay link k), preferred lifetime 10 s,
// valid 20 s, renew 4 s, rebind 8 s. The server link's subnet names its
// interface, so Kea selects it for clients on the link.
func Config6(lab *netlab.Lab, leaseFile string) *Config {
	subnet := func(id int, p netip.Prefix, pd string) Obj {
		lo, hi := pool6(p)
		return Obj{
			"id": id, "subnet": p.Masked().String(),
			"pools":       []any{Obj{"pool": lo.String() + "-" + hi.String()}},
			"pd-pools":    []any{Obj{"prefix": pd, "prefix-len": 40, "delegated-len": 56}},
			"option-data": []any{Obj{"name": "dns-servers", "data": lab.ServerAddr6.Addr().String()}},
		}
	}
	first := subnet(1, lab.ServerAddr6, "2001:db8:100::")
	first["interface"] = lab.ServerIf
	subnets := []any{first}
	for i, r := range lab.Relays() {
		subnets = append(subnets, subnet(i+2, r.Addr6, fmt.Sprintf("2001:db8:%x00::", 2+i)))
	}
	return &Config{Map: "Dhcp6", M: Obj{
		"interfaces-config": Obj{"interfaces": []any{lab.ServerIf}},
		"lease-database":    Obj{"type": "memfile", "persist": true, "name": leaseFile, "lfc-interval": 0},
		"renew-timer":       4, "rebind-timer": 8, "preferred-lifetime": 10, "valid-lifetime": 20,
		"subnet6": subnets,
		"loggers": []any{Obj{"name": "kea-dhcp6", "output_options": []any{Obj{"output": "stdout"}}, "severity": "INFO"}},
	}}
}

// Subnet returns the subnet with the given id, to edit; nil if none.
func (c *Config) Subnet(id int) Obj {
	list, _ := c.M["subnet4"].([]any)
	if c.Map == "Dhcp6" {
		list, _ = c.M["subnet6"].([]any)
	}
	for _, s := range list {
		if o, ok := s.(Obj); ok && o["id"] == id {
			return o
		}
	}
	return nil
}

// JSON is the configuration file's text.
func (c *Config) JSON(t testing.TB) string {
	t.Helper()
	b, err := json.MarshalIndent(Obj{c.Map: c.M}, "", "  ")
	if err != nil {
		t.Fatalf("daemontest: the test's configuration does not encode: %v", err)
	}
	return string(b) + "\n"
}

// pool4 is the range .100-.199 above p's network address.
func pool4(p netip.Prefix) string {
	a := p.Masked().Addr().As4()
	lo, hi := a, a
	lo[3], hi[3] = a[3]+100, a[3]+199
	return netip.AddrFrom4(lo).String() + " - " + netip.AddrFrom4(hi).String()
}

// pool6 is ::100-::1ff within p.
func pool6(p netip.Prefix) (netip.Addr, netip.Addr) {
	a := p.Masked().Addr().As16()
	a[14], a[15] = 1, 0
	lo := netip.AddrFrom16(a)
	a[15] = 0xff
	return lo, netip.AddrFrom16(a)
}

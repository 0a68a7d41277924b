package netlab

import (
	"fmt"
	"net/netip"
)

// Lease6 returns the address (IA_NA) and delegated prefix (IA_PD) a
// DHCPv6 client's event reports, each invalid when absent: dhclient -6's
// new_ip6_address and new_ip6_prefix, dhcpcd -6's
// new_dhcp6_ia_na1_ia_addr1 and new_dhcp6_ia_pd1_prefix1 with its _length.
func (e ClientEvent) Lease6() (addr netip.Addr, prefix netip.Prefix, err error) {
	if s := e.first("new_ip6_address", "new_dhcp6_ia_na1_ia_addr1"); s != "" {
		if addr, err = netip.ParseAddr(s); err != nil {
			return addr, prefix, fmt.Errorf("netlab: event address %q: %w", s, err)
		}
	}
	if s := e["new_ip6_prefix"]; s != "" {
		if prefix, err = netip.ParsePrefix(s); err != nil {
			return addr, prefix, fmt.Errorf("netlab: event prefix %q: %w", s, err)
		}
	}
	if s := e["new_dhcp6_ia_pd1_prefix1"]; s != "" {
		if prefix, err = netip.ParsePrefix(s + "/" + e["new_dhcp6_ia_pd1_prefix1_length"]); err != nil {
			return addr, prefix, fmt.Errorf("netlab: event prefix %q: %w", s, err)
		}
	}
	return addr, prefix, nil
}

// first is the first of the keys' values that is set.
func (e ClientEvent) first(keys ...string) string {
	for _, k := range keys {
		if v := e[k]; v != "" {
			return v
		}
	}
	return ""
}

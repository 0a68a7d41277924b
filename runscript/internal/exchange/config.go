package exchange

import (
	"fmt"
	"net/netip"
)

// KeaRunScript is where Debian's Kea 2.2 packages put the run_script hook
// library.
const KeaRunScript = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_run_script.so"

// KeaHook is the hooks-libraries entry loading Kea's run_script with script.
func KeaHook(script string) string {
	return fmt.Sprintf(`{"library": %q, "parameters": {"name": %q, "sync": false}}`, KeaRunScript, script)
}

// config4 is the DHCPv4 configuration of the scenarios, in Kea's format
// (leasehold reads the same): subnet 1 on the link, subnet 2 behind relay
// 198.51.100.1, subnet 3 behind relay 203.0.113.1 with 4 s leases and no
// hostname sanitising (so that odd bytes reach the lease). The server is
// authoritative, so a foreign INIT-REBOOT request gets a NAK. Declined
// addresses come back after 3 s; expired leases are reclaimed every
// second. removeLease sets flush-reclaimed-timer-wait-time to 0, which is
// what makes Kea pass remove_lease=true to lease4_expire.
func config4(ifName, leaseFile, hook string, removeLease bool) string {
	flush := 25
	if removeLease {
		flush = 0
	}
	return fmt.Sprintf(`{"Dhcp4": {
  "interfaces-config": {"interfaces": [%q], "dhcp-socket-type": "raw"},
  "lease-database": {"type": "memfile", "persist": true, "name": %q, "lfc-interval": 0},
  "valid-lifetime": 3600, "renew-timer": 900, "rebind-timer": 1800,
  "authoritative": true,
  "decline-probation-period": 3,
  "expired-leases-processing": {"reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": %d,
    "hold-reclaimed-time": 3600, "max-reclaim-leases": 0, "max-reclaim-time": 0},
  "hooks-libraries": [%s],
  "subnet4": [
    {"id": 1, "subnet": "192.0.2.0/24", "interface": %q, "pools": [{"pool": "192.0.2.100 - 192.0.2.199"}]},
    {"id": 2, "subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.100 - 198.51.100.199"}]},
    {"id": 3, "subnet": "203.0.113.0/24", "pools": [{"pool": "203.0.113.100 - 203.0.113.199"}],
      "valid-lifetime": 4, "renew-timer": 1, "rebind-timer": 2, "hostname-char-set": ""}
  ],
  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
}}
`, ifName, leaseFile, flush, hook, ifName)
}

// config6 is the DHCPv6 counterpart: subnet 1 on the link with an address
// pool and a /40 delegating /56s, subnet 2 behind relay link-address
// 2001:db8:2::1 with 4 s leases. The server DUID is not persisted, so Kea
// writes nothing outside the lab.
func config6(ifName, leaseFile, hook string, removeLease bool) string {
	flush := 25
	if removeLease {
		flush = 0
	}
	return fmt.Sprintf(`{"Dhcp6": {
  "interfaces-config": {"interfaces": [%q]},
  "server-id": {"type": "LL", "persist": false},
  "lease-database": {"type": "memfile", "persist": true, "name": %q, "lfc-interval": 0},
  "preferred-lifetime": 3000, "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
  "decline-probation-period": 3,
  "expired-leases-processing": {"reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": %d,
    "hold-reclaimed-time": 3600, "max-reclaim-leases": 0, "max-reclaim-time": 0},
  "hooks-libraries": [%s],
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64", "interface": %q,
      "pools": [{"pool": "2001:db8:1::100 - 2001:db8:1::1ff"}],
      "pd-pools": [{"prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56}]},
    {"id": 2, "subnet": "2001:db8:2::/64",
      "pools": [{"pool": "2001:db8:2::100 - 2001:db8:2::1ff"}],
      "pd-pools": [{"prefix": "2001:db8:200::", "prefix-len": 40, "delegated-len": 56}],
      "preferred-lifetime": 3, "valid-lifetime": 4, "renew-timer": 1, "rebind-timer": 2}
  ],
  "loggers": [{"name": "kea-dhcp6", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
}}
`, ifName, leaseFile, flush, hook, ifName)
}

var (
	serverAddr4 = netip.MustParseAddr("192.0.2.1")
	relayAddr6  = netip.MustParseAddr("2001:db8:1::fe")
)

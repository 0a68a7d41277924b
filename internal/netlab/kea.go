package netlab

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"regexp"
)

// StartCmd starts a command made by Command for namespace ns (after the
// caller set its environment or files) and tracks it like Start does.
func (l *Lab) StartCmd(ns string, cmd *exec.Cmd) (*Process, error) {
	if err := l.checkNS(ns); err != nil {
		return nil, err
	}
	// cmd.Args is ip netns exec NS NAME ...: name the process by NAME.
	name := cmd.Path
	if len(cmd.Args) > 4 {
		name = filepath.Base(cmd.Args[4])
	}
	return l.startCmd(ns, name, cmd)
}

// Kea is an ISC Kea server (kea-dhcp4 or kea-dhcp6) run by the lab.
type Kea struct {
	Proc   *Process
	Config string // path of the config file
}

var keaStarted = regexp.MustCompile(`DHCP[46]_STARTED`)

// StartKea writes config (Kea's JSON) into a new directory of the lab and
// runs kea-dhcp4 (v6 false) or kea-dhcp6 in ns, with its pid and lock files
// in that directory (KEA_PIDFILE_DIR, KEA_LOCKFILE_DIR) and its logger on
// stdout. It returns once Kea logs DHCP4_STARTED/DHCP6_STARTED: its
// sockets are open then. The config's loggers should write to stdout for
// that line to be seen.
func (l *Lab) StartKea(ctx context.Context, ns string, v6 bool, config string) (*Kea, error) {
	name := "kea-dhcp4"
	if v6 {
		name = "kea-dhcp6"
	}
	dir, err := l.TempDir(name + "-")
	if err != nil {
		return nil, err
	}
	path, err := WriteFile(dir, name+".json", config)
	if err != nil {
		return nil, err
	}
	cmd := l.Command(ns, name, "-c", path)
	cmd.Env = append(childEnv(), "KEA_PIDFILE_DIR="+dir, "KEA_LOCKFILE_DIR="+dir)
	p, err := l.StartCmd(ns, cmd)
	if err != nil {
		return nil, err
	}
	if _, err := p.WaitOutput(ctx, keaStarted); err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("netlab %s: %s did not start: %w", l.ID, name, err)
	}
	return &Kea{Proc: p, Config: path}, nil
}

// KeaConfig4 returns a minimal kea-dhcp4 configuration for the lab's server
// link: raw sockets on ServerIf, a memfile lease file at leaseFile, short
// timers (renew 4 s, rebind 8 s, lifetime 20 s) so a renewal happens within
// a test, the server subnet with pool .100-.199, and one subnet per relay
// link (pool .100-.199 there too). Loggers go to stdout at INFO.
func (l *Lab) KeaConfig4(leaseFile string) string {
	subnets := fmt.Sprintf(`{"id": 1, "subnet": %q, "pools": [{"pool": %q}],
        "option-data": [{"name": "routers", "data": %q}, {"name": "domain-name-servers", "data": %q}]}`,
		l.ServerAddr4.Masked(), pool4(l.ServerAddr4), l.ServerAddr4.Addr(), l.ServerAddr4.Addr())
	for i, r := range l.Relays() {
		subnets += fmt.Sprintf(`,
      {"id": %d, "subnet": %q, "pools": [{"pool": %q}], "option-data": [{"name": "routers", "data": %q}]}`,
			i+2, r.Addr4.Masked(), pool4(r.Addr4), r.Addr4.Addr())
	}
	return fmt.Sprintf(`{"Dhcp4": {
  "interfaces-config": {"interfaces": [%q], "dhcp-socket-type": "raw"},
  "lease-database": {"type": "memfile", "persist": true, "name": %q, "lfc-interval": 0},
  "renew-timer": 4, "rebind-timer": 8, "valid-lifetime": 20,
  "subnet4": [
      %s
  ],
  "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
}}
`, l.ServerIf, leaseFile, subnets)
}

// KeaConfig6 is KeaConfig4's counterpart: an address pool ::100-::1ff and a
// prefix pool delegating /56s from a /40 (2001:db8:100::/40 for the server
// link, 2001:db8:200::/40 and on for relay links), preferred 10 s, valid
// 20 s, renew 4 s, rebind 8 s. Kea listens on ServerIf's multicast group and
// also on ServerAddr6 (ServerIf/addr), where relays send. Its server DUID
// is a fixed DUID-EN that is not written to disk (Kea's default writes
// /var/lib/kea).
func (l *Lab) KeaConfig6(leaseFile string) string {
	// Only the server link's subnet names an interface: Kea picks it for
	// clients on the link; relayed ones are picked by link-address.
	subnet := func(id int, p netip.Prefix, iface, pdBase string) string {
		lo, hi := pool6(p)
		return fmt.Sprintf(`{"id": %d, "subnet": %q, %s"pools": [{"pool": "%s-%s"}],
        "pd-pools": [{"prefix": %q, "prefix-len": 40, "delegated-len": 56}],
        "option-data": [{"name": "dns-servers", "data": %q}]}`,
			id, p.Masked(), iface, lo, hi, pdBase, l.ServerAddr6.Addr())
	}
	subnets := subnet(1, l.ServerAddr6, fmt.Sprintf(`"interface": %q, `, l.ServerIf), "2001:db8:100::")
	for i, r := range l.Relays() {
		subnets += ",\n      " + subnet(i+2, r.Addr6, "", fmt.Sprintf("2001:db8:%x00::", 2+i))
	}
	return fmt.Sprintf(`{"Dhcp6": {
  "interfaces-config": {"interfaces": [%q]},
  "server-id": {"type": "EN", "enterprise-id": 2495, "identifier": "6c6561736568", "persist": false},
  "lease-database": {"type": "memfile", "persist": true, "name": %q, "lfc-interval": 0},
  "renew-timer": 4, "rebind-timer": 8, "preferred-lifetime": 10, "valid-lifetime": 20,
  "subnet6": [
      %s
  ],
  "loggers": [{"name": "kea-dhcp6", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
}}
`, l.ServerIf+"/"+l.ServerAddr6.Addr().String(), leaseFile, subnets)
}

// pool4 returns the range .100-.199 above p's network address, or the upper
// half of a subnet smaller than /24 (below its router addresses).
func pool4(p netip.Prefix) string {
	base := p.Masked().Addr().As4()
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	size := uint32(1) << (32 - p.Bits())
	lo, hi := v+100, v+199
	if size < 256 {
		lo, hi = v+size/4, v+size/2
	}
	return fmt.Sprintf("%s-%s", addr4(lo), addr4(hi))
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// pool6 returns ::100 and ::1ff within p.
func pool6(p netip.Prefix) (netip.Addr, netip.Addr) {
	a := p.Masked().Addr().As16()
	a[14], a[15] = 1, 0x00
	lo := netip.AddrFrom16(a)
	a[15] = 0xff
	return lo, netip.AddrFrom16(a)
}

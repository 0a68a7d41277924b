package netlab

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// addNamespace creates ns with loopback up, an empty resolv.conf of its own
// and IPv6 duplicate address detection off for every interface created in it
// later, so addresses are usable at once.
func (l *Lab) addNamespace(ns string, forwarding bool) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return fmt.Errorf("netlab %s: lab is closed", l.ID)
	}
	// Recorded first, so Close and Sweep remove it even if a step fails.
	l.namespaces = append(l.namespaces, ns)
	l.saveStateLocked()
	l.mu.Unlock()

	// ip netns exec bind-mounts /etc/netns/NS/resolv.conf over
	// /etc/resolv.conf: clients in ns rewrite this file, not the machine's.
	etc := filepath.Join("/etc/netns", ns)
	if err := os.MkdirAll(etc, 0o755); err != nil {
		return fmt.Errorf("netlab %s: %w", l.ID, err)
	}
	if err := os.WriteFile(filepath.Join(etc, "resolv.conf"), nil, 0o644); err != nil {
		return fmt.Errorf("netlab %s: %w", l.ID, err)
	}
	if out, err := exec.Command(l.ipPath, "netns", "add", ns).CombinedOutput(); err != nil {
		return fmt.Errorf("netlab %s: ip netns add %s: %v: %s", l.ID, ns, err, strings.TrimSpace(string(out)))
	}
	l.logf("netlab %s: namespace %s", l.ID, ns)
	if err := l.ip(ns, "link", "set", "lo", "up"); err != nil {
		return err
	}
	settings := map[string]string{
		"net/ipv6/conf/all/accept_dad":        "0",
		"net/ipv6/conf/default/accept_dad":    "0",
		"net/ipv6/conf/default/dad_transmits": "0",
	}
	if forwarding {
		settings["net/ipv4/ip_forward"] = "1"
		settings["net/ipv6/conf/all/forwarding"] = "1"
	}
	return l.sysctl(ns, settings)
}

// sysctl writes /proc/sys entries from inside ns: /proc/sys/net shows the
// namespace of the thread that opens it.
func (l *Lab) sysctl(ns string, settings map[string]string) error {
	return InNS(ns, func() error {
		for k, v := range settings {
			if err := os.WriteFile(filepath.Join("/proc/sys", k), []byte(v), 0o644); err != nil {
				return fmt.Errorf("netlab %s: sysctl %s=%s in %s: %w", l.ID, k, v, ns, err)
			}
		}
		return nil
	})
}

// addBridge creates an up bridge that forwards from the first moment: no
// STP, no forwarding delay, and no multicast snooping, which would otherwise
// drop DHCPv6 multicast until MLD reports were seen.
func (l *Lab) addBridge(ns, name string, mac net.HardwareAddr) error {
	if err := l.ip(ns, "link", "add", "name", name, "address", mac.String(), "type", "bridge",
		"stp_state", "0", "forward_delay", "0", "mcast_snooping", "0"); err != nil {
		return err
	}
	return l.ip(ns, "link", "set", name, "up")
}

// addPort creates a veth pair with one end, port, in bridge br of namespace
// brNS and the other, ifName, in namespace ns, and brings both up. The
// bridge port has IPv6 off: it is a switch port, not a host.
func (l *Lab) addPort(brNS, br, port string, portMAC net.HardwareAddr, ns, ifName string, mac net.HardwareAddr) error {
	if err := l.ip(brNS, "link", "add", "name", port, "address", portMAC.String(), "type", "veth",
		"peer", "name", ifName, "address", mac.String(), "netns", ns); err != nil {
		return err
	}
	if err := l.sysctl(brNS, map[string]string{"net/ipv6/conf/" + port + "/disable_ipv6": "1"}); err != nil {
		return err
	}
	if err := l.ip(brNS, "link", "set", port, "master", br); err != nil {
		return err
	}
	if err := l.ip(brNS, "link", "set", port, "up"); err != nil {
		return err
	}
	return l.ip(ns, "link", "set", ifName, "up")
}

// ip runs `ip -n ns args...`.
func (l *Lab) ip(ns string, args ...string) error {
	_, err := l.ipOutput(ns, args...)
	return err
}

func (l *Lab) ipOutput(ns string, args ...string) ([]byte, error) {
	full := append([]string{"-n", ns}, args...)
	cmd := exec.Command(l.ipPath, full...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("netlab %s: ip %s: %v: %s", l.ID, strings.Join(full, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// IP runs `ip -n ns args...` in one of the lab's namespaces and returns its
// output, e.g. lab.IP(ctx, c.NS, "route", "add", "default", "via", "192.0.2.1").
func (l *Lab) IP(ctx context.Context, ns string, args ...string) ([]byte, error) {
	if err := l.checkNS(ns); err != nil {
		return nil, err
	}
	full := append([]string{"-n", ns}, args...)
	cmd := exec.CommandContext(ctx, l.ipPath, full...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("netlab %s: ip %s: %v: %s", l.ID, strings.Join(full, " "), err, strings.TrimSpace(string(out)))
	}
	return out, nil
}

// AddAddr puts address p on interface ifName in namespace ns, usable at
// once: an IPv6 address gets the nodad flag, because even with DAD off
// the kernel shows a new address as tentative until its DAD work has run,
// and a bind to it fails meanwhile (seen under load). Prefer it to
// IP(ctx, ns, "addr", "add", ...).
func (l *Lab) AddAddr(ctx context.Context, ns, ifName string, p netip.Prefix) error {
	if err := l.checkNS(ns); err != nil {
		return err
	}
	return l.addAddr(ctx, ns, ifName, p)
}

func (l *Lab) addAddr(ctx context.Context, ns, ifName string, p netip.Prefix) error {
	args := []string{"addr", "add", p.String(), "dev", ifName}
	if p.Addr().Is6() {
		args = append(args, "nodad")
	}
	if err := l.ip(ns, args...); err != nil {
		return err
	}
	_, err := l.WaitAddr(ctx, ns, ifName, func(a IfAddr) bool { return a.Prefix == p && !a.Tentative })
	return err
}

// IfAddr is an address configured on an interface.
type IfAddr struct {
	Prefix    netip.Prefix
	Scope     string // "global", "link", "host"
	Tentative bool
	Dynamic   bool   // has a finite lifetime (as a DHCP client sets)
	ValidLft  uint32 // seconds; 0xffffffff means forever
}

// Addrs lists the addresses of interface ifName in namespace ns, the way a
// test checks what a DHCP client configured.
func (l *Lab) Addrs(ns, ifName string) ([]IfAddr, error) {
	out, err := l.ipOutput(ns, "-j", "addr", "show", "dev", ifName)
	if err != nil {
		return nil, err
	}
	var links []struct {
		AddrInfo []struct {
			Local     string `json:"local"`
			Prefixlen int    `json:"prefixlen"`
			Scope     string `json:"scope"`
			Tentative bool   `json:"tentative"`
			Dynamic   bool   `json:"dynamic"`
			ValidLft  uint32 `json:"valid_life_time"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal(out, &links); err != nil {
		return nil, fmt.Errorf("netlab %s: parse ip -j addr of %s in %s: %w", l.ID, ifName, ns, err)
	}
	var addrs []IfAddr
	for _, link := range links {
		for _, a := range link.AddrInfo {
			ip, err := netip.ParseAddr(a.Local)
			if err != nil {
				return nil, fmt.Errorf("netlab %s: address %q of %s in %s: %w", l.ID, a.Local, ifName, ns, err)
			}
			addrs = append(addrs, IfAddr{
				Prefix:    netip.PrefixFrom(ip, a.Prefixlen),
				Scope:     a.Scope,
				Tentative: a.Tentative,
				Dynamic:   a.Dynamic,
				ValidLft:  a.ValidLft,
			})
		}
	}
	return addrs, nil
}

// WaitAddr polls until interface ifName in ns has an address for which
// match returns true, and returns it.
func (l *Lab) WaitAddr(ctx context.Context, ns, ifName string, match func(IfAddr) bool) (IfAddr, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		addrs, err := l.Addrs(ns, ifName)
		if err != nil {
			return IfAddr{}, err
		}
		for _, a := range addrs {
			if match(a) {
				return a, nil
			}
		}
		select {
		case <-ctx.Done():
			return IfAddr{}, fmt.Errorf("netlab %s: waiting for an address on %s in %s (have %v): %w", l.ID, ifName, ns, addrs, ctx.Err())
		case <-tick.C:
		}
	}
}

// LinkLocal returns the usable IPv6 link-local address of ifName in ns.
func (l *Lab) LinkLocal(ns, ifName string) (netip.Addr, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, err := l.WaitAddr(ctx, ns, ifName, func(a IfAddr) bool {
		return a.Prefix.Addr().IsLinkLocalUnicast() && !a.Tentative
	})
	return a.Prefix.Addr().WithZone(ifName), err
}

func (l *Lab) waitLinkLocal(ns, ifName string) error {
	_, err := l.LinkLocal(ns, ifName)
	return err
}

// killInNamespaces SIGKILLs, by PID, every process other than this one whose
// network namespace is one of namespaces, and returns their PIDs. Only
// programs the lab started, and what they forked, can be inside a lab's
// namespaces.
func killInNamespaces(namespaces []string) []int {
	inodes := map[uint64]bool{}
	for _, ns := range namespaces {
		var st syscall.Stat_t
		if err := syscall.Stat(nsPath(ns), &st); err == nil {
			inodes[st.Ino] = true
		}
	}
	if len(inodes) == 0 {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var killed []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		var st syscall.Stat_t
		if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st); err != nil {
			continue
		}
		if inodes[st.Ino] {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed = append(killed, pid)
			}
		}
	}
	return killed
}

// OwnLink takes client c's port off the server bridge and makes it an
// interface of the server namespace holding p: c's link becomes one of its
// own, a second server interface, whose name OwnLink returns. Ports have
// IPv6 off; for an IPv6 p it is turned on and OwnLink returns once the
// port's link-local address is usable.
func (l *Lab) OwnLink(ctx context.Context, c *Client, p netip.Prefix) (string, error) {
	if p.Addr().Is6() {
		if err := l.sysctl(l.ServerNS, map[string]string{"net/ipv6/conf/" + c.Port + "/disable_ipv6": "0"}); err != nil {
			return "", err
		}
	}
	if err := l.ip(l.ServerNS, "link", "set", c.Port, "nomaster"); err != nil {
		return "", err
	}
	if err := l.addAddr(ctx, l.ServerNS, c.Port, p); err != nil {
		return "", err
	}
	if p.Addr().Is6() {
		if err := l.waitLinkLocal(l.ServerNS, c.Port); err != nil {
			return "", err
		}
	}
	return c.Port, nil
}

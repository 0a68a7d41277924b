package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// benchLab is two namespaces joined by one veth pair: the server side holds
// 198.18.0.1/15 and 2001:db8:18::1/64, the client side (perfdhcp) the .2
// addresses. It is deliberately fixed: benchmark runs should see the same
// topology every time.
type benchLab struct {
	serverNS, clientNS string
	serverIf, clientIf string
	dir                string
}

func newBenchLab() (*benchLab, error) {
	tag := fmt.Sprintf("lhb%d", os.Getpid()%100000)
	l := &benchLab{
		serverNS: tag + "s", clientNS: tag + "c",
		serverIf: tag + "s0", clientIf: tag + "c0",
	}
	dir, err := os.MkdirTemp("", "leasehold-bench-")
	if err != nil {
		return nil, err
	}
	l.dir = dir
	steps := [][]string{
		{"netns", "add", l.serverNS},
		{"netns", "add", l.clientNS},
		{"link", "add", l.serverIf, "type", "veth", "peer", "name", l.clientIf},
		{"link", "set", l.serverIf, "netns", l.serverNS},
		{"link", "set", l.clientIf, "netns", l.clientNS},
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			l.Close()
			return nil, err
		}
	}
	for _, side := range []struct{ ns, ifname, v4, v6 string }{
		{l.serverNS, l.serverIf, "198.18.0.1/15", "2001:db8:18::1/64"},
		{l.clientNS, l.clientIf, "198.18.0.2/15", "2001:db8:18::2/64"},
	} {
		// Clients in these namespaces must never rewrite the host's resolver file.
		if err := os.MkdirAll(filepath.Join("/etc/netns", side.ns), 0o755); err == nil {
			_ = os.WriteFile(filepath.Join("/etc/netns", side.ns, "resolv.conf"), nil, 0o644)
		}
		for _, s := range [][]string{
			{"-n", side.ns, "link", "set", "lo", "up"},
			{"netns", "exec", side.ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf." + side.ifname + ".accept_dad=0"},
			{"-n", side.ns, "addr", "add", side.v4, "dev", side.ifname},
			{"-n", side.ns, "-6", "addr", "add", side.v6, "dev", side.ifname, "nodad"},
			{"-n", side.ns, "link", "set", side.ifname, "up"},
		} {
			if err := ip(s...); err != nil {
				l.Close()
				return nil, err
			}
		}
	}
	return l, nil
}

// Close removes the namespaces (which takes the veth pair with them), their
// resolver files and the scratch directory.
func (l *benchLab) Close() {
	for _, ns := range []string{l.serverNS, l.clientNS} {
		_ = ip("netns", "del", ns)
		_ = os.RemoveAll(filepath.Join("/etc/netns", ns))
	}
	if l.dir != "" {
		_ = os.RemoveAll(l.dir)
	}
}

// cmd returns a command that runs in namespace ns pinned to one CPU.
func (l *benchLab) cmd(ns string, cpu int, name string, args ...string) *exec.Cmd {
	full := append([]string{"netns", "exec", ns, "taskset", "-c", fmt.Sprint(cpu), name}, args...)
	return exec.Command("ip", full...)
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/leasehold/leasehold/internal/netlab"
)

// messageTypes reads a capture with tshark and returns every DHCP message
// type in it (for DHCPv6 the relay message types and the ones they carry)
// and the number of packets.
func messageTypes(file string, v6 bool) ([]int, int, error) {
	tshark, err := netlab.LookTool("tshark")
	if err != nil {
		return nil, 0, err
	}
	field := "dhcp.option.dhcp"
	if v6 {
		field = "dhcpv6.msgtype"
	}
	cmd := exec.Command(tshark, "-r", file, "-T", "fields", "-e", field)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, 0, fmt.Errorf("tshark -r %s: %v: %s", file, err, stderr.String())
	}
	var types []int
	packets := 0
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		packets++
		for _, f := range strings.Split(line, ",") {
			v, err := strconv.Atoi(f)
			if err != nil {
				return nil, 0, fmt.Errorf("tshark -r %s: message type %q: %v", file, f, err)
			}
			types = append(types, v)
		}
	}
	return types, packets, nil
}

// writeReadme rewrites dir/README.md: how the files were made, with which
// versions, and what each holds.
func writeReadme(dir string, v6 bool) error {
	var b strings.Builder
	family := "DHCPv4"
	if v6 {
		family = "DHCPv6"
	}
	fmt.Fprintf(&b, "# %s golden captures\n\n", family)
	b.WriteString("Real clients served by ISC Kea in a network namespace lab (`internal/netlab`),\n")
	b.WriteString("captured by dumpcap on the server's bridge as classic pcap (Ethernet link type).\n")
	b.WriteString("Made by `scripts/capture-golden` (`go run ./internal/netlab/cmd/capture`, as root);\n")
	b.WriteString("run it again to refresh them. Each file comes from a fresh lab and an empty lease\n")
	b.WriteString("file, so MACs, DUIDs and leased addresses repeat from run to run; transaction IDs\n")
	b.WriteString("and times are the clients' own. Server: Kea on 192.0.2.1 / 2001:db8:1::1, MAC\n")
	b.WriteString("02:6c:68:00:00:01, link-local fe80::6c:68ff:fe00:1, timers 4/8 s, lifetime 20 s.\n")
	b.WriteString("Clients: MAC 02:6c:68:00:01:01 (DUID-LL 00030001026c68000101); perfdhcp's simulated\n")
	if v6 {
		b.WriteString("clients have DUID-LL of 00:0c:01:02:03:04 and :05, sent from 2001:db8:1::50.\n\n")
	} else {
		b.WriteString("clients have MACs 02:6c:68:00:0a:01 to :03, relayed from 192.0.2.50.\n\n")
	}
	b.WriteString("Versions: " + versions(v6) + "\n\n")
	b.WriteString("| file | packets | what |\n|---|---|---|\n")
	for _, s := range scenarios {
		if s.v6 != v6 {
			continue
		}
		n := "missing"
		if _, packets, err := messageTypes(filepath.Join(dir, s.file), v6); err == nil {
			n = strconv.Itoa(packets)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.file, n, s.what)
	}
	if !v6 {
		b.WriteString("\nDHCPINFORM comes from dhcpcd; dhclient, udhcpc and perfdhcp cannot send one.\n")
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644)
}

// versions names the programs' versions, as each reports it.
func versions(v6 bool) string {
	kea := "kea-dhcp4"
	if v6 {
		kea = "kea-dhcp6"
	}
	probes := []struct {
		name string
		args []string
	}{
		{kea, []string{"-v"}},
		{"dhclient", []string{"--version"}},
		{"dhcpcd", []string{"--version"}},
		{"perfdhcp", []string{"-v"}},
		{"dumpcap", []string{"-v"}},
	}
	if !v6 {
		probes = append(probes, struct {
			name string
			args []string
		}{"busybox", nil})
	}
	var parts []string
	for _, p := range probes {
		path, err := netlab.LookTool(p.name)
		if err != nil {
			continue
		}
		out, _ := exec.Command(path, p.args...).CombinedOutput()
		line := strings.TrimSuffix(strings.TrimPrefix(firstLine(string(out)), "VERSION: "), ".")
		line = strings.TrimSuffix(strings.TrimSuffix(line, " multi-call binary"), ".")
		if line == "" {
			continue
		}
		if !strings.Contains(strings.ToLower(line), strings.TrimPrefix(p.name, "kea-")) {
			line = p.name + " " + line
		}
		parts = append(parts, line)
	}
	return strings.Join(parts, "; ")
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "Running as user") {
			return l
		}
	}
	return ""
}

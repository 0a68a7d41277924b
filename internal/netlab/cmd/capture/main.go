// Command capture records the golden DHCP packet captures of the codecs'
// tests: real clients (ISC dhclient, busybox udhcpc, dhcpcd, perfdhcp)
// served by ISC Kea 2.2 in a netlab namespace lab, captured by dumpcap on
// the server's interface as classic pcap with Ethernet framing.
//
//	sudo go run ./internal/netlab/cmd/capture            # all files
//	sudo go run ./internal/netlab/cmd/capture -only dhclient.pcap,dhcpcd6.pcap
//
// Each file gets a fresh lab and a fresh Kea, so leases start from the same
// empty state and MACs, DUIDs and addresses are the same on every run;
// transaction IDs and timestamps are the clients' own. Every file is checked
// (message types present, size) before it replaces the old one, and the
// README.md of each directory is rewritten with the tools' versions and the
// packet counts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("capture", flag.ContinueOnError)
	dir4 := fs.String("dir4", filepath.Join(root, "dhcp4/testdata/pcap"), "directory of the DHCPv4 captures")
	dir6 := fs.String("dir6", filepath.Join(root, "dhcp6/testdata/pcap"), "directory of the DHCPv6 captures")
	only := fs.String("only", "", "comma-separated file names to capture (default all)")
	prefix := fs.String("prefix", "lhcap", "netlab namespace prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	selected := map[string]bool{}
	for _, f := range strings.Split(*only, ",") {
		if f == "" {
			continue
		}
		if !known(f) {
			return fmt.Errorf("-only: no capture named %q", f)
		}
		selected[f] = true
	}
	if reason := netlab.Unavailable(); reason != "" {
		return errors.New(reason)
	}
	if ids, err := netlab.Sweep(*prefix); err != nil {
		fmt.Fprintln(os.Stderr, "capture: sweep of earlier runs:", err)
	} else if len(ids) > 0 {
		fmt.Println("removed labs of earlier runs:", ids)
	}
	for _, d := range []string{*dir4, *dir6} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	for _, s := range scenarios {
		if len(selected) > 0 && !selected[s.file] {
			continue
		}
		dir := *dir4
		if s.v6 {
			dir = *dir6
		}
		n, err := capture(s, *prefix, filepath.Join(dir, s.file))
		if err != nil {
			return fmt.Errorf("%s: %w", s.file, err)
		}
		fmt.Printf("%-20s %3d packets\n", s.file, n)
	}
	for _, v6 := range []bool{false, true} {
		dir := *dir4
		if v6 {
			dir = *dir6
		}
		if err := writeReadme(dir, v6); err != nil {
			return err
		}
	}
	return nil
}

// capture runs one scenario into a temporary file, checks it, and moves it
// into place; it returns the packet count.
func capture(s scenario, prefix, dest string) (int, error) {
	for _, tool := range append([]string{"dumpcap", "tshark", keaName(s.v6)}, s.tools...) {
		if _, err := netlab.LookTool(tool); err != nil {
			return 0, fmt.Errorf("%s is needed (scripts/install-deps installs it): %w", tool, err)
		}
	}
	lab, err := netlab.New(netlab.Options{Prefix: prefix})
	if err != nil {
		return 0, err
	}
	defer lab.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	kea, err := lab.StartKea(ctx, lab.ServerNS, s.v6, keaConfig(lab, s.v6, lab.Dir))
	if err != nil {
		return 0, err
	}
	filter := "udp port 67 or udp port 68"
	if s.v6 {
		filter = "udp port 546 or udp port 547"
	}
	tmp := filepath.Join(lab.Dir, s.file)
	capt, err := lab.StartCapture(ctx, lab.ServerNS, lab.ServerIf, tmp, filter)
	if err != nil {
		return 0, err
	}
	runErr := s.run(ctx, lab)
	if err := capt.Stop(); err != nil {
		return 0, err
	}
	if runErr != nil {
		return 0, fmt.Errorf("%w\nKea said:\n%s", runErr, lastLines(kea.Proc.Output(), 15))
	}
	types, packets, err := messageTypes(tmp, s.v6)
	if err != nil {
		return 0, err
	}
	for _, w := range s.want {
		if !containsInt(types, w) {
			return 0, fmt.Errorf("no message of type %d among %v", w, types)
		}
	}
	if packets > 80 {
		return 0, fmt.Errorf("%d packets: more than a golden file should hold", packets)
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(dest, b, 0o644); err != nil {
		return 0, err
	}
	return packets, nil
}

func known(file string) bool {
	for _, s := range scenarios {
		if s.file == file {
			return true
		}
	}
	return false
}

func keaName(v6 bool) string {
	if v6 {
		return "kea-dhcp6"
	}
	return "kea-dhcp4"
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func exitStatus(err error, code int) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == code
}

// moduleRoot finds the directory of leasehold's go.mod from the working
// directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/leasehold/leasehold\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run inside the leasehold module (no go.mod of github.com/leasehold/leasehold above the working directory)")
		}
		dir = parent
	}
}

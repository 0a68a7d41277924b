package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/internal/netlab"
)

// One real capture into a temporary directory: the program still works
// with today's clients and Kea, and writes a README that counts it.
func TestCaptureOne(t *testing.T) {
	if reason := netlab.Unavailable(); reason != "" {
		if netlab.Required() {
			t.Fatal(reason)
		}
		t.Skip(reason)
	}
	for _, tool := range []string{"udhcpc", "kea-dhcp4", "dumpcap", "tshark"} {
		netlab.RequireTool(t, tool)
	}
	dir4, dir6 := t.TempDir(), t.TempDir()
	if err := run([]string{"-dir4", dir4, "-dir6", dir6, "-only", "udhcpc.pcap", "-prefix", "lhEcap"}); err != nil {
		t.Fatal(err)
	}
	types, packets, err := messageTypes(filepath.Join(dir4, "udhcpc.pcap"), false)
	if err != nil {
		t.Fatal(err)
	}
	if packets != 5 || len(types) != 5 {
		t.Errorf("udhcpc capture: %d packets, types %v; want DORA and RELEASE", packets, types)
	}
	readme, err := os.ReadFile(filepath.Join(dir4, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "| udhcpc.pcap | 5 |") || !strings.Contains(string(readme), "| dhclient.pcap | missing |") {
		t.Errorf("README:\n%s", readme)
	}
}

func TestOnlyRejectsUnknownNames(t *testing.T) {
	err := run([]string{"-dir4", t.TempDir(), "-dir6", t.TempDir(), "-only", "nosuch.pcap"})
	if err == nil || !strings.Contains(err.Error(), "nosuch.pcap") {
		t.Errorf("run: %v", err)
	}
}

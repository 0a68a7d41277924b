package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/config"
)

// TestBuild builds the example with the go command, as a user would.
func TestBuild(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("LEASEHOLD_E2E") == "1" {
			t.Fatal("the go command is not on PATH")
		}
		t.Skip("the go command is not on PATH")
	}
	out := filepath.Join(t.TempDir(), "embed")
	cmd := exec.Command(goCmd, "build", "-o", out, ".")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	if b, err := exec.Command(goCmd, "vet", ".").CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, b)
	}
}

// The embedded configuration is one leasehold accepts.
func TestConfig(t *testing.T) {
	c, err := config.Parse([]byte(strings.Replace(keaConfig, "IFACE", "eth1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DHCP4.Subnets) != 1 || c.DHCP4.InterfacesConfig.Interfaces[0].Name != "eth1" {
		t.Errorf("parsed %+v", c.DHCP4.InterfacesConfig)
	}
}

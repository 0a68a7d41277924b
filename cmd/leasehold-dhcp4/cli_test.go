package main

import (
	"testing"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/daemon/dhcpd"
)

// TestCommandLine checks the flags and exit codes Kea's daemon has; with
// LEASEHOLD_E2E_SERVER=kea the same table runs against kea-dhcp4.
func TestCommandLine(t *testing.T) { daemontest.CheckCommandLine(t, daemontest.V4, pkg) }

// TestSrvConfiguredJSON runs the daemon in-process with a hook library
// linked in and checks that dhcp4_srv_configured gets the file's Dhcp4 map
// as json_config, at start and after SIGHUP.
func TestSrvConfiguredJSON(t *testing.T) { daemontest.CheckSrvConfigured(t, dhcpd.V4()) }

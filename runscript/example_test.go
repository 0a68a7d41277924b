package runscript_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
	"github.com/leasehold/leasehold/runscript"
)

// The environment a script gets when a lease expires.
func ExampleEnvironment() {
	l := &lease.Lease4{
		Addr:          netip.MustParseAddr("192.0.2.100"),
		HWAddr:        []byte{0x02, 0x00, 0x00, 0x4a, 0x0a, 0x01},
		ClientID:      []byte{0x01, 0x02, 0x00, 0x00, 0x4a, 0x0a, 0x01},
		ValidLifetime: 3600,
		CLTT:          1700000000,
		SubnetID:      1,
		Hostname:      "client-a.example.org",
	}
	for _, v := range runscript.Environment(hooks.Lease4Expire, &hooks.Args{Lease4: l}) {
		fmt.Println(v)
	}
	// Output:
	// LEASE4_ADDRESS=192.0.2.100
	// LEASE4_CLTT=1700000000
	// LEASE4_HOSTNAME=client-a.example.org
	// LEASE4_HWADDR=02:00:00:4a:0a:01
	// LEASE4_HWADDR_TYPE=1
	// LEASE4_STATE=default
	// LEASE4_SUBNET_ID=1
	// LEASE4_VALID_LIFETIME=3600
	// LEASE4_CLIENT_ID=01:02:00:00:4a:0a:01
	// REMOVE_LEASE=false
}

// Linking the library into a program under the name a Kea configuration
// gives it, in sync mode: the script's answer is the next step.
func ExampleNew() {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	rs := runscript.New(runscript.Options{Logger: quiet})
	m, err := hooks.New(ctx, hooks.Config{
		Libraries: []hooks.LibraryConfig{{
			Library:    "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_run_script.so",
			Parameters: json.RawMessage(`{"name": "/bin/true", "sync": true, "timeout": 2000}`),
		}},
		Linked: map[string]hooks.Library{"/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_run_script.so": rs},
		Logger: quiet,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close(ctx)
	step := m.Call(ctx, hooks.Lease4Expire, &hooks.Args{Lease4: &lease.Lease4{Addr: netip.MustParseAddr("192.0.2.100")}})
	fmt.Println(step, rs.Stats().Started)
	// Output: continue 1
}

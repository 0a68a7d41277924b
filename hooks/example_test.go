package hooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/leasehold/leasehold/hooks"
)

// denyList is a small in-process library: it drops the DHCPv4 packets whose
// transaction id it was told to drop.
type denyList struct{ xids map[uint32]bool }

func (d *denyList) Load(_ context.Context, params json.RawMessage) (hooks.Registration, error) {
	var p struct {
		XIDs []uint32 `json:"xids"`
	}
	if err := hooks.DecodeParameters(params, &p); err != nil {
		return nil, fmt.Errorf("deny-list parameters: %w", err)
	}
	d.xids = map[uint32]bool{}
	for _, x := range p.XIDs {
		d.xids[x] = true
	}
	return hooks.Registration{hooks.Pkt4Receive: hooks.Sync}, nil
}

func (d *denyList) Callout(_ context.Context, p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	if len(a.Query) >= 8 {
		xid := uint32(a.Query[4])<<24 | uint32(a.Query[5])<<16 | uint32(a.Query[6])<<8 | uint32(a.Query[7])
		if d.xids[xid] {
			return hooks.Drop, nil
		}
	}
	return hooks.Continue, nil
}

func (d *denyList) Unload(context.Context) error { return nil }

// A server loads a library linked into the program and fires pkt4_receive.
func ExampleManager() {
	ctx := context.Background()
	m, err := hooks.New(ctx, hooks.Config{
		Libraries: []hooks.LibraryConfig{{
			Library:    "deny-list",
			Linked:     &denyList{},
			Parameters: json.RawMessage(`{"xids": [42]}`),
		}},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close(ctx)

	query := make([]byte, 300)
	query[7] = 42 // xid 42
	fmt.Println("pkt4_receive enabled:", m.Enabled(hooks.Pkt4Receive))
	fmt.Println("pkt4_send enabled:", m.Enabled(hooks.Pkt4Send))
	fmt.Println("next step:", m.Call(ctx, hooks.Pkt4Receive, &hooks.Args{Query: query}))
	// Output:
	// pkt4_receive enabled: true
	// pkt4_send enabled: false
	// next step: drop
}

// Load reads its parameters strictly: a misspelt key is an error that
// fails the configuration, not a setting silently ignored.
func ExampleDecodeParameters() {
	var p struct {
		DropMACs []string `json:"drop-macs"`
	}
	fmt.Println(hooks.DecodeParameters(json.RawMessage(`{"drop-macs": ["02:00:00:00:00:66"]}`), &p), p.DropMACs)
	fmt.Println(hooks.DecodeParameters(json.RawMessage(`{"drop-mac": []}`), &p))
	fmt.Println(hooks.DecodeParameters(nil, &p), p.DropMACs)
	// Output:
	// <nil> [02:00:00:00:00:66]
	// json: unknown field "drop-mac"
	// <nil> [02:00:00:00:00:66]
}

// A hooks-libraries entry with leasehold's per-library settings.
func ExampleLibraryConfig() {
	var lc hooks.LibraryConfig
	err := json.Unmarshal([]byte(`{
		"library": "/usr/local/lib/leasehold/plugin-policy",
		"parameters": {"drop-macs": ["02:00:00:00:00:66"]},
		"leasehold": {"deadline-ms": 50, "failure-policy": "drop"}
	}`), &lc)
	fmt.Println(lc.Library, string(lc.Parameters), lc.Settings.Deadline, lc.Settings.FailurePolicy, err)
	// Output:
	// /usr/local/lib/leasehold/plugin-policy {"drop-macs": ["02:00:00:00:00:66"]} 50ms drop <nil>
}

// A plugin binary's whole main: see examples/plugin-observe and
// examples/plugin-policy for complete ones.
func ExampleServePlugin() {
	if os.Getenv(hooks.Handshake.MagicCookieKey) == "" {
		return // not started by a host; ServePlugin would say so and exit
	}
	hooks.ServePlugin(&denyList{})
}

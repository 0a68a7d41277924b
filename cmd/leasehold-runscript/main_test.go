package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/plugintest"
	"github.com/leasehold/leasehold/lease"
	"github.com/leasehold/leasehold/runscript"
)

// plugin and envdumpBin are built once by TestMain.
var plugin, envdumpBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "leasehold-runscript-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plugin, envdumpBin = filepath.Join(dir, "leasehold-runscript"), filepath.Join(dir, "envdump")
	for path, pkg := range map[string]string{plugin: ".", envdumpBin: "github.com/leasehold/leasehold/runscript/internal/envdump"} {
		if msg, err := exec.Command("go", "build", "-o", path, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", pkg, err, msg)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// install copies the binary at src to dir/name, executable.
func install(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// readDump parses an envdump record.
func readDump(t *testing.T, path string) (args, env []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range bytes.Split(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
		switch f[0] {
		case 'A':
			args = append(args, string(f[1:]))
		case 'E':
			env = append(env, string(f[1:]))
		}
	}
	return args, env
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The plugin binary, loaded from hooks-libraries as a server would: async
// calls run the script with exactly Kea's environment (none of the host's,
// which go-plugin hands the plugin), sync calls take the script's step, an
// async library skips a call only when a library before it dropped it (as
// in Kea), and the script's output reaches the host's log under the
// library's name.
func TestPlugin(t *testing.T) {
	scripts := filepath.Join(t.TempDir(), "scripts")
	if err := os.MkdirAll(filepath.Join(scripts, "dumps"), 0o755); err != nil {
		t.Fatal(err)
	}
	envdump := install(t, envdumpBin, scripts, "envdump")
	drop := filepath.Join(scripts, "drop.sh")
	if err := os.WriteFile(drop, []byte("#!/bin/sh\necho deciding for $1\necho NEXT_STEP=DROP\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LEASEHOLD_LEAK_CANARY", "host-environment")
	t.Setenv(runscript.EnvScriptsPath, scripts) // confinement read by the plugin process

	logs := &plugintest.LogBuffer{}
	ctx := context.Background()
	settings := hooks.LibrarySettings{Deadline: 3 * time.Second}
	m, err := hooks.New(ctx, hooks.Config{
		Libraries: []hooks.LibraryConfig{
			{Library: plugin, Parameters: json.RawMessage(fmt.Sprintf(`{"name": %q}`, envdump)), Settings: settings},
			{Library: plugin, Parameters: json.RawMessage(fmt.Sprintf(`{"name": %q, "sync": true}`, drop)), Settings: settings},
			{Library: plugin, Parameters: json.RawMessage(fmt.Sprintf(`{"name": %q}`, envdump)), Settings: settings},
		},
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)

	l := lease.Lease6{Type: lease.TypeNA, Addr: netip.MustParseAddr("2001:db8:1::100"), PrefixLen: 128,
		DUID: []byte{0, 3, 0, 1, 2, 0, 0, 0x4a, 0x1a, 1}, IAID: 1, ValidLifetime: 4000, PreferredLifetime: 3000, CLTT: 1700000000, SubnetID: 1}
	expire := &hooks.Args{Lease6: &l, RemoveLease: true}
	if step := m.Call(ctx, hooks.Lease6Expire, expire); step != hooks.Continue {
		t.Errorf("lease6_expire: %v, want continue (drop is not honoured there)", step)
	}
	release := &hooks.Args{Lease6: &l}
	if step := m.Call(ctx, hooks.Lease6Release, release); step != hooks.Drop {
		t.Errorf("lease6_release: %v, want the sync script's drop", step)
	}
	var dumps []string
	waitFor(t, "the async scripts", func() bool {
		dumps, _ = filepath.Glob(filepath.Join(scripts, "dumps", "*.dump"))
		return len(dumps) >= 3
	})
	time.Sleep(200 * time.Millisecond)
	dumps, _ = filepath.Glob(filepath.Join(scripts, "dumps", "*.dump"))
	runs := map[string]int{}
	for _, d := range dumps {
		args, env := readDump(t, d)
		if len(args) != 2 || args[0] != envdump {
			t.Fatalf("argv %q", args)
		}
		runs[args[1]]++
		if args[1] != "lease6_expire" {
			continue
		}
		if want := runscript.Environment(hooks.Lease6Expire, expire); !slices.Equal(env, want) {
			t.Errorf("environment:\n got %q\nwant %q", env, want)
		}
	}
	// Both async libraries run for the expiry; for the release only the
	// one before the library that dropped it.
	if runs["lease6_expire"] != 2 || runs["lease6_release"] != 1 || len(dumps) != 3 {
		t.Errorf("async runs %v, want lease6_expire twice and lease6_release once", runs)
	}
	waitFor(t, "the sync script's output in the host log", func() bool {
		return strings.Contains(logs.String(), "deciding for lease6_release")
	})
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "deciding for lease6_release") && !strings.Contains(line, "library="+plugin) {
			t.Errorf("script output logged without the library's name: %s", line)
		}
	}
}

// A script outside the confinement directory fails the configuration with
// the path and the rule.
func TestPluginRefusesScript(t *testing.T) {
	t.Setenv(runscript.EnvScriptsPath, filepath.Join(t.TempDir(), "scripts"))
	_, err := hooks.New(context.Background(), hooks.Config{
		Libraries: []hooks.LibraryConfig{{Library: plugin, Parameters: json.RawMessage(`{"name": "/bin/true"}`)}},
		Logger:    slog.New(slog.NewTextHandler(&plugintest.LogBuffer{}, nil)),
	})
	if err == nil || !strings.Contains(err.Error(), `"/bin/true" is not in the allowed scripts directory`) {
		t.Fatalf("hooks.New: %v, want the confinement error", err)
	}
}

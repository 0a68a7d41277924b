package runscript

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
)

// tree makes a directory layout for confinement tests:
//
//	root/ok/hook.sh           0755 in a 0755 directory
//	root/ok/plain.txt         0644 (not executable)
//	root/ok/link.sh           -> ../elsewhere/hook.sh
//	root/elsewhere/hook.sh    0755
//	root/open/hook.sh         in a 0777 directory
//	root/open/sub/hook.sh     below a 0777 directory without sticky bit
//	root/sticky/sub/hook.sh   below a 1777 directory
//	root/ok/wide.sh           0777
type tree struct{ root string }

func newTree(t *testing.T) tree {
	t.Helper()
	root := t.TempDir()
	mk := func(dir string, mode os.FileMode) {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(root, dir), mode); err != nil {
			t.Fatal(err)
		}
	}
	file := func(name string, mode os.FileMode) {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	mk("ok", 0o755)
	mk("elsewhere", 0o755)
	mk("open", 0o755)
	mk("open/sub", 0o755)
	mk("sticky/sub", 0o755)
	file("ok/hook.sh", 0o755)
	file("ok/plain.txt", 0o644)
	file("ok/wide.sh", 0o777)
	file("elsewhere/hook.sh", 0o755)
	file("open/hook.sh", 0o755)
	file("open/sub/hook.sh", 0o755)
	file("sticky/sub/hook.sh", 0o755)
	mk("open", 0o777)
	mk("sticky", 0o777|os.ModeSticky)
	if err := os.Symlink("../elsewhere/hook.sh", filepath.Join(root, "ok/link.sh")); err != nil {
		t.Fatal(err)
	}
	return tree{root}
}

func (tr tree) p(name string) string { return filepath.Join(tr.root, name) }

func TestParseParams(t *testing.T) {
	tr := newTree(t)
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	tests := []struct {
		name    string
		params  string
		env     map[string]string
		wantErr string // substring; "" for success
		check   func(t *testing.T, p Params)
	}{
		{"no parameters", ``, nil, "'name' parameter is mandatory", nil},
		{"no name", `{"sync": true}`, nil, "'name' parameter is mandatory", nil},
		{"name not a string", `{"name": 5}`, nil, `"name" parameter must be a string`, nil},
		{"not a map", `[1]`, nil, "parameters must be a map", nil},
		{"relative", `{"name": "hook.sh"}`, nil, `"hook.sh": the name must be an absolute path`, nil},
		{"missing", `{"name": ` + js(tr.p("ok/none.sh")) + `}`, nil, tr.p("ok/none.sh"), nil},
		{"not executable", `{"name": ` + js(tr.p("ok/plain.txt")) + `}`, nil, "not executable by the server", nil},
		{"directory", `{"name": ` + js(tr.p("ok")) + `}`, nil, "not a regular file", nil},
		{"world-writable script", `{"name": ` + js(tr.p("ok/wide.sh")) + `}`, nil, "is writable by everyone", nil},
		{"world-writable directory", `{"name": ` + js(tr.p("open/hook.sh")) + `}`, nil, "which is writable by everyone", nil},
		{"below a world-writable directory", `{"name": ` + js(tr.p("open/sub/hook.sh")) + `}`, nil, "without the sticky bit", nil},
		{"below a sticky directory", `{"name": ` + js(tr.p("sticky/sub/hook.sh")) + `}`, nil, "", nil},
		{"unknown key", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "sink": 1}`, nil, `unknown parameter "sink"`, nil},
		{"sync not a bool", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "sync": "yes"}`, nil, `"sync" parameter must be a boolean`, nil},
		{"max-concurrent 0", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "max-concurrent": 0}`, nil, `"max-concurrent" is 0`, nil},
		{"queue-size negative", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "queue-size": -1}`, nil, `"queue-size" is -1`, nil},
		{"timeout fraction", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "timeout": 1.5}`, nil, `"timeout" parameter must be an integer`, nil},
		{"sync timeout 0", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "sync": true, "timeout": 0}`, nil, `"timeout" is 0 ms`, nil},
		{"policy park", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "failure-policy": "park"}`, nil, `"failure-policy" is "park"`, nil},
		{"relative allowed-dir", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "allowed-dir": "ok"}`, nil, `"allowed-dir" "ok" must be an absolute path`, nil},
		{"Kea defaults", `{"name": ` + js(tr.p("ok/hook.sh")) + `}`, nil, "", func(t *testing.T, p Params) {
			want := Params{Name: tr.p("ok/hook.sh"), MaxConcurrent: DefaultMaxConcurrent, QueueSize: DefaultQueueSize}
			if p != want {
				t.Errorf("got %+v, want %+v", p, want)
			}
		}},
		{"sync defaults", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "sync": true}`, nil, "", func(t *testing.T, p Params) {
			if !p.Sync || p.Timeout != DefaultSyncTimeout || p.FailurePolicy != hooks.Continue {
				t.Errorf("got %+v", p)
			}
		}},
		{"all set", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "sync": true, "max-concurrent": 3, "queue-size": 0, "timeout": 250, "failure-policy": "DROP", "allowed-dir": ` + js(tr.p("ok")) + `}`, nil, "", func(t *testing.T, p Params) {
			want := Params{Name: tr.p("ok/hook.sh"), Sync: true, MaxConcurrent: 3, QueueSize: 0, Timeout: 250 * time.Millisecond, FailurePolicy: hooks.Drop, AllowedDir: tr.p("ok")}
			if p != want {
				t.Errorf("got %+v, want %+v", p, want)
			}
		}},
		{"outside allowed-dir", `{"name": ` + js(tr.p("elsewhere/hook.sh")) + `, "allowed-dir": ` + js(tr.p("ok")) + `}`, nil,
			"is not in the allowed scripts directory " + js(tr.p("ok")), nil},
		{"below allowed-dir", `{"name": ` + js(tr.p("sticky/sub/hook.sh")) + `, "allowed-dir": ` + js(tr.p("sticky")) + `}`, nil,
			"scripts must be directly in it", nil},
		{"symlink out of allowed-dir", `{"name": ` + js(tr.p("ok/link.sh")) + `, "allowed-dir": ` + js(tr.p("ok")) + `}`, nil,
			"resolves to " + js(tr.p("elsewhere/hook.sh")) + ", outside the allowed scripts directory", nil},
		{"symlink, unconfined", `{"name": ` + js(tr.p("ok/link.sh")) + `}`, nil, "", nil},
		{"confined by LEASEHOLD_HOOK_SCRIPTS_PATH", `{"name": ` + js(tr.p("elsewhere/hook.sh")) + `}`,
			map[string]string{EnvScriptsPath: tr.p("ok")}, "not in the allowed scripts directory", nil},
		{"confined by KEA_HOOK_SCRIPTS_PATH", `{"name": ` + js(tr.p("elsewhere/hook.sh")) + `}`,
			map[string]string{EnvKeaScriptsPath: tr.p("ok")}, "not in the allowed scripts directory", nil},
		{"leasehold variable first", `{"name": ` + js(tr.p("elsewhere/hook.sh")) + `}`,
			map[string]string{EnvScriptsPath: tr.p("elsewhere"), EnvKeaScriptsPath: tr.p("ok")}, "", func(t *testing.T, p Params) {
				if p.AllowedDir != tr.p("elsewhere") {
					t.Errorf("AllowedDir %q", p.AllowedDir)
				}
			}},
		{"parameter before variables", `{"name": ` + js(tr.p("ok/hook.sh")) + `, "allowed-dir": ` + js(tr.p("ok")) + `}`,
			map[string]string{EnvScriptsPath: tr.p("elsewhere")}, "", nil},
		{"relative variable", `{"name": ` + js(tr.p("ok/hook.sh")) + `}`,
			map[string]string{EnvKeaScriptsPath: "scripts"}, "KEA_HOOK_SCRIPTS_PATH=\"scripts\": the scripts directory must be an absolute path", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseParams(json.RawMessage(tt.params), func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "run_script: ") {
					t.Errorf("error %q does not name the library", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

// A configuration that fails to load leaves the library unloaded.
func TestLoadRejects(t *testing.T) {
	l := New(Options{Getenv: func(string) string { return "" }})
	if _, err := l.Load(t.Context(), json.RawMessage(`{"name": "/nonexistent/hook.sh"}`)); err == nil || !strings.Contains(err.Error(), "/nonexistent/hook.sh") {
		t.Fatalf("Load: %v, want an error naming the path", err)
	}
	if _, err := l.Callout(t.Context(), hooks.Lease4Expire, &hooks.Args{}); err == nil {
		t.Error("Callout on an unloaded library succeeded")
	}
	if err := l.Unload(t.Context()); err == nil {
		t.Error("Unload without a Load succeeded")
	}
}

func TestLoadRegistration(t *testing.T) {
	for _, sync := range []bool{false, true} {
		l := New(Options{Getenv: func(string) string { return "" }})
		reg, err := l.Load(t.Context(), json.RawMessage(params("/bin/true", `"sync": `+map[bool]string{false: "false", true: "true"}[sync])))
		if err != nil {
			t.Fatal(err)
		}
		want := hooks.Observe
		if sync {
			want = hooks.Sync
		}
		if len(reg) != 13 {
			t.Errorf("sync %v: %d points registered, want 13", sync, len(reg))
		}
		for _, p := range points {
			if reg[p] != want {
				t.Errorf("sync %v: %v registered %v, want %v", sync, p, reg[p], want)
			}
		}
		if err := l.Unload(t.Context()); err != nil {
			t.Error(err)
		}
	}
}

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigWithHook(t *testing.T) {
	l := &benchLab{serverIf: "lhbs0"}
	for _, tc := range []struct {
		name string
		hook *hookLib
		want []any // the hooks-libraries value; nil for none
	}{
		{"none", nil, nil},
		{"plain", &hookLib{name: "p", path: "/x/p"}, []any{map[string]any{"library": "/x/p"}}},
		{"params", &hookLib{name: "p", path: "/x/p", params: json.RawMessage(`{"include-deleted":false}`)},
			[]any{map[string]any{"library": "/x/p", "parameters": map[string]any{"include-deleted": false}}}},
		{"settings", &hookLib{name: "p", path: "/x/p", settings: json.RawMessage(`{"reply-spin-us":0}`)},
			[]any{map[string]any{"library": "/x/p", "leasehold": map[string]any{"reply-spin-us": 0}}}},
	} {
		for _, family := range []int{4, 6} {
			s := server{name: "leasehold", family: family, hook: tc.hook}
			var cfg map[string]map[string]any
			if err := json.Unmarshal([]byte(s.config(l, "/d")), &cfg); err != nil {
				t.Fatalf("%s v%d: the configuration is not JSON: %v\n%s", tc.name, family, err, s.config(l, "/d"))
			}
			m := cfg["Dhcp4"]
			if family == 6 {
				m = cfg["Dhcp6"]
			}
			got, ok := m["hooks-libraries"]
			if tc.want == nil && ok || tc.want != nil && !jsonEqual(got, tc.want) {
				t.Errorf("%s v%d: hooks-libraries %v, want %v", tc.name, family, got, tc.want)
			}
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestBuildHookPath(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "plug")
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if h, err := buildHook(exe, `{"a":1}`, `{"reply-spin-us":0}`, dir); err != nil || h.path != exe || h.name != "plug" ||
		string(h.params) != `{"a":1}` || string(h.settings) != `{"reply-spin-us":0}` {
		t.Errorf("executable: %+v, %v", h, err)
	}
	for _, tc := range []struct{ spec, params, settings, want string }{
		{plain, "", "", "not executable"},
		{filepath.Join(dir, "missing"), "", "", "no such plugin"},
		{exe, "{", "", "-hooks-params is not JSON"},
		{exe, "", "{", "-hooks-settings is not JSON"},
	} {
		if _, err := buildHook(tc.spec, tc.params, tc.settings, dir); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("buildHook(%q, %q, %q): %v, want an error saying %q", tc.spec, tc.params, tc.settings, err, tc.want)
		}
	}
}

func TestPrintRatios(t *testing.T) {
	rows := []row{
		{server: "leasehold", offered: 2000, res: perfResult{Rate: 2000, Received: 10000}, cpu: time.Second},
		{server: "leasehold+p", hook: "p", offered: 2000, res: perfResult{Rate: 1900, Received: 9500}, cpu: 1900 * time.Millisecond, plugins: 950 * time.Millisecond},
		{server: "kea", offered: 0, res: perfResult{Rate: 5000}},
		{server: "leasehold", offered: 0, res: perfResult{Rate: 8000, Received: 40000}, cpu: 2 * time.Second},
		{server: "leasehold+p", hook: "p", offered: 0, res: perfResult{Rate: 4000, Received: 20000}, cpu: 2 * time.Second},
	}
	var b strings.Builder
	printRatios(&b, rows)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and 2 rows:\n%s", b.String())
	}
	for i, want := range [][]string{
		{"-", "2000", "2000", "1900", "0.950", "100.0", "200.0", "100.0"},
		{"-", "max", "8000", "4000", "0.500", "50.0", "100.0", "0.0"},
	} {
		if got := strings.Fields(lines[i+1]); !slices.Equal(got, want) {
			t.Errorf("row %d: %v, want %v", i, got, want)
		}
	}
}

func TestTreeCPU(t *testing.T) {
	c := exec.Command("sleep", "5")
	if err := c.Start(); err != nil {
		t.Skip("no sleep program:", err)
	}
	defer func() { _ = c.Process.Kill(); _ = c.Wait() }()
	if !slices.Contains(descendants(os.Getpid()), c.Process.Pid) {
		t.Errorf("descendants of the test do not list its child %d: %v", c.Process.Pid, descendants(os.Getpid()))
	}
	total, children, err := treeCPU(os.Getpid())
	if err != nil || total < children || children < 0 {
		t.Errorf("treeCPU: %v, %v, %v", total, children, err)
	}
}

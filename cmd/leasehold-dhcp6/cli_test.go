package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
)

// runBin runs the daemon under test (leasehold-dhcp6 built from this
// package, or kea-dhcp6) with args and returns its exit code and output.
func runBin(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Dir = t.TempDir()
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	}
	t.Fatal(err)
	return 0, "", ""
}

// TestCommandLine checks the flags and exit codes Kea's daemon has; with
// LEASEHOLD_E2E_SERVER=kea the same table runs against kea-dhcp6.
func TestCommandLine(t *testing.T) {
	bin, kind := daemontest.Binary(t, daemontest.V6, pkg)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	conf := `{"Dhcp6": {
  "interfaces-config": {"interfaces": []},
  "lease-database": {"type": "memfile", "name": "` + filepath.Join(dir, "leases6.csv") + `", "lfc-interval": 0},
  "subnet6": [{"id": 1, "subnet": "2001:db8:1::/64", "pools": [{"pool": "2001:db8:1::100 - 2001:db8:1::1ff"}]}]
}}`
	files := map[string]string{
		"good.json":   conf,
		"pool.json":   strings.Replace(conf, "2001:db8:1::100 - 2001:db8:1::1ff", "2001:db8:99::1 - 2001:db8:99::9", 1),
		"syntax.json": `{"Dhcp6": {"subnet6": [ }`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args   []string
		code   int
		stdout string // regexp
		stderr string // regexp
	}{
		{[]string{"-v"}, 0, `^\S+\n$`, `^$`},
		{[]string{"-t", good}, 0, ``, `^$`},
		{[]string{"-t", filepath.Join(dir, "pool.json")}, 1, ``, `^Error encountered: .*2001:db8:99::1.*\n$`},
		{[]string{"-t", filepath.Join(dir, "syntax.json")}, 1, ``, `^Syntax check failed with: .*syntax\.json.*\n$`},
		{[]string{"-t", filepath.Join(dir, "missing.json")}, 1, ``, `^Syntax check failed with: .*missing\.json`},
		{[]string{"-x"}, 1, `^$`, `invalid option -- 'x'\n(.|\n)*Usage: `},
		{nil, 1, `^$`, `^Configuration file not specified\.\n(.|\n)*Usage: `},
		{[]string{"-c", good, "-p", "0"}, 1, `^$`, `^Failed to parse server port number: \[0\], 1-65535 allowed\.\n`},
		{[]string{"-c", good, "-P", "70000"}, 1, `^$`, `^Failed to parse client port number: \[70000\], 1-65535 allowed\.\n`},
	}
	for _, tc := range tests {
		code, out, errs := runBin(t, bin, tc.args...)
		if code != tc.code || !regexp.MustCompile(tc.stdout).MatchString(out) || !regexp.MustCompile(tc.stderr).MatchString(errs) {
			t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want %d, %s, %s", kind, tc.args, code, out, errs, tc.code, tc.stdout, tc.stderr)
		}
	}

	_, version, _ := runBin(t, bin, "-v")
	code, out, _ := runBin(t, bin, "-V")
	if code != 0 || !strings.HasPrefix(out, version) {
		t.Errorf("-V: exit %d, output %q; want 0 and the version first", code, out)
	}
	if kind == daemontest.Kea {
		return
	}
	// leasehold only: -V names the Go version and modules, -T opens the
	// lease file.
	for _, want := range []string{runtime.Version(), "linked with:", "github.com/leasehold/leasehold"} {
		if !strings.Contains(out, want) {
			t.Errorf("-V output lacks %q:\n%s", want, out)
		}
	}
	if code, out, errs := runBin(t, bin, "-T", good); code != 0 || errs != "" {
		t.Errorf("-T good: exit %d, stderr %q, stdout %q", code, errs, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "leases6.csv")); err != nil || !strings.HasPrefix(string(b), "address,duid,") {
		t.Errorf("-T did not open the lease file: %q, %v", b, err)
	}
}

package daemontest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/daemon"
)

// familyText is what the family-independent checks below write into a
// family's configuration file, and what they expect back.
type familyText struct {
	Map, Subnets string // "Dhcp4", "subnet4"
	Subnet       string // subnet 1 with its pool, as JSON
	Pool         string // that pool's range
	BadPool      string // a range outside subnet 1
	BadPoolRE    string // how an error message names BadPool
	Extra        string // more members of the map (with a trailing comma)
	LeaseHeader  string // how the family's lease file starts
	HookPoint    hooks.Point
}

var texts = map[Family]familyText{
	V4: {
		Map: "Dhcp4", Subnets: "subnet4",
		Subnet:      `{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.100 - 192.0.2.199"}]}`,
		Pool:        "192.0.2.100 - 192.0.2.199",
		BadPool:     "10.0.0.1 - 10.0.0.9",
		BadPoolRE:   `10\.0\.0\.1`,
		LeaseHeader: "address,hwaddr,",
		HookPoint:   hooks.Dhcp4SrvConfigured,
	},
	V6: {
		Map: "Dhcp6", Subnets: "subnet6",
		Subnet:    `{"id": 1, "subnet": "2001:db8:1::/64", "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}]}`,
		Pool:      "2001:db8:1::100-2001:db8:1::1ff",
		BadPool:   "2001:db8:99::1-2001:db8:99::9",
		BadPoolRE: `2001:db8:99::1`,
		// The server DUID file goes there, not into the machine's
		// /var/lib/kea.
		Extra:       `"data-directory": "DIR",`,
		LeaseHeader: "address,duid,",
		HookPoint:   hooks.Dhcp6SrvConfigured,
	},
}

// minimalConfig is a configuration of family f with no interfaces, its
// lease file and scratch files in dir, and extra members of its map.
func minimalConfig(f Family, dir, extra string) string {
	x := texts[f]
	return `{"` + x.Map + `": {
  // a comment, which json_config does not carry
  "interfaces-config": {"interfaces": []},
  "lease-database": {"type": "memfile", "name": "` + filepath.Join(dir, "leases"+f.String()+".csv") + `", "lfc-interval": 0},
  ` + strings.ReplaceAll(x.Extra, "DIR", dir) + extra + `
  "` + x.Subnets + `": [` + x.Subnet + `]
}}`
}

// String is "4" or "6".
func (f Family) String() string { return strconv.Itoa(int(f)) }

// RunBin runs bin with args in a new temporary directory and returns its
// exit code, standard output and standard error.
func RunBin(t testing.TB, bin string, args ...string) (int, string, string) {
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

// CheckCommandLine checks the flags and exit codes Kea's daemon has on
// family f's daemon built from pkg, or on kea-dhcp4/kea-dhcp6 with
// LEASEHOLD_E2E_SERVER=kea.
func CheckCommandLine(t *testing.T, f Family, pkg string) {
	bin, kind := Binary(t, f, pkg)
	dir := t.TempDir()
	x := texts[f]
	good := filepath.Join(dir, "good.json")
	conf := minimalConfig(f, dir, "")
	files := map[string]string{
		"good.json":   conf,
		"pool.json":   strings.Replace(conf, x.Pool, x.BadPool, 1),
		"syntax.json": `{"` + x.Map + `": {"` + x.Subnets + `": [ }`,
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
		{[]string{"-t", filepath.Join(dir, "pool.json")}, 1, ``, `^Error encountered: .*` + x.BadPoolRE + `.*\n$`},
		{[]string{"-t", filepath.Join(dir, "syntax.json")}, 1, ``, `^Syntax check failed with: .*syntax\.json.*\n$`},
		{[]string{"-t", filepath.Join(dir, "missing.json")}, 1, ``, `^Syntax check failed with: .*missing\.json`},
		{[]string{"-x"}, 1, `^$`, `invalid option -- 'x'\n(.|\n)*Usage: `},
		{nil, 1, `^$`, `^Configuration file not specified\.\n(.|\n)*Usage: `},
		{[]string{"-c", good, "-p", "0"}, 1, `^$`, `^Failed to parse server port number: \[0\], 1-65535 allowed\.\n`},
		{[]string{"-c", good, "-P", "70000"}, 1, `^$`, `^Failed to parse client port number: \[70000\], 1-65535 allowed\.\n`},
	}
	for _, tc := range tests {
		code, out, errs := RunBin(t, bin, tc.args...)
		if code != tc.code || !regexp.MustCompile(tc.stdout).MatchString(out) || !regexp.MustCompile(tc.stderr).MatchString(errs) {
			t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want %d, %s, %s", kind, tc.args, code, out, errs, tc.code, tc.stdout, tc.stderr)
		}
	}

	_, version, _ := RunBin(t, bin, "-v")
	code, out, _ := RunBin(t, bin, "-V")
	if code != 0 || !strings.HasPrefix(out, version) {
		t.Errorf("-V: exit %d, output %q; want 0 and the version first", code, out)
	}
	if kind == Kea {
		return
	}
	// leasehold only: -V names the Go version and modules, -T opens the
	// lease file.
	for _, want := range []string{runtime.Version(), "linked with:", "github.com/leasehold/leasehold"} {
		if !strings.Contains(out, want) {
			t.Errorf("-V output lacks %q:\n%s", want, out)
		}
	}
	if code, out, errs := RunBin(t, bin, "-T", good); code != 0 || errs != "" {
		t.Errorf("-T good: exit %d, stderr %q, stdout %q", code, errs, out)
	}
	lf := filepath.Join(dir, "leases"+f.String()+".csv")
	if b, err := os.ReadFile(lf); err != nil || !strings.HasPrefix(string(b), x.LeaseHeader) {
		t.Errorf("-T did not open the lease file: %q, %v", b, err)
	}
}

// CheckSrvConfigured runs the daemon of family d in-process, its server's
// sockets left closed, with a hook library linked in, and checks that
// dhcp4_srv_configured (dhcp6_srv_configured) gets the file's Dhcp4
// (Dhcp6) map as json_config, at start and after SIGHUP.
func CheckSrvConfigured[C any](t *testing.T, d daemon.Family[C]) {
	f := V4
	if d.V6 {
		f = V6
	}
	dir := t.TempDir()
	rec := &ConfigRecorder{Point: texts[f].HookPoint}
	newServer := d.New
	d.New = func(c C, deps daemon.Deps) (daemon.Server[C], error) {
		s, err := newServer(c, deps)
		if err != nil {
			return nil, err
		}
		return Socketless(s), nil
	}
	d.Linked = map[string]hooks.Library{"/usr/lib/kea/hooks/recorder.so": rec}
	conf := func(valid int) string {
		return minimalConfig(f, dir, `"hooks-libraries": [{"library": "/usr/lib/kea/hooks/recorder.so"}],
  "valid-lifetime": `+strconv.Itoa(valid)+`,`)
	}
	path := filepath.Join(dir, "kea-dhcp"+f.String()+".conf")
	if err := os.WriteFile(path, []byte(conf(100)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := RunInProcess(t, d, "-c", path)
	checkJSONConfig(t, f, rec.Wait(t, 1), 100)

	if err := os.WriteFile(path, []byte(conf(200)), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Signals <- syscall.SIGHUP
	checkJSONConfig(t, f, rec.Wait(t, 2), 200)
	if code := r.Stop(); code != 0 {
		t.Errorf("exit code %d after SIGTERM:\n%s", code, r.Output())
	}
}

// checkJSONConfig checks that got is the configuration's map of family f.
func checkJSONConfig(t *testing.T, f Family, got json.RawMessage, valid int) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatalf("json_config %q is not a JSON object: %v", got, err)
	}
	if v, _ := m["valid-lifetime"].(float64); v != float64(valid) {
		t.Errorf("json_config valid-lifetime %v, want %d: %s", m["valid-lifetime"], valid, got)
	}
	if sub := texts[f].Subnets; !isList(m[sub]) {
		t.Errorf("json_config lacks %s: %s", sub, got)
	}
	if strings.Contains(string(got), "comment") {
		t.Errorf("json_config kept a comment: %s", got)
	}
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

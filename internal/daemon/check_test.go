package daemon

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// runOnce runs the fake DHCPv4 daemon to completion on args.
func runOnce(args ...string) (code int, stdout, stderr string) {
	var out, errb syncBuffer
	code = Run(fakeFamily(nil), args, Process{Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func TestVersionFlags(t *testing.T) {
	code, out, errs := runOnce("-v")
	if code != 0 || out != versionString()+"\n" || errs != "" {
		t.Errorf("-v: code %d, stdout %q, stderr %q; want 0, %q, nothing", code, out, errs, versionString()+"\n")
	}
	code, out, _ = runOnce("-V")
	if code != 0 {
		t.Errorf("-V: code %d", code)
	}
	for _, want := range []string{versionString() + "\n", runtime.Version(), "linked with:", "database:", "Memfile"} {
		if !strings.Contains(out, want) {
			t.Errorf("-V output lacks %q:\n%s", want, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"-x"}, {}, {"-c"}, {"-p", "0", "-c", "k.json"}, {"-c", "k.json", "more"}} {
		code, out, errs := runOnce(args...)
		if code != 1 || out != "" || !strings.Contains(errs, "Usage: leasehold-dhcp4 -[v|V] [-d] [-{c|t|T} cfgfile]") {
			t.Errorf("%q: code %d, stdout %q, stderr %q; want 1 and the usage on stderr", args, code, out, errs)
		}
	}
	code, out, _ := runOnce("-h")
	if code != 0 || !strings.Contains(out, "Usage: leasehold-dhcp4") {
		t.Errorf("-h: code %d, stdout %q", code, out)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	lf := filepath.Join(dir, "leases4.csv")
	files := map[string]string{
		"good.json":       conf4(lf, ""),
		"pool.json":       strings.Replace(conf4(lf, ""), "192.0.2.100 - 192.0.2.199", "10.0.0.1 - 10.0.0.9", 1),
		"syntax.json":     `{"Dhcp4": {"foo": `,
		"unknown.json":    conf4(lf, `"no-such-key": 1,`),
		"v6only.json":     `{"Dhcp6": {}}`,
		"iface.json":      strings.Replace(conf4(lf, ""), `"interfaces": []`, `"interfaces": ["lhInosuch0"]`, 1),
		"lo.json":         strings.Replace(conf4(lf, ""), `"interfaces": []`, `"interfaces": ["lo", "*"]`, 1),
		"hooks.json":      conf4(lf, `"hooks-libraries": [{"library": "/nonexistent/libdhcp_lease_cmds.so"}],`),
		"noexec.json":     conf4(lf, `"hooks-libraries": [{"library": "`+filepath.Join(dir, "good.json")+`"}],`),
		"settings.json":   conf4(lf, `"hooks-libraries": [{"library": "/bin/true", "leasehold": {"deadline-ms": 50, "failure-policy": "sometimes"}}],`),
		"unknownset.json": conf4(lf, `"hooks-libraries": [{"library": "/bin/true", "leasehold": {"no-such-setting": 1}}],`),
	}
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	tests := []struct {
		file string
		code int
		err  string // regexp the whole standard error must match
	}{
		{"good.json", 0, `^$`},
		{"lo.json", 0, `^$`},
		{"pool.json", 1, `^Error encountered: Dhcp4/subnet4\[0\]/pools\[0\]/pool: .*10\.0\.0\.1.*pool\.json:\d+:\d+\)\n$`},
		{"unknown.json", 1, `^Error encountered: .*no-such-key.*\n$`},
		{"syntax.json", 1, `^Syntax check failed with: .*syntax\.json.*\n$`},
		{"missing.json", 1, `^Syntax check failed with: .*missing\.json.*no such file or directory\n$`},
		{"v6only.json", 1, `^Syntax check failed with: .*v6only\.json: no Dhcp4 map.*\n$`},
		{"iface.json", 1, `^Error encountered: .*Dhcp4/interfaces-config/interfaces\[0\]: interface "lhInosuch0" does not exist on this system\n$`},
		{"hooks.json", 1, `^Error encountered: .*Dhcp4/hooks-libraries\[0\]: library /nonexistent/libdhcp_lease_cmds\.so: .*no such file or directory\n$`},
		{"noexec.json", 1, `^Error encountered: .*Dhcp4/hooks-libraries\[0\]: library .*good\.json is not executable.*\n$`},
		{"settings.json", 1, `^Error encountered: .*Dhcp4/hooks-libraries\[0\]/leasehold: .*sometimes.*\n$`},
		{"unknownset.json", 1, `^Error encountered: .*Dhcp4/hooks-libraries\[0\]/leasehold: .*no-such-setting.*\n$`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			code, out, errs := runOnce("-t", filepath.Join(dir, tc.file))
			if code != tc.code || !regexp.MustCompile(tc.err).MatchString(errs) {
				t.Errorf("-t %s: code %d, stderr %q; want %d, %s\nstdout:\n%s", tc.file, code, errs, tc.code, tc.err, out)
			}
			if tc.code == 0 && !strings.Contains(out, "configuration check passed") {
				t.Errorf("-t %s: stdout lacks the check's log line:\n%s", tc.file, out)
			}
		})
	}
	// -t touches no lease file.
	if _, err := os.Stat(lf); !os.IsNotExist(err) {
		t.Errorf("-t created or touched the lease file %s (stat: %v)", lf, err)
	}
}

func TestDeepCheck(t *testing.T) {
	dir := t.TempDir()
	lf := filepath.Join(dir, "leases4.csv")
	rec := filepath.Join(dir, "rec")
	good := writeFile(t, filepath.Join(dir, "good.json"), conf4(lf, hookLib(t, rec, "deep", "")))
	code, out, errs := runOnce("-T", good)
	if code != 0 || errs != "" {
		t.Fatalf("-T good: code %d, stderr %q\n%s", code, errs, out)
	}
	// The lease file was opened (memfile writes its header), and the
	// library was loaded and unloaded.
	if b, err := os.ReadFile(lf); err != nil || !strings.HasPrefix(string(b), "address,hwaddr,client_id,") {
		t.Errorf("-T left lease file %q (err %v); want Kea's header", b, err)
	}
	if got := strings.Join(readLines(t, rec), ","); got != "load_deep,unload_deep" {
		t.Errorf("hook library events %q, want load then unload", got)
	}

	tests := []struct {
		name, config, err string
	}{
		{"lease file dir missing", conf4(filepath.Join(dir, "no", "such", "dir", "l.csv"), ""), `^Error encountered: lease database .*/no/such/dir/l\.csv: .*\n$`},
		{"library rejects", conf4(lf, hookLib(t, rec, "bad", "the parameters are wrong")), `^Error encountered: Dhcp4/hooks-libraries: .*the parameters are wrong.*\n$`},
		{"syntax", `{"Dhcp4": `, `^Syntax check failed with: `},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := writeFile(t, filepath.Join(dir, "c.json"), tc.config)
			code, out, errs := runOnce("-T", f)
			if code != 1 || !regexp.MustCompile(tc.err).MatchString(errs) {
				t.Errorf("-T: code %d, stderr %q; want 1, %s\nstdout:\n%s", code, errs, tc.err, out)
			}
		})
	}
}

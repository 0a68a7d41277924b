package daemon

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartFailures(t *testing.T) {
	dir := t.TempDir()
	lf := filepath.Join(dir, "leases4.csv")
	rec := filepath.Join(dir, "rec")
	tests := []struct {
		name, config, err string
	}{
		{"config", conf4(lf, `"valid-lifetime": "long",`), `failed to initialize the server with file '.*': configuration error: Dhcp4/valid-lifetime: `},
		{"missing file", "", `failed to initialize the server with file '.*': configuration error: .*no such file or directory`},
		{"loggers", conf4(lf, `"loggers": [{"name": "kea-dhcp4", "severity": "INFO", "output_options": [{"output": "`+dir+`/no/dir/x.log"}]}],`), `Dhcp4/loggers: loggers\[0\] \(kea-dhcp4\) output_options\[0\]: .*no such file or directory`},
		{"lease file", conf4(filepath.Join(dir, "no", "dir", "l.csv"), ""), `lease database .*/no/dir/l\.csv: `},
		{"library rejects", conf4(lf, hookLib(t, rec, "x", "refused")), `Dhcp4/hooks-libraries: .*refused`},
		{"server", conf4(lf, `"user-context": {"fake-fail-new": true},`), `fake server cannot be built`},
		{"serve", conf4(lf, `"user-context": {"fake-serve-fails": true},`), `server stopped unexpectedly: fake server cannot open its sockets`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "kea-dhcp4.conf")
			if tc.config != "" {
				writeFile(t, cfg, tc.config)
			}
			r := startRun(t, "-c", cfg)
			if code := r.exit(t); code != 1 {
				t.Fatalf("exit code %d, want 1; stderr %q", code, r.errs)
			}
			if !regexp.MustCompile(`^leasehold-dhcp4: .*` + tc.err).MatchString(r.errs.String()) {
				t.Errorf("stderr %q does not match %q", r.errs, tc.err)
			}
			if strings.Contains(r.out.String(), "started") {
				t.Errorf("logged a start although start-up failed:\n%s", r.out)
			}
		})
	}
	// The library that refused was not left running; recplugin records only
	// successful loads.
	if got := readLines(t, rec); len(got) != 0 {
		t.Errorf("hook library events %v after failed starts", got)
	}
}

// TestProcessSignals runs the daemon as a process (this test binary with
// the fake server) and drives it with real signals.
func TestProcessSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			lf := filepath.Join(dir, "leases4.csv")
			cfg := writeFile(t, filepath.Join(dir, "kea-dhcp4.conf"), conf4(lf, ""))
			cmd := exec.Command(os.Args[0], "-c", cfg)
			cmd.Env = append(os.Environ(), "LHI_FAKE_DAEMON=1")
			var out, errs syncBuffer
			cmd.Stdout, cmd.Stderr = &out, &errs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-done
			})
			waitFor(t, &out, `leasehold DHCPv4 server version \S+ started$`, 0)
			waitFor(t, &out, `fake server serving`, 0)
			if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			waitFor(t, &out, `dynamic server reconfiguration succeeded with file: `+regexp.QuoteMeta(cfg)+`$`, 0)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				done <- err
				var ee *exec.ExitError
				if errors.As(err, &ee) || err != nil {
					t.Fatalf("exit after %v: %v; stderr %q", sig, err, errs.String())
				}
			case <-time.After(ShutdownTimeout + 5*time.Second):
				t.Fatalf("no exit after %v; output:\n%s", sig, out.String())
			}
			waitFor(t, &out, `server shutdown signal=`, 0)
			waitFor(t, &out, `fake server stopped`, 0)
			if b, _ := os.ReadFile(lf); !strings.Contains(string(b), fakeLeaseAddr.String()+",") {
				t.Errorf("lease file after %v lacks the server's lease:\n%s", sig, b)
			}
		})
	}
}

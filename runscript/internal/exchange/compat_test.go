package exchange

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// goBuild builds pkg into dir and returns the binary, or the build error.
func goBuild(dir, name, pkg string) (string, error) {
	out := filepath.Join(dir, name)
	if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out, nil
}

// TestCompatibility plays every phase into Kea 2.2 with
// libdhcp_run_script.so and into leasehold with runscript, linked into the
// daemon and as the cmd/leasehold-runscript plugin, and compares what the
// script was given, variable by variable, for every hook point. Kea's run
// is also checked against the golden files. It needs root and Kea 2.2; it
// skips without them unless CI=true or LEASEHOLD_E2E=1.
func TestCompatibility(t *testing.T) {
	skip := func(format string, args ...any) {
		t.Helper()
		if netlab.Required() {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	if why := netlab.Unavailable(); why != "" {
		skip("%s", why)
	}
	for _, tool := range []string{"kea-dhcp4", "kea-dhcp6"} {
		if _, err := exec.LookPath(tool); err != nil {
			skip("%s is not installed", tool)
		}
	}
	if _, err := os.Stat(KeaRunScript); err != nil {
		skip("Kea's run_script library: %v", err)
	}
	bin := t.TempDir()
	envdump := buildEnvdump(t)
	plugin, err := goBuild(bin, "leasehold-runscript", "github.com/leasehold/leasehold/cmd/leasehold-runscript")
	if err != nil {
		t.Fatal(err)
	}
	// Each family runs twice: with runscript linked into the daemon
	// (linkedN: the daemon's code plus a Linked map) and as the plugin
	// under the real daemon.
	daemons := map[bool]struct{ linked, daemon string }{}
	for _, v6 := range []bool{false, true} {
		n := map[bool]string{false: "4", true: "6"}[v6]
		linked, err := goBuild(bin, "linked"+n, "github.com/leasehold/leasehold/runscript/internal/linked"+n)
		if err != nil {
			t.Fatal(err)
		}
		daemon, err := goBuild(bin, "leasehold-dhcp"+n, "github.com/leasehold/leasehold/cmd/leasehold-dhcp"+n)
		if err != nil {
			t.Fatal(err)
		}
		daemons[v6] = struct{ linked, daemon string }{linked, daemon}
	}

	lab := netlab.NewT(t, LabOptions("lhJx"))
	r := runnerT(t, lab, envdump)
	r.Lenient = true
	quiet := func(string, ...any) {}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	pluginHook := fmt.Sprintf(`{"library": %q, "parameters": {"name": %q, "sync": false}}`, plugin, r.Script)
	known := func(string) (string, bool) { return "", false }

	for _, p := range Phases() {
		t.Run(p.Name, func(t *testing.T) {
			variants := []struct {
				name, daemon, hook string
			}{
				{"linked", daemons[p.V6].linked, KeaHook(r.Script)},
				{"plugin", daemons[p.V6].daemon, pluginHook},
			}
			r.Logf = t.Logf
			kea, err := r.Run(ctx, p, KeaHook(r.Script), r.StartKea(quiet, leakCanary))
			if err != nil {
				t.Fatalf("Kea: %v", err)
			}
			checkGolden(t, kea)
			for _, v := range variants {
				t.Run(v.name, func(t *testing.T) {
					r.Logf = t.Logf
					lh, err := r.Run(ctx, p, v.hook, r.StartDaemon(v.daemon, t.Logf, leakCanary))
					if err != nil {
						t.Errorf("leasehold: %v", err)
					}
					if lh == nil {
						return
					}
					seen := map[serverDiff]bool{}
					for _, d := range Compare(kea, lh, known) {
						sd := serverDiff{p.Name, d.Step, d.Key}
						if why, ok := serverDiffs[sd]; ok {
							seen[sd] = true
							t.Logf("known server difference (%s): %s", why, d)
							continue
						}
						t.Error(d)
					}
					for sd := range serverDiffs {
						if sd.phase == p.Name && !seen[sd] {
							t.Errorf("%s/%s %s: the known server difference is gone: remove it from serverDiffs", sd.phase, sd.step, sd.key)
						}
					}
				})
			}
		})
	}
}

// serverDiff names a variable of a step that differs from Kea because of
// the DHCP server, not run_script: the server hands the library other
// values than Kea's server does. Each is reported to the server's authors;
// an entry that stops occurring fails the test, so the list cannot go
// stale.
type serverDiff struct{ phase, step, key string }

var serverDiffs = map[serverDiff]string{}

// checkGolden compares a live Kea run with the captures in testdata/kea:
// a difference means Kea's behaviour or the scenario changed, and the
// golden files need a new capture.
func checkGolden(t *testing.T, kea *Result) {
	t.Helper()
	for _, s := range kea.Steps {
		want, err := os.ReadFile(filepath.Join(goldenDir, kea.Phase, s.Step+".env"))
		if err != nil {
			t.Errorf("golden file: %v", err)
			continue
		}
		if got := Format(s.Calls); string(got) != string(want) {
			t.Errorf("%s/%s: Kea's calls differ from the capture (recapture with LEASEHOLD_KEA_CAPTURE=1):\n%s", kea.Phase, s.Step, got)
		}
	}
}

package exchange

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// goldenDir is where the Kea captures live, relative to this package.
const goldenDir = "../../testdata/kea"

// leakCanary is put into the server's own environment; no script may see it.
const leakCanary = "LEASEHOLD_LEAK_CANARY=server-environment"

// buildEnvdump builds the recording hook script.
func buildEnvdump(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "envdump")
	cmd := exec.Command("go", "build", "-o", out, "github.com/leasehold/leasehold/runscript/internal/envdump")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building envdump: %v\n%s", err, b)
	}
	return out
}

// runnerT is NewRunner for a test: the script directory is lab.Dir/script
// and the runner is closed when the test ends.
func runnerT(t *testing.T, lab *netlab.Lab, envdump string) *Runner {
	t.Helper()
	r, err := NewRunner(lab, envdump, filepath.Join(lab.Dir, "script"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestKeaCapture runs every phase against Kea 2.2 with
// libdhcp_run_script.so and writes the recorded environments to
// runscript/testdata/kea/<phase>/<step>.env. It is how the golden files are
// made: run it as root with LEASEHOLD_KEA_CAPTURE=1.
func TestKeaCapture(t *testing.T) {
	if os.Getenv("LEASEHOLD_KEA_CAPTURE") == "" {
		t.Skip("set LEASEHOLD_KEA_CAPTURE=1 (as root, with Kea 2.2) to capture Kea's run_script environments into runscript/testdata/kea")
	}
	if why := netlab.Unavailable(); why != "" {
		t.Fatal(why)
	}
	for _, tool := range []string{"kea-dhcp4", "kea-dhcp6"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed", tool)
		}
	}
	if _, err := os.Stat(KeaRunScript); err != nil {
		t.Fatal(err)
	}
	envdump := buildEnvdump(t)
	lab := netlab.NewT(t, LabOptions("lhJk"))
	r := runnerT(t, lab, envdump)
	r.Logf = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, p := range Phases() {
		res, err := r.Run(ctx, p, KeaHook(r.Script), r.StartKea(t.Logf, leakCanary))
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(goldenDir, p.Name)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Steps {
			for _, c := range s.Calls {
				for _, e := range c.Env {
					if strings.HasPrefix(e, "LEASEHOLD_LEAK_CANARY=") {
						t.Errorf("%s/%s: Kea passed its own environment on: %s", p.Name, s.Step, e)
					}
				}
				if c.Args[0] != r.Script || len(c.Args) != 2 {
					t.Errorf("%s/%s: argv %q, want [%s <point>]", p.Name, s.Step, c.Args, r.Script)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, s.Step+".env"), Format(s.Calls), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, s.Step+".pkt"), FormatPackets(s.Packets), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

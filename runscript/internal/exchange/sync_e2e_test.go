package exchange

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// syncScript decides by the client's MAC at leases4_committed: DROP for
// ...:20:01, hang for ...:21:01, CONTINUE (no line) for anyone else.
const syncScript = `#!/bin/sh
[ "$1" = leases4_committed ] || exit 0
case "$QUERY4_HWADDR" in
02:00:00:4a:20:01) echo NEXT_STEP=DROP ;;
02:00:00:4a:21:01) sleep 30 ;;
esac
`

// TestSyncModeEndToEnd runs leasehold-dhcp4 with runscript linked in and
// "sync": true: the script's DROP takes the ACK away from the client, a
// hanging script hits the timeout and the failure policy decides (continue:
// the client gets its ACK; drop: it does not), and the server keeps serving.
func TestSyncModeEndToEnd(t *testing.T) {
	lab := netlab.NewT(t, LabOptions("lhJy"))
	bin := t.TempDir()
	linked4, err := goBuild(bin, "linked4", "github.com/leasehold/leasehold/runscript/internal/linked4")
	if err != nil {
		t.Fatal(err)
	}
	envdump := buildEnvdump(t)
	r := runnerT(t, lab, envdump)
	script := filepath.Join(lab.Dir, "script", "decide.sh")
	if err := os.WriteFile(script, []byte(syncScript), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	for _, policy := range []string{"continue", "drop"} {
		t.Run("policy-"+policy, func(t *testing.T) {
			hook := fmt.Sprintf(`{"library": %q, "parameters": {"name": %q, "sync": true, "timeout": 300, "failure-policy": %q}}`,
				KeaRunScript, script, policy)
			leases := filepath.Join(lab.Dir, "sync-"+policy+".csv")
			p := &Phase{Name: "sync-" + policy}
			stop, err := r.StartDaemon(linked4, t.Logf)(ctx, p, config4(lab.ServerIf, leases, hook, false))
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			defer r.unbindAll()

			dropped := &Client4{MAC: mac(0x20), Broadcast: true}
			if err := r.V4.Discover(dropped, 0x20000001); err != nil {
				t.Fatal(err)
			}
			if err := r.V4.Select(dropped, 0x20000002); err == nil || !strings.Contains(err.Error(), "no reply") {
				t.Errorf("REQUEST the script dropped: %v, want no reply", err)
			}

			hung := &Client4{MAC: mac(0x21), Broadcast: true}
			if err := r.V4.Discover(hung, 0x21000001); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = r.V4.Select(hung, 0x21000002)
			took := time.Since(start)
			switch policy {
			case "continue":
				if err != nil {
					t.Errorf("REQUEST whose script hung, policy continue: %v, want an ACK", err)
				} else if took < 300*time.Millisecond {
					t.Errorf("ACK after %v, before the 300 ms timeout", took)
				}
			case "drop":
				if err == nil {
					t.Error("REQUEST whose script hung, policy drop: got an ACK")
				}
			}

			// The server goes on serving everyone else.
			ok := &Client4{MAC: mac(0x22), Broadcast: true}
			if err := r.V4.Discover(ok, 0x22000001); err != nil {
				t.Fatal(err)
			}
			if err := r.V4.Select(ok, 0x22000002); err != nil {
				t.Errorf("REQUEST the script let through: %v", err)
			}
		})
	}
}

package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestSignals: SIGHUP puts a changed file in force without losing leases,
// a broken file leaves the configuration in force serving, and SIGTERM
// stops the daemon with exit code 0 and its leases on disk.
func TestSignals(t *testing.T) {
	t.Parallel()
	lab := newLab(t, netlab.Options{})
	lf := leaseFile(lab)
	cfg := daemontest.Config4(lab, lf)
	d := serve(t, lab, cfg, daemontest.Options{})
	ctx := timeout(t, 60*time.Second)
	k := clientKinds[1] // udhcpc
	router := func() string {
		t.Helper()
		c, err := lab.AddClient()
		if err != nil {
			t.Fatal(err)
		}
		cl, _, ev := bound(t, ctx, lab, k, c, netlab.ClientOptions{})
		if err := cl.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		return ev[k.routersKey]
	}
	_, first, _ := bound(t, ctx, lab, k, lab.FirstClient(), netlab.ClientOptions{})

	cfg.Subnet(1)["option-data"] = []any{daemontest.Obj{"name": "routers", "data": "192.0.2.2"}}
	if line, ok := d.Reload(cfg.JSON(t)); !ok {
		t.Fatalf("reload of a good file: %s", line)
	}
	if got := router(); got != "192.0.2.2" {
		t.Errorf("after the reload a client got router %q, want the new 192.0.2.2", got)
	}

	// A file that does not parse, then one with a bad value: the
	// configuration in force goes on serving. Kea 2.2 does so after the
	// first but not the second: it reports DHCP4_CONFIG_UNRECOVERABLE_ERROR
	// and stops serving, which leasehold does not copy (the old
	// configuration stays in force, as the issue asks).
	broken := []string{`{"Dhcp4": {`}
	if d.Kind != daemontest.Kea {
		broken = append(broken, strings.Replace(cfg.JSON(t), `"192.0.2.100 - 192.0.2.199"`, `"10.0.0.1 - 10.0.0.9"`, 1))
	}
	for _, b := range broken {
		if line, ok := d.Reload(b); ok {
			t.Fatalf("reload of a broken file reported success: %s", line)
		}
		if got := router(); got != "192.0.2.2" {
			t.Errorf("after the failed reload a client got router %q, want 192.0.2.2 of the configuration in force", got)
		}
	}

	if err := d.Proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.Proc.Done():
	case <-ctx.Done():
		t.Fatalf("no exit after SIGTERM:\n%s", d.Proc.Output())
	}
	if err := d.Proc.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
	ls, err := daemontest.ReadLeases4(lf)
	if err != nil {
		t.Fatal(err)
	}
	if !heldBy(ls, first, lab.FirstClient().MAC) {
		t.Errorf("after SIGTERM the lease file lacks the first client's lease of %s: %s", first, describe(ls))
	}
}

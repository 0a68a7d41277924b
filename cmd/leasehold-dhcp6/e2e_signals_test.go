package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestSignals6: SIGHUP puts a changed file in force, a broken file leaves
// the configuration in force serving, and SIGTERM stops the daemon with
// exit code 0 and its leases on disk.
func TestSignals6(t *testing.T) {
	t.Parallel()
	lab := newLab(t, netlab.Options{})
	lf := leaseFile(lab)
	cfg := daemontest.Config6(lab, lf)
	d := serve(t, lab, cfg, daemontest.Options{})
	ctx := timeout(t, 60*time.Second)
	dns := func() string {
		t.Helper()
		c, err := lab.AddClient()
		if err != nil {
			t.Fatal(err)
		}
		cl, err := lab.StartDHClient(c, netlab.ClientOptions{V6: true})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := cl.WaitEvent(ctx, "BOUND6")
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		return ev["new_dhcp6_name_servers"]
	}
	first, err := lab.StartDHClient(lab.FirstClient(), netlab.ClientOptions{V6: true})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := first.WaitEvent(ctx, "BOUND6")
	if err != nil {
		t.Fatal(err)
	}
	addr := v6(t, ev).addr

	cfg.Subnet(1)["option-data"] = []any{daemontest.Obj{"name": "dns-servers", "data": "2001:db8:1::53"}}
	if line, ok := d.Reload(cfg.JSON(t)); !ok {
		t.Fatalf("reload of a good file: %s", line)
	}
	if got := dns(); got != "2001:db8:1::53" {
		t.Errorf("after the reload a client got DNS servers %q, want the new 2001:db8:1::53", got)
	}
	// As in the DHCPv4 test, Kea 2.2 stops serving after a file with a bad
	// value (DHCP6_CONFIG_UNRECOVERABLE_ERROR); leasehold keeps the
	// configuration in force.
	broken := []string{`{"Dhcp6": {`}
	if d.Kind != daemontest.Kea {
		broken = append(broken, strings.Replace(cfg.JSON(t), `"2001:db8:1::100-2001:db8:1::1ff"`, `"2001:db8:99::1-2001:db8:99::9"`, 1))
	}
	for _, b := range broken {
		if line, ok := d.Reload(b); ok {
			t.Fatalf("reload of a broken file reported success: %s", line)
		}
		if got := dns(); got != "2001:db8:1::53" {
			t.Errorf("after the failed reload a client got DNS servers %q, want 2001:db8:1::53 of the configuration in force", got)
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
	ls, err := daemontest.ReadLeases6(lf)
	if err != nil {
		t.Fatal(err)
	}
	if !held(ls, typeNA, addr, duidLL(lab.FirstClient())) {
		t.Errorf("after SIGTERM the lease file lacks the first client's lease of %s: %s", addr, describe(ls))
	}
}

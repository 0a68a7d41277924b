package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/daemon"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
)

// TestSrvConfiguredJSON runs the daemon in-process with a hook library
// linked in and checks that dhcp6_srv_configured gets the file's Dhcp6 map
// as json_config, at start and after SIGHUP.
func TestSrvConfiguredJSON(t *testing.T) {
	dir := t.TempDir()
	rec := &daemontest.ConfigRecorder{Point: hooks.Dhcp6SrvConfigured}
	f := daemon.V6(func(c *config.DHCP6, d daemon.Deps) (daemon.Server[*config.DHCP6], error) {
		s, err := newServer(c, d)
		if err != nil {
			return nil, err
		}
		return daemontest.Socketless(s), nil
	})
	f.Linked = map[string]hooks.Library{"/usr/lib/kea/hooks/recorder.so": rec}
	conf := func(valid int) string {
		return `{"Dhcp6": {
  // a comment, which json_config does not carry
  "interfaces-config": {"interfaces": []},
  "lease-database": {"type": "memfile", "name": "` + filepath.Join(dir, "leases6.csv") + `", "lfc-interval": 0},
  "hooks-libraries": [{"library": "/usr/lib/kea/hooks/recorder.so"}],
  "data-directory": "` + dir + `",
  "valid-lifetime": ` + strconv.Itoa(valid) + `,
  "subnet6": [{"id": 1, "subnet": "2001:db8:1::/64", "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}]}]
}}`
	}
	path := filepath.Join(dir, "kea-dhcp6.conf")
	if err := os.WriteFile(path, []byte(conf(100)), 0o644); err != nil {
		t.Fatal(err)
	}
	d := daemontest.RunInProcess(t, f, "-c", path)
	checkJSONConfig(t, rec.Wait(t, 1), 100)

	if err := os.WriteFile(path, []byte(conf(200)), 0o644); err != nil {
		t.Fatal(err)
	}
	d.Signals <- syscall.SIGHUP
	checkJSONConfig(t, rec.Wait(t, 2), 200)
	if code := d.Stop(); code != 0 {
		t.Errorf("exit code %d after SIGTERM:\n%s", code, d.Output())
	}
}

// checkJSONConfig checks that got is the configuration's Dhcp6 map.
func checkJSONConfig(t *testing.T, got json.RawMessage, valid int) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatalf("json_config %q is not a JSON object: %v", got, err)
	}
	if v, _ := m["valid-lifetime"].(float64); v != float64(valid) {
		t.Errorf("json_config valid-lifetime %v, want %d: %s", m["valid-lifetime"], valid, got)
	}
	if _, ok := m["subnet6"].([]any); !ok {
		t.Errorf("json_config lacks subnet6: %s", got)
	}
	if strings.Contains(string(got), "comment") {
		t.Errorf("json_config kept a comment: %s", got)
	}
}

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keaExamples is where Debian's kea-doc package installs Kea's example
// configurations.
const keaExamples = "/usr/share/doc/kea/examples"

// required reports whether tests that need installed tools must run.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("LEASEHOLD_E2E") == "1"
}

// keaExampleOutcome is what each Kea 2.2 example gives: "" when it must
// load, else a substring of the expected "unsupported:" error.
var keaExampleOutcome = map[string]string{
	"agent/comments.json":                       "unsupported: Control-agent",
	"agent/https.json":                          "unsupported: Control-agent",
	"agent/rbac.json":                           "unsupported: Control-agent",
	"agent/simple.json":                         "unsupported: Control-agent",
	"ddns/all-keys-netconf.json":                "unsupported: DhcpDdns",
	"ddns/all-keys.json":                        "unsupported: DhcpDdns",
	"ddns/comments.json":                        "unsupported: DhcpDdns",
	"ddns/gss-tsig.json":                        "unsupported: DhcpDdns",
	"ddns/sample1.json":                         "unsupported: DhcpDdns",
	"ddns/template.json":                        "unsupported: DhcpDdns",
	"netconf/comments.json":                     "unsupported: Netconf",
	"netconf/simple-dhcp4.json":                 "unsupported: Netconf",
	"netconf/simple-dhcp6.json":                 "unsupported: Netconf",
	"netconf/kea-dhcp6-operations/boot.json":    "unsupported: control-socket at Dhcp6",
	"netconf/kea-dhcp6-operations/netconf.json": "unsupported: Netconf",

	"kea4/advanced.json":                  "unsupported: control-socket at Dhcp4",
	"kea4/all-keys-netconf.json":          "unsupported: control-socket at Dhcp4",
	"kea4/all-keys.json":                  "unsupported: control-socket at Dhcp4",
	"kea4/all-options.json":               "",
	"kea4/backends.json":                  "",
	"kea4/classify.json":                  "",
	"kea4/classify2.json":                 "",
	"kea4/comments.json":                  "unsupported: control-socket at Dhcp4",
	"kea4/config-backend.json":            "unsupported: config-control at Dhcp4",
	"kea4/dhcpv4-over-dhcpv6.json":        "unsupported: 4o6-interface at Dhcp4/subnet4[0]",
	"kea4/global-reservations.json":       "",
	"kea4/ha-load-balancing-primary.json": "unsupported: control-socket at Dhcp4",
	"kea4/hooks-radius.json":              "",
	"kea4/hooks.json":                     "",
	"kea4/leases-expiration.json":         "",
	"kea4/multiple-options.json":          "",
	"kea4/mysql-reservations.json":        "unsupported: hosts-database at Dhcp4",
	"kea4/pgsql-reservations.json":        "unsupported: hosts-databases at Dhcp4",
	"kea4/reservations.json":              "",
	"kea4/several-subnets.json":           "",
	"kea4/shared-network.json":            "",
	"kea4/single-subnet.json":             "",
	"kea4/vendor-specific.json":           "",
	"kea4/vivso.json":                     "",
	"kea4/with-ddns.json":                 "unsupported: dhcp-ddns.enable-updates at Dhcp4/dhcp-ddns",

	"kea6/advanced.json":            "unsupported: control-socket at Dhcp6",
	"kea6/all-keys-netconf.json":    "unsupported: control-socket at Dhcp6",
	"kea6/all-keys.json":            "unsupported: control-socket at Dhcp6",
	"kea6/all-options.json":         "",
	"kea6/backends.json":            "",
	"kea6/classify.json":            "",
	"kea6/classify2.json":           "",
	"kea6/comments.json":            "unsupported: control-socket at Dhcp6",
	"kea6/config-backend.json":      "unsupported: config-control at Dhcp6",
	"kea6/dhcpv4-over-dhcpv6.json":  "",
	"kea6/duid.json":                "",
	"kea6/global-reservations.json": "",
	"kea6/ha-hot-standby.json":      "unsupported: control-socket at Dhcp6",
	"kea6/hooks.json":               "",
	"kea6/iPXE.json":                "",
	"kea6/leases-expiration.json":   "",
	"kea6/multiple-options.json":    "",
	"kea6/mysql-reservations.json":  "unsupported: hosts-database at Dhcp6",
	"kea6/pgsql-reservations.json":  "unsupported: hosts-databases at Dhcp6",
	"kea6/reservations.json":        "",
	"kea6/several-subnets.json":     "",
	"kea6/shared-network.json":      "",
	"kea6/simple.json":              "",
	"kea6/softwire46.json":          "",
	"kea6/stateless.json":           "",
	"kea6/tee-times.json":           "",
	"kea6/with-ddns.json":           "unsupported: dhcp-ddns.enable-updates at Dhcp6/dhcp-ddns",
}

// mustLoad are the examples the issue names; the table above must keep
// them loading.
var mustLoad = []string{
	"kea4/single-subnet.json", "kea4/multiple-options.json", "kea4/reservations.json",
	"kea6/simple.json", "kea6/multiple-options.json", "kea6/reservations.json",
}

// TestKeaExamples loads every JSON file Debian's kea-doc installs: each
// must load or fail with "unsupported:", and those in keaExampleOutcome
// must give exactly the outcome listed there.
func TestKeaExamples(t *testing.T) {
	if _, err := os.Stat(keaExamples); err != nil {
		if required() {
			t.Fatalf("Kea's examples are required under CI (install kea-doc): %v", err)
		}
		t.Skipf("Kea's examples are not installed (apt-get install kea-doc): %v", err)
	}
	for _, f := range mustLoad {
		if want, ok := keaExampleOutcome[f]; !ok || want != "" {
			t.Errorf("%s must be listed as loading", f)
		}
	}
	seen := 0
	err := filepath.WalkDir(keaExamples, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		seen++
		rel, _ := filepath.Rel(keaExamples, path)
		t.Run(rel, func(t *testing.T) {
			_, err := Load(path)
			want, listed := keaExampleOutcome[rel]
			switch {
			case err == nil && (!listed || want == ""):
			case err == nil:
				t.Errorf("loaded, want %q", want)
			case !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "unsupported:"):
				t.Errorf("neither loads nor is unsupported: %v", err)
			case listed && want == "":
				t.Errorf("must load: %v", err)
			case listed && !strings.Contains(err.Error(), want):
				t.Errorf("got %v, want %q", err, want)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < len(keaExampleOutcome) {
		t.Errorf("found %d example files, expected at least %d", seen, len(keaExampleOutcome))
	}
}

// TestKeaAllKeys loads Kea's all-keys examples with the keys of
// unsupported features removed: everything else Kea 2.2 accepts must be
// read.
func TestKeaAllKeys(t *testing.T) {
	if _, err := os.Stat(keaExamples); err != nil {
		if required() {
			t.Fatalf("Kea's examples are required under CI: %v", err)
		}
		t.Skipf("Kea's examples are not installed: %v", err)
	}
	drop := map[string]bool{"control-socket": true, "hosts-database": true, "hosts-databases": true,
		"config-control": true, "4o6-subnet": true, "4o6-interface": true, "4o6-interface-id": true}
	for _, f := range []string{"kea4/all-keys.json", "kea6/all-keys.json", "kea4/all-keys-netconf.json", "kea6/all-keys-netconf.json"} {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(keaExamples, f))
			if err != nil {
				t.Fatal(err)
			}
			root, err := parseDocument(newLexer(f, ".", data, osReadFile))
			if err != nil {
				t.Fatal(err)
			}
			stripKeys(root, drop)
			if _, err := Parse(toJSON(root)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// stripKeys removes the members named in drop at any depth.
func stripKeys(n *node, drop map[string]bool) {
	switch n.kind {
	case kMap:
		var keep []member
		for _, m := range n.members {
			if !drop[m.key] {
				stripKeys(m.val, drop)
				keep = append(keep, m)
			}
		}
		n.members = keep
	case kList:
		for _, e := range n.list {
			stripKeys(e, drop)
		}
	}
}

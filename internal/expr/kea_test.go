package expr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// keaTool returns the path of kea-dhcp4 or kea-dhcp6, skipping the test when
// it is not installed (failing instead under CI=true or LEASEHOLD_E2E=1).
func keaTool(t *testing.T, fam Family) string {
	t.Helper()
	name := "kea-dhcp4"
	if fam == V6 {
		name = "kea-dhcp6"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("LEASEHOLD_E2E") == "1" {
			t.Fatalf("%s is needed to check expressions against Kea: %v", name, err)
		}
		t.Skipf("%s not installed: cannot check expressions against Kea", name)
	}
	return path
}

// keaCheck runs "kea-dhcpN -t" on a configuration with a class "foo" and a
// class per expression, and returns Kea's output and whether it accepted it.
func keaCheck(t *testing.T, tool string, fam Family, exprs []string) (string, bool) {
	t.Helper()
	classes := []map[string]string{{"name": "foo", "test": "'a' == 'a'"}}
	for i, e := range exprs {
		classes = append(classes, map[string]string{"name": fmt.Sprintf("c%d", i), "test": e})
	}
	key, subnets := "Dhcp4", "subnet4"
	if fam == V6 {
		key, subnets = "Dhcp6", "subnet6"
	}
	cfg := map[string]any{key: map[string]any{
		"interfaces-config": map[string]any{"interfaces": []string{}},
		"lease-database":    map[string]any{"type": "memfile", "persist": false},
		"client-classes":    classes,
		subnets:             []any{},
	}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cfg); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "kea.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-t", file).CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatalf("running %s: %v", tool, err)
	}
	return string(out), err == nil
}

// TestParseAgreesWithKea checks every case of parseCases against the
// installed Kea: what this package parses or calls unsupported, Kea accepts;
// what it rejects as an error, Kea rejects as an expression error.
func TestParseAgreesWithKea(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Kea once per rejected expression")
	}
	for _, fam := range []Family{V4, V6} {
		tool := keaTool(t, fam)
		var accepted []string
		var rejected []parseCase
		for _, c := range parseCases {
			if c.fam != fam {
				continue
			}
			if c.err == "" || strings.HasPrefix(c.err, "unsupported:") {
				accepted = append(accepted, c.text)
			} else {
				rejected = append(rejected, c)
			}
		}
		t.Logf("%v: %d expressions Kea should accept, %d it should reject", fam, len(accepted), len(rejected))
		if out, ok := keaCheck(t, tool, fam, accepted); !ok {
			t.Errorf("%v: Kea rejects an expression this package accepts:\n%s", fam, lastLines(out))
		}
		// Two at a time: the machine is shared.
		sem := make(chan struct{}, 2)
		var wg sync.WaitGroup
		for _, c := range rejected {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				out, ok := keaCheck(t, tool, fam, []string{c.text})
				if ok {
					t.Errorf("%v %q: Kea accepts it, this package says %q", fam, c.text, c.err)
				} else if !strings.Contains(out, "expression: [") {
					t.Errorf("%v %q: Kea rejects the configuration for another reason:\n%s", fam, c.text, lastLines(out))
				}
			}()
		}
		wg.Wait()
	}
}

func lastLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-3):], "\n")
}

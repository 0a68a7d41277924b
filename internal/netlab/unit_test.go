package netlab

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestParseEvents(t *testing.T) {
	in := "reason=BOUND\nnew_ip_address=192.0.2.100\nweird line\nreason=shadowed\n%%\nreason=RENEW\na=b=c\n%%\nreason=HALF\n"
	evs := parseEvents([]byte(in))
	if len(evs) != 2 {
		t.Fatalf("got %d events, want 2 (the unfinished record left out): %v", len(evs), evs)
	}
	if evs[0].Reason() != "BOUND" || evs[0]["new_ip_address"] != "192.0.2.100" {
		t.Errorf("first event %v", evs[0])
	}
	if evs[1].Reason() != "RENEW" || evs[1]["a"] != "b=c" {
		t.Errorf("second event %v", evs[1])
	}
}

func TestClientScripts(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for name, actions := range map[string]string{"dhclient": dhclientActions, "udhcpc": udhcpcActions, "dhcpcd": ""} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			events := filepath.Join(dir, "it's events")
			script := filepath.Join(dir, "script")
			if err := os.WriteFile(script, []byte(clientScript(events, actions)), 0o755); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(sh, "-n", script).CombinedOutput(); err != nil {
				t.Fatalf("sh -n: %v: %s", err, out)
			}
			// A reason no arm handles only records.
			cmd := exec.Command(script, "leasefail")
			cmd.Env = []string{"interface=none0", "PATH=/usr/bin:/bin"}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("run: %v: %s", err, out)
			}
			b, err := os.ReadFile(events)
			if err != nil {
				t.Fatal(err)
			}
			evs := parseEvents(b)
			if len(evs) != 1 || evs[0].Reason() != "leasefail" || evs[0]["interface"] != "none0" {
				t.Errorf("events %v", evs)
			}
		})
	}
}

func TestRouterAddr(t *testing.T) {
	tests := []struct {
		server string
		k      int
		want   string
	}{
		{"192.0.2.1/24", 0, "192.0.2.254/24"},
		{"192.0.2.1/24", 1, "192.0.2.253/24"},
		{"198.18.0.1/15", 0, "198.19.255.254/15"},
		{"2001:db8:1::1/64", 0, "2001:db8:1::fe/64"},
		{"2001:db8:1::1/64", 2, "2001:db8:1::fc/64"},
		{"192.0.2.1/31", 0, "error"},
		{"192.0.2.254/24", 0, "error"},
	}
	for _, tt := range tests {
		got, err := routerAddr(netip.MustParsePrefix(tt.server), tt.k)
		s := got.String()
		if err != nil {
			s = "error"
		}
		if s != tt.want {
			t.Errorf("routerAddr(%s, %d) = %s (%v), want %s", tt.server, tt.k, got, err, tt.want)
		}
	}
}

func TestPools(t *testing.T) {
	if got := pool4(netip.MustParsePrefix("192.0.2.1/24")); got != "192.0.2.100-192.0.2.199" {
		t.Errorf("pool4 /24 = %s", got)
	}
	if got := pool4(netip.MustParsePrefix("192.0.2.1/26")); got != "192.0.2.16-192.0.2.32" {
		t.Errorf("pool4 /26 = %s", got)
	}
	lo, hi := pool6(netip.MustParsePrefix("2001:db8:1::1/64"))
	if lo.String() != "2001:db8:1::100" || hi.String() != "2001:db8:1::1ff" {
		t.Errorf("pool6 = %s-%s", lo, hi)
	}
}

func TestRandomID(t *testing.T) {
	re := regexp.MustCompile(`^lhE[0-9a-z]{3}$`)
	seen := map[string]bool{}
	for range 20 {
		id, err := randomID("lhE")
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(id) {
			t.Fatalf("id %q", id)
		}
		seen[id] = true
	}
	if len(seen) < 15 {
		t.Errorf("only %d distinct ids of 20", len(seen))
	}
	longest := strings.Repeat("x", maxPrefix) + "abc" + "-r12u"
	if len(longest) > 15 {
		t.Errorf("longest interface name %q exceeds 15 bytes", longest)
	}
}

func TestMatchLine(t *testing.T) {
	re := regexp.MustCompile(`^b`)
	if line, ok := matchLine("a\nbc\nbd", re); !ok || line != "bc" {
		t.Errorf("matchLine = %q, %v", line, ok)
	}
	if _, ok := matchLine("a\nc", re); ok {
		t.Error("matched nothing")
	}
}

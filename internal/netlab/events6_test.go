package netlab

import (
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"testing"
)

func TestLease6(t *testing.T) {
	tests := []struct {
		name   string
		ev     ClientEvent
		addr   string
		prefix string
		bad    bool
	}{
		{"dhclient address", ClientEvent{"new_ip6_address": "2001:db8:1::100"}, "2001:db8:1::100", "", false},
		{"dhclient prefix", ClientEvent{"new_ip6_prefix": "2001:db8:100::/56"}, "", "2001:db8:100::/56", false},
		{"dhcpcd address and prefix", ClientEvent{"new_dhcp6_ia_na1_ia_addr1": "2001:db8:1::101",
			"new_dhcp6_ia_pd1_prefix1": "2001:db8:200::", "new_dhcp6_ia_pd1_prefix1_length": "56"}, "2001:db8:1::101", "2001:db8:200::/56", false},
		{"neither", ClientEvent{"reason": "BOUND6"}, "", "", false},
		{"bad address", ClientEvent{"new_ip6_address": "2001:db8::x"}, "", "", true},
		{"prefix without length", ClientEvent{"new_dhcp6_ia_pd1_prefix1": "2001:db8:200::"}, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, p, err := tc.ev.Lease6()
			if tc.bad {
				if err == nil {
					t.Errorf("no error for %v", tc.ev)
				}
				return
			}
			var wantA netip.Addr
			var wantP netip.Prefix
			if tc.addr != "" {
				wantA = netip.MustParseAddr(tc.addr)
			}
			if tc.prefix != "" {
				wantP = netip.MustParsePrefix(tc.prefix)
			}
			if err != nil || a != wantA || p != wantP {
				t.Errorf("%v, %v, %v; want %v, %v", a, p, err, wantA, wantP)
			}
		})
	}
}

// TestDeclineScript runs the script the way dhclient does, with reasons
// that touch no interface: the first BOUND or BOUND6 is refused with the
// exit status dhclient declines on, and every call is recorded.
func TestDeclineScript(t *testing.T) {
	for _, tc := range []struct {
		reason, addrVar string
		exit            int
	}{{"BOUND", "new_ip_address", 1}, {"BOUND6", "new_ip6_address", 3}} {
		l := &Lab{ID: "unit", Dir: t.TempDir()}
		script, events, err := l.DeclineScript()
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range [][]string{{"reason=" + tc.reason, tc.addrVar + "=A1"}, {"reason=EXPIRE", "new_ip_address=A2"}} {
			cmd := exec.Command(script)
			cmd.Env = append(os.Environ(), call...)
			err := cmd.Run()
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: tc.exit, false: 0}[call[0] == "reason="+tc.reason]; code != want {
				t.Errorf("%s: exit %d, want %d", call, code, want)
			}
		}
		if got := ScriptEvents(events, tc.reason); !slices.Equal(got, []string{"A1"}) {
			t.Errorf("%s events %q, want [A1]", tc.reason, got)
		}
		if got := ScriptEvents(events, "EXPIRE"); !slices.Equal(got, []string{"A2"}) {
			t.Errorf("EXPIRE events %q, want [A2]", got)
		}
	}
}

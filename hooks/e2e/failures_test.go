package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestPluginPanics: the plugin panics in its third callout. A panic in
// the callout is recovered by the plugin SDK: the call fails, that packet
// gets the library's failure policy (continue), so its client still gets a
// lease, the log says the callout panicked, and the same process serves
// the later calls. A panic on another goroutine kills the process: the
// packet gets the failure policy just the same, the server logs the
// plugin's failure and its panic, restarts it, and calls the new process
// for later packets.
func TestPluginPanics(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		p       params
		logs    []string // what the server's log must say, in order
		restart bool
	}{
		{"in the callout", params{Points: []string{"pkt4_receive"}, PanicOnCall: 3},
			[]string{`hook callout failed.*point=pkt4_receive.*callout panicked: recorder: panic on call 3.*next_step=continue`}, false},
		{"killing the process", params{Points: []string{"pkt4_receive"}, CrashOnCall: 3},
			[]string{`recorder: crash on call 3`, `hook plugin failed, restarting`, `hook plugin restarted`}, true},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, 60*time.Second)
			d := s.serve(daemontest.V4, s.config4(tc.p))
			second, err := s.lab.AddClient()
			if err != nil {
				t.Fatal(err)
			}
			third, err := s.lab.AddClient()
			if err != nil {
				t.Fatal(err)
			}
			// Calls 1 and 2: the first client's DISCOVER and REQUEST.
			s.bound(s.dhclient(s.lab.FirstClient(), netlab.ClientOptions{}), "BOUND")
			// Call 3: the second client's DISCOVER.
			s.bound(s.dhclient(second, netlab.ClientOptions{}), "BOUND")
			for _, re := range tc.logs {
				waitLog(t, s.ctx, d, re)
			}
			s.bound(s.dhclient(third, netlab.ClientOptions{}), "BOUND")

			cs := s.waitCalls("the third client's REQUEST", func(cs []record.Call) bool {
				return len(cs) >= 6 || (tc.restart && len(cs) >= 4 && cs[len(cs)-1].PID != cs[0].PID)
			})
			first := cs[0].PID
			for i, c := range cs {
				if c.PID != first {
					if !tc.restart {
						t.Errorf("call %d came from another process (%d, was %d) although the plugin did not crash", i+1, c.PID, first)
					}
					break
				}
				if c.N != int64(i+1) || c.Panic != (c.N == 3) {
					t.Errorf("call %d of the first plugin process: n %d panic %v", i+1, c.N, c.Panic)
				}
			}
			if tc.restart && cs[len(cs)-1].PID == first {
				t.Errorf("no call reached a restarted plugin; calls:\n%s", dump(cs))
			}
		})
	}
}

// TestPluginDeadline: a callout that sleeps 400 ms. With the default
// deadline (100 ms) and failure policy (continue) each late call goes on
// without the plugin, so both clients get their leases, and the log says
// the deadline passed. With "failure-policy": "drop" (and "deadline-ms":
// 50) the late DISCOVER is dropped, and the client gets its lease once the
// plugin answers in time again. With "deadline-ms": 1000 the server waits
// for the plugin: no call fails.
func TestPluginDeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		settings daemontest.Obj
		times    int    // how many calls sleep; 0 for all
		log      string // what the log must say; "" for no failed call
	}{
		{"default deadline, continue", nil, 0, `hook callout failed.*point=pkt4_receive.*deadline.*next_step=continue`},
		{"drop policy", daemontest.Obj{"deadline-ms": 50, "failure-policy": "drop"}, 1, `hook callout failed.*point=pkt4_receive.*deadline.*next_step=drop`},
		{"long deadline", daemontest.Obj{"deadline-ms": 1000}, 0, ""},
	} {
		t.Run(strings.ReplaceAll(strings.ReplaceAll(tc.name, " ", "_"), ",", ""), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, 60*time.Second)
			d := s.serve(daemontest.V4, s.config4With(params{Points: []string{"pkt4_receive"},
				Rules: []rule{{Point: "pkt4_receive", SleepMS: 400, Times: tc.times}}}, tc.settings))
			second, err := s.lab.AddClient()
			if err != nil {
				t.Fatal(err)
			}
			a := s.dhclient(s.lab.FirstClient(), netlab.ClientOptions{})
			b := s.dhclient(second, netlab.ClientOptions{})
			s.bound(a, "BOUND")
			s.bound(b, "BOUND")
			failed := regexp.MustCompile(`hook callout failed`)
			if tc.log == "" {
				if l := failed.FindString(d.Proc.Output()); l != "" {
					t.Errorf("a callout failed although the deadline is longer than the callout:\n%s", d.Proc.Output())
				}
				return
			}
			waitLog(t, s.ctx, d, tc.log)
		})
	}
}

// loadFailure is a library that fails at load, and the message the
// daemon must report.
type loadFailure struct {
	name string
	p    params
	want []string // regular expressions the daemon's output must match
}

var loadFailures = []loadFailure{
	{"rejects its parameters", params{Reject: "recorder: parameter zap is out of range, as told"},
		[]string{`Dhcp4/hooks-libraries: hooks-libraries\[0\] "[^"]*recorder": plugin rejected its parameters: recorder: parameter zap is out of range, as told`}},
	{"exits at load", params{ExitAtLoad: 4},
		[]string{`Dhcp4/hooks-libraries: hooks-libraries\[0\] "[^"]*recorder": plugin [^ ]*recorder exited during load \(exit status 4\)`, `plugin process exited .*error="exit status 4"`}},
}

// TestLoadFailure: a plugin that rejects its parameters, or exits while
// loading, fails the configuration with a message that says so: -T (which
// loads the libraries) exits 1 with it, a start exits 1 with it, and a
// reconfiguration (SIGHUP) fails with it while the server keeps serving
// on its previous configuration and library. -t does not load libraries
// (as in Kea 2.2) and passes.
func TestLoadFailure(t *testing.T) {
	t.Parallel()
	for _, lf := range loadFailures {
		t.Run(strings.ReplaceAll(lf.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, 60*time.Second)
			bad := s.config4(lf.p).JSON(t)
			var want []*regexp.Regexp
			for _, w := range lf.want {
				want = append(want, regexp.MustCompile(w))
			}
			bin, _ := daemontest.Binary(t, daemontest.V4, pkg4)
			path, err := s.lab.WriteFile("bad.json", bad)
			if err != nil {
				t.Fatal(err)
			}
			passed := regexp.MustCompile(`configuration check passed`)
			for _, mode := range []struct {
				flag string
				ok   bool
			}{{"-t", true}, {"-T", false}, {"-c", false}} {
				if mode.ok {
					if out, code := s.runDaemon(bin, mode.flag, path, passed); code != 0 {
						t.Errorf("%s: exit %d, want 0 (-t does not load hook libraries):\n%s", mode.flag, code, out)
					}
					continue
				}
				out, code := s.runDaemon(bin, mode.flag, path, want...)
				if code != 1 {
					t.Errorf("%s: exit %d, want 1:\n%s", mode.flag, code, out)
				}
				for _, re := range want {
					if !re.MatchString(out) {
						t.Errorf("%s: output does not match %q:\n%s", mode.flag, re, out)
					}
				}
			}

			// A running server keeps its configuration and library.
			d := s.serve(daemontest.V4, s.config4(params{Points: []string{"pkt4_receive"}}))
			line, ok := d.Reload(bad)
			if ok {
				t.Fatalf("reconfiguration with a library that %s succeeded: %s", lf.name, line)
			}
			if out := d.Proc.Output(); !want[0].MatchString(out) {
				t.Errorf("the log of the failed reconfiguration (%s) does not match %q:\n%s", line, want[0], out)
			}
			s.bound(s.dhclient(s.lab.FirstClient(), netlab.ClientOptions{}), "BOUND")
			s.waitCalls("the first library still called", has("pkt4_receive", nil))
		})
	}
}

// runDaemon runs the DHCPv4 daemon with flag and config in the server
// namespace until it exits, and returns its output and exit status. The
// output is read until it matches every one of wait (or a few seconds
// pass): the daemon's children may still be writing when it is reaped.
func (s *setup) runDaemon(bin, flag, config string, wait ...*regexp.Regexp) (string, int) {
	s.t.Helper()
	dir, err := s.lab.TempDir("run-")
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := s.lab.Command(s.lab.ServerNS, bin, flag, config)
	cmd.Env = append(cmd.Environ(), "KEA_PIDFILE_DIR="+dir, "KEA_LOCKFILE_DIR="+dir)
	p, err := s.lab.StartCmd(s.lab.ServerNS, cmd)
	if err != nil {
		s.t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-s.ctx.Done():
		s.t.Fatalf("%s %s did not exit:\n%s", bin, flag, p.Output())
	}
	_ = p.Wait()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if matchAll(p.Output(), wait) {
			break
		}
	}
	return p.Output(), p.Cmd.ProcessState.ExitCode()
}

func matchAll(s string, res []*regexp.Regexp) bool {
	for _, re := range res {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

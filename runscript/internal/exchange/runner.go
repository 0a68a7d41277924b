// Package exchange plays the scripted DHCP exchanges of the run_script
// capture and compatibility tests: simulated DHCPv4 and DHCPv6 clients and
// relays with fixed identities and transaction ids, against a server
// (Kea 2.2 with libdhcp_run_script.so, or leasehold with runscript) whose
// hook script records every call. It returns the recorded calls per step,
// normalised, for golden files and comparisons.
package exchange

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// Runner plays phases in a lab.
type Runner struct {
	Lab    *netlab.Lab
	Script string // the hook script (envdump) path
	V4     *V4
	V6     *V6
	Logf   func(format string, args ...any)
	// Lenient records a step whose calls are not the expected ones
	// (StepCalls.Err) and goes on, instead of ending the phase.
	Lenient bool
	// ServerCPU, when set, pins the server (and the scripts it starts)
	// to these CPUs (taskset -c).
	ServerCPU string
	// Server is the server process the last StartFunc started.
	Server *netlab.Process

	dumps   string
	ifIndex int
	sent    [][]byte
	bound   map[netip.Addr]bool
}

// LabOptions are the options of the lab (netlab.NewT) the exchanges run
// in: the MACs the golden files were captured with, the server's (Kea
// gives it as QUERY4_LOCAL_HWADDR) and the client namespace's, which
// relayed frames come from.
func LabOptions(prefix string) netlab.Options {
	return netlab.Options{
		Prefix:    prefix,
		ServerMAC: net.HardwareAddr{0x02, 0x00, 0x00, 0x4a, 0x00, 0x01},
		ClientMAC: net.HardwareAddr{0x02, 0x00, 0x00, 0x4a, 0x01, 0x01},
	}
}

// NewRunner installs the envdump program at dir/envdump (dumps go to
// dir/dumps), gives the lab's client namespace the simulated relay agents'
// addresses and opens the clients' sockets there.
func NewRunner(lab *netlab.Lab, envdump, dir string) (*Runner, error) {
	r := &Runner{bound: map[netip.Addr]bool{}, Lab: lab, Script: filepath.Join(dir, "envdump"), dumps: filepath.Join(dir, "dumps"), Logf: func(string, ...any) {}}
	if err := os.MkdirAll(r.dumps, 0o755); err != nil {
		return nil, err
	}
	if err := copyFile(envdump, r.Script, 0o755); err != nil {
		return nil, err
	}
	if err := relayAddrs(lab); err != nil {
		return nil, err
	}
	err := lab.InNS(lab.ServerNS, func() error {
		ifi, err := net.InterfaceByName(lab.ServerIf)
		if err == nil {
			r.ifIndex = ifi.Index
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = lab.InNS(lab.ClientNS, func() error {
		c4, err := listen4(lab.ClientIf)
		if err != nil {
			return err
		}
		r.V4 = &V4{conn: c4, sent: &r.sent, bind: r.bind, relayMAC: lab.ClientMAC, serverMAC: lab.ServerMAC,
			serverAddr: serverAddr4, timeout: 3 * time.Second}
		v6, err := listen6(lab.ClientIf, relayAddr6)
		if err != nil {
			c4.Close()
			return err
		}
		v6.timeout = 3 * time.Second
		v6.sent = &r.sent
		r.V6 = v6
		return nil
	})
	return r, err
}

// relayAddrs gives the client namespace the relay agents' addresses
// (relayAddr6 on its interface, the DHCPv4 relays' giaddrs on lo) and the
// server on-link routes to the DHCPv4 relays' subnets, so that replies to
// relays reach the client namespace whichever way the server sends them.
// Frames to the MACs of simulated clients must reach its raw sockets too:
// its interface is promiscuous.
func relayAddrs(lab *netlab.Lab) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lab.AddAddr(ctx, lab.ClientNS, lab.ClientIf, netip.PrefixFrom(relayAddr6, 64)); err != nil {
		return err
	}
	for _, a := range [][]string{
		{lab.ClientNS, "addr", "add", "198.51.100.1/32", "dev", "lo"},
		{lab.ClientNS, "addr", "add", "203.0.113.1/32", "dev", "lo"},
		{lab.ClientNS, "link", "set", lab.ClientIf, "promisc", "on"},
		{lab.ServerNS, "route", "add", "198.51.100.0/24", "dev", lab.ServerIf},
		{lab.ServerNS, "route", "add", "203.0.113.0/24", "dev", lab.ServerIf},
	} {
		if _, err := lab.IP(ctx, a[0], a[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the clients' sockets.
func (r *Runner) Close() error {
	var errs []error
	if r.V4 != nil {
		errs = append(errs, r.V4.conn.Close())
	}
	if r.V6 != nil {
		errs = append(errs, r.V6.Close())
	}
	return errors.Join(errs...)
}

// StartFunc starts the server under test for a phase with the given
// configuration, in the lab's server namespace, and returns how to stop it.
type StartFunc func(ctx context.Context, p *Phase, config string) (stop func() error, err error)

// Result is what one phase recorded: the calls of each step, sorted
// (SortCalls) and normalised (Norm).
type Result struct {
	Phase string
	Steps []StepCalls
}

// StepCalls are the calls recorded during one step, and the DHCP messages
// the clients sent in it (v4: the BOOTP message; v6: the UDP payload,
// relay headers included), in order.
type StepCalls struct {
	Step    string
	Calls   []Call
	Packets [][]byte
	Err     error // with Runner.Lenient: the calls were not the expected ones
}

// Run plays p against the server start starts, with hook the
// hooks-libraries entry that loads run_script with r.Script.
func (r *Runner) Run(ctx context.Context, p *Phase, hook string, start StartFunc) (*Result, error) {
	if err := clearDir(r.dumps); err != nil {
		return nil, err
	}
	leaseFile := filepath.Join(r.Lab.Dir, p.Name+"-leases.csv")
	_ = os.Remove(leaseFile)
	from := time.Now().Unix()
	stop, err := start(ctx, p, p.Config(r.Lab.ServerIf, leaseFile, hook))
	if err != nil {
		return nil, fmt.Errorf("phase %s: %w", p.Name, err)
	}
	res := &Result{Phase: p.Name}
	seen := 0
	var runErr error
	for _, s := range p.Steps() {
		r.sent = nil
		calls, err := r.step(ctx, &s, &seen)
		var unexpected *unexpectedCalls
		if err != nil && r.Lenient && errors.As(err, &unexpected) {
			res.Steps = append(res.Steps, StepCalls{Step: s.Name, Calls: calls, Packets: r.sent, Err: err})
			continue
		}
		if err != nil {
			runErr = fmt.Errorf("phase %s step %s: %w", p.Name, s.Name, err)
			break
		}
		res.Steps = append(res.Steps, StepCalls{Step: s.Name, Calls: calls, Packets: r.sent})
	}
	if err := stop(); err != nil && runErr == nil {
		runErr = fmt.Errorf("phase %s: stopping the server: %w", p.Name, err)
	}
	if err := r.unbindAll(); err != nil && runErr == nil {
		runErr = err
	}
	n := Norm{From: from, To: time.Now().Unix(), IfIndex: r.ifIndex, IfName: r.Lab.ServerIf}
	for _, sc := range res.Steps {
		for i := range sc.Calls {
			if err := n.Apply(&sc.Calls[i]); err != nil && runErr == nil {
				runErr = fmt.Errorf("phase %s step %s: %w", p.Name, sc.Step, err)
			}
		}
	}
	return res, runErr
}

// bind gives the client namespace's interface the address a direct client
// was given (or takes it away), as a real client does: a server that
// answers a renewing client through its kernel resolves ciaddr by ARP.
func (r *Runner) bind(a netip.Addr, add bool) error {
	verb := "add"
	if !add {
		verb = "del"
		delete(r.bound, a)
	} else {
		if r.bound[a] {
			return nil
		}
		r.bound[a] = true
	}
	_, err := r.Lab.IP(context.Background(), r.Lab.ClientNS, "addr", verb, a.String()+"/32", "dev", r.Lab.ClientIf)
	if err != nil && add {
		return err
	}
	return nil
}

func (r *Runner) unbindAll() error {
	for a := range r.bound {
		if err := r.bind(a, false); err != nil {
			return err
		}
	}
	return nil
}

// settle is how long a step waits after its expected calls for calls it
// did not expect.
const settle = 400 * time.Millisecond

func (r *Runner) step(ctx context.Context, s *Step, seen *int) ([]Call, error) {
	if s.Do != nil {
		if err := s.Do(r); err != nil {
			return nil, err
		}
	}
	wait := s.Wait
	if wait == 0 {
		wait = 5 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		_, names, err := readDumps(r.dumps)
		if err != nil {
			return nil, err
		}
		if len(names)-*seen >= len(s.Expect) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	time.Sleep(settle)
	all, _, err := readDumps(r.dumps)
	if err != nil {
		return nil, err
	}
	calls := all[*seen:]
	*seen = len(all)
	SortCalls(calls)
	var got []string
	for _, c := range calls {
		got = append(got, c.Point())
	}
	want := slices.Clone(s.Expect)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return calls, &unexpectedCalls{got: got, want: want}
	}
	r.Logf("step %s: %v", s.Name, got)
	return calls, nil
}

// unexpectedCalls is a step whose script calls were not the expected ones.
type unexpectedCalls struct{ got, want []string }

func (u *unexpectedCalls) Error() string {
	return fmt.Sprintf("script called for %v, want %v", u.got, u.want)
}

// StartDaemon returns a StartFunc running a leasehold daemon (binary,
// flag-compatible with kea-dhcp4/kea-dhcp6) in the server namespace.
func (r *Runner) StartDaemon(binary string, logf func(string, ...any), extraEnv ...string) StartFunc {
	return func(ctx context.Context, p *Phase, config string) (func() error, error) {
		dir, err := os.MkdirTemp(r.Lab.Dir, filepath.Base(binary)+"-")
		if err != nil {
			return nil, err
		}
		cfg := filepath.Join(dir, "config.json")
		if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
			return nil, err
		}
		cmd := r.serverCommand(binary, "-c", cfg)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "KEA_PIDFILE_DIR=" + dir, "KEA_LOCKFILE_DIR=" + dir}, extraEnv...)
		// The daemon logs "started" a moment before its sockets are open;
		// "serving" comes after.
		return r.startAndWait(ctx, cmd, regexp.MustCompile(`DHCPv[46] server serving`), logf)
	}
}

// StartKea returns a StartFunc running Kea 2.2 (kea-dhcp4 or kea-dhcp6) in
// the server namespace. extraEnv is added to Kea's environment, so a test
// can show that none of it reaches the script.
func (r *Runner) StartKea(logf func(string, ...any), extraEnv ...string) StartFunc {
	return func(ctx context.Context, p *Phase, config string) (func() error, error) {
		name := "kea-dhcp4"
		if p.V6 {
			name = "kea-dhcp6"
		}
		dir, err := os.MkdirTemp(r.Lab.Dir, name+"-")
		if err != nil {
			return nil, err
		}
		cfg := filepath.Join(dir, name+".json")
		if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
			return nil, err
		}
		cmd := r.serverCommand(name, "-c", cfg)
		cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "KEA_PIDFILE_DIR=" + dir, "KEA_LOCKFILE_DIR=" + dir}, extraEnv...)
		return r.startAndWait(ctx, cmd, regexp.MustCompile(`DHCP[46]_STARTED`), logf)
	}
}

// serverCommand runs name in the server namespace, pinned to ServerCPU
// when that is set.
func (r *Runner) serverCommand(name string, args ...string) *exec.Cmd {
	if r.ServerCPU != "" {
		return r.Lab.Command(r.Lab.ServerNS, "taskset", append([]string{"-c", r.ServerCPU, name}, args...)...)
	}
	return r.Lab.Command(r.Lab.ServerNS, name, args...)
}

// startAndWait starts cmd, logs its output lines and waits for a line
// matching ready.
func (r *Runner) startAndWait(ctx context.Context, cmd *exec.Cmd, ready *regexp.Regexp, logf func(string, ...any)) (func() error, error) {
	p, err := r.Lab.StartCmd(r.Lab.ServerNS, cmd)
	if err != nil {
		return nil, err
	}
	r.Server = p
	name := filepath.Base(cmd.Args[4])
	followed := p.FollowOutput(func(line string) { logf("%s: %s", name, line) })
	stop := func() error {
		_ = p.StopTimeout(3 * time.Second)
		<-followed
		return nil
	}
	what := strings.Join(cmd.Args[4:], " ")
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := p.WaitOutput(wctx, ready); err != nil {
		stop()
		return nil, fmt.Errorf("%s: not ready: %w", what, err)
	}
	return stop, nil
}

func clearDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, mode)
}

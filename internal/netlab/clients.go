package netlab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ClientOptions choose what a real DHCP client asks for. Every client runs
// in the foreground with its lease, pid, config and script files in a
// private directory; none writes to /var/lib/dhcp, /var/lib/dhcpcd or /etc.
type ClientOptions struct {
	V6 bool // DHCPv6 (dhclient -6, dhcpcd -6); udhcpc is IPv4 only here
	PD bool // ask for a delegated prefix (dhclient -P, dhcpcd ia_pd)
	NA bool // with PD, ask for an address as well (dhclient -N, dhcpcd ia_na)
	// Inform makes dhcpcd configure this address and send DHCPINFORM
	// instead of DISCOVER (dhcpcd -s); the other clients cannot.
	Inform netip.Prefix
	// Config is added to the client's configuration file (dhclient.conf,
	// dhcpcd.conf); udhcpc has none.
	Config string
	// Args go on the command line before the interface name.
	Args []string
}

// DHCPClient is a running DHCP client program. Its script records every call
// in an events file (see Events) and sets or removes the address the client
// got (dhcpcd sets addresses itself), so renewals go out by unicast as they
// would on a real host.
type DHCPClient struct {
	Kind   string // "dhclient", "udhcpc" or "dhcpcd"
	NS, If string
	Dir    string // private files: lease, pid, config, script, events
	Proc   *Process

	lab    *Lab
	opts   ClientOptions
	args   []string // dhclient's common arguments, reused by Release
	events string
	next   int // first event WaitEvent has not returned yet
}

// ClientEvent is one call of the client's script: its environment, with
// "reason" set for every client (udhcpc passes it as $1).
type ClientEvent map[string]string

// Reason is the script's reason: BOUND, RENEW, BOUND6, RELEASE, bound,
// deconfig, ...
func (e ClientEvent) Reason() string { return e["reason"] }

// clientEnv is the whole environment of a client process: udhcpc hands its
// own environment to the script, which records it.
var clientEnv = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

func (l *Lab) newClientDir(kind string, c *Client) (*DHCPClient, error) {
	dir, err := l.TempDir(kind + "-" + c.If + "-")
	if err != nil {
		return nil, err
	}
	return &DHCPClient{Kind: kind, NS: c.NS, If: c.If, Dir: dir, lab: l, events: filepath.Join(dir, "events")}, nil
}

// StartDHClient runs ISC dhclient on c's interface: -d (foreground), -v,
// and -lf, -pf, -sf, -cf pointing into its directory. For DHCPv6 it uses a
// DUID-LL (-D LL), built from the fixed MAC, so runs are repeatable.
func (l *Lab) StartDHClient(c *Client, o ClientOptions) (*DHCPClient, error) {
	if o.Inform.IsValid() {
		return nil, errors.New("netlab: dhclient cannot send DHCPINFORM; use dhcpcd")
	}
	d, err := l.newClientDir("dhclient", c)
	if err != nil {
		return nil, err
	}
	d.opts = o
	script, err := WriteFile(d.Dir, "script", clientScript(d.events, dhclientActions))
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(script, 0o755); err != nil {
		return nil, err
	}
	conf, err := WriteFile(d.Dir, "dhclient.conf", "# written by netlab\n"+o.Config+"\n")
	if err != nil {
		return nil, err
	}
	d.args = []string{"-lf", filepath.Join(d.Dir, "leases"), "-pf", d.pidFile(), "-sf", script, "-cf", conf}
	switch {
	case o.PD && o.NA:
		d.args = append(d.args, "-P", "-N", "-D", "LL")
	case o.PD:
		d.args = append(d.args, "-P", "-D", "LL")
	case o.V6:
		d.args = append(d.args, "-6", "-D", "LL")
	default:
		d.args = append(d.args, "-4")
	}
	args := append([]string{"-d", "-v"}, d.args...)
	args = append(append(args, o.Args...), c.If)
	return d, d.start("dhclient", args)
}

// StartUDHCPC runs busybox udhcpc on c's interface in the foreground (-f)
// with our script (-s) and its pid file in its directory. It retries
// quickly (-t 5 -T 1 -A 1) so a test does not wait on its default pauses.
func (l *Lab) StartUDHCPC(c *Client, o ClientOptions) (*DHCPClient, error) {
	if o.V6 || o.PD || o.Inform.IsValid() || o.Config != "" {
		return nil, errors.New("netlab: udhcpc runs DHCPv4 DORA only here (no V6, PD, Inform or Config)")
	}
	d, err := l.newClientDir("udhcpc", c)
	if err != nil {
		return nil, err
	}
	d.opts = o
	script, err := WriteFile(d.Dir, "script", clientScript(d.events, udhcpcActions))
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(script, 0o755); err != nil {
		return nil, err
	}
	args := []string{"-f", "-i", c.If, "-s", script, "-p", d.pidFile(), "-t", "5", "-T", "1", "-A", "1"}
	args = append(args, o.Args...)
	return d, d.start("udhcpc", args)
}

// StartDHCPCD runs dhcpcd on c's interface in the foreground (-B) with its
// own config (-f): no IPv4LL, a DUID-LL, release on exit, our script in
// place of its hooks (so no resolv.conf changes). dhcpcd has no option for
// its database and run directories, so it runs in a private mount namespace
// (the one ip netns exec makes) where the client's directory is mounted on
// /var/lib/dhcpcd and a fresh tmpfs on /run; nothing of it reaches the
// machine's directories.
func (l *Lab) StartDHCPCD(c *Client, o ClientOptions) (*DHCPClient, error) {
	d, err := l.newClientDir("dhcpcd", c)
	if err != nil {
		return nil, err
	}
	d.opts = o
	script, err := WriteFile(d.Dir, "script", clientScript(d.events, ""))
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(script, 0o755); err != nil {
		return nil, err
	}
	db := filepath.Join(d.Dir, "db")
	if err := os.MkdirAll(db, 0o755); err != nil {
		return nil, err
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, "# written by netlab\nscript %s\nduid ll\nnoipv4ll\nrelease\n", script)
	if !o.Inform.IsValid() {
		// No 3 s of ARP probing before a lease is used. With -s, dhcpcd
		// 9.4.1 segfaults at start-up when noarp is set, so INFORM waits
		// for the probes.
		conf.WriteString("noarp\n")
	}
	if o.V6 {
		// No router advertisements on the lab's links: DHCPv6 must not
		// wait for one.
		conf.WriteString("noipv6rs\n")
		fmt.Fprintf(&conf, "interface %s\n", c.If)
		if !o.PD || o.NA {
			conf.WriteString("ia_na 1\n")
		}
		if o.PD {
			conf.WriteString("ia_pd 2\n")
		}
	}
	conf.WriteString(o.Config + "\n")
	confPath, err := WriteFile(d.Dir, "dhcpcd.conf", conf.String())
	if err != nil {
		return nil, err
	}
	args := []string{"-B", "-d", "-f", confPath}
	if o.V6 {
		args = append(args, "-6")
	} else {
		args = append(args, "-4")
	}
	if o.Inform.IsValid() {
		args = append(args, "-s", o.Inform.String())
	}
	args = append(append(args, o.Args...), c.If)
	// $0 of the -c script is "netlab-dhcpcd"; "$@" is dhcpcd's arguments.
	shell := `set -e; mount --bind "$NETLAB_DB" /var/lib/dhcpcd; mount -t tmpfs -o size=4m,mode=755 netlab /run; exec dhcpcd "$@"`
	cmd := l.Command(c.NS, "sh", append([]string{"-c", shell, "netlab-dhcpcd"}, args...)...)
	cmd.Env = append(append([]string(nil), clientEnv...), "NETLAB_DB="+db)
	d.Proc, err = l.startCmd(c.NS, "dhcpcd", cmd)
	return d, err
}

func (d *DHCPClient) start(name string, args []string) error {
	if err := d.lab.checkNS(d.NS); err != nil {
		return err
	}
	cmd := d.lab.Command(d.NS, name, args...)
	cmd.Env = clientEnv
	var err error
	d.Proc, err = d.lab.startCmd(d.NS, name, cmd)
	return err
}

// Events returns every script call recorded so far, in order.
func (d *DHCPClient) Events() ([]ClientEvent, error) {
	b, err := os.ReadFile(d.events)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("netlab: %s events: %w", d.Kind, err)
	}
	return parseEvents(b), nil
}

// parseEvents reads records of KEY=VALUE lines, each closed by a "%%" line;
// a record not closed yet is being written and is left out.
func parseEvents(b []byte) []ClientEvent {
	var evs []ClientEvent
	cur := ClientEvent{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "%%" {
			evs = append(evs, cur)
			cur = ClientEvent{}
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			if _, seen := cur[k]; !seen {
				cur[k] = v
			}
		}
	}
	return evs
}

// WaitEvent waits for the next script call, after those WaitEvent already
// returned, whose reason is one of reasons (any reason when none is given),
// and returns it. Calls it passes over are skipped for good.
func (d *DHCPClient) WaitEvent(ctx context.Context, reasons ...string) (ClientEvent, error) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		exited := d.Proc.Exited() // before reading, so no last event is missed
		evs, err := d.Events()
		if err != nil {
			return nil, err
		}
		for ; d.next < len(evs); d.next++ {
			if len(reasons) == 0 || contains(reasons, evs[d.next].Reason()) {
				d.next++
				return evs[d.next-1], nil
			}
		}
		if exited {
			return nil, fmt.Errorf("netlab: %s on %s exited (%v) without a %v event; output: %s",
				d.Kind, d.If, d.Proc.err, reasons, tail([]byte(d.Proc.Output()), 800))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("netlab: waiting for %s on %s to report %v: %w; events so far %v; output: %s",
				d.Kind, d.If, reasons, ctx.Err(), reasonsOf(evs), tail([]byte(d.Proc.Output()), 800))
		case <-tick.C:
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func reasonsOf(evs []ClientEvent) []string {
	r := make([]string, len(evs))
	for i, e := range evs {
		r[i] = e.Reason()
	}
	return r
}

// Release makes the client release its lease and exit, and waits for it:
// dhclient -r (same files; it stops the running dhclient through the pid
// file and sends RELEASE), udhcpc SIGUSR2 then SIGTERM, dhcpcd SIGTERM
// (its config says release).
func (d *DHCPClient) Release(ctx context.Context) error {
	switch d.Kind {
	case "dhclient":
		d.settlePidFile(ctx)
		args := append(append([]string{"-r", "-v"}, d.args...), d.If)
		cmd := d.lab.Command(d.NS, "dhclient", args...)
		cmd.Env = clientEnv
		p, err := d.lab.startCmd(d.NS, "dhclient -r", cmd)
		if err != nil {
			return err
		}
		if err := waitProc(ctx, p); err != nil {
			return err
		}
		if err := p.exitError(); err != nil {
			return fmt.Errorf("netlab: dhclient -r on %s: %w: %s", d.If, err, tail([]byte(p.Output()), 500))
		}
	case "udhcpc":
		if err := d.Proc.Signal(syscall.SIGUSR2); err != nil {
			return err
		}
		if _, err := d.WaitEvent(ctx, "deconfig"); err != nil {
			return err
		}
		return d.Proc.Stop()
	case "dhcpcd":
		return d.Proc.Stop()
	}
	return waitProc(ctx, d.Proc)
}

// pidFile is where dhclient and udhcpc keep their pid (-pf, -p).
func (d *DHCPClient) pidFile() string { return filepath.Join(d.Dir, "pid") }

// settlePidFile waits, at most a second, until the running dhclient has
// rewritten its pid file after its last script call. dhclient truncates
// and rewrites the file after every bind, just after the script that
// reports it; a dhclient -r or -x that reads it in between finds it empty
// and stops nothing (seen in CI: the RELEASE went out, the old client
// lived on and bound again).
func (d *DHCPClient) settlePidFile(ctx context.Context) {
	pidFile, want := d.pidFile(), strconv.Itoa(d.Proc.PID)
	until := time.Now().Add(time.Second)
	for time.Now().Before(until) && ctx.Err() == nil {
		b, err := os.ReadFile(pidFile)
		pst, perr := os.Stat(pidFile)
		est, eerr := os.Stat(d.events)
		if err == nil && perr == nil && strings.TrimSpace(string(b)) == want &&
			(eerr != nil || !pst.ModTime().Before(est.ModTime())) {
			return
		}
		time.Sleep(pollInterval / 2)
	}
}

// Stop ends the client without releasing: dhclient -x, udhcpc by SIGTERM
// (it releases on exit only with -R), dhcpcd by SIGKILL (its config says
// release on exit).
func (d *DHCPClient) Stop(ctx context.Context) error {
	if d.Proc.Exited() {
		return nil
	}
	if d.Kind == "dhclient" {
		d.settlePidFile(ctx)
		args := append(append([]string{"-x"}, d.args...), d.If)
		if out, err := d.lab.Run(ctx, d.NS, "dhclient", args...); err != nil {
			return fmt.Errorf("netlab: dhclient -x on %s: %w: %s", d.If, err, out)
		}
		return waitProc(ctx, d.Proc)
	}
	if d.Kind == "dhcpcd" {
		return d.Proc.Kill()
	}
	return d.Proc.Stop()
}

func waitProc(ctx context.Context, p *Process) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("netlab: waiting for %s (pid %d) to exit: %w", p.Name, p.PID, ctx.Err())
	}
}

// LeaseFile returns the path of the client's lease file (dhclient) or
// database directory (dhcpcd); udhcpc keeps none.
func (d *DHCPClient) LeaseFile() string {
	switch d.Kind {
	case "dhclient":
		return filepath.Join(d.Dir, "leases")
	case "dhcpcd":
		return filepath.Join(d.Dir, "db")
	}
	return ""
}

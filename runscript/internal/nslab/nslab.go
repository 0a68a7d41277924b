// Package nslab builds the two network namespaces the run_script capture
// and compatibility tests run in: a server namespace and a client namespace
// joined by one veth pair, with fixed names, MACs and documentation
// addresses so that every value a hook script sees is the same from run to
// run (the interface index is the one exception; callers normalise it).
//
// It uses only iproute2 and setns(2). Everything it creates is named with
// the caller's prefix and removed by Close.
package nslab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Fixed link-layer addresses of the two ends; the client end sends every
// crafted frame from its own MAC unless a test sets another.
var (
	ServerMAC = net.HardwareAddr{0x02, 0x00, 0x00, 0x4a, 0x00, 0x01}
	ClientMAC = net.HardwareAddr{0x02, 0x00, 0x00, 0x4a, 0x01, 0x01}
)

// Lab is a server and a client namespace joined by a veth pair:
//
//	<prefix>s: <prefix>s0 192.0.2.1/24 2001:db8:1::1/64
//	<prefix>c: <prefix>c0 2001:db8:1::fe/64, lo 198.51.100.1 203.0.113.1
//
// The client namespace owns the relay agents' addresses so that replies to
// relays reach it whichever way the server sends them.
type Lab struct {
	Prefix   string
	ServerNS string
	ClientNS string
	ServerIf string
	ClientIf string
	Dir      string // scratch directory, removed by Close

	procs []*Proc
}

// Unavailable says why a lab cannot be built here, or "" when it can.
func Unavailable() string {
	if os.Geteuid() != 0 {
		return "needs root for network namespaces"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "iproute2 (ip) is not installed"
	}
	return ""
}

// New builds the lab. prefix must be short (interface names are at most 15
// bytes) and unique to the caller; a lab left over with the same names is
// removed first.
func New(prefix string) (*Lab, error) {
	if len(prefix) > 7 {
		return nil, fmt.Errorf("nslab: prefix %q longer than 7 bytes", prefix)
	}
	// Three characters from the process id keep concurrent test binaries
	// (two checkouts, or a developer's run beside CI) out of each other's
	// namespaces; interface names stay within 15 bytes.
	id := prefix + strconv.FormatInt(int64(os.Getpid()%46656)+46656, 36)[1:]
	l := &Lab{
		Prefix:   id,
		ServerNS: id + "s",
		ClientNS: id + "c",
		ServerIf: id + "s0",
		ClientIf: id + "c0",
	}
	l.removeNamespaces()
	dir, err := os.MkdirTemp("", prefix+"-lab-")
	if err != nil {
		return nil, fmt.Errorf("nslab: %w", err)
	}
	l.Dir = dir
	if err := l.build(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Lab) build() error {
	s, c := l.ServerNS, l.ClientNS
	steps := [][]string{
		{"netns", "add", s},
		{"netns", "add", c},
		{"-n", s, "link", "add", l.ServerIf, "address", ServerMAC.String(), "type", "veth",
			"peer", "name", l.ClientIf, "address", ClientMAC.String(), "netns", c},
		// No duplicate address detection: addresses are usable at once.
		{"netns", "exec", s, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"},
		{"netns", "exec", c, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"},
		{"-n", s, "link", "set", "lo", "up"},
		{"-n", c, "link", "set", "lo", "up"},
		{"-n", s, "addr", "add", "192.0.2.1/24", "dev", l.ServerIf},
		{"-n", s, "addr", "add", "2001:db8:1::1/64", "dev", l.ServerIf, "nodad"},
		{"-n", c, "addr", "add", "2001:db8:1::fe/64", "dev", l.ClientIf, "nodad"},
		{"-n", c, "addr", "add", "198.51.100.1/32", "dev", "lo"},
		{"-n", c, "addr", "add", "203.0.113.1/32", "dev", "lo"},
		{"-n", s, "link", "set", l.ServerIf, "up"},
		// Frames to the MACs of simulated clients must reach raw sockets.
		{"-n", c, "link", "set", l.ClientIf, "promisc", "on", "up"},
		{"-n", s, "route", "add", "198.51.100.0/24", "dev", l.ServerIf},
		{"-n", s, "route", "add", "203.0.113.0/24", "dev", l.ServerIf},
	}
	for _, a := range steps {
		if out, err := exec.Command("ip", a...).CombinedOutput(); err != nil {
			return fmt.Errorf("nslab: ip %s: %v: %s", strings.Join(a, " "), err, bytes.TrimSpace(out))
		}
	}
	return l.waitLinkLocal(5 * time.Second)
}

// waitLinkLocal waits until both ends have a usable link-local address.
func (l *Lab) waitLinkLocal(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		ok := true
		for _, p := range [][2]string{{l.ServerNS, l.ServerIf}, {l.ClientNS, l.ClientIf}} {
			out, err := exec.Command("ip", "-n", p[0], "-6", "addr", "show", "dev", p[1], "scope", "link").CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("fe80::")) || bytes.Contains(out, []byte("tentative")) {
				ok = false
			}
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("nslab: link-local addresses did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// IfIndex returns the index of ifName in namespace ns.
func (l *Lab) IfIndex(ns, ifName string) (int, error) {
	var idx int
	err := InNS(ns, func() error {
		ifi, err := net.InterfaceByName(ifName)
		if err != nil {
			return err
		}
		idx = ifi.Index
		return nil
	})
	return idx, err
}

// Command returns cmd run inside ns by ip netns exec. The child dies with
// the thread that started it, so a crashed test leaves no server behind.
func (l *Lab) Command(ctx context.Context, ns string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// Proc is a process started by Start.
type Proc struct {
	Cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Done is closed when the process has exited and been reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is the process's exit error, once Done is closed.
func (p *Proc) Err() error { <-p.done; return p.err }

// Start starts cmd, reaps it when it exits, and remembers it so that Close
// stops it.
func (l *Lab) Start(cmd *exec.Cmd) (*Proc, error) {
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("nslab: start %s: %w", strings.Join(cmd.Args, " "), err)
	}
	p := &Proc{Cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	l.procs = append(l.procs, p)
	return p, nil
}

// Stop ends the process: SIGTERM to its process group, SIGKILL after
// grace, and waits until it is reaped.
func (p *Proc) Stop(grace time.Duration) {
	pid := p.Cmd.Process.Pid
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-p.done
	}
}

// Close stops the processes the lab started and removes its namespaces and
// scratch directory.
func (l *Lab) Close() {
	for _, p := range l.procs {
		p.Stop(3 * time.Second)
	}
	l.procs = nil
	l.removeNamespaces()
	if l.Dir != "" {
		_ = os.RemoveAll(l.Dir)
	}
}

func (l *Lab) removeNamespaces() {
	for _, ns := range []string{l.ServerNS, l.ClientNS} {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err == nil {
			_ = exec.Command("ip", "netns", "del", ns).Run()
		}
		_ = os.RemoveAll(filepath.Join("/etc/netns", ns))
	}
}

// InNS runs fn on a thread switched into namespace ns. Sockets fn creates
// stay in ns for their whole life and can be used from any goroutine. The
// thread is never handed back to the scheduler: it exits with fn's
// goroutine, so no other goroutine can run in the wrong namespace.
func InNS(ns string, fn func() error) error {
	f, err := os.Open(filepath.Join("/run/netns", ns))
	if err != nil {
		return fmt.Errorf("nslab: namespace %s: %w", ns, err)
	}
	defer f.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("nslab: setns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

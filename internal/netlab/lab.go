package netlab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Options configure a lab. The zero value is usable: prefix "lh" and the
// documentation addresses below.
type Options struct {
	// Prefix starts every namespace and interface name of the lab: letters
	// and digits, at most 7 characters. Each engineer or test package uses
	// its own, so Sweep never touches another's labs. Default "lh".
	Prefix string
	// ServerAddr4 is the server's address on the shared link. Default
	// 192.0.2.1/24.
	ServerAddr4 netip.Prefix
	// ServerAddr6 likewise. Default 2001:db8:1::1/64.
	ServerAddr6 netip.Prefix
	// ServerMAC is the server bridge's MAC. Default 02:6c:68:00:00:01.
	ServerMAC net.HardwareAddr
	// ClientMAC is the first client's MAC. Default 02:6c:68:00:01:01;
	// clients added later get 02:6c:68:00:01:NN.
	ClientMAC net.HardwareAddr
	// Logf, when set, receives a line per namespace change and process
	// start (NewT sets it to t.Logf).
	Logf func(format string, args ...any)
}

// Lab is a set of network namespaces joined by veth pairs: a server
// namespace whose bridge ServerIf carries the server addresses, and client
// namespaces plugged into that bridge. Close removes all of it.
type Lab struct {
	ID string // prefix + random suffix; starts every name below

	ServerNS  string
	ServerIf  string // the bridge in ServerNS; bind servers and captures here
	ServerMAC net.HardwareAddr

	ServerAddr4 netip.Prefix
	ServerAddr6 netip.Prefix

	ClientNS  string // the first client's namespace
	ClientIf  string // its interface
	ClientMAC net.HardwareAddr

	// Dir is a private directory for config, lease and pid files; Close
	// removes it.
	Dir string

	opts   Options
	ipPath string

	mu         sync.Mutex
	closed     bool
	namespaces []string
	procs      map[int]*Process // running
	history    []*Process       // every process started, for failure logs
	nextClient int
	relays     []*RelayLink
	agents     []*RelayAgent
	created    time.Time

	closeOnce sync.Once
	closeErr  error
}

// Client is one client namespace on a link of the lab.
type Client struct {
	NS  string
	If  string
	MAC net.HardwareAddr
	// Port is the interface in the bridge's namespace that the client's
	// veth is plugged into.
	Port string

	lab *Lab
}

// New builds a lab: the server namespace with a bridge holding the server
// addresses, and one client namespace plugged into it. Loopback is up in
// each namespace, IPv6 DAD is off before any address is set, and link-local
// addresses are usable when New returns. Needs root and iproute2.
func New(opts Options) (*Lab, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		if ipPath, err = findSbin("ip"); err != nil {
			return nil, fmt.Errorf("netlab: iproute2's ip not found: %w", err)
		}
	}
	l := &Lab{
		ServerAddr4: opts.ServerAddr4,
		ServerAddr6: opts.ServerAddr6,
		ServerMAC:   opts.ServerMAC,
		opts:        opts,
		ipPath:      ipPath,
		procs:       map[int]*Process{},
		nextClient:  1,
		created:     time.Now(),
	}
	if err := l.reserveID(); err != nil {
		return nil, err
	}
	if err := l.build(); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

func (o *Options) fill() error {
	if o.Prefix == "" {
		o.Prefix = "lh"
	}
	if err := validPrefix(o.Prefix); err != nil {
		return err
	}
	if !o.ServerAddr4.IsValid() {
		o.ServerAddr4 = defaultServer4
	}
	if !o.ServerAddr6.IsValid() {
		o.ServerAddr6 = defaultServer6
	}
	if !o.ServerAddr4.Addr().Is4() {
		return fmt.Errorf("netlab: ServerAddr4 %s is not IPv4", o.ServerAddr4)
	}
	if !o.ServerAddr6.Addr().Is6() || o.ServerAddr6.Addr().Is4In6() {
		return fmt.Errorf("netlab: ServerAddr6 %s is not IPv6", o.ServerAddr6)
	}
	if o.ServerMAC == nil {
		o.ServerMAC = macServer
	}
	if len(o.ServerMAC) != 6 {
		return fmt.Errorf("netlab: ServerMAC %s: want 6 bytes", o.ServerMAC)
	}
	if o.ClientMAC != nil && len(o.ClientMAC) != 6 {
		return fmt.Errorf("netlab: ClientMAC %s: want 6 bytes", o.ClientMAC)
	}
	return nil
}

// reserveID picks a random ID whose state file does not exist yet and
// creates that file, so the lab is known to Sweep before any namespace
// exists.
func (l *Lab) reserveID() error {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return fmt.Errorf("netlab: state directory: %w", err)
	}
	for range 50 {
		id, err := randomID(l.opts.Prefix)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(statePath(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("netlab: state file: %w", err)
		}
		f.Close()
		if _, err := os.Stat(nsPath(id + "-srv")); err == nil {
			// A namespace without a state file: not ours to reuse.
			os.Remove(statePath(id))
			continue
		}
		l.ID = id
		l.ServerNS = id + "-srv"
		l.ServerIf = id + "-sbr"
		l.mu.Lock()
		l.saveStateLocked()
		l.mu.Unlock()
		return nil
	}
	return fmt.Errorf("netlab: no free lab id with prefix %q after 50 tries", l.opts.Prefix)
}

func (l *Lab) build() error {
	dir, err := os.MkdirTemp("", "netlab-"+l.ID+"-")
	if err != nil {
		return fmt.Errorf("netlab %s: temp dir: %w", l.ID, err)
	}
	l.mu.Lock()
	l.Dir = dir
	l.saveStateLocked()
	l.mu.Unlock()

	if err := l.addNamespace(l.ServerNS, false); err != nil {
		return err
	}
	if err := l.addBridge(l.ServerNS, l.ServerIf, l.ServerMAC); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, a := range []netip.Prefix{l.ServerAddr4, l.ServerAddr6} {
		if err := l.addAddr(ctx, l.ServerNS, l.ServerIf, a); err != nil {
			return err
		}
	}
	c, err := l.addClient(l.ServerNS, l.ServerIf, l.opts.ClientMAC)
	if err != nil {
		return err
	}
	l.ClientNS, l.ClientIf, l.ClientMAC = c.NS, c.If, c.MAC
	return l.waitLinkLocal(l.ServerNS, l.ServerIf)
}

// AddClient adds a client namespace on the server link with its own
// interface and MAC.
func (l *Lab) AddClient() (*Client, error) {
	return l.addClient(l.ServerNS, l.ServerIf, nil)
}

// FirstClient returns the client made by New.
func (l *Lab) FirstClient() *Client {
	return &Client{NS: l.ClientNS, If: l.ClientIf, MAC: l.ClientMAC, Port: l.ID + "-p1", lab: l}
}

// Clients returns n clients on the server link: the first client and
// n-1 added ones.
func (l *Lab) Clients(n int) ([]*Client, error) {
	cs := []*Client{l.FirstClient()}
	for len(cs) < n {
		c, err := l.AddClient()
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs[:n], nil
}

// addClient creates a client namespace and a veth pair whose other end is a
// port of bridge br in namespace brNS.
func (l *Lab) addClient(brNS, br string, mac net.HardwareAddr) (*Client, error) {
	l.mu.Lock()
	n := l.nextClient
	l.nextClient++
	l.mu.Unlock()
	if n > 255 {
		return nil, fmt.Errorf("netlab %s: too many clients", l.ID)
	}
	if mac == nil {
		mac = macWithLast(macClientBase, n)
	}
	c := &Client{
		NS:   fmt.Sprintf("%s-c%d", l.ID, n),
		If:   fmt.Sprintf("%s-c%d", l.ID, n),
		MAC:  mac,
		Port: fmt.Sprintf("%s-p%d", l.ID, n),
		lab:  l,
	}
	if err := l.addNamespace(c.NS, false); err != nil {
		return nil, err
	}
	if err := l.addPort(brNS, br, c.Port, macWithLast(macPortBase, n), c.NS, c.If, c.MAC); err != nil {
		return nil, err
	}
	if err := l.waitLinkLocal(c.NS, c.If); err != nil {
		return nil, err
	}
	return c, nil
}

// Namespaces returns the names of the lab's namespaces in creation order.
func (l *Lab) Namespaces() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.namespaces...)
}

func (l *Lab) checkNS(ns string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.namespaces {
		if n == ns {
			return nil
		}
	}
	return fmt.Errorf("netlab %s: %q is not one of the lab's namespaces", l.ID, ns)
}

func (l *Lab) logf(format string, args ...any) {
	if l.opts.Logf != nil {
		l.opts.Logf(format, args...)
	}
}

// Close stops every process the lab started (SIGTERM, then SIGKILL after a
// grace period, by PID), kills any other process still inside the lab's
// namespaces (only the lab's programs and their children can be there),
// deletes the namespaces, which removes their veths and bridges, and
// removes /etc/netns/NS, the lab's directory and its state file. Calling it
// again returns the first call's result.
func (l *Lab) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.close() })
	return l.closeErr
}

func (l *Lab) close() error {
	l.mu.Lock()
	l.closed = true
	procs := make([]*Process, 0, len(l.procs))
	for _, p := range l.procs {
		procs = append(procs, p)
	}
	namespaces := append([]string(nil), l.namespaces...)
	agents := l.agents
	dir := l.Dir
	l.mu.Unlock()

	var errs []error
	for _, a := range agents {
		if err := a.Close(); err != nil {
			errs = append(errs, fmt.Errorf("netlab %s: relay agent: %w", l.ID, err))
		}
	}
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.Stop()
		}()
	}
	wg.Wait()
	for _, pid := range killInNamespaces(namespaces) {
		l.logf("netlab %s: killed pid %d left inside the lab's namespaces", l.ID, pid)
	}
	for i := len(namespaces) - 1; i >= 0; i-- {
		if err := removeNamespace(l.ipPath, namespaces[i]); err != nil {
			errs = append(errs, err)
		}
	}
	if dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("netlab %s: remove %s: %w", l.ID, dir, err))
		}
	}
	if len(errs) == 0 && l.ID != "" {
		if err := os.Remove(statePath(l.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	l.logf("netlab %s: closed", l.ID)
	return errors.Join(errs...)
}

// removeNamespace deletes ns and its /etc/netns directory; a namespace that
// is already gone is not an error.
func removeNamespace(ipPath, ns string) error {
	var errs []error
	if _, err := os.Stat(nsPath(ns)); err == nil {
		if out, err := exec.Command(ipPath, "netns", "delete", ns).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("netlab: ip netns delete %s: %v: %s", ns, err, out))
		}
	}
	if err := os.RemoveAll(filepath.Join("/etc/netns", ns)); err != nil {
		errs = append(errs, fmt.Errorf("netlab: remove /etc/netns/%s: %w", ns, err))
	}
	return errors.Join(errs...)
}

func nsPath(ns string) string { return filepath.Join("/run/netns", ns) }

func findSbin(name string) (string, error) {
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not in PATH nor an sbin directory", name)
}

// LookTool finds an executable on PATH or in the sbin directories.
func LookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return findSbin(name)
}

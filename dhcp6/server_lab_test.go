package dhcp6

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The lab tests run a server in one network namespace and a client in
// another, joined by a veth pair carrying documentation addresses. They
// need root, iproute2 and (for the Kea comparison) kea-dhcp6, and skip
// without them unless CI=true or LEASEHOLD_E2E=1, where they fail.

const labPrefix = "lhK"

// srvLab is a pair of namespaces joined by a veth pair: the server side
// has 2001:db8:1::1/64 and a fixed MAC, the client side only its
// link-local address.
type srvLab struct {
	id           string
	srvNS, cliNS string
	srvIf, cliIf string
	srvAddr      netip.Addr
	cliLL        netip.Addr // the client's link-local address
	srvLL        netip.Addr
	dir          string
	procs        []*exec.Cmd
}

func labRequired(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" || os.Getenv("LEASEHOLD_E2E") == "1" {
		t.Fatalf("lab test cannot run: %s", why)
	}
	t.Skipf("lab test skipped: %s (set LEASEHOLD_E2E=1 to require it)", why)
}

func newSrvLab(t *testing.T) *srvLab {
	t.Helper()
	if runtime.GOOS != "linux" {
		labRequired(t, "network namespaces need Linux")
	}
	if os.Geteuid() != 0 {
		labRequired(t, "network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		labRequired(t, "iproute2 (ip) is not installed")
	}
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	id := labPrefix + hex.EncodeToString(rnd[:])
	l := &srvLab{
		id: id, srvNS: id + "s", cliNS: id + "c", srvIf: id + "s0", cliIf: id + "c0",
		srvAddr: netip.MustParseAddr("2001:db8:1::1"),
		srvLL:   netip.MustParseAddr("fe80::ff:fe00:aa01"),
		cliLL:   netip.MustParseAddr("fe80::ff:fe00:bb01"),
		dir:     t.TempDir(),
	}
	t.Cleanup(l.close)
	steps := [][]string{
		{"netns", "add", l.srvNS},
		{"netns", "add", l.cliNS},
		{"link", "add", l.srvIf, "type", "veth", "peer", "name", l.cliIf},
		{"link", "set", l.srvIf, "netns", l.srvNS},
		{"link", "set", l.cliIf, "netns", l.cliNS},
	}
	for _, s := range steps {
		l.ip(t, "", s...)
	}
	for _, ns := range []struct{ ns, ifc, mac string }{{l.srvNS, l.srvIf, "02:00:00:00:aa:01"}, {l.cliNS, l.cliIf, "02:00:00:00:bb:01"}} {
		l.run(t, ns.ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf."+ns.ifc+".accept_dad=0")
		l.ip(t, ns.ns, "link", "set", "lo", "up")
		l.ip(t, ns.ns, "link", "set", ns.ifc, "address", ns.mac, "up")
	}
	l.ip(t, l.srvNS, "addr", "add", "2001:db8:1::1/64", "dev", l.srvIf, "nodad")
	l.ip(t, l.cliNS, "-6", "route", "add", "2001:db8:1::/64", "dev", l.cliIf)
	if err := os.MkdirAll("/etc/netns/"+l.cliNS, 0o755); err == nil {
		_ = os.WriteFile("/etc/netns/"+l.cliNS+"/resolv.conf", nil, 0o644)
	}
	// Wait for the link-local addresses to be usable.
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command("ip", "netns", "exec", l.cliNS, "ip", "-6", "addr", "show", "dev", l.cliIf).CombinedOutput()
		if strings.Contains(string(out), l.cliLL.String()) && !strings.Contains(string(out), "tentative") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("client link-local address never came up: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return l
}

func (l *srvLab) ip(t *testing.T, ns string, args ...string) {
	t.Helper()
	l.run(t, ns, "ip", args...)
}

func (l *srvLab) run(t *testing.T, ns, cmd string, args ...string) {
	t.Helper()
	full := append([]string{cmd}, args...)
	if ns != "" {
		full = append([]string{"ip", "netns", "exec", ns}, full...)
	}
	out, err := exec.Command(full[0], full[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(full, " "), err, out)
	}
}

// start runs a program in a namespace until the test ends.
func (l *srvLab) start(t *testing.T, ns string, logName string, args ...string) *exec.Cmd {
	t.Helper()
	logf, err := os.Create(filepath.Join(l.dir, logName))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %v: %v", args, err)
	}
	l.procs = append(l.procs, cmd)
	return cmd
}

func (l *srvLab) log(name string) string {
	b, _ := os.ReadFile(filepath.Join(l.dir, name))
	return string(b)
}

func (l *srvLab) close() {
	for _, p := range l.procs {
		if p.Process != nil {
			_ = p.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _, _ = p.Process.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				_ = p.Process.Kill()
				<-done
			}
		}
	}
	_ = exec.Command("ip", "netns", "del", l.srvNS).Run()
	_ = exec.Command("ip", "netns", "del", l.cliNS).Run()
	_ = os.RemoveAll("/etc/netns/" + l.cliNS)
}

// inNS runs fn on a thread switched into namespace ns. Sockets made in fn
// belong to ns for their whole life and may be used from any goroutine.
func inNS(ns string, fn func() error) error {
	target, err := os.Open("/run/netns/" + ns)
	if err != nil {
		return err
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// The thread stays locked and dies with this goroutine.
			errc <- errors.Join(ferr, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// labClient sends DHCPv6 messages from the client namespace: as a client
// from port 546, or as a relay from port 547.
type labClient struct {
	c546, c547 *net.UDPConn
	ifIndex    int
	ifName     string
}

func (l *srvLab) client(t *testing.T) *labClient {
	t.Helper()
	c := &labClient{ifName: l.cliIf}
	err := inNS(l.cliNS, func() error {
		ifc, err := net.InterfaceByName(l.cliIf)
		if err != nil {
			return err
		}
		c.ifIndex = ifc.Index
		if c.c546, err = net.ListenUDP("udp6", &net.UDPAddr{Port: ClientPort}); err != nil {
			return err
		}
		c.c547, err = net.ListenUDP("udp6", &net.UDPAddr{Port: ServerPort})
		return err
	})
	if err != nil {
		t.Fatalf("client sockets in %s: %v", l.cliNS, err)
	}
	t.Cleanup(func() { c.c546.Close(); c.c547.Close() })
	return c
}

// send sends q from the client (or relay) socket to dst and returns the
// first reply within wait, nil when none comes.
func (c *labClient) send(t *testing.T, relay bool, dst netip.AddrPort, q []byte, wait time.Duration) []byte {
	t.Helper()
	conn := c.c546
	if relay {
		conn = c.c547
	}
	// Drop anything left over from an earlier exchange.
	buf := make([]byte, 4096)
	_ = conn.SetReadDeadline(time.Now())
	for {
		if _, _, err := conn.ReadFromUDPAddrPort(buf); err != nil {
			break
		}
	}
	if _, err := conn.WriteToUDPAddrPort(q, dst); err != nil {
		t.Fatalf("sending to %v: %v", dst, err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	n, _, err := conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		return nil
	}
	return bytes.Clone(buf[:n])
}

// multicastDst is All_DHCP_Relay_Agents_and_Servers on the client's link.
func (c *labClient) multicastDst() netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("ff02::1:2").WithZone(c.ifName), ServerPort)
}

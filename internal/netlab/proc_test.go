package netlab

import (
	"context"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestProcessOutputAndStop(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	p, err := l.Start(l.ClientNS, "sh", "-c", "echo to-out; echo to-err >&2; exec sleep 600")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitOutput(ctx, regexp.MustCompile(`^to-err$`)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitOutput(ctx, regexp.MustCompile(`^to-out$`)); err != nil {
		t.Fatal(err)
	}
	if got := p.Stdout(); got != "to-out\n" {
		t.Errorf("Stdout %q", got)
	}
	if got := p.Stderr(); got != "to-err\n" {
		t.Errorf("Stderr %q", got)
	}
	start := time.Now()
	if err := p.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("Stop took %v for a process that dies on SIGTERM", time.Since(start))
	}
	if !p.Exited() {
		t.Error("not exited after Stop")
	}
	if err := p.Signal(syscall.SIGTERM); err == nil {
		t.Error("Signal after exit succeeded")
	}
}

func TestProcessStopEscalates(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	p, err := l.Start(l.ClientNS, "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitOutput(ctx, regexp.MustCompile(`ready`)); err != nil {
		t.Fatal(err)
	}
	if err := p.StopTimeout(200 * time.Millisecond); err != nil {
		t.Errorf("StopTimeout: %v", err)
	}
	if !p.Exited() {
		t.Error("a process ignoring SIGTERM survived StopTimeout")
	}
}

func TestRunErrors(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	out, err := l.Run(ctx, l.ServerNS, "sh", "-c", "echo oops >&2; exit 3")
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "oops") {
		t.Errorf("Run of a failing command: %v", err)
	}
	if string(out) != "oops\n" {
		t.Errorf("output %q", out)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := l.Run(short, l.ServerNS, "sleep", "600"); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("Run past its context: %v", err)
	}
	p, err := l.Start(l.ServerNS, "sh", "-c", "exit 0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitOutput(ctx, regexp.MustCompile(`never`)); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("WaitOutput on an exited process: %v", err)
	}
}

func netnsInode(t *testing.T, path string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func TestInNSSockets(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	ctx := testCtx(t, 10*time.Second)
	if err := l.AddAddr(ctx, l.ClientNS, l.ClientIf, netip.MustParsePrefix("192.0.2.10/24")); err != nil {
		t.Fatal(err)
	}
	before := netnsInode(t, "/proc/thread-self/ns/net")
	var conn net.PacketConn
	err := l.InNS(l.ServerNS, func() error {
		if got := netnsInode(t, "/proc/thread-self/ns/net"); got != netnsInode(t, nsPath(l.ServerNS)) {
			t.Errorf("inside InNS the thread is in namespace %d, not the server's", got)
		}
		// Interface lookups see the namespace's own interfaces.
		if _, err := net.InterfaceByName(l.ServerIf); err != nil {
			return err
		}
		var err error
		conn, err = net.ListenPacket("udp4", l.ServerAddr4.Addr().String()+":0")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 20 { // whichever thread runs us now was never switched
		if got := netnsInode(t, "/proc/thread-self/ns/net"); got != before {
			t.Fatalf("after InNS this thread is in namespace %d, was %d", got, before)
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := net.InterfaceByName(l.ServerIf); err == nil {
		t.Error("the server bridge is visible outside its namespace")
	}
	// The socket stays in the server namespace: a client there reaches it.
	port := conn.LocalAddr().(*net.UDPAddr).Port
	err = l.InNS(l.ClientNS, func() error {
		c, err := net.Dial("udp4", netip.AddrPortFrom(l.ServerAddr4.Addr(), uint16(port)).String())
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte("hello"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, from, err := conn.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	if string(buf[:n]) != "hello" || from.(*net.UDPAddr).IP.String() != "192.0.2.10" {
		t.Errorf("got %q from %v", buf[:n], from)
	}
}

func TestInNSErrors(t *testing.T) {
	if err := InNS("lhEdoesnotexist", func() error { return nil }); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("InNS of a missing namespace: %v", err)
	}
	l := NewT(t, Options{Prefix: testPrefix})
	err := l.InNS(l.ServerNS, func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panic in fn: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

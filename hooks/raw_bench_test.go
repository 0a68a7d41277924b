package hooks

import (
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// runEcho is the child of BenchmarkRawSocketRoundTrip: it echoes 300-byte
// messages on fd 3, the floor any plugin transport sits on.
func runEcho() int {
	c, err := net.FileConn(os.NewFile(3, "echo"))
	if err != nil {
		return 1
	}
	buf := make([]byte, 300)
	for {
		if _, err := io.ReadFull(c, buf); err != nil {
			return 0
		}
		if _, err := c.Write(buf); err != nil {
			return 0
		}
	}
}

// BenchmarkRawSocketRoundTrip measures a bare 300-byte round trip between
// two Go processes over a socketpair under the machine's current load, to
// read BenchmarkPluginRoundTrip against.
func BenchmarkRawSocketRoundTrip(b *testing.B) {
	host, child, err := socketPair()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEASEHOLD_HOOKS_TEST_ECHO=1")
	cmd.ExtraFiles = []*os.File{child}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	child.Close()
	defer func() { host.Close(); _ = cmd.Wait() }()
	buf := make([]byte, 300)
	rt := func() {
		if _, err := host.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(host, buf); err != nil {
			b.Fatal(err)
		}
	}
	for range 200 {
		rt()
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		rt()
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

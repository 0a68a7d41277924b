package exchange

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// TestBenchDORA measures leasehold-dhcp4's DORA rate under perfdhcp (as a
// relay, 10000 clients, 10 s per run) with no hook library, with run_script
// async at every point and a script that keeps up (it exits at once), and
// with one that does not (it sleeps 2 s): then the queue fills and calls
// are dropped, and the server's peak memory must stay bounded. The server
// and its scripts share CPU 0, perfdhcp runs on CPU 1. Run it as root with
// LEASEHOLD_RUNSCRIPT_BENCH=1 (rates: LEASEHOLD_RUNSCRIPT_BENCH_RATES,
// default "1000,max").
func TestBenchDORA(t *testing.T) {
	if os.Getenv("LEASEHOLD_RUNSCRIPT_BENCH") == "" {
		t.Skip("set LEASEHOLD_RUNSCRIPT_BENCH=1 (as root, perfdhcp installed) to measure DORA rates with run_script")
	}
	if why := netlab.Unavailable(); why != "" {
		t.Fatal(why)
	}
	rates := strings.Split(os.Getenv("LEASEHOLD_RUNSCRIPT_BENCH_RATES"), ",")
	if rates[0] == "" {
		rates = []string{"1000", "max"}
	}
	bin := t.TempDir()
	linked4, err := goBuild(bin, "linked4", "github.com/leasehold/leasehold/runscript/internal/linked4")
	if err != nil {
		t.Fatal(err)
	}
	lab := netlab.NewT(t, LabOptions("lhJb"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := lab.AddAddr(ctx, lab.ServerNS, lab.ServerIf, netip.MustParsePrefix("198.18.0.1/15")); err != nil {
		t.Fatal(err)
	}
	if err := lab.AddAddr(ctx, lab.ClientNS, lab.ClientIf, netip.MustParsePrefix("198.18.0.2/15")); err != nil {
		t.Fatal(err)
	}
	r := runnerT(t, lab, buildEnvdump(t))
	r.ServerCPU = "0"
	scripts := map[string]string{"fast": "#!/bin/sh\nexit 0\n", "slow": "#!/bin/sh\nsleep 2\n"}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(lab.Dir, "script", name+".sh"), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, rate := range rates {
		for _, c := range []string{"none", "fast", "slow"} {
			hook := ""
			if c != "none" {
				hook = fmt.Sprintf(`{"library": %q, "parameters": {"name": %q}}`, KeaRunScript, filepath.Join(lab.Dir, "script", c+".sh"))
			}
			var dropped atomic.Int64
			logf := func(format string, args ...any) {
				line := fmt.Sprintf(format, args...)
				if m := droppedTotal.FindStringSubmatch(line); m != nil {
					n, _ := strconv.ParseInt(m[1], 10, 64)
					dropped.Store(n)
				}
			}
			leases := filepath.Join(lab.Dir, fmt.Sprintf("bench-%s-%s.csv", c, rate))
			stop, err := r.StartDaemon(linked4, logf)(ctx, &Phase{Name: "bench"}, benchConfig(lab.ServerIf, leases, hook))
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"-4", "-p", "10", "-R", "10000"}
			if rate != "max" {
				args = append(args, "-r", rate)
			}
			args = append(args, "198.18.0.1")
			out, _ := lab.Run(ctx, lab.ClientNS, "taskset", append([]string{"-c", "1", "perfdhcp"}, args...)...)
			hwm := peakRSS(r.Server.PID)
			stop()
			m := perfRate.FindSubmatch(out)
			if m == nil {
				t.Fatalf("no rate in perfdhcp's output:\n%s", out)
			}
			t.Logf("rate %-5s run_script %-4s: %8s DORA/s, server peak RSS %6d KiB, script calls dropped %d",
				rate, c, m[1], hwm, dropped.Load())
		}
	}
}

var (
	perfRate     = regexp.MustCompile(`(?m)^Rate: ([0-9.]+) 4-way exchanges/second`)
	droppedTotal = regexp.MustCompile(`script queue full.*dropped_total=(\d+)`)
)

// peakRSS is the process's VmHWM in KiB (0 if unknown).
func peakRSS(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// benchConfig is bench/'s DHCPv4 configuration (one large pool, durable
// memfile, warnings only) with hook as its one hooks-libraries entry.
func benchConfig(ifName, leases, hook string) string {
	return fmt.Sprintf(`{"Dhcp4": {
  "interfaces-config": {"interfaces": [%q]},
  "lease-database": {"type": "memfile", "name": %q, "lfc-interval": 3600},
  "valid-lifetime": 4000,
  "hooks-libraries": [%s],
  "subnet4": [{"id": 1, "subnet": "198.18.0.0/15", "pools": [{"pool": "198.18.1.0 - 198.19.0.255"}]}],
  "loggers": [{"name": "kea-dhcp4", "severity": "INFO", "output_options": [{"output": "stdout"}]}]
}}`, ifName, leases, hook)
}

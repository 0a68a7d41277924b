package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is one DHCP daemon under test: how to start it on a Kea
// configuration file.
type server struct {
	name   string
	family int
	binary string
	hook   *hookLib // loaded into leasehold's configuration; nil for none
}

func newServer(name string, family int, lh4, lh6, floor string) (server, error) {
	s := server{name: name, family: family}
	switch name {
	case "floor":
		s.binary = floor
	case "kea":
		s.binary = "kea-dhcp" + strconv.Itoa(family)
	case "leasehold":
		s.binary = lh4
		if family == 6 {
			s.binary = lh6
		}
	default:
		return s, fmt.Errorf("unknown server %q (floor, kea, leasehold)", name)
	}
	if _, err := exec.LookPath(s.binary); err != nil {
		return s, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// config is the Kea JSON both servers run: one subnet with a pool far
// larger than the simulated clients, a durable memfile, and logging kept to
// warnings so that logging is not what gets measured.
func (s server) config(l *benchLab, dir string) string {
	if s.family == 4 {
		return fmt.Sprintf(`{"Dhcp4": {
  "interfaces-config": {"interfaces": [%q]},
  "lease-database": {"type": "memfile", "name": %q, "lfc-interval": 3600},
  "valid-lifetime": 4000,
  "subnet4": [{"id": 1, "subnet": "198.18.0.0/15",
    "pools": [{"pool": "198.18.1.0 - 198.19.0.255"}]}],
  "loggers": [{"name": "kea-dhcp4", "severity": "WARN",
    "output_options": [{"output": %q}]}]%s
}}`, l.serverIf, filepath.Join(dir, "leases4.csv"), filepath.Join(dir, "server.log"), s.hook.hooksJSON())
	}
	return fmt.Sprintf(`{"Dhcp6": {
  "interfaces-config": {"interfaces": [%q]},
  "lease-database": {"type": "memfile", "name": %q, "lfc-interval": 3600},
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "subnet6": [{"id": 1, "subnet": "2001:db8:18::/64", "interface": %q,
    "pools": [{"pool": "2001:db8:18::1:0/112"}],
    "pd-pools": [{"prefix": "2001:db8:1800::", "prefix-len": 40, "delegated-len": 56}]}],
  "loggers": [{"name": "kea-dhcp6", "severity": "WARN",
    "output_options": [{"output": %q}]}]%s
}}`, l.serverIf, filepath.Join(dir, "leases6.csv"), l.serverIf, filepath.Join(dir, "server.log"), s.hook.hooksJSON())
}

// start runs the server pinned to CPU 0 with a fresh lease file and waits
// until it listens.
func (s server) start(l *benchLab, dir string) (*exec.Cmd, error) {
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(s.config(l, dir)), 0o644); err != nil {
		return nil, err
	}
	// Kea keeps its pid and lock files under /run/kea and its DHCPv6
	// server DUID under /var/lib/kea.
	_ = os.MkdirAll("/run/kea", 0o755)
	_ = os.MkdirAll("/var/lib/kea", 0o755)
	c := l.cmd(l.serverNS, 0, s.binary, "-c", cfg)
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	c.Stdout, c.Stderr = out, out
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.Start(); err != nil {
		return nil, err
	}
	port := "67"
	if s.family == 6 {
		port = "547"
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		o, _ := exec.Command("ip", "netns", "exec", l.serverNS, "ss", "-uln", "sport", "= :"+port).Output()
		if strings.Count(string(o), "\n") > 1 {
			return c, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop(c)
	log, _ := os.ReadFile(filepath.Join(dir, "stdout.log"))
	return nil, fmt.Errorf("%s did not listen on port %s within 10s:\n%s", s.name, port, log)
}

func stop(c *exec.Cmd) {
	_ = c.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.Process.Kill()
		<-done
	}
}

// treeCPU is the CPU time of the server's process tree rooted at pid (the
// namespace wrapper execs into the daemon, so the pid is the daemon's own):
// all of it, and the part of its descendants (hook plugins), which share
// the server's CPU since they inherit its affinity.
func treeCPU(pid int) (total, children time.Duration, err error) {
	total, err = cpuTime(pid)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range descendants(pid) {
		// A child that exited since it was listed has no times to add.
		if d, err := cpuTime(c); err == nil {
			children += d
		}
	}
	return total + children, children, nil
}

// descendants lists the processes below pid, from /proc/PID/task/TID/children.
func descendants(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
				out = append(out, descendants(c)...)
			}
		}
	}
	return out
}

// cpuTime is utime+stime of the process pid.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("odd /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc/%d/stat times", pid)
	}
	const hz = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / hz, nil
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// The memory mode (-rss N) writes a Kea lease file of N active leases,
// starts each server on it in the server namespace with no traffic, waits
// until it listens (both servers load the lease file before they open
// their sockets) and reads VmRSS and VmHWM from /proc. The lease file is
// Kea 2.2's format, the same bytes for every server. It then loads the
// same file into lease.Memfile in the bench's own process and reports the
// Go heap after a collection, which tells the leases' own cost from the
// daemon's; -rss-profile writes that heap profile.
//
//	sudo go run ./bench -rss 1000000 -family 4 -servers kea,leasehold -leasehold4 /tmp/leasehold-dhcp4
//
// DHCPv4 lease data comes from 100.64.0.0/10 (RFC 6598; no packet is
// sent, and the documentation ranges hold too few addresses for a
// million leases), DHCPv6 data from 2001:db8:18::/64.

// rssRow is one server's memory after loading the leases.
type rssRow struct {
	server      string
	leases      int
	load        time.Duration // from start until the server listened
	rss, hwm    int64         // kB
	heap        uint64        // in-process Go heap after GC (bytes); 0 for daemons
	fileBytes   int64
	loadedCheck string // the server's own count of loaded leases, when it logs one
}

func measureRSS(l *benchLab, family int, servers, lh4, lh6 string, n int, profile string, w io.Writer) error {
	dir := filepath.Join(l.dir, "rss")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := filepath.Join(dir, fmt.Sprintf("leases%d.csv", family))
	start := time.Now()
	if err := writeLeaseFile(src, family, n, time.Now()); err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d DHCPv%d leases (%d MB) in %v\n", n, family, st.Size()>>20, time.Since(start).Round(time.Millisecond))
	var rows []rssRow
	for _, name := range strings.Split(servers, ",") {
		if name == "floor" {
			continue // it keeps no leases
		}
		srv, err := newServer(name, family, lh4, lh6, "")
		if err != nil {
			return err
		}
		r, err := daemonRSS(l, srv, dir, src, n)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		r.fileBytes = st.Size()
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "%s: RSS %d MB, peak %d MB, loaded in %v\n", name, r.rss>>10, r.hwm>>10, r.load.Round(time.Millisecond))
	}
	r, err := inProcessRSS(family, src, n, profile)
	if err != nil {
		return err
	}
	r.fileBytes = st.Size()
	rows = append(rows, r)
	printRSS(w, family, rows)
	return nil
}

// writeLeaseFile writes n active leases in Kea 2.2's CSV format, valid
// for a day from now: distinct addresses and hardware addresses (DHCPv4),
// addresses and DUID-LLs with IAID 1 (DHCPv6), no host names.
func writeLeaseFile(path string, family, n int, now time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const valid = 86400
	expire := strconv.FormatInt(now.Unix()+valid, 10)
	var b []byte
	if family == 4 {
		base := netip.MustParseAddr("100.64.0.0").As4()
		first := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
		if n > 1<<22 {
			f.Close()
			return fmt.Errorf("-rss %d: 100.64.0.0/10 holds 4194304 addresses", n)
		}
		w.WriteString("address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n")
		for i := range n {
			a := first + uint32(i)
			b = b[:0]
			b = netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}).AppendTo(b)
			b = append(b, ',')
			b = appendMAC(b, i)
			b = append(b, ",,86400,"...)
			b = append(b, expire...)
			b = append(b, ",1,0,0,,0,\n"...)
			w.Write(b)
		}
	} else {
		if n > 1<<20 {
			f.Close()
			return fmt.Errorf("-rss %d: the DHCPv6 pool 2001:db8:18::/108 holds 1048576 addresses", n)
		}
		w.WriteString("address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source\n")
		base := netip.MustParseAddr("2001:db8:18::").As16()
		for i := range n {
			a := base
			a[13], a[14], a[15] = byte(i>>16), byte(i>>8), byte(i)
			b = b[:0]
			b = netip.AddrFrom16(a).AppendTo(b)
			b = append(b, ",00:03:00:01:"...)
			b = appendMAC(b, i)
			b = append(b, ",86400,"...)
			b = append(b, expire...)
			b = append(b, ",1,43200,0,1,128,0,0,,,0,,,0\n"...)
			w.Write(b)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// appendMAC appends a locally administered MAC unique to i.
func appendMAC(b []byte, i int) []byte {
	const hex = "0123456789abcdef"
	m := [6]byte{0x02, 0x00, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
	for k, c := range m {
		if k > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[c>>4], hex[c&15])
	}
	return b
}

// rssConfig is the server's configuration: a subnet that holds every
// lease, the lease file given, no cleanup timer, warnings only.
func rssConfig(l *benchLab, family int, leaseFile, logFile string) string {
	if family == 4 {
		return fmt.Sprintf(`{"Dhcp4": {
  "interfaces-config": {"interfaces": [%q]},
  "lease-database": {"type": "memfile", "name": %q, "lfc-interval": 0},
  "valid-lifetime": 86400,
  "subnet4": [{"id": 1, "subnet": "100.64.0.0/10", "pools": [{"pool": "100.64.0.0 - 100.127.255.255"}]}],
  "loggers": [{"name": "kea-dhcp4", "severity": "INFO", "output_options": [{"output": %q}]}]
}}`, l.serverIf, leaseFile, logFile)
	}
	return fmt.Sprintf(`{"Dhcp6": {
  "interfaces-config": {"interfaces": [%q]},
  "lease-database": {"type": "memfile", "name": %q, "lfc-interval": 0},
  "preferred-lifetime": 43200, "valid-lifetime": 86400,
  "subnet6": [{"id": 1, "subnet": "2001:db8:18::/64", "interface": %q, "pools": [{"pool": "2001:db8:18::/108"}]}],
  "loggers": [{"name": "kea-dhcp6", "severity": "INFO", "output_options": [{"output": %q}]}]
}}`, l.serverIf, leaseFile, l.serverIf, logFile)
}

// daemonRSS starts the server on a copy of the lease file, waits until it
// listens and reads its memory from /proc.
func daemonRSS(l *benchLab, s server, dir, src string, n int) (rssRow, error) {
	sdir := filepath.Join(dir, s.name)
	if err := os.MkdirAll(sdir, 0o755); err != nil {
		return rssRow{}, err
	}
	leaseFile := filepath.Join(sdir, filepath.Base(src))
	if out, err := exec.Command("cp", src, leaseFile).CombinedOutput(); err != nil {
		return rssRow{}, fmt.Errorf("copying the lease file: %v: %s", err, out)
	}
	defer os.Remove(leaseFile)
	logFile := filepath.Join(sdir, "server.log")
	cfg := filepath.Join(sdir, "config.json")
	if err := os.WriteFile(cfg, []byte(rssConfig(l, s.family, leaseFile, logFile)), 0o644); err != nil {
		return rssRow{}, err
	}
	_ = os.MkdirAll("/run/kea", 0o755)
	_ = os.MkdirAll("/var/lib/kea", 0o755)
	c := l.cmd(l.serverNS, 0, s.binary, "-c", cfg)
	out, err := os.Create(filepath.Join(sdir, "stdout.log"))
	if err != nil {
		return rssRow{}, err
	}
	defer out.Close()
	c.Stdout, c.Stderr = out, out
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	began := time.Now()
	if err := c.Start(); err != nil {
		return rssRow{}, err
	}
	defer stop(c)
	port := "67"
	if s.family == 6 {
		port = "547"
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		o, _ := exec.Command("ip", "netns", "exec", l.serverNS, "ss", "-uln", "sport", "= :"+port).Output()
		if strings.Count(string(o), "\n") > 1 {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile)
			return rssRow{}, fmt.Errorf("did not listen on port %s within 5 minutes:\n%s", port, tailBytes(log, 2000))
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := rssRow{server: s.name, leases: n, load: time.Since(began)}
	// Let the Go runtime's background work after the load settle.
	time.Sleep(2 * time.Second)
	if r.rss, r.hwm, err = procMemory(c.Process.Pid); err != nil {
		return rssRow{}, err
	}
	log, _ := os.ReadFile(logFile)
	r.loadedCheck = loadedCount(string(log))
	return r, nil
}

// loadedCount finds the server's report of how many leases it loaded:
// leasehold's "lease file loaded ... leases=N".
func loadedCount(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if i := strings.Index(line, "lease file loaded"); i >= 0 {
			for _, f := range strings.Fields(line[i:]) {
				if v, ok := strings.CutPrefix(f, "leases="); ok {
					return v
				}
			}
		}
	}
	return ""
}

// procMemory reads VmRSS and VmHWM (kB) of pid.
func procMemory(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = v
		case "VmHWM:":
			hwm = v
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return rss, hwm, nil
}

// inProcessRSS loads the lease file into lease.Memfile in this process and
// reports the Go heap after a collection, and the load time.
func inProcessRSS(family int, src string, n int, profile string) (rssRow, error) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	o := lease.MemfileOptions{Persist: true, Logger: slog.New(slog.DiscardHandler)}
	if family == 4 {
		o.V4Path = src
	} else {
		o.V6Path = src
	}
	began := time.Now()
	m, err := lease.OpenMemfile(context.Background(), o)
	if err != nil {
		return rssRow{}, fmt.Errorf("loading %s in-process: %w", src, err)
	}
	load := time.Since(began)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			m.Close()
			return rssRow{}, err
		}
		err = pprof.WriteHeapProfile(f)
		f.Close()
		if err != nil {
			m.Close()
			return rssRow{}, err
		}
	}
	r := rssRow{server: "lease.Memfile (in-process)", leases: n, load: load, heap: after.HeapAlloc - before.HeapAlloc}
	r.rss, r.hwm, _ = procMemory(os.Getpid())
	runtime.KeepAlive(m)
	return r, m.Close()
}

func printRSS(w io.Writer, family int, rows []rssRow) {
	fmt.Fprintf(w, "DHCPv%d, %d active leases (lease file %d MB)\n", family, rows[0].leases, rows[0].fileBytes>>20)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tload s\tVmRSS MB\tVmHWM MB\tbytes/lease (RSS)\tGo heap MB\theap bytes/lease\tloaded\t")
	for _, r := range rows {
		heap, per := "-", "-"
		if r.heap > 0 {
			heap = strconv.FormatUint(r.heap>>20, 10)
			per = strconv.FormatUint(r.heap/uint64(r.leases), 10)
		}
		loaded := r.loadedCheck
		if loaded == "" {
			loaded = "-"
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%d\t%d\t%d\t%s\t%s\t%s\t\n", r.server, r.load.Seconds(), r.rss>>10, r.hwm>>10,
			r.rss*1024/int64(r.leases), heap, per, loaded)
	}
	tw.Flush()
}

func tailBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

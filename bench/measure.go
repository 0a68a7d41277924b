package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"
)

// row is one measured run.
type row struct {
	server  string
	hook    string // the hook library loaded, "" for none
	mode    string
	offered int
	res     perfResult
	cpu     time.Duration // the server's, its hook plugins' included
	plugins time.Duration // its hook plugins' alone
}

// CPUPerExchange is server CPU time divided by completed exchanges.
func (r row) CPUPerExchange() time.Duration {
	if r.res.Received == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.res.Received)
}

func (r row) String() string {
	return fmt.Sprintf("%s %s offered=%s achieved=%.0f/s drops=%.2f%% delay=%.3fms cpu/exchange=%.1fµs",
		r.server, r.mode, rateName(r.offered), r.res.Rate, r.res.DropPercent(), r.res.AvgDelay,
		float64(r.CPUPerExchange().Nanoseconds())/1000)
}

// measure starts a fresh server, offers load for d, and reads the server's
// CPU time just before and just after perfdhcp runs.
func measure(l *benchLab, s server, family int, mode string, rate int, d time.Duration, clients int) (row, error) {
	dir, err := os.MkdirTemp(l.dir, s.name+"-")
	if err != nil {
		return row{}, err
	}
	c, err := s.start(l, dir)
	if err != nil {
		return row{}, err
	}
	defer stop(c)
	args := []string{"-" + strconv.Itoa(family), "-p", strconv.Itoa(int(d.Seconds())), "-R", strconv.Itoa(clients)}
	if rate > 0 {
		args = append(args, "-r", strconv.Itoa(rate))
	}
	if family == 4 {
		// A unicast server address makes perfdhcp act as a relay (giaddr set).
		args = append(args, "198.18.0.1")
	} else {
		args = append(args, "-e", mode, "-l", l.clientIf)
	}
	before, pluginsBefore, err := treeCPU(c.Process.Pid)
	if err != nil {
		return row{}, err
	}
	out, runErr := l.cmd(l.clientNS, 1, "perfdhcp", args...).CombinedOutput()
	after, pluginsAfter, err := treeCPU(c.Process.Pid)
	if err != nil {
		return row{}, fmt.Errorf("server exited during the run: %w", err)
	}
	res, err := parsePerfdhcp(out)
	if err != nil {
		// perfdhcp exits non-zero when drops occur; only missing statistics are fatal.
		return row{}, fmt.Errorf("%v (perfdhcp: %v)", err, runErr)
	}
	r := row{server: s.name, mode: mode, offered: rate, res: res, cpu: after - before, plugins: pluginsAfter - pluginsBefore}
	if s.hook != nil {
		r.server, r.hook = s.name+"+"+s.hook.name, s.hook.name
	}
	return r, nil
}

func printTable(w io.Writer, family int, rows []row) {
	kind := "DORA"
	if family == 6 {
		kind = "SARR"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "server\tmode\toffered/s\tachieved %s/s\tdrops %%\tavg delay ms\tCPU µs/%s\t\n", kind, kind)
	for _, r := range rows {
		mode := r.mode
		if mode == "" {
			mode = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%.2f\t%.3f\t%.1f\t\n", r.server, mode, rateName(r.offered),
			r.res.Rate, r.res.DropPercent(), r.res.AvgDelay, float64(r.CPUPerExchange().Nanoseconds())/1000)
	}
	tw.Flush()
}

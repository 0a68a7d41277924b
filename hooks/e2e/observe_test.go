package e2e

import (
	"bufio"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// observerSleep is how long the observer takes per event: far longer than
// a DORA, so a packet that waited for it would show.
const observerSleep = 30 * time.Millisecond

// TestObserverUnderLoad: perfdhcp runs DORA exchanges while a plugin
// observes leases4_committed (observe-only) and takes 30 ms per event. The
// packets never wait for it: the ACKs come back in well under 30 ms on
// average and nearly all exchanges complete. With the default queue
// (4096 events) the observer receives every committed lease afterwards,
// one event each, with the outcome continue. With "observer-buffer": 16
// and an observer stuck for seconds per event the queue overflows, and the
// server counts and logs the events lost instead of slowing down. (Events
// already written to the plugin's socket are not in the queue: the socket
// buffer holds a few hundred more, so that case offers twice the load.)
func TestObserverUnderLoad(t *testing.T) {
	t.Parallel()
	netlab.RequireTool(t, "perfdhcp")
	for _, tc := range []struct {
		name     string
		settings daemontest.Obj
		sleep    time.Duration // per event
		rate     int           // DORAs per second, for 3 s
		lossy    bool
	}{
		{"default queue", nil, observerSleep, 100, false},
		{"small queue", daemontest.Obj{"observer-buffer": 16}, 2 * time.Second, 200, true},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, 90*time.Second)
			d := s.serve(daemontest.V4, s.config4With(params{Observe: []string{"leases4_committed"},
				Rules: []rule{{Point: "leases4_committed", SleepMS: int(tc.sleep / time.Millisecond)}}}, tc.settings))
			rows := s.perfdhcp(tc.rate)
			want := map[string]int{}
			for _, r := range rows {
				want[r.Addr.String()]++
			}
			if tc.lossy {
				waitLog(t, s.ctx, d, `observer queue full, event lost.*point=leases4_committed.*observer_buffer=16`)
				if cs := s.recorded(); len(cs) >= len(rows) {
					t.Errorf("%d events reached the observer through a queue of 16 for %d leases committed", len(cs), len(rows))
				}
				return
			}
			cs := s.waitCalls("an event per committed lease", func(cs []record.Call) bool { return len(cs) >= len(rows) })
			got := map[string]int{}
			for _, c := range cs {
				if c.Point != "leases4_committed" || c.Mode != "observe" || c.Outcome != "continue" || len(c.Leases) != 1 {
					t.Errorf("unexpected call: %+v", c)
					continue
				}
				got[c.Leases[0].Addr]++
			}
			if len(cs) != len(rows) || len(got) != len(want) {
				t.Errorf("%d events for %d addresses; the lease file has %d rows for %d addresses", len(cs), len(got), len(rows), len(want))
			}
			for a, n := range want {
				if got[a] != n {
					t.Errorf("%s: %d events, %d lease file rows", a, got[a], n)
				}
			}
		})
	}
}

// perfdhcp runs 3 s of DORA exchanges at rate per second from 50
// clients, checks that nearly all complete and that the ACKs did not wait
// for the observer (observerSleep or slower), and returns the lease file's
// rows.
func (s *setup) perfdhcp(rate int) []daemontest.Lease4 {
	t := s.t
	t.Helper()
	c := s.lab.FirstClient()
	if err := s.lab.AddAddr(s.ctx, c.NS, c.If, netip.MustParsePrefix("192.0.2.50/24")); err != nil {
		t.Fatal(err)
	}
	// A unicast server address makes perfdhcp a relay (giaddr 192.0.2.50):
	// replies come back unicast. 50 clients stay within the pool of 100.
	out, err := s.lab.Run(s.ctx, c.NS, "perfdhcp", "-4", "-r", strconv.Itoa(rate), "-R", "50", "-p", "3", s.lab.ServerAddr4.Addr().String())
	st, perr := parsePerf(out)
	if perr != nil {
		t.Fatalf("perfdhcp: %v (%v):\n%s", perr, err, out)
	}
	t.Logf("perfdhcp: %d DISCOVERs, %d ACKs, REQUEST-ACK average delay %.3f ms", st.started, st.acked, st.delayMS)
	if st.started < rate || float64(st.acked) < 0.95*float64(st.started) {
		t.Errorf("perfdhcp completed %d of %d exchanges; want at least 95%%:\n%s", st.acked, st.started, out)
	}
	if st.delayMS >= float64(observerSleep/time.Millisecond) {
		t.Errorf("average REQUEST-ACK delay %.3f ms: the ACKs waited for the %v observer", st.delayMS, observerSleep)
	}
	rows, err := daemontest.Rows4(s.lf)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// perfStats is what the tests read from perfdhcp's report.
type perfStats struct {
	started, acked int     // DISCOVERs sent, ACKs received
	delayMS        float64 // REQUEST-ACK average delay
}

// parsePerf reads perfdhcp -4's report: one "Statistics for:" block per
// stage, the first for DISCOVER-OFFER, the second for REQUEST-ACK.
func parsePerf(out []byte) (perfStats, error) {
	var st perfStats
	stage := -1
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "***Statistics for") {
			stage++
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok || stage < 0 {
			continue
		}
		f, _, _ := strings.Cut(strings.TrimSpace(val), " ")
		switch {
		case key == "sent packets" && stage == 0:
			st.started, _ = strconv.Atoi(f)
		case key == "received packets" && stage == 1:
			st.acked, _ = strconv.Atoi(f)
		case key == "avg delay" && stage == 1:
			st.delayMS, _ = strconv.ParseFloat(f, 64)
		}
	}
	if stage < 1 {
		return st, errNoStats
	}
	return st, nil
}

var errNoStats = errors.New("no REQUEST-ACK statistics in its output")

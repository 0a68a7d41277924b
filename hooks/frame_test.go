package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "github.com/leasehold/leasehold/hooks/proto"
)

// linkPair is two socketLinks joined by a socketpair, as host and plugin
// are.
func linkPair(t *testing.T) (host, plugin *socketLink) {
	t.Helper()
	hc, cf, err := socketPair()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.FileConn(cf)
	_ = cf.Close()
	if err != nil {
		t.Fatal(err)
	}
	host, plugin = newSocketLink(hc, 0), newSocketLink(pc, 0)
	t.Cleanup(func() { _ = host.close(); _ = plugin.close() })
	return host, plugin
}

func eventFrame(seq uint64, size int) *pb.Frame {
	return &pb.Frame{Kind: &pb.Frame_Event{Event: &pb.Event{Seq: seq, Args: &pb.Args{Query: bytes.Repeat([]byte{byte(seq)}, size)}}}}
}

// Frames of every size arrive whole and in order, the large ones written
// in parts while the other side reads (the raw write waits in the
// netpoller when the socket is full).
func TestSocketLinkFrames(t *testing.T) {
	host, plugin := linkPair(t)
	sizes := []int{0, 1, 300, 70 << 10, 5, 3 << 20, 64<<10 - 40}
	errc := make(chan error, 1)
	go func() {
		for i, n := range sizes {
			if err := host.send(eventFrame(uint64(i+1), n)); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for i, n := range sizes {
		var f pb.Frame
		if err := plugin.recv(&f); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		ev := f.GetEvent()
		if ev == nil || ev.Seq != uint64(i+1) || len(ev.Args.GetQuery()) != n {
			t.Fatalf("frame %d: got seq %d with %d bytes, want seq %d with %d", i, ev.GetSeq(), len(ev.GetArgs().GetQuery()), i+1, n)
		}
		if n > 0 && !bytes.Equal(ev.Args.Query, bytes.Repeat([]byte{byte(i + 1)}, n)) {
			t.Fatalf("frame %d: content changed", i)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// A reader spinning for a frame gets it whether it comes while it spins
// or after, when it waits in the netpoller.
func TestSocketLinkSpin(t *testing.T) {
	host, plugin := linkPair(t)
	for _, tc := range []struct {
		name        string
		spin, delay time.Duration
	}{
		{"within the spin", time.Second, 5 * time.Millisecond},
		{"after the spin", time.Millisecond, 30 * time.Millisecond},
		{"no spin", 0, 5 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			go func() {
				time.Sleep(tc.delay)
				_ = plugin.send(eventFrame(7, 10))
			}()
			body, err := host.recvRaw(tc.spin)
			if err != nil {
				t.Fatal(err)
			}
			_, ok := onlyField(body, fieldFrameEvent)
			if !ok {
				t.Fatalf("got %x, want the event frame", body)
			}
		})
	}
}

// A read deadline ends the wait without breaking the link, and a closed
// peer is an error on write (no SIGPIPE) and EOF on read.
func TestSocketLinkDeadlineAndClose(t *testing.T) {
	host, plugin := linkPair(t)
	if err := host.setReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := host.recvRaw(5 * time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want a deadline error", err)
	}
	_ = host.setReadDeadline(time.Time{})
	if err := plugin.send(eventFrame(1, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := host.recvRaw(0); err != nil {
		t.Fatalf("read after a missed deadline: %v", err)
	}

	_ = plugin.close()
	if _, err := host.recvRaw(0); !errors.Is(err, io.EOF) {
		t.Errorf("read from a closed peer: %v, want EOF", err)
	}
	var err error
	for range 3 { // the first write may still land in the dead socket
		if err = host.send(eventFrame(2, 1)); err != nil {
			break
		}
	}
	if !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write to a closed peer: %v, want EPIPE", err)
	}
}

func TestSpinFor(t *testing.T) {
	far := time.Now().Add(time.Second)
	for _, tc := range []struct {
		name     string
		spin     time.Duration
		inflight int32
		rtt      time.Duration
		deadline time.Time
		want     time.Duration // -1: more than 0, at most the time to the deadline
	}{
		{"alone, fast replies", 50 * time.Microsecond, 1, 20 * time.Microsecond, far, 50 * time.Microsecond},
		{"others in flight", 50 * time.Microsecond, 2, 20 * time.Microsecond, far, 0},
		{"slow replies", 50 * time.Microsecond, 1, 80 * time.Microsecond, far, 0},
		{"turned off", -1, 1, 0, far, 0},
		{"deadline first", time.Second, 1, 0, time.Now().Add(20 * time.Millisecond), -1},
	} {
		proc := &pluginProc{spin: tc.spin}
		proc.inflight.Store(tc.inflight)
		proc.rtt.Store(int64(tc.rtt))
		got := proc.spinFor(tc.deadline)
		if tc.want >= 0 && got != tc.want || tc.want < 0 && (got <= 0 || got > 20*time.Millisecond) {
			t.Errorf("%s: spinFor = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Spinning follows the plugin: replies slower than the spin turn it off,
// fast ones keep it on.
func TestReplySpinFollowsRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		params string
		spins  bool
	}{
		{`{"sync": ["pkt4_receive"]}`, true},
		{`{"sync": ["pkt4_receive"], "sleep-ms": 10}`, false},
	} {
		m := newManager(t, pluginConfig(t, tc.params, LibrarySettings{ReplySpin: 5 * time.Millisecond, Deadline: time.Second}))
		for i := range 20 {
			m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, uint32(i), 1)})
		}
		if st := m.Stats()[0]; st.Errors != 0 {
			t.Fatalf("%s: %d calls failed", tc.params, st.Errors)
		}
		proc := m.state.Load().libs[0].lib.(*pluginLib).cur.Load()
		proc.inflight.Add(1) // as a caller about to wait
		spin := proc.spinFor(time.Now().Add(time.Second))
		proc.inflight.Add(-1)
		if (spin > 0) != tc.spins {
			t.Errorf("%s: after 20 calls averaging %v, spin %v; want spinning %v",
				tc.params, time.Duration(proc.rtt.Load()), spin, tc.spins)
		}
	}
}

// A host pinned to one CPU does not spin: its plugin would wait for the
// spinning caller's CPU. The pinned host is this test binary run again
// under taskset, given the plugin built here.
func TestReplySpinOffOnOneCPU(t *testing.T) {
	spinOf := func(plugin string) time.Duration {
		m := newManager(t, Config{Logger: quietLogger(), Libraries: []LibraryConfig{{
			Library: plugin, Parameters: json.RawMessage(`{"sync": ["pkt4_receive"]}`)}}})
		return m.state.Load().libs[0].lib.(*pluginLib).cur.Load().spin
	}
	if plugin := os.Getenv(pinnedPluginEnv); plugin != "" {
		if n := cpusAllowed(); n != 1 {
			t.Fatalf("pinned run sees %d CPUs", n)
		}
		if spin := spinOf(plugin); spin != 0 {
			t.Errorf("on one CPU: spin %v, want none", spin)
		}
		return
	}
	if cpusAllowed() < 2 {
		t.Skip("needs two CPUs to compare")
	}
	plugin := testPlugin(t)
	if spin := spinOf(plugin); spin != DefaultReplySpin {
		t.Errorf("on %d CPUs: spin %v, want %v", cpusAllowed(), spin, DefaultReplySpin)
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Skip("no taskset to pin a host with")
	}
	cmd := exec.Command(taskset, "-c", "0", os.Args[0], "-test.run=^TestReplySpinOffOnOneCPU$", "-test.v")
	cmd.Env = append(os.Environ(), pinnedPluginEnv+"="+plugin)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestReplySpinOffOnOneCPU") {
		t.Fatalf("pinned run: %v\n%s", err, out)
	}
}

const pinnedPluginEnv = "LEASEHOLD_HOOKS_TEST_PINNED_PLUGIN"

// A plugin that misses its deadlines stops the spinning too: the missed
// call counts as a round trip of the whole deadline.
func TestReplySpinOffAfterTimeouts(t *testing.T) {
	m := newManager(t, pluginConfig(t, `{"sync": ["pkt4_receive"], "sleep-ms": 20}`,
		LibrarySettings{ReplySpin: 5 * time.Millisecond, Deadline: 10 * time.Millisecond}))
	const calls = 8 // the average moves 1/8 of the way per call: 10 ms*(1-(7/8)^8) = 6.6 ms
	for i := range calls {
		m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, uint32(i), 1)})
	}
	if st := m.Stats()[0]; st.Timeouts != calls {
		t.Fatalf("%d timeouts, want %d", st.Timeouts, calls)
	}
	proc := m.state.Load().libs[0].lib.(*pluginLib).cur.Load()
	if rtt := time.Duration(proc.rtt.Load()); rtt <= 5*time.Millisecond {
		t.Errorf("after %d missed 10 ms deadlines the average round trip is %v, want over the 5 ms spin", calls, rtt)
	}
}

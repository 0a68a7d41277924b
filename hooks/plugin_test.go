package hooks

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// pluginConfig is a Config with one test plugin entry.
func pluginConfig(t testing.TB, params string, settings LibrarySettings) Config {
	return Config{Logger: quietLogger(), Libraries: []LibraryConfig{{
		Library: testPlugin(t), Parameters: json.RawMessage(params), Settings: settings}}}
}

func TestPluginLoadAndSteps(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport.name, func(t *testing.T) {
			logs := &logBuffer{}
			cfg := pluginConfig(t, `{"sync": ["pkt4_receive"], "step": "drop"}`, LibrarySettings{GRPCStream: transport.grpc})
			cfg.Logger = slogTo(logs)
			m := newManager(t, cfg)
			if !m.Enabled(Pkt4Receive) || m.Enabled(Pkt4Send) {
				t.Fatal("registration not taken from the plugin")
			}
			for i := range 3 {
				if got := m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, uint32(i), 1)}); got != Drop {
					t.Fatalf("call %d: %s, want drop", i, got)
				}
			}
			// Lines printed before the handshake are logged, not fatal.
			if !strings.Contains(logs.String(), "hello from init") {
				t.Errorf("pre-handshake stdout not logged; logs:\n%s", logs)
			}
		})
	}
}

func TestPluginChanges(t *testing.T) {
	subs := testSubnets4()
	for _, tt := range []struct {
		name, params string
		invalid      uint64
		check        func(t *testing.T, a *Args)
	}{
		{"lease lifetime", `{"sync": ["lease4_select"], "lease-lifetime": 777}`, 0, func(t *testing.T, a *Args) {
			if a.Lease4.ValidLifetime != 777 {
				t.Errorf("lifetime = %d, want 777", a.Lease4.ValidLifetime)
			}
		}},
		{"address outside the subnet", `{"sync": ["lease4_select"], "lease-addr": "203.0.113.5"}`, 1, func(t *testing.T, a *Args) {
			if a.Lease4.Addr != netip.MustParseAddr("192.0.2.10") {
				t.Errorf("refused address kept: %v", a.Lease4.Addr)
			}
		}},
		{"address inside the subnet", `{"sync": ["lease4_select"], "lease-addr": "192.0.2.77"}`, 0, func(t *testing.T, a *Args) {
			if a.Lease4.Addr != netip.MustParseAddr("192.0.2.77") {
				t.Errorf("address = %v", a.Lease4.Addr)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, pluginConfig(t, tt.params, LibrarySettings{}))
			l := testLease4()
			a := &Args{Query: packet4(1, 5, 3), Subnets4: subs, Subnet4: &subs[0], Lease4: l}
			m.Call(context.Background(), Lease4Select, a)
			if a.Lease4 != l {
				t.Error("the server's lease value was replaced instead of updated")
			}
			if got := m.Stats()[0].Invalid; got != tt.invalid {
				t.Errorf("invalid changes = %d, want %d", got, tt.invalid)
			}
			tt.check(t, a)
		})
	}
	t.Run("response xid change refused", func(t *testing.T) {
		m := newManager(t, pluginConfig(t, `{"sync": ["pkt4_send"], "response-xid-flip": true}`, LibrarySettings{}))
		resp := packet4(2, 0x01020304, 5)
		a := &Args{Response: resp}
		m.Call(context.Background(), Pkt4Send, a)
		if m.Stats()[0].Invalid != 1 || !sameBytes(a.Response, resp) {
			t.Error("a response with another xid was accepted")
		}
	})
}

func TestPluginRejectsParameters(t *testing.T) {
	_, err := New(context.Background(), pluginConfig(t, `{"reject": "parameter \"name\" must be an absolute path"}`, LibrarySettings{}))
	if err == nil || !strings.Contains(err.Error(), `parameter "name" must be an absolute path`) {
		t.Fatalf("New error = %v, want the plugin's message", err)
	}
	if !strings.Contains(err.Error(), "hooks-libraries[0]") {
		t.Errorf("error %q does not name the library", err)
	}
}

// A plugin that dies while loading fails the configuration with an error
// that says so: the library, the exit status and its last stderr lines.
func TestPluginExitsAtLoad(t *testing.T) {
	for _, tt := range []struct {
		name, params string
		want         []string
	}{
		{"exit", `{"exit-at-load": true}`, []string{"exited during load (exit status 7)",
			"last stderr lines: ", "testplugin: exiting at load, as asked"}},
		{"panic", `{"panic-at-load": true}`, []string{"exited during load (exit status 2)",
			"panic: testplugin: panic at load, as asked"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			cfg := pluginConfig(t, tt.params, LibrarySettings{})
			_, err := New(context.Background(), cfg)
			if err == nil {
				t.Fatal("a plugin that exits at load was accepted")
			}
			if time.Since(start) > pluginLoadTimeout {
				t.Errorf("took %v to notice", time.Since(start))
			}
			t.Logf("error: %v", err)
			for _, want := range append(tt.want, "plugin "+cfg.Libraries[0].Library+" exited") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
		})
	}
}

func TestPluginChecksum(t *testing.T) {
	path := testPlugin(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	cfg := pluginConfig(t, `{"sync": ["pkt4_receive"]}`, LibrarySettings{SHA256: sum[:]})
	m := newManager(t, cfg)
	_ = m
	wrong := sha256.Sum256([]byte("not the plugin"))
	_, err = New(context.Background(), pluginConfig(t, `{}`, LibrarySettings{SHA256: wrong[:]}))
	if err == nil || !strings.Contains(err.Error(), "does not match") || !strings.Contains(err.Error(), hex.EncodeToString(wrong[:])) {
		t.Errorf("wrong checksum: error %v", err)
	}
}

func TestPluginCrashRestart(t *testing.T) {
	logs := &logBuffer{}
	cfg := pluginConfig(t, `{"sync": ["pkt4_receive"], "step": "drop", "panic-on-call": 3}`,
		LibrarySettings{FailurePolicy: Continue, Deadline: time.Second})
	cfg.Logger = slogTo(logs)
	m := newManager(t, cfg)
	call := func() NextStep { return m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, 1, 1)}) }
	for i := 1; i <= 2; i++ {
		if got := call(); got != Drop {
			t.Fatalf("call %d: %s, want drop", i, got)
		}
	}
	if got := call(); got != Continue { // the plugin dies: failure policy
		t.Fatalf("call 3: %s, want continue (failure policy)", got)
	}
	if got := call(); got != Continue { // still restarting
		t.Errorf("call during restart: %s, want continue", got)
	}
	waitFor(t, "the restart", 10*time.Second, func() bool { return m.Stats()[0].Restarts == 1 })
	if got := call(); got != Drop {
		t.Errorf("after restart: %s, want drop", got)
	}
	if !strings.Contains(logs.String(), "panic on call 3") {
		t.Errorf("the plugin's panic is not in the log:\n%s", logs)
	}
}

func TestPluginDeadline(t *testing.T) {
	m := newManager(t, pluginConfig(t, `{"sync": ["pkt4_receive"], "sleep-ms": 400}`,
		LibrarySettings{FailurePolicy: Drop, Deadline: 30 * time.Millisecond}))
	start := time.Now()
	if got := m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, 1, 1)}); got != Drop {
		t.Errorf("late plugin: %s, want drop (failure policy)", got)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("caller waited %v, deadline is 30ms", d)
	}
	st := m.Stats()[0]
	if st.Timeouts != 1 || st.Restarts != 0 {
		t.Errorf("stats %+v: want 1 timeout and no restart", st)
	}
}

func TestPluginHungIsRestarted(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "froze")
	cfg := pluginConfig(t, fmt.Sprintf(`{"sync": ["pkt4_receive"], "step": "skip", "freeze-on-call": 1, "marker": %q}`, marker),
		LibrarySettings{Deadline: 30 * time.Millisecond, PingInterval: 100 * time.Millisecond})
	logs := &logBuffer{}
	cfg.Logger = slogTo(logs)
	defer func() {
		if t.Failed() {
			t.Log(logs)
		}
	}()
	m := newManager(t, cfg)
	if got := m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, 1, 1)}); got != Continue {
		t.Errorf("call to a frozen plugin: %s, want continue", got)
	}
	waitFor(t, "the frozen plugin to be replaced", 10*time.Second, func() bool { return m.Stats()[0].Restarts == 1 })
	if got := m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, 2, 1)}); got != Skip {
		t.Errorf("after restart: %s, want skip", got)
	}
}

func TestPluginPark(t *testing.T) {
	for _, tt := range []struct {
		step string
		want NextStep
	}{{"continue", Continue}, {"drop", Drop}} {
		t.Run(tt.step, func(t *testing.T) {
			m := newManager(t, pluginConfig(t, fmt.Sprintf(`{"sync": ["leases4_committed"], "step": "park", "park-resume-ms": 20, "park-resume-step": %q}`, tt.step), LibrarySettings{}))
			done := make(chan NextStep, 1)
			a := &Args{Query: packet4(1, 1, 3), Response: packet4(2, 1, 5), Leases4: []lease.Lease4{*testLease4()}, DeletedLeases4: []lease.Lease4{}}
			if got := m.CallParkable(context.Background(), Leases4Committed, a, func(s NextStep, _ *Args) { done <- s }); got != Park {
				t.Fatalf("CallParkable = %s, want park", got)
			}
			select {
			case s := <-done:
				if s != tt.want {
					t.Errorf("resumed with %s, want %s", s, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the plugin never resumed the packet")
			}
		})
	}
}

func TestPluginObserverOrder(t *testing.T) {
	recFile := filepath.Join(t.TempDir(), "events")
	m, err := New(context.Background(), pluginConfig(t, fmt.Sprintf(`{"observe": ["leases4_committed"], "record": %q}`, recFile), LibrarySettings{}))
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := range n {
		l := testLease4()
		l.CLTT = int64(i)
		m.Call(context.Background(), Leases4Committed, &Args{Leases4: []lease.Lease4{*l}, DeletedLeases4: []lease.Lease4{}})
	}
	if lost := m.Stats()[0].ObserverLost; lost != 0 {
		t.Errorf("lost %d events with the default buffer", lost)
	}
	waitFor(t, "all events recorded", 20*time.Second, func() bool { return len(readCLTTs(t, recFile)) == n })
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, c := range readCLTTs(t, recFile) {
		if c != int64(i) {
			t.Fatalf("event %d has cltt %d: out of order", i, c)
		}
	}
}

func TestPluginObserverLoss(t *testing.T) {
	recFile := filepath.Join(t.TempDir(), "events")
	m := newManager(t, pluginConfig(t, fmt.Sprintf(`{"observe": ["leases4_committed"], "record": %q, "observe-sleep-ms": 2}`, recFile),
		LibrarySettings{ObserverBuffer: 8}))
	start := time.Now()
	const n = 20000
	for i := range n {
		l := testLease4()
		l.CLTT = int64(i)
		m.Call(context.Background(), Leases4Committed, &Args{Leases4: []lease.Lease4{*l}, DeletedLeases4: []lease.Lease4{}})
	}
	elapsed := time.Since(start)
	lost := m.Stats()[0].ObserverLost
	if lost == 0 {
		t.Fatal("a slow observer lost nothing: the buffer is not bounded")
	}
	if elapsed > 5*time.Second {
		t.Errorf("%d calls took %v: the slow observer held the packet path", n, elapsed)
	}
	time.Sleep(100 * time.Millisecond)
	got := readCLTTs(t, recFile)
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("events out of order: %d after %d", got[i], got[i-1])
		}
	}
	t.Logf("%d calls in %v, %d events lost, %d delivered so far", n, elapsed, lost, len(got))
}

func readCLTTs(t testing.TB, path string) []int64 {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			continue
		}
		c, err := strconv.ParseInt(fields[3], 10, 64)
		if err != nil {
			t.Fatalf("record line %q: %v", sc.Text(), err)
		}
		out = append(out, c)
	}
	return out
}

// runTestHost is the host process of TestNoOrphans: it loads the plugin,
// says so, and waits to be killed.
func runTestHost(plugin string) int {
	m, err := New(context.Background(), Config{Logger: quietLogger(), Libraries: []LibraryConfig{{
		Library: plugin, Parameters: json.RawMessage(`{"sync": ["pkt4_receive"]}`)}}})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	_ = m
	fmt.Println("ready")
	select {}
}

func TestNoOrphans(t *testing.T) {
	plugin := testPlugin(t)
	host := exec.Command(os.Args[0], "-test.run=^$")
	host.Env = append(os.Environ(), "LEASEHOLD_HOOKS_TEST_HOST="+plugin)
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	defer host.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("host said %q, %v", line, err)
	}
	kids := childrenOf(host.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("host has children %v, want one plugin", kids)
	}
	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	waitFor(t, "the plugin to die with its host", 5*time.Second, func() bool { return !alive(kids[0]) })
}

// A slow callout must not hold the calls behind it: the plugin hands the
// reading to another goroutine.
func TestPluginSlowCalloutDoesNotBlockOthers(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			m := newManager(t, pluginConfig(t, `{"sync": ["pkt4_receive"], "step": "skip", "slow-xid": 1}`,
				LibrarySettings{Deadline: time.Second, GRPCStream: tr.grpc}))
			slow := make(chan NextStep)
			go func() { slow <- m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, 1, 1)}) }()
			time.Sleep(20 * time.Millisecond) // let the slow call reach the plugin first
			start := time.Now()
			for i := range 10 {
				if got := m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, uint32(100+i), 1)}); got != Skip {
					t.Fatalf("fast call %d: %s", i, got)
				}
			}
			if d := time.Since(start); d > 200*time.Millisecond {
				t.Errorf("10 fast calls took %v behind a 300ms callout", d)
			}
			if got := <-slow; got != Skip {
				t.Errorf("slow call: %s", got)
			}
		})
	}
}

func TestPluginProtocolVersionMismatch(t *testing.T) {
	path := plugins.Build(t, "./testdata/plugins/futureplugin")
	_, err := New(context.Background(), Config{Logger: quietLogger(), Libraries: []LibraryConfig{{Library: path}}})
	if err == nil || !strings.Contains(err.Error(), "99") {
		t.Fatalf("New error = %v, want a protocol version error naming the plugin's version", err)
	}
	t.Logf("error: %v", err)
}

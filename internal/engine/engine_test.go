package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	client = netip.MustParseAddrPort("192.0.2.10:68")
	server = netip.MustParseAddrPort("192.0.2.1:67")
)

// echo replies with the request's bytes, asking for a sync when the first
// byte is 's'.
func echo(in, out *Packet) Verdict {
	out.Buf = append(out.Buf[:0], in.Data()...)
	out.N, out.Dst, out.IfIndex = len(out.Buf), in.Src, in.IfIndex
	if in.N > 0 && in.Buf[0] == 's' {
		return Send | NeedSync
	}
	return Send
}

// startEngine runs an engine until the test ends; wait returns Run's
// result (it may be called more than once).
func startEngine(t *testing.T, cfg Config) (e *Engine, cancel context.CancelFunc, wait func() error) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var runErr error
	go func() {
		runErr = e.Run(ctx)
		close(done)
	}()
	wait = func() error {
		select {
		case <-done:
			return runErr
		case <-time.After(20 * time.Second):
			t.Error("engine did not stop")
			return nil
		}
	}
	t.Cleanup(func() {
		cancel()
		wait()
	})
	return e, cancel, func() error { <-done; return runErr }
}

func recv(t *testing.T, c *MemConn) Packet {
	t.Helper()
	select {
	case p := <-c.Sent():
		return p
	case <-time.After(20 * time.Second):
		t.Fatal("no packet sent")
		return Packet{}
	}
}

func TestEngineRepliesAfterSync(t *testing.T) {
	c := NewMemConn(16, 16)
	var synced atomic.Int32
	_, _, _ = startEngine(t, Config{Conn: c, Handler: echo, Sync: func(context.Context) error {
		synced.Add(1)
		return nil
	}})
	tests := []struct {
		name      string
		data      string
		wantSyncs int32
	}{
		{"no sync needed", "offer", 0},
		{"sync before reply", "sack", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := synced.Load()
			c.Inject([]byte(tt.data), client, server, 3)
			p := recv(t, c)
			if string(p.Data()) != tt.data || p.Dst != client || p.IfIndex != 3 {
				t.Errorf("sent %q to %v on %d, want %q to %v on 3", p.Data(), p.Dst, p.IfIndex, tt.data, client)
			}
			if got := synced.Load() - before; got != tt.wantSyncs {
				t.Errorf("syncs = %d, want %d", got, tt.wantSyncs)
			}
		})
	}
}

// A failed sync must keep back the replies that promise leases, and only
// those.
func TestEngineSyncFailure(t *testing.T) {
	c := NewMemConn(16, 16)
	block := make(chan struct{})
	e, _, _ := startEngine(t, Config{Conn: c, Handler: echo, BatchSize: 8, Sync: func(context.Context) error {
		<-block
		return errors.New("disk gone")
	}})
	// Queue both before the reader starts so they land in one batch.
	c.Inject([]byte("sack"), client, server, 1)
	c.Inject([]byte("offer"), client, server, 1)
	close(block)
	p := recv(t, c)
	if string(p.Data()) != "offer" {
		t.Errorf("sent %q, want only the offer", p.Data())
	}
	waitFor(t, func() bool { return e.Stats().SyncErrors == 1 })
	select {
	case p := <-c.Sent():
		t.Errorf("unexpected send %q", p.Data())
	case <-time.After(50 * time.Millisecond):
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}

// With the committer stuck in a sync, the reader fills every batch, then
// drops and counts; memory stays bounded.
func TestEngineOverloadDrops(t *testing.T) {
	c := NewMemConn(1024, 1024)
	block := make(chan struct{})
	var once sync.Once
	e, _, _ := startEngine(t, Config{Conn: c, Handler: echo, BatchSize: 2, Queue: 1,
		Sync: func(context.Context) error { <-block; return nil }})
	defer once.Do(func() { close(block) })
	// Queue 1 + 2 in flight = 3 batches of 2 can be held; the rest drop.
	for i := range 20 {
		c.Inject([]byte("s"), client, server, 1)
		if i%2 == 1 {
			time.Sleep(5 * time.Millisecond) // let the reader take batches of two
		}
	}
	waitFor(t, func() bool { return e.Stats().Received == 20 })
	st := e.Stats()
	if st.Overload == 0 || st.Handled+st.Overload != 20 || st.Handled > 6 {
		t.Fatalf("stats %+v: want handled ≤ 6 and the rest counted as overload", st)
	}
	once.Do(func() { close(block) })
	waitFor(t, func() bool { return e.Stats().Sent == st.Handled })
}

func TestEngineRecoversPanic(t *testing.T) {
	c := NewMemConn(16, 16)
	e, _, _ := startEngine(t, Config{Conn: c, Handler: func(in, out *Packet) Verdict {
		if in.Buf[0] == 'p' {
			panic("boom")
		}
		return echo(in, out)
	}})
	c.Inject([]byte("panic"), client, server, 1)
	c.Inject([]byte("fine"), client, server, 1)
	if p := recv(t, c); string(p.Data()) != "fine" {
		t.Errorf("sent %q, want fine", p.Data())
	}
	if st := e.Stats(); st.Panics != 1 {
		t.Errorf("panics = %d, want 1", st.Panics)
	}
}

// Stopping finishes the batches already read: synced, then sent.
func TestEngineStopFinishesInFlight(t *testing.T) {
	c := NewMemConn(16, 16)
	started := make(chan struct{})
	release := make(chan struct{})
	var synced atomic.Bool
	_, cancel, wait := startEngine(t, Config{Conn: c, Handler: echo, Sync: func(context.Context) error {
		close(started)
		<-release
		synced.Store(true)
		return nil
	}})
	c.Inject([]byte("sack"), client, server, 1)
	<-started
	cancel()
	returned := make(chan error, 1)
	go func() { returned <- wait() }()
	select {
	case err := <-returned:
		t.Fatalf("Run returned (%v) before the in-flight batch was synced", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if p := recv(t, c); string(p.Data()) != "sack" || !synced.Load() {
		t.Errorf("sent %q synced=%v, want the reply after the sync", p.Data(), synced.Load())
	}
	if err := <-returned; err != nil {
		t.Errorf("Run = %v, want nil after a stop", err)
	}
}

func TestEngineRawFallsBackToBroadcast(t *testing.T) {
	tests := []struct {
		name    string
		noRaw   bool
		hwLen   uint8
		wantRaw bool
	}{
		{"raw frame", false, 6, true},
		{"no raw support", true, 6, false},
		{"unknown hardware", false, 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewMemConn(4, 4)
			c.NoRaw = tt.noRaw
			yiaddr := netip.MustParseAddrPort("192.0.2.50:68")
			startEngine(t, Config{Conn: c, Handler: func(in, out *Packet) Verdict {
				echo(in, out)
				out.Dst, out.Raw, out.HWLen = yiaddr, true, tt.hwLen
				return Send
			}})
			c.Inject([]byte("offer"), client, server, 2)
			p := recv(t, c)
			wantDst := yiaddr
			if !tt.wantRaw {
				wantDst = netip.AddrPortFrom(Broadcast4, 68)
			}
			if p.Raw != tt.wantRaw || p.Dst != wantDst {
				t.Errorf("raw=%v dst=%v, want raw=%v dst=%v", p.Raw, p.Dst, tt.wantRaw, wantDst)
			}
		})
	}
}

// Replies leave in the order their requests arrived, across batches that
// needed a sync and batches that did not.
func TestEngineKeepsOrder(t *testing.T) {
	c := NewMemConn(256, 256)
	startEngine(t, Config{Conn: c, Handler: echo, BatchSize: 3, Queue: 32, Sync: func(context.Context) error {
		time.Sleep(time.Millisecond)
		return nil
	}})
	var want []string
	for i := range 60 {
		d := string([]byte{'o', byte(i)})
		if i%3 == 0 {
			d = string([]byte{'s', byte(i)})
		}
		want = append(want, d)
		c.Inject([]byte(d), client, server, 1)
	}
	for i, w := range want {
		if p := recv(t, c); string(p.Data()) != w {
			t.Fatalf("reply %d = %q, want %q", i, p.Data(), w)
		}
	}
}

func TestEngineRunTwice(t *testing.T) {
	e, err := New(Config{Conn: NewMemConn(1, 1), Handler: echo})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Run(ctx); err != nil {
		t.Fatalf("Run with a cancelled context = %v, want nil", err)
	}
	if err := e.Run(ctx); err == nil {
		t.Error("second Run succeeded")
	}
}

func TestNewNeedsConnAndHandler(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without Conn and Handler succeeded")
	}
}

// SyncInterval spaces syncs out: packets arriving within an interval share
// one sync, and a lone packet after a quiet period is synced at once; with
// the committer and with the reader syncing inline.
func TestEngineSyncInterval(t *testing.T) {
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) {
			c := NewMemConn(256, 256)
			var syncs atomic.Int32
			_, _, _ = startEngine(t, Config{Conn: c, Handler: echo, Queue: 32, SyncInterval: 50 * time.Millisecond,
				SyncInline: inline, Sync: func(context.Context) error { syncs.Add(1); return nil }})
			start := time.Now()
			c.Inject([]byte("s0"), client, server, 1)
			recv(t, c)
			if d := time.Since(start); d > 40*time.Millisecond {
				t.Errorf("first reply after %v: a sync after a quiet period must not wait", d)
			}
			for i := range 10 {
				c.Inject([]byte{'s', byte('1' + i)}, client, server, 1)
				time.Sleep(3 * time.Millisecond)
			}
			for i := range 10 {
				if p := recv(t, c); p.Data()[1] != byte('1'+i) {
					t.Errorf("reply %d is %q: out of order", i, p.Data())
				}
			}
			if n := syncs.Load(); n > 3 {
				t.Errorf("%d syncs for 11 packets within about 80 ms, want at most 3 with a 50 ms interval", n)
			}
		})
	}
}

// With SyncInline, a window whose arrivals fill the batch does not hold
// the next batch: a sleeping reader takes one batch per window, which must
// not cap a busy server's throughput.
func TestEngineSyncIntervalBacklog(t *testing.T) {
	c := NewMemConn(64, 64)
	const window = 300 * time.Millisecond
	_, _, _ = startEngine(t, Config{Conn: c, Handler: echo, BatchSize: 4, SyncInterval: window,
		SyncInline: true, Sync: func(context.Context) error { return nil }})
	c.Inject([]byte("s0"), client, server, 1)
	recv(t, c) // the first sync, not held: nothing was synced before
	// One packet starts a held batch; five more arrive during its window:
	// s1-s4 end the window in one batch, s5-s6 follow, not held.
	c.Inject([]byte("s1"), client, server, 1)
	time.Sleep(window / 10)
	for i := range 5 {
		c.Inject([]byte{'s', byte('2' + i)}, client, server, 1)
	}
	var at time.Time
	for i := range 6 {
		if p := recv(t, c); p.Data()[1] != byte('1'+i) {
			t.Fatalf("reply %q, want s%d", p.Data(), i+1)
		}
		if i == 3 {
			at = time.Now()
		}
	}
	if d := time.Since(at); d > window*2/3 {
		t.Errorf("the batch after a full window came %v later: it was held", d)
	}
}

func TestEngineSyncInline(t *testing.T) {
	c := NewMemConn(16, 16)
	var syncs atomic.Int32
	e, _, _ := startEngine(t, Config{Conn: c, Handler: echo, SyncInline: true,
		Sync: func(context.Context) error { syncs.Add(1); return nil }})
	c.Inject([]byte("sack"), client, server, 1)
	if p := recv(t, c); string(p.Data()) != "sack" || syncs.Load() != 1 {
		t.Errorf("sent %q after %d syncs", p.Data(), syncs.Load())
	}
	if st := e.Stats(); st.Batches != 0 {
		t.Errorf("%d batches went to the committer", st.Batches)
	}
}

package hooks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

func TestObserverOrderAndOutcome(t *testing.T) {
	rec := &recorder{}
	dropper := &fakeLib{name: "dropper", reg: Registration{Leases4Committed: Sync},
		fn: func(_ Point, a *Args) (NextStep, error) {
			if a.Leases4[0].CLTT%10 == 0 {
				return Drop, nil
			}
			return Continue, nil
		}}
	obs := &fakeLib{name: "obs", reg: Registration{Leases4Committed: Observe},
		fn: func(_ Point, a *Args) (NextStep, error) {
			rec.add(fmt.Sprintf("%d %s", a.Leases4[0].CLTT, a.Outcome))
			return Drop, nil // ignored: observers cannot change the outcome
		}}
	m, err := New(context.Background(), linked(dropper, obs))
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := range n {
		a := &Args{Leases4: []lease.Lease4{{CLTT: int64(i)}}, DeletedLeases4: []lease.Lease4{}}
		want := Continue
		if i%10 == 0 {
			want = Drop
		}
		if got := m.Call(context.Background(), Leases4Committed, a); got != want {
			t.Fatalf("call %d: %s, want %s", i, got, want)
		}
	}
	if err := m.Close(context.Background()); err != nil { // delivers what is queued
		t.Fatal(err)
	}
	got := rec.get()
	if len(got) != n {
		t.Fatalf("observer got %d events, want %d", len(got), n)
	}
	for i, line := range got {
		want := fmt.Sprintf("%d continue", i)
		if i%10 == 0 {
			want = fmt.Sprintf("%d drop", i)
		}
		if line != want {
			t.Fatalf("event %d = %q, want %q", i, line, want)
		}
	}
}

func TestObserverLossCounted(t *testing.T) {
	release := make(chan struct{})
	obs := &fakeLib{name: "slow", reg: Registration{Leases4Committed: Observe},
		fn: func(Point, *Args) (NextStep, error) { <-release; return Continue, nil }}
	cfg := linked(obs)
	cfg.Libraries[0].Settings.ObserverBuffer = 4
	logs := &logBuffer{}
	cfg.Logger = slogTo(logs)
	m := newManager(t, cfg)
	start := time.Now()
	for range 100 {
		m.Call(context.Background(), Leases4Committed, &Args{})
	}
	if time.Since(start) > time.Second {
		t.Error("a full observer queue blocked the packet path")
	}
	// The buffer bounds the events in flight, the one the blocked observer
	// holds included: 4 got through.
	if lost := m.Stats()[0].ObserverLost; lost != 96 {
		t.Errorf("lost = %d, want 96", lost)
	}
	if !strings.Contains(logs.String(), "observer queue full") {
		t.Error("loss not logged")
	}
	q := m.state.Load().libs[0].obs
	if n := q.inFlight(); n != 4 {
		t.Errorf("%d events in flight, want 4", n)
	}
	close(release)
	waitFor(t, "the credits to come back", time.Second, func() bool { return q.inFlight() == 0 })
}

func TestObserverBackPressure(t *testing.T) {
	release := make(chan struct{})
	obs := &fakeLib{name: "slow", reg: Registration{Pkt4Send: Observe},
		fn: func(Point, *Args) (NextStep, error) { <-release; return Continue, nil }}
	cfg := linked(obs)
	cfg.Libraries[0].Settings = LibrarySettings{ObserverBuffer: 2, ObserverBlock: true, Deadline: 20 * time.Millisecond}
	m := newManager(t, cfg)
	m.Call(context.Background(), Pkt4Send, &Args{}) // taken by the observer, which blocks
	waitFor(t, "the observer to take the first event", time.Second, func() bool { return len(m.state.Load().libs[0].obs.ch) == 0 })
	m.Call(context.Background(), Pkt4Send, &Args{}) // fills the buffer
	start := time.Now()
	m.Call(context.Background(), Pkt4Send, &Args{}) // waits for room, then gives up
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Errorf("block policy returned after %v, want about the 20ms deadline", d)
	}
	if lost := m.Stats()[0].ObserverLost; lost != 1 {
		t.Errorf("lost = %d, want 1", lost)
	}
	close(release)
}

func TestLibraryConfigJSON(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		check   func(t *testing.T, c LibraryConfig)
	}{
		{in: `{"library": "/x", "parameters": {"a": [1, 2]}}`, check: func(t *testing.T, c LibraryConfig) {
			if c.Library != "/x" || string(c.Parameters) != `{"a": [1, 2]}` {
				t.Errorf("got %+v", c)
			}
			if s := c.Settings.withDefaults(); s.Deadline != DefaultDeadline || s.FailurePolicy != Continue || s.ObserverBuffer != DefaultObserverBuffer ||
				s.ObserverLinger != DefaultObserverLinger || s.ReplySpin != DefaultReplySpin {
				t.Errorf("defaults = %+v", s)
			}
		}},
		{in: `{"library": "/x", "leasehold": {"deadline-ms": 25, "failure-policy": "drop", "observer-buffer": 8,
			"observer-overflow": "block", "observer-linger-ms": 3, "reply-spin-us": 20, "ping-interval-ms": 500, "restart-backoff-max-ms": 2000, "transport": "grpc",
			"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}`,
			check: func(t *testing.T, c LibraryConfig) {
				s := c.Settings
				if s.Deadline != 25*time.Millisecond || s.FailurePolicy != Drop || s.ObserverBuffer != 8 || !s.ObserverBlock || s.ObserverLinger != 3*time.Millisecond ||
					s.ReplySpin != 20*time.Microsecond || s.PingInterval != 500*time.Millisecond || s.RestartBackoffMax != 2*time.Second || !s.GRPCStream || len(s.SHA256) != 32 {
					t.Errorf("settings = %+v", s)
				}
			}},
		{in: `{"library": "/x", "leasehold": {"observer-linger-ms": 0}}`, check: func(t *testing.T, c LibraryConfig) {
			if s := c.Settings.withDefaults(); s.ObserverLinger >= 0 {
				t.Errorf("observer-linger-ms 0 gives linger %v, want none (negative)", s.ObserverLinger)
			}
		}},
		{in: `{"library": "/x", "leasehold": {"observer-linger-ms": -1}}`, wantErr: `observer-linger-ms must not be negative`},
		{in: `{"library": "/x", "leasehold": {"reply-spin-us": 0}}`, check: func(t *testing.T, c LibraryConfig) {
			if s := c.Settings.withDefaults(); s.ReplySpin >= 0 {
				t.Errorf("reply-spin-us 0 gives spin %v, want none (negative)", s.ReplySpin)
			}
		}},
		{in: `{"library": "/x", "leasehold": {"reply-spin-us": -5}}`, wantErr: `reply-spin-us must not be negative`},
		{in: `{"parameters": {}}`, wantErr: `"library" is missing`},
		{in: `{"library": "/x", "param": {}}`, wantErr: `unknown field "param"`},
		{in: `{"library": "/x", "leasehold": {"deadline": 5}}`, wantErr: `unknown field "deadline"`},
		{in: `{"library": "/x", "leasehold": {"failure-policy": "skip"}}`, wantErr: `failure-policy "skip"`},
		{in: `{"library": "/x", "leasehold": {"deadline-ms": 0}}`, wantErr: `deadline-ms must be positive`},
		{in: `{"library": "/x", "leasehold": {"sha256": "abc"}}`, wantErr: `not 64 hex digits`},
		{in: `{"library": "/x", "leasehold": {"observer-overflow": "wait"}}`, wantErr: `observer-overflow "wait"`},
	}
	for _, tt := range tests {
		var c LibraryConfig
		err := json.Unmarshal([]byte(tt.in), &c)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		tt.check(t, c)
	}
}

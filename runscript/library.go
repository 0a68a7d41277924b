package runscript

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/hooks"
)

// Options configure a Library beyond its Kea parameters.
type Options struct {
	// Logger receives the library's messages and the scripts' output;
	// nil means the logger the host hands Load (hooks.Logger): a
	// hooks.Manager's, with the library's name, when linked; the host's
	// log, through slog's default, in a plugin.
	Logger *slog.Logger
	// Getenv reads the server's environment, for the scripts directory
	// variables; nil means os.Getenv. Nothing else is read from it: the
	// scripts never see the server's environment.
	Getenv func(string) string
}

// Library is the run_script hook library. Give each hooks-libraries entry
// its own Library. It may be loaded again while loaded (a reconfiguration
// loads the new configuration before unloading the old one): calls then go
// to the newest load, and each Unload ends the oldest.
type Library struct {
	opts Options

	mu   sync.Mutex
	gens []*instance // loaded, oldest first
	cur  atomic.Pointer[instance]
}

var _ hooks.Library = (*Library)(nil)

// New returns an unloaded Library.
func New(opts Options) *Library {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	return &Library{opts: opts}
}

// instance is one load of the library: its parameters, counters and pool.
type instance struct {
	params Params
	log    *slog.Logger
	stats  counters
	pool   *pool         // async mode
	slots  chan struct{} // sync mode: one token per running script
	bufs   sync.Pool     // *scratch
}

// scratch is what building one environment reuses.
type scratch struct {
	e    env
	m4   dhcp4.Message
	pk6  dhcp6.Packet
	info packetInfo
}

// Load parses the parameters, checks the script, and registers the 13
// points of Kea's run_script: observe-only (asynchronous, as Kea) or, with
// "sync": true, synchronous.
func (l *Library) Load(ctx context.Context, raw json.RawMessage) (hooks.Registration, error) {
	p, err := ParseParams(raw, l.opts.Getenv)
	if err != nil {
		return nil, err
	}
	log := l.opts.Logger
	if log == nil {
		log = hooks.Logger(ctx)
	}
	in := &instance{params: p, log: log.With("hook_library", "run_script", "script", p.Name)}
	in.bufs.New = func() any { return new(scratch) }
	mode := hooks.Observe
	if p.Sync {
		mode = hooks.Sync
		in.slots = make(chan struct{}, p.MaxConcurrent)
	} else {
		in.pool = newPool(in)
	}
	l.mu.Lock()
	l.gens = append(l.gens, in)
	l.cur.Store(in)
	l.mu.Unlock()
	reg := make(hooks.Registration, len(points))
	for _, pt := range points {
		reg[pt] = mode
	}
	in.log.Info("run_script loaded", "sync", p.Sync, "max_concurrent", p.MaxConcurrent,
		"queue_size", p.QueueSize, "timeout", p.Timeout, "allowed_dir", p.AllowedDir)
	return reg, nil
}

// Callout builds the point's environment and runs the script: queued in
// async mode (it never waits), waited for in sync mode, where the script's
// answer is the next step.
func (l *Library) Callout(ctx context.Context, p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	in := l.cur.Load()
	if in == nil {
		return hooks.Continue, errors.New("run_script: not loaded")
	}
	if !handled(p) {
		return hooks.Continue, nil
	}
	// Kea's callouts do nothing when an earlier library already chose
	// SKIP or DROP; an observe-only call learns that from Outcome, the
	// status at run_script's place in the library order (a sync call is
	// not made at all after such a library).
	if a.Outcome == hooks.Skip || a.Outcome == hooks.Drop {
		return hooks.Continue, nil
	}
	if !in.params.Sync {
		// A full queue drops the call before its environment is built: a
		// script that cannot keep up must cost the server as little as
		// possible.
		if in.pool.full() {
			in.pool.overflowed(p.String())
			return hooks.Continue, nil
		}
		in.pool.submit(job{point: p.String(), vars: in.environment(p, a)})
		return hooks.Continue, nil
	}
	return in.runSync(ctx, p.String(), in.environment(p, a)), nil
}

func (in *instance) environment(p hooks.Point, a *hooks.Args) []string {
	s := in.bufs.Get().(*scratch)
	s.e.vars = make([]string, 0, 64)
	s.e.build(p, a, infoFromArgs(a, &s.info), &s.m4, &s.pk6)
	vars := s.e.vars
	s.e.vars = nil
	in.bufs.Put(s)
	return vars
}

// runSync waits for a free slot and the script, both within the timeout.
func (in *instance) runSync(ctx context.Context, point string, vars []string) hooks.NextStep {
	ctx, cancel := context.WithTimeout(ctx, in.params.Timeout)
	defer cancel()
	select {
	case in.slots <- struct{}{}:
	case <-ctx.Done():
		in.stats.timeouts.Add(1)
		return in.decide(point, result{err: errors.New("no free slot before the timeout (max-concurrent scripts running)")})
	}
	in.stats.running.Add(1)
	r := in.run(ctx, point, vars, true)
	in.stats.running.Add(-1)
	<-in.slots
	return in.decide(point, r)
}

// Unload ends the oldest load: in async mode it waits, until ctx ends, for
// the queued calls to run (the rest are dropped and logged). Scripts still
// running are not killed, as in Kea; they are reaped when they end.
func (l *Library) Unload(ctx context.Context) error {
	l.mu.Lock()
	if len(l.gens) == 0 {
		l.mu.Unlock()
		return errors.New("run_script: Unload without Load")
	}
	in := l.gens[0]
	l.gens = l.gens[1:]
	var next *instance
	if len(l.gens) > 0 {
		next = l.gens[len(l.gens)-1]
	}
	l.cur.Store(next)
	l.mu.Unlock()
	if in.pool != nil {
		return in.pool.close(ctx)
	}
	return nil
}

// Stats are a load's counters.
type Stats struct {
	Started  uint64 // scripts started
	Failed   uint64 // scripts that could not be started
	NonZero  uint64 // runs that ended badly: non-zero status, signal, timeout
	Timeouts uint64 // runs (or waits for a slot, in sync mode) that hit the timeout
	Overflow uint64 // async calls dropped because the queue was full
	Running  int64  // scripts running now
	Queued   int64  // async calls waiting now
}

type counters struct {
	started, failed, nonZero, timeouts, overflow atomic.Uint64
	running, queued                              atomic.Int64
}

// Stats returns the counters of the current load (zero when not loaded).
func (l *Library) Stats() Stats {
	in := l.cur.Load()
	if in == nil {
		return Stats{}
	}
	c := &in.stats
	return Stats{
		Started: c.started.Load(), Failed: c.failed.Load(), NonZero: c.nonZero.Load(),
		Timeouts: c.timeouts.Load(), Overflow: c.overflow.Load(),
		Running: c.running.Load(), Queued: c.queued.Load(),
	}
}

func handled(p hooks.Point) bool {
	for _, q := range points {
		if q == p {
			return true
		}
	}
	return false
}

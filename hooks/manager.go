package hooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Manager holds the loaded hook libraries and calls them at hook points.
// A nil *Manager is valid and has no callouts, so a server without hooks
// pays one nil check per point. All methods are safe for concurrent use.
type Manager struct {
	log   *slog.Logger
	state atomic.Pointer[state]
	lot   *parkingLot

	reloadMu sync.Mutex // serialises Reload and Close
	linked   map[string]Library
	closed   bool
}

// state is one loaded configuration; Reload swaps it as a whole so a packet
// in flight keeps the libraries it started with.
type state struct {
	libs    []*loadedLib
	byPoint [numPoints][]hook
	mask    uint64 // bit p set when a callout (sync or observe) is at p
	sync    uint64 // bit p set when a synchronous callout is at p
}

type hook struct {
	lib  *loadedLib
	mode Mode
}

// loadedLib is a library with its settings and counters.
type loadedLib struct {
	name     string
	lib      Library
	settings LibrarySettings
	reg      Registration
	log      *slog.Logger
	obs      *observerQueue // nil without observe-only points
	errLog   rateLimited

	calls, errors, timeouts, invalid, lost atomic.Uint64
}

// LibraryStats are a library's counters since it was loaded.
type LibraryStats struct {
	Name         string
	Calls        uint64 // synchronous callouts made
	Errors       uint64 // callouts that failed (error, panic, plugin down), deadline misses included
	Timeouts     uint64 // callouts that missed their deadline
	Invalid      uint64 // changes refused by validation
	ObserverLost uint64 // observe-only events lost to a full queue
	Restarts     uint64 // plugin restarts
}

// New loads the configured libraries in order and returns a Manager that
// calls them. A library that fails to load (a missing executable, a plugin
// that exits or rejects its parameters) fails New with an error naming the
// library; libraries already loaded are unloaded again.
func New(ctx context.Context, cfg Config) (*Manager, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	m := &Manager{log: log, linked: cfg.Linked}
	m.lot = newParkingLot(m, cfg.ParkedPacketLimit, cfg.ParkTimeout)
	st, err := m.load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	m.state.Store(st)
	return m, nil
}

func (m *Manager) load(ctx context.Context, cfg Config) (*state, error) {
	st := &state{}
	for i, lc := range cfg.Libraries {
		l, err := m.loadOne(ctx, cfg, lc)
		if err != nil {
			m.unloadAll(ctx, st.libs)
			return nil, fmt.Errorf("hooks-libraries[%d] %q: %w", i, lc.Library, err)
		}
		st.libs = append(st.libs, l)
	}
	for _, l := range st.libs {
		for p := Point(1); p < numPoints; p++ {
			if mode, ok := l.reg[p]; ok {
				st.byPoint[p] = append(st.byPoint[p], hook{l, mode})
				st.mask |= 1 << p
				if mode == Sync {
					st.sync |= 1 << p
				}
			}
		}
	}
	return st, nil
}

func (m *Manager) loadOne(ctx context.Context, cfg Config, lc LibraryConfig) (*loadedLib, error) {
	l := &loadedLib{
		name:     lc.Library,
		settings: lc.Settings.withDefaults(),
		log:      m.log.With("library", lc.Library),
	}
	switch {
	case lc.Linked != nil:
		l.lib = lc.Linked
	case cfg.Linked[lc.Library] != nil:
		l.lib = cfg.Linked[lc.Library]
	default:
		p, err := newPluginLib(lc.Library, l.settings, l.log, m.lot)
		if err != nil {
			return nil, err
		}
		l.lib = p
	}
	reg, err := l.lib.Load(withLogger(ctx, l.log), lc.Parameters)
	if err != nil {
		return nil, err
	}
	if err := reg.validate(); err != nil {
		_ = l.lib.Unload(ctx)
		return nil, err
	}
	l.reg = reg
	for _, mode := range reg {
		if mode == Observe {
			l.obs = newObserverQueue(l)
			break
		}
	}
	if p, ok := l.lib.(*pluginLib); ok {
		p.attach(l)
	}
	l.log.Info("hook library loaded", "points", len(reg))
	return l, nil
}

// Reload loads cfg's libraries anew (as Kea does on every reconfiguration,
// even when the list did not change), switches to them, and unloads the
// old ones. If loading fails, the old libraries stay in force and the error
// names the library that failed.
func (m *Manager) Reload(ctx context.Context, cfg Config) error {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	if m.closed {
		return errors.New("hooks: Reload on a closed Manager")
	}
	if cfg.Linked == nil {
		cfg.Linked = m.linked
	}
	st, err := m.load(ctx, cfg)
	if err != nil {
		return err
	}
	m.linked = cfg.Linked
	old := m.state.Swap(st)
	m.unloadAll(ctx, old.libs)
	return nil
}

// Close drops every parked packet, delivers what the observer queues hold
// (until ctx ends), and unloads the libraries in reverse order.
func (m *Manager) Close(ctx context.Context) error {
	if m == nil {
		return nil
	}
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	old := m.state.Swap(&state{})
	m.lot.dropAll()
	return m.unloadAll(ctx, old.libs)
}

func (m *Manager) unloadAll(ctx context.Context, libs []*loadedLib) error {
	var errs []error
	for i := len(libs) - 1; i >= 0; i-- {
		l := libs[i]
		if l.obs != nil {
			l.obs.close(ctx)
		}
		if err := l.lib.Unload(ctx); err != nil {
			errs = append(errs, fmt.Errorf("unload %q: %w", l.name, err))
		}
	}
	return errors.Join(errs...)
}

// Enabled reports whether any callout is registered at p: the one branch a
// server pays per point when no library handles it.
func (m *Manager) Enabled(p Point) bool {
	return m != nil && m.state.Load().mask&(1<<p) != 0
}

// MayPark reports whether a callout at p may park the packet: p is
// parkable and a synchronous callout is registered there (observe-only
// ones cannot park). A server that gets false need not keep copies of what
// a parked packet needs; CallParkable with a nil done then parks nothing.
func (m *Manager) MayPark(p Point) bool {
	return m != nil && p.Parkable() && m.state.Load().sync&(1<<p) != 0
}

// Stats returns each loaded library's counters, in configuration order.
func (m *Manager) Stats() []LibraryStats {
	if m == nil {
		return nil
	}
	st := m.state.Load()
	out := make([]LibraryStats, 0, len(st.libs))
	for _, l := range st.libs {
		s := LibraryStats{
			Name:         l.name,
			Calls:        l.calls.Load(),
			Errors:       l.errors.Load(),
			Timeouts:     l.timeouts.Load(),
			Invalid:      l.invalid.Load(),
			ObserverLost: l.lost.Load(),
		}
		if p, ok := l.lib.(*pluginLib); ok {
			s.Restarts = p.restarts.Load()
		}
		out = append(out, s)
	}
	return out
}

// rateLimited logs at most once per interval per key; the hot failure paths
// (a full observer queue, a dead plugin) would otherwise flood the log.
type rateLimited struct {
	last atomic.Int64
}

func (r *rateLimited) allow(every time.Duration) bool {
	now := time.Now().UnixNano()
	last := r.last.Load()
	return now-last >= int64(every) && r.last.CompareAndSwap(last, now)
}

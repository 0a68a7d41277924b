// Command testplugin is the hook plugin the hooks tests start. Its
// parameters choose how it misbehaves.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/leasehold/leasehold/hooks"
)

func init() {
	// Output before the handshake must not break loading (go-plugin #199).
	fmt.Println("testplugin: hello from init")
}

type params struct {
	Reject          string   `json:"reject"`
	ExitAtLoad      bool     `json:"exit-at-load"`
	PanicAtLoad     bool     `json:"panic-at-load"`
	LogAtLoad       []string `json:"log-at-load"` // level names; one line at each
	PanicOnCall     int64    `json:"panic-on-call"`
	FreezeOnCall    int64    `json:"freeze-on-call"`
	SleepMS         int      `json:"sleep-ms"`
	Step            string   `json:"step"`
	Sync            []string `json:"sync"`
	Observe         []string `json:"observe"`
	ParkResumeMS    int      `json:"park-resume-ms"`
	ParkResumeStep  string   `json:"park-resume-step"`
	Record          string   `json:"record"`
	ObserveSleepMS  int      `json:"observe-sleep-ms"`
	ObserveWaitFile string   `json:"observe-wait-file"` // observe-only callouts wait until it exists
	LeaseLifetime   uint32   `json:"lease-lifetime"`
	LeaseAddr       string   `json:"lease-addr"`
	ResponseXIDFlip bool     `json:"response-xid-flip"`
	Marker          string   `json:"marker"`
	SlowXID         uint32   `json:"slow-xid"`
}

type lib struct {
	p     params
	step  hooks.NextStep
	calls atomic.Int64
	mu    sync.Mutex
	rec   *os.File
}

func (l *lib) Load(_ context.Context, raw json.RawMessage) (hooks.Registration, error) {
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &l.p); err != nil {
			return nil, fmt.Errorf("testplugin parameters: %w", err)
		}
	}
	if l.p.Reject != "" {
		return nil, errors.New(l.p.Reject)
	}
	for _, name := range l.p.LogAtLoad {
		var level slog.Level
		if err := level.UnmarshalText([]byte(name)); err != nil {
			return nil, err
		}
		slog.Log(context.Background(), level, "testplugin: logged at "+name)
	}
	if l.p.ExitAtLoad {
		slog.Error("testplugin: exiting at load, as asked")
		os.Exit(7)
	}
	if l.p.PanicAtLoad {
		// Outside the RPC's goroutine, so that nothing recovers it.
		go panic("testplugin: panic at load, as asked")
		time.Sleep(time.Second)
	}
	var err error
	if l.step, err = hooks.ParseNextStep(or(l.p.Step, "continue")); err != nil {
		return nil, err
	}
	if l.p.Record != "" {
		if l.rec, err = os.OpenFile(l.p.Record, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return nil, err
		}
	}
	reg := hooks.Registration{}
	for _, names := range []struct {
		list []string
		mode hooks.Mode
	}{{l.p.Sync, hooks.Sync}, {l.p.Observe, hooks.Observe}} {
		for _, n := range names.list {
			p, err := hooks.ParsePoint(n)
			if err != nil {
				return nil, err
			}
			reg[p] = names.mode
		}
	}
	return reg, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// firstLife reports whether this is the first process to misbehave: the
// marker file makes a restarted plugin behave.
func (l *lib) firstLife() bool {
	if l.p.Marker == "" {
		return true
	}
	f, err := os.OpenFile(l.p.Marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func (l *lib) Callout(ctx context.Context, p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	if a.Outcome != hooks.Continue || l.isObserved(p) {
		return l.observe(p, a)
	}
	n := l.calls.Add(1)
	if n == l.p.PanicOnCall && l.firstLife() {
		// A panic outside the callout's goroutine is not recovered by the
		// SDK: the process dies, as a crashing plugin would.
		go panic(fmt.Sprintf("testplugin: panic on call %d", n))
		time.Sleep(time.Second)
	}
	if n == l.p.FreezeOnCall && l.firstLife() {
		_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
		time.Sleep(time.Second) // the stop may take effect a moment later
	}
	if l.p.SlowXID != 0 && len(a.Query) > 8 && binary.BigEndian.Uint32(a.Query[4:]) == l.p.SlowXID {
		time.Sleep(300 * time.Millisecond)
	}
	if l.p.SleepMS > 0 {
		time.Sleep(time.Duration(l.p.SleepMS) * time.Millisecond)
	}
	if l.p.LeaseLifetime != 0 && a.Lease4 != nil {
		a.Lease4.ValidLifetime = l.p.LeaseLifetime
	}
	if l.p.LeaseAddr != "" && a.Lease4 != nil {
		a.Lease4.Addr = mustAddr(l.p.LeaseAddr)
	}
	if l.p.ResponseXIDFlip && len(a.Response) > 8 {
		a.Response[4] ^= 0xff
	}
	if l.step == hooks.Park && a.Park.Valid() {
		h := a.Park
		go func() {
			time.Sleep(time.Duration(l.p.ParkResumeMS) * time.Millisecond)
			st, _ := hooks.ParseNextStep(or(l.p.ParkResumeStep, "continue"))
			_ = h.Resume(hooks.Unpark{Step: st})
		}()
	}
	return l.step, nil
}

func (l *lib) isObserved(p hooks.Point) bool {
	for _, n := range l.p.Observe {
		if n == p.String() {
			return true
		}
	}
	return false
}

func (l *lib) observe(p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	if l.p.ObserveSleepMS > 0 {
		time.Sleep(time.Duration(l.p.ObserveSleepMS) * time.Millisecond)
	}
	for l.p.ObserveWaitFile != "" {
		if _, err := os.Stat(l.p.ObserveWaitFile); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if l.rec != nil {
		var addr, cltt string
		if len(a.Leases4) > 0 {
			addr, cltt = a.Leases4[0].Addr.String(), fmt.Sprint(a.Leases4[0].CLTT)
		}
		l.mu.Lock()
		fmt.Fprintf(l.rec, "%s %s %s %s\n", p, a.Outcome, addr, cltt)
		l.mu.Unlock()
	}
	return hooks.Continue, nil
}

func (l *lib) Unload(context.Context) error {
	if l.rec != nil {
		return l.rec.Close()
	}
	return nil
}

func main() {
	fmt.Println("testplugin: hello from main")
	hooks.ServePlugin(&lib{})
}

func mustAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// Command recorder is the hook plugin of the e2e tests. It registers for
// every DHCPv4 and DHCPv6 hook point (or those its parameters name),
// appends one JSON line per callout to a file (package record), and its
// parameters make it misbehave on purpose:
//
//	{
//	  "file": "/tmp/calls.jsonl",        // required: where calls are recorded
//	  "points": ["pkt4_receive"],         // registered synchronous
//	  "observe": ["leases4_committed"],   // registered observe-only
//	                                      // (neither: every point, synchronous)
//	  "rules": [{"point": "pkt4_receive", "query": "DHCPDISCOVER",
//	             "step": "drop", "times": 1, "sleep-ms": 0,
//	             "resume-ms": 0, "resume-step": "continue"}],
//	  "panic-on-call": 3,                 // panic in the 3rd synchronous callout
//	  "crash-on-call": 3,                 // panic outside it: the process dies
//	  "exit-at-load": 4,                  // exit with this status in Load
//	  "reject": "message"                 // Load fails with this message
//	}
//
// A rule applies to calls at its point (and of its query's message type,
// when given), at most times times (0: always): it sleeps sleep-ms, then
// returns step; a "park" step is resumed resume-ms later with resume-step.
// At an observe-only point only the sleep counts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
)

func main() { hooks.ServePlugin(&recorder{}) }

type params struct {
	File        string   `json:"file"`
	Points      []string `json:"points"`
	Observe     []string `json:"observe"`
	Rules       []rule   `json:"rules"`
	PanicOnCall int64    `json:"panic-on-call"`
	CrashOnCall int64    `json:"crash-on-call"`
	ExitAtLoad  int      `json:"exit-at-load"`
	Reject      string   `json:"reject"`
}

type rule struct {
	Point      string `json:"point"`
	Query      string `json:"query"`
	Step       string `json:"step"`
	Times      int64  `json:"times"`
	SleepMS    int    `json:"sleep-ms"`
	ResumeMS   int    `json:"resume-ms"`
	ResumeStep string `json:"resume-step"`

	point        hooks.Point
	step, resume hooks.NextStep
	used         atomic.Int64
}

type recorder struct {
	p     params
	calls atomic.Int64
	mu    sync.Mutex // one line per write, whole
	out   *os.File
}

func (r *recorder) Load(_ context.Context, raw json.RawMessage) (hooks.Registration, error) {
	if err := hooks.DecodeParameters(raw, &r.p); err != nil {
		return nil, fmt.Errorf("recorder parameters: %w", err)
	}
	if r.p.Reject != "" {
		return nil, errors.New(r.p.Reject)
	}
	if r.p.ExitAtLoad != 0 {
		fmt.Fprintf(os.Stderr, "recorder: exiting with status %d at load, as told\n", r.p.ExitAtLoad)
		os.Exit(r.p.ExitAtLoad)
	}
	if r.p.File == "" {
		return nil, errors.New("recorder parameters: file is required")
	}
	for i := range r.p.Rules {
		if err := r.p.Rules[i].compile(); err != nil {
			return nil, fmt.Errorf("recorder parameters: rules[%d]: %w", i, err)
		}
	}
	reg := hooks.Registration{}
	if len(r.p.Points) == 0 && len(r.p.Observe) == 0 {
		for _, p := range hooks.Points() {
			reg[p] = hooks.Sync
		}
	}
	for _, list := range []struct {
		names []string
		mode  hooks.Mode
	}{{r.p.Points, hooks.Sync}, {r.p.Observe, hooks.Observe}} {
		for _, n := range list.names {
			p, err := hooks.ParsePoint(n)
			if err != nil {
				return nil, fmt.Errorf("recorder parameters: %w", err)
			}
			reg[p] = list.mode
		}
	}
	var err error
	if r.out, err = os.OpenFile(r.p.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		return nil, fmt.Errorf("recorder: %w", err)
	}
	return reg, nil
}

func (ru *rule) compile() error {
	var err error
	if ru.point, err = hooks.ParsePoint(ru.Point); err != nil {
		return err
	}
	if ru.step, err = hooks.ParseNextStep(or(ru.Step, "continue")); err != nil {
		return err
	}
	ru.resume, err = hooks.ParseNextStep(or(ru.ResumeStep, "continue"))
	return err
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (r *recorder) Callout(ctx context.Context, p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	c := record.FromArgs(p, a)
	c.PID, c.Time, c.Mode = os.Getpid(), time.Now().UnixNano(), "sync"
	if r.observed(p) {
		c.Mode, c.Outcome, c.Step = "observe", a.Outcome.String(), hooks.Continue.String()
		if ru := r.match(p, c.Query); ru != nil && ru.SleepMS > 0 {
			time.Sleep(time.Duration(ru.SleepMS) * time.Millisecond)
		}
		return hooks.Continue, r.write(&c)
	}
	c.N = r.calls.Add(1)
	ru := r.match(p, c.Query)
	step := hooks.Continue
	if ru != nil {
		step = ru.step
	}
	c.Step = step.String()
	c.Panic = c.N == r.p.PanicOnCall || c.N == r.p.CrashOnCall
	if err := r.write(&c); err != nil {
		return hooks.Continue, err
	}
	if c.N == r.p.PanicOnCall {
		panic(fmt.Sprintf("recorder: panic on call %d (%s), as told", c.N, p))
	}
	if c.N == r.p.CrashOnCall {
		// The SDK recovers a panic in the callout; one on another
		// goroutine kills the process, as a crashing plugin would.
		go panic(fmt.Sprintf("recorder: crash on call %d (%s), as told", c.N, p))
		select {}
	}
	if ru == nil {
		return hooks.Continue, nil
	}
	if ru.SleepMS > 0 {
		slog.InfoContext(ctx, "recorder: sleeping", "point", p.String(), "ms", ru.SleepMS)
		time.Sleep(time.Duration(ru.SleepMS) * time.Millisecond)
	}
	if step == hooks.Park && a.Park.Valid() {
		h, resume, after := a.Park, ru.resume, time.Duration(ru.ResumeMS)*time.Millisecond
		slog.InfoContext(ctx, "recorder: parked", "point", p.String(), "resume_after", after.String(), "resume_step", resume.String())
		time.AfterFunc(after, func() {
			err := h.Resume(hooks.Unpark{Step: resume})
			slog.Info("recorder: resumed", "point", p.String(), "step", resume.String(), "error", err)
		})
	} else if step != hooks.Continue {
		slog.InfoContext(ctx, "recorder: next step", "point", p.String(), "query", c.Query, "step", step.String())
	}
	return step, nil
}

func (r *recorder) observed(p hooks.Point) bool {
	for _, n := range r.p.Observe {
		if n == p.String() {
			return true
		}
	}
	return false
}

// match returns the first rule for point p and query type q with uses
// left, taking one use.
func (r *recorder) match(p hooks.Point, q string) *rule {
	for i := range r.p.Rules {
		ru := &r.p.Rules[i]
		if ru.point != p || (ru.Query != "" && ru.Query != q) {
			continue
		}
		if ru.Times > 0 && ru.used.Add(1) > ru.Times {
			continue
		}
		return ru
	}
	return nil
}

func (r *recorder) write(c *record.Call) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err = r.out.Write(append(b, '\n'))
	return err
}

func (r *recorder) Unload(context.Context) error {
	if r.out != nil {
		return r.out.Close()
	}
	return nil
}

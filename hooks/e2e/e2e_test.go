package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
	"github.com/leasehold/leasehold/internal/plugintest"
)

const (
	pkg4     = "github.com/leasehold/leasehold/cmd/leasehold-dhcp4"
	pkg6     = "github.com/leasehold/leasehold/cmd/leasehold-dhcp6"
	recorder = "github.com/leasehold/leasehold/hooks/e2e/testplugins/recorder"
)

var plugins plugintest.Builder

func TestMain(m *testing.M) {
	flag.Parse()
	// The tests spend their time waiting for client timers and lease
	// lifetimes, not on the CPU: let more of them wait at once than the
	// default of one per core, unless -test.parallel was given.
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", "8")
	}
	code := m.Run()
	plugins.RemoveAll()
	daemontest.Cleanup()
	os.Exit(code)
}

// setup is one test's lab, with the recorder plugin built.
type setup struct {
	t      *testing.T
	lab    *netlab.Lab
	ctx    context.Context
	plugin string // the recorder's executable
	calls  string // the file it records calls in
	lf     string // the lease file
	d      *daemontest.Daemon
}

func newSetup(t *testing.T, d time.Duration) *setup {
	t.Helper()
	if k, err := daemontest.ServerKind(); err != nil {
		t.Fatal(err)
	} else if k != daemontest.Leasehold {
		t.Skip("LEASEHOLD_E2E_SERVER=kea: these tests load a leasehold plugin, which Kea cannot")
	}
	netlab.RequireTool(t, "dhclient")
	lab := netlab.NewT(t, netlab.Options{Prefix: "lhL"})
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return &setup{t: t, lab: lab, ctx: ctx, plugin: plugins.Build(t, recorder),
		calls: filepath.Join(lab.Dir, "calls.jsonl"), lf: filepath.Join(lab.Dir, "leases.csv")}
}

// params are the recorder's parameters; File is filled in by library.
type params struct {
	File        string   `json:"file,omitempty"`
	Points      []string `json:"points,omitempty"`
	Observe     []string `json:"observe,omitempty"`
	Rules       []rule   `json:"rules,omitempty"`
	PanicOnCall int      `json:"panic-on-call,omitempty"`
	CrashOnCall int      `json:"crash-on-call,omitempty"`
	ExitAtLoad  int      `json:"exit-at-load,omitempty"`
	Reject      string   `json:"reject,omitempty"`
}

type rule struct {
	Point      string `json:"point"`
	Query      string `json:"query,omitempty"`
	Step       string `json:"step,omitempty"`
	Times      int    `json:"times,omitempty"`
	SleepMS    int    `json:"sleep-ms,omitempty"`
	ResumeMS   int    `json:"resume-ms,omitempty"`
	ResumeStep string `json:"resume-step,omitempty"`
}

// library is the hooks-libraries entry loading the recorder with p, and
// leasehold's per-library settings when given.
func (s *setup) library(p params, settings daemontest.Obj) daemontest.Obj {
	if p.File == "" && p.ExitAtLoad == 0 && p.Reject == "" {
		p.File = s.calls
	}
	b, err := json.Marshal(p)
	if err != nil {
		s.t.Fatal(err)
	}
	lib := daemontest.Obj{"library": s.plugin, "parameters": json.RawMessage(b)}
	if settings != nil {
		lib["leasehold"] = settings
	}
	return lib
}

// config4 is daemontest.Config4 for this lab with the recorder loaded.
func (s *setup) config4(p params) *daemontest.Config { return s.config4With(p, nil) }

func (s *setup) config4With(p params, settings daemontest.Obj) *daemontest.Config {
	cfg := daemontest.Config4(s.lab, s.lf)
	cfg.M["hooks-libraries"] = []any{s.library(p, settings)}
	return cfg
}

func (s *setup) config6(p params) *daemontest.Config {
	cfg := daemontest.Config6(s.lab, s.lf)
	cfg.M["hooks-libraries"] = []any{s.library(p, nil)}
	return cfg
}

func (s *setup) serve(f daemontest.Family, cfg *daemontest.Config) *daemontest.Daemon {
	s.t.Helper()
	pkg := pkg4
	if f == daemontest.V6 {
		pkg = pkg6
	}
	d := daemontest.Start(s.t, s.lab, f, pkg, cfg.JSON(s.t), daemontest.Options{})
	s.d = d
	return d
}

// dhclient starts dhclient (-6 when v6) on c.
func (s *setup) dhclient(c *netlab.Client, o netlab.ClientOptions) *netlab.DHCPClient {
	s.t.Helper()
	cl, err := s.lab.StartDHClient(c, o)
	if err != nil {
		s.t.Fatal(err)
	}
	return cl
}

// bound waits for cl's first lease and returns the event.
func (s *setup) bound(cl *netlab.DHCPClient, reasons ...string) netlab.ClientEvent {
	s.t.Helper()
	ev, err := cl.WaitEvent(s.ctx, reasons...)
	if err != nil {
		s.t.Fatalf("%s on %s: no %v event: %v", cl.Kind, cl.NS, reasons, err)
	}
	return ev
}

// waitCalls polls the recorded calls until ok accepts them.
func (s *setup) waitCalls(what string, ok func([]record.Call) bool) []record.Call {
	s.t.Helper()
	for {
		cs, err := record.Read(s.calls)
		if err != nil {
			s.t.Fatal(err)
		}
		if ok(cs) {
			return cs
		}
		select {
		case <-s.ctx.Done():
			s.t.Fatalf("recorded calls: %s: not seen before the deadline; calls:\n%s", what, dump(cs))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// calls returns what was recorded so far.
func (s *setup) recorded() []record.Call {
	s.t.Helper()
	cs, err := record.Read(s.calls)
	if err != nil {
		s.t.Fatal(err)
	}
	return cs
}

func dump(cs []record.Call) string {
	var b strings.Builder
	for _, c := range cs {
		j, _ := json.Marshal(c)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// at returns the calls at point p.
func at(cs []record.Call, p string) []record.Call {
	var out []record.Call
	for _, c := range cs {
		if c.Point == p {
			out = append(out, c)
		}
	}
	return out
}

// has reports whether a call at point p matches ok.
func has(p string, ok func(record.Call) bool) func([]record.Call) bool {
	return func(cs []record.Call) bool {
		for _, c := range at(cs, p) {
			if ok == nil || ok(c) {
				return true
			}
		}
		return false
	}
}

// exchange returns the points of the first complete pass of the query of
// type typ through the server: the synchronous calls with its xid from its
// first buffer receive to the first buffer send or to the next receive
// (a query that got no reply), so a retransmission does not count twice.
func exchange(cs []record.Call, typ string, recv, send string) ([]string, []record.Call) {
	var xid uint32
	start := -1
	for i, c := range cs {
		if c.Point == recv && c.Query == typ && c.Mode == "sync" {
			xid, start = c.XID, i
			break
		}
	}
	if start < 0 {
		return nil, nil
	}
	var names []string
	var got []record.Call
	for i, c := range cs[start:] {
		if c.XID != xid || c.Mode != "sync" {
			continue
		}
		if i > 0 && c.Point == recv {
			break
		}
		names = append(names, c.Point)
		got = append(got, c)
		if c.Point == send {
			break
		}
	}
	return names, got
}

// one returns the only call at point p among cs, failing the test if
// there is not exactly one.
func one(t *testing.T, cs []record.Call, p string) record.Call {
	t.Helper()
	got := at(cs, p)
	if len(got) != 1 {
		t.Fatalf("%d calls at %s, want 1; calls:\n%s", len(got), p, dump(cs))
	}
	return got[0]
}

// waitLog waits for a line of the daemon's output matching re.
func waitLog(t *testing.T, ctx context.Context, d *daemontest.Daemon, re string) string {
	t.Helper()
	l, err := d.Proc.WaitOutput(ctx, regexp.MustCompile(re))
	if err != nil {
		t.Fatalf("the server's log has no line matching %q: %v\n%s", re, err, d.Proc.Output())
	}
	return l
}

// noEvent checks that cl reports none of reasons within d.
func noEvent(t *testing.T, cl *netlab.DHCPClient, d time.Duration, reasons ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if ev, err := cl.WaitEvent(ctx, reasons...); err == nil {
		t.Fatalf("%s got %s (%v); want none within %v", cl.Kind, ev.Reason(), ev, d)
	}
}

func equal(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func strconvU(v uint64) string { return strconv.FormatUint(v, 10) }

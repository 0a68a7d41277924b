package hooks

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPointsStable(t *testing.T) {
	ps := Points()
	if len(ps) != 31 {
		t.Fatalf("Points() has %d points, want 31 (16 DHCPv4 + 15 DHCPv6)", len(ps))
	}
	// The numbers travel on the plugin protocol: they must never move.
	fixed := map[Point]uint8{Dhcp4SrvConfigured: 1, Pkt4Receive: 3, Leases4Committed: 10, Lease4Recover: 16,
		Dhcp6SrvConfigured: 17, Lease6Recover: 31}
	for p, n := range fixed {
		if uint8(p) != n {
			t.Errorf("%s = %d, want %d", p, uint8(p), n)
		}
	}
	for _, p := range ps {
		q, err := ParsePoint(p.String())
		if err != nil || q != p {
			t.Errorf("ParsePoint(%q) = %v, %v", p.String(), q, err)
		}
		if p.V6() != strings.Contains(p.String(), "6") {
			t.Errorf("%s: V6() = %v", p, p.V6())
		}
	}
	if _, err := ParsePoint("cb4_updated"); err == nil {
		t.Error("ParsePoint accepted a point leasehold does not have")
	}
}

func TestHonours(t *testing.T) {
	tests := []struct {
		p    Point
		s    NextStep
		want bool
	}{
		{Pkt4Receive, Skip, true},
		{Pkt4Receive, Drop, true},
		{Pkt4Receive, Park, false},
		{Lease4Select, Skip, true},
		{Lease4Select, Drop, false},
		{Leases4Committed, Park, true},
		{Leases4Committed, Skip, false},
		{Lease4Offer, Park, true},
		{Lease4ServerDecline, Drop, false},
		{Dhcp4SrvConfigured, Drop, true},
		{Pkt6Send, Skip, true},
		{Leases6Committed, Park, true},
		{Lease6Rebind, Skip, true},
		{Lease6Rebind, Drop, false},
		{Buffer6Send, Continue, true},
	}
	for _, tt := range tests {
		if got := tt.p.Honours(tt.s); got != tt.want {
			t.Errorf("%s.Honours(%s) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestNilManager(t *testing.T) {
	var m *Manager
	if m.Enabled(Pkt4Receive) {
		t.Error("nil Manager reports a callout")
	}
	if got := m.Call(context.Background(), Pkt4Receive, &Args{}); got != Continue {
		t.Errorf("nil Manager Call = %s", got)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Error(err)
	}
}

// MayPark: a synchronous callout at a parkable point, not an observer.
func TestMayPark(t *testing.T) {
	m := newManager(t, linked(
		&fakeLib{name: "observer", reg: Registration{Leases4Committed: Observe, Leases6Committed: Observe}},
		&fakeLib{name: "sync", reg: Registration{Leases6Committed: Sync, Lease4Offer: Sync, Pkt4Receive: Sync}}))
	for _, tc := range []struct {
		p    Point
		want bool
	}{
		{Leases4Committed, false}, // observers only
		{Leases6Committed, true},  // a sync callout beside the observer
		{Lease4Offer, true},
		{Pkt4Receive, false}, // sync, but not parkable
		{Lease6Renew, false}, // nothing registered
	} {
		if got := m.MayPark(tc.p); got != tc.want {
			t.Errorf("MayPark(%s) = %v, want %v", tc.p, got, tc.want)
		}
	}
	var nilM *Manager
	if nilM.MayPark(Leases4Committed) {
		t.Error("a nil Manager may park")
	}
}

func TestCallOrderAndUnloadOrder(t *testing.T) {
	rec := &recorder{}
	libs := []*fakeLib{
		{name: "a", reg: Registration{Pkt4Receive: Sync}, rec: rec},
		{name: "b", reg: Registration{Pkt4Receive: Sync, Pkt4Send: Sync}, rec: rec},
		{name: "c", reg: Registration{Pkt4Receive: Sync}, rec: rec},
	}
	m, err := New(context.Background(), linked(libs...))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Enabled(Pkt4Receive) || !m.Enabled(Pkt4Send) || m.Enabled(Lease4Select) {
		t.Fatal("Enabled does not match the registrations")
	}
	m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, 1, 1)})
	m.Call(context.Background(), Pkt4Send, &Args{})
	m.Call(context.Background(), Lease4Select, &Args{})
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"load a", "load b", "load c",
		"a pkt4_receive", "b pkt4_receive", "c pkt4_receive", "b pkt4_send",
		"unload c", "unload b", "unload a"}
	if got := rec.get(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls:\n got %q\nwant %q", got, want)
	}
}

func TestNextStepPerPoint(t *testing.T) {
	tests := []struct {
		p          Point
		step       NextStep
		want       NextStep
		secondRuns bool
	}{
		{Pkt4Receive, Drop, Drop, false},
		{Pkt4Receive, Skip, Skip, false},
		{Pkt4Receive, Park, Continue, true}, // not honoured there: Continue, as Kea
		{Lease4Select, Skip, Skip, false},
		{Lease4Select, Drop, Continue, true},
		{Lease4ServerDecline, Drop, Continue, true},
		{Subnet6Select, Drop, Drop, false},
		{Leases6Committed, Skip, Continue, true},
		{Dhcp6SrvConfigured, Drop, Drop, false},
		{Buffer4Send, Skip, Skip, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.p, tt.step), func(t *testing.T) {
			rec := &recorder{}
			first := &fakeLib{name: "first", reg: Registration{tt.p: Sync},
				fn: func(Point, *Args) (NextStep, error) { return tt.step, nil }}
			second := &fakeLib{name: "second", reg: Registration{tt.p: Sync}, rec: rec}
			m := newManager(t, linked(first, second))
			if got := m.Call(context.Background(), tt.p, &Args{}); got != tt.want {
				t.Errorf("Call = %s, want %s", got, tt.want)
			}
			if ran := len(rec.get()) > 1; ran != tt.secondRuns {
				t.Errorf("second library ran = %v, want %v", ran, tt.secondRuns)
			}
		})
	}
}

func TestCalloutFailurePolicy(t *testing.T) {
	tests := []struct {
		name   string
		policy NextStep
		fn     func(Point, *Args) (NextStep, error)
		want   NextStep
	}{
		{"error/continue", Continue, func(Point, *Args) (NextStep, error) { return Drop, errors.New("boom") }, Continue},
		{"error/drop", Drop, func(Point, *Args) (NextStep, error) { return Continue, errors.New("boom") }, Drop},
		{"panic/drop", Drop, func(Point, *Args) (NextStep, error) { panic("boom") }, Drop},
		{"panic/continue", Continue, func(Point, *Args) (NextStep, error) { panic("boom") }, Continue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &fakeLib{name: "l", reg: Registration{Pkt4Receive: Sync}, fn: tt.fn}
			cfg := linked(l)
			cfg.Libraries[0].Settings.FailurePolicy = tt.policy
			m := newManager(t, cfg)
			q := packet4(1, 7, 1)
			a := &Args{Query: q}
			if got := m.Call(context.Background(), Pkt4Receive, a); got != tt.want {
				t.Errorf("Call = %s, want %s", got, tt.want)
			}
			if st := m.Stats()[0]; st.Errors != 1 || st.Calls != 1 {
				t.Errorf("stats = %+v, want 1 call, 1 error", st)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	rec := &recorder{}
	good := &fakeLib{name: "good", reg: Registration{Pkt4Receive: Sync}, rec: rec}
	bad := &fakeLib{name: "bad", loadErr: errors.New("parameter x is wrong"), rec: rec}
	_, err := New(context.Background(), linked(good, bad))
	if err == nil || !strings.Contains(err.Error(), "parameter x is wrong") || !strings.Contains(err.Error(), `hooks-libraries[1] "bad"`) {
		t.Fatalf("New error = %v, want the library's message and position", err)
	}
	if got := rec.get(); !reflect.DeepEqual(got, []string{"load good", "load bad", "unload good"}) {
		t.Errorf("calls = %q: the good library must be unloaded again", got)
	}

	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "missing"), "does not exist"},
		{plain, "is not executable"},
		{dir, "is not a regular file"},
	} {
		_, err := New(context.Background(), Config{Logger: quietLogger(), Libraries: []LibraryConfig{{Library: tt.path}}})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("New(%s) error = %v, want %q and the path", tt.path, err, tt.want)
		}
	}
}

func TestLinkedByName(t *testing.T) {
	rec := &recorder{}
	l := &fakeLib{name: "x", reg: Registration{Pkt4Receive: Sync}, rec: rec}
	m := newManager(t, Config{Logger: quietLogger(),
		Libraries: []LibraryConfig{{Library: "/usr/lib/kea/hooks/libdhcp_x.so"}},
		Linked:    map[string]Library{"/usr/lib/kea/hooks/libdhcp_x.so": l}})
	m.Call(context.Background(), Pkt4Receive, &Args{})
	if got := rec.get(); len(got) != 2 || got[1] != "x pkt4_receive" {
		t.Errorf("calls = %q", got)
	}
}

func TestReload(t *testing.T) {
	rec := &recorder{}
	a := &fakeLib{name: "a", reg: Registration{Pkt4Receive: Sync}, rec: rec}
	b := &fakeLib{name: "b", reg: Registration{Pkt4Send: Sync}, rec: rec}
	m := newManager(t, linked(a))
	if err := m.Reload(context.Background(), linked(b)); err != nil {
		t.Fatal(err)
	}
	if m.Enabled(Pkt4Receive) || !m.Enabled(Pkt4Send) {
		t.Error("Reload did not switch the registrations")
	}
	bad := &fakeLib{name: "bad", loadErr: errors.New("no")}
	if err := m.Reload(context.Background(), linked(bad)); err == nil {
		t.Fatal("Reload with a failing library succeeded")
	}
	if !m.Enabled(Pkt4Send) {
		t.Error("a failed Reload must keep the libraries in force")
	}
	want := []string{"load a", "load b", "unload a"}
	if got := rec.get(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestRegistrationRejected(t *testing.T) {
	l := &fakeLib{name: "l", reg: Registration{Point(200): Sync}}
	if _, err := New(context.Background(), linked(l)); err == nil {
		t.Error("New accepted a registration of an unknown point")
	}
	l = &fakeLib{name: "l", reg: Registration{Pkt4Receive: Mode(9)}}
	if _, err := New(context.Background(), linked(l)); err == nil {
		t.Error("New accepted a registration without a valid mode")
	}
}

func TestArgsClone(t *testing.T) {
	subs := testSubnets4()
	a := &Args{Query: packet4(1, 1, 1), Subnets4: subs, Subnet4: &subs[1], Lease4: testLease4(),
		Host: &Host{ID: []byte{1}, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.5")}}}
	c := a.Clone()
	c.Query[4] = 0xee
	c.Lease4.HWAddr[0] = 0xee
	c.Host.ID[0] = 0xee
	if a.Query[4] == 0xee || a.Lease4.HWAddr[0] == 0xee || a.Host.ID[0] == 0xee {
		t.Error("Clone shares bytes with the original")
	}
	if c.Subnet4 != &c.Subnets4[1] {
		t.Error("Clone's selected subnet does not point into its own collection")
	}
}

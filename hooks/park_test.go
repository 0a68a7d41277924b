package hooks

import (
	"context"
	"errors"
	"testing"
	"time"
)

// parker parks every call at its point and hands out the handles.
type parker struct {
	handles chan ParkHandle
	early   *Unpark // resume before returning Park
}

func (p *parker) lib(name string, pt Point) *fakeLib {
	return &fakeLib{name: name, reg: Registration{pt: Sync}, fn: func(_ Point, a *Args) (NextStep, error) {
		if !a.Park.Valid() {
			return Continue, errors.New("no park handle")
		}
		if p.early != nil {
			if err := a.Park.Resume(*p.early); err != nil {
				return Continue, err
			}
		} else {
			p.handles <- a.Park
		}
		return Park, nil
	}}
}

type result struct {
	step NextStep
	a    *Args
}

func TestParkResume(t *testing.T) {
	for _, tt := range []struct {
		name       string
		unpark     Unpark
		want       NextStep
		secondRuns bool
	}{
		{"continue", Unpark{Step: Continue}, Continue, true},
		{"drop", Unpark{Step: Drop}, Drop, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pk := &parker{handles: make(chan ParkHandle, 1)}
			rec := &recorder{}
			second := &fakeLib{name: "second", reg: Registration{Leases4Committed: Sync}, rec: rec}
			m := newManager(t, linked(pk.lib("first", Leases4Committed), second))
			done := make(chan result, 1)
			a := &Args{Query: packet4(1, 1, 3)}
			step := m.CallParkable(context.Background(), Leases4Committed, a, func(s NextStep, a *Args) { done <- result{s, a} })
			if step != Park {
				t.Fatalf("CallParkable = %s, want park", step)
			}
			if m.lot.parked(Leases4Committed) != 1 {
				t.Fatal("packet not in the parking lot")
			}
			if len(rec.get()) != 1 { // only "load second"
				t.Fatal("library after the parking one ran before the resume")
			}
			h := <-pk.handles
			if err := h.Resume(tt.unpark); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.step != tt.want || r.a != a {
				t.Errorf("done(%s, %p), want %s with the parked args", r.step, r.a, tt.want)
			}
			if ran := len(rec.get()) == 2; ran != tt.secondRuns {
				t.Errorf("second library ran = %v, want %v", ran, tt.secondRuns)
			}
			if err := h.Resume(tt.unpark); !errors.Is(err, ErrNotParked) {
				t.Errorf("second Resume = %v, want ErrNotParked", err)
			}
			if m.lot.parked(Leases4Committed) != 0 {
				t.Error("parking lot not emptied")
			}
		})
	}
}

func TestParkEarlyResume(t *testing.T) {
	pk := &parker{early: &Unpark{Step: Continue, OfferAddressInUse: true}}
	m := newManager(t, linked(pk.lib("p", Lease4Offer)))
	done := make(chan result, 1)
	a := &Args{}
	if step := m.CallParkable(context.Background(), Lease4Offer, a, func(s NextStep, a *Args) { done <- result{s, a} }); step != Park {
		t.Fatalf("CallParkable = %s", step)
	}
	select {
	case r := <-done:
		if r.step != Continue || !r.a.OfferAddressInUse {
			t.Errorf("done(%s), offer_address_in_use=%v", r.step, r.a.OfferAddressInUse)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a resume during the callout was lost")
	}
}

func TestParkingLotLimit(t *testing.T) {
	pk := &parker{handles: make(chan ParkHandle, 10)}
	cfg := linked(pk.lib("p", Leases4Committed))
	cfg.ParkedPacketLimit = 2
	m := newManager(t, cfg)
	done := func(NextStep, *Args) {}
	for i, want := range []NextStep{Park, Park, Drop} {
		if got := m.CallParkable(context.Background(), Leases4Committed, &Args{}, done); got != want {
			t.Fatalf("packet %d: %s, want %s", i, got, want)
		}
	}
	h := <-pk.handles
	if err := h.Resume(Unpark{Step: Drop}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a free slot", time.Second, func() bool { return m.lot.parked(Leases4Committed) == 1 })
	if got := m.CallParkable(context.Background(), Leases4Committed, &Args{}, done); got != Park {
		t.Errorf("after a resume: %s, want park", got)
	}
}

func TestParkTimeoutAndClose(t *testing.T) {
	pk := &parker{handles: make(chan ParkHandle, 10)}
	cfg := linked(pk.lib("p", Leases6Committed))
	cfg.ParkTimeout = 30 * time.Millisecond
	m := newManager(t, cfg)
	done := make(chan NextStep, 2)
	m.CallParkable(context.Background(), Leases6Committed, &Args{}, func(s NextStep, _ *Args) { done <- s })
	select {
	case s := <-done:
		if s != Drop {
			t.Errorf("timed-out packet: %s, want drop", s)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("parked packet never timed out")
	}

	cfg.ParkTimeout = time.Hour
	m2, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m2.CallParkable(context.Background(), Leases6Committed, &Args{}, func(s NextStep, _ *Args) { done <- s })
	if err := m2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := <-done; s != Drop {
		t.Errorf("packet parked at Close: %s, want drop", s)
	}
}

func TestCallAtParkablePointWithoutDone(t *testing.T) {
	pk := &parker{handles: make(chan ParkHandle, 1)}
	lib := pk.lib("p", Leases4Committed)
	lib.fn = func(_ Point, a *Args) (NextStep, error) {
		if a.Park.Valid() {
			t.Error("Call handed out a park handle")
		}
		return Park, nil
	}
	m := newManager(t, linked(lib))
	if got := m.Call(context.Background(), Leases4Committed, &Args{}); got != Continue {
		t.Errorf("Call = %s, want continue (Call cannot park)", got)
	}
}

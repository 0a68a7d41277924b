package hooks

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestObserverOutcomeByPlace: an observe-only callout gets the status as it
// stood at its place in configuration order, as each of Kea's callouts
// sees the status of the ones before it. Observers before the library that
// chose SKIP or DROP see Continue; observers after it see the step.
func TestObserverOutcomeByPlace(t *testing.T) {
	tests := []struct {
		name  string
		order string // o: observer, d: sync library returning step, c: sync library continuing
		step  NextStep
		want  []NextStep // per observer, in order
	}{
		{"observer before drop", "od", Drop, []NextStep{Continue}},
		{"observer after drop", "do", Drop, []NextStep{Drop}},
		{"observer after skip", "do", Skip, []NextStep{Skip}},
		{"around a skip", "ocdo", Skip, []NextStep{Continue, Skip}},
		{"continue everywhere", "ocoo", Drop, []NextStep{Continue, Continue, Continue}},
		{"after a continuing library, before drop", "codo", Drop, []NextStep{Continue, Drop}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt := Lease4Renew // honours Skip
			if tt.step == Drop {
				pt = Leases4Committed
			}
			var libs []*fakeLib
			var got [][]NextStep
			for i, k := range tt.order {
				name := fmt.Sprintf("%c%d", k, i)
				switch k {
				case 'o':
					j := len(got)
					got = append(got, nil)
					libs = append(libs, &fakeLib{name: name, reg: Registration{pt: Observe},
						fn: func(_ Point, a *Args) (NextStep, error) {
							got[j] = append(got[j], a.Outcome) // one goroutine per library
							return Continue, nil
						}})
				case 'd':
					libs = append(libs, &fakeLib{name: name, reg: Registration{pt: Sync},
						fn: func(Point, *Args) (NextStep, error) { return tt.step, nil }})
				case 'c':
					libs = append(libs, &fakeLib{name: name, reg: Registration{pt: Sync}})
				}
			}
			m := newManager(t, linked(libs...))
			wantStep := Continue
			if slices.Contains([]rune(tt.order), 'd') {
				wantStep = tt.step
			}
			if st := m.Call(context.Background(), pt, &Args{Query: packet4(1, 1, 3), Lease4: testLease4()}); st != wantStep {
				t.Fatalf("Call = %s, want %s", st, wantStep)
			}
			if err := m.Close(context.Background()); err != nil { // delivers what is queued
				t.Fatal(err)
			}
			for i, w := range tt.want {
				if len(got[i]) != 1 || got[i][0] != w {
					t.Errorf("observer %d got outcomes %v, want [%s]", i, got[i], w)
				}
			}
		})
	}
}

// TestObserverOutcomeParked: at a parkable point, observers before the
// parking library see Continue and those after it see how the parking
// ended, each once.
func TestObserverOutcomeParked(t *testing.T) {
	for _, end := range []NextStep{Continue, Drop} {
		t.Run(end.String(), func(t *testing.T) {
			pk := &parker{handles: make(chan ParkHandle, 1)}
			got := make([][]NextStep, 2)
			obs := func(j int) *fakeLib {
				return &fakeLib{name: fmt.Sprintf("obs%d", j), reg: Registration{Leases4Committed: Observe},
					fn: func(_ Point, a *Args) (NextStep, error) {
						got[j] = append(got[j], a.Outcome)
						return Continue, nil
					}}
			}
			m := newManager(t, linked(obs(0), pk.lib("parker", Leases4Committed), obs(1)))
			done := make(chan NextStep, 1)
			a := &Args{Query: packet4(1, 1, 3)}
			if st := m.CallParkable(context.Background(), Leases4Committed, a, func(s NextStep, _ *Args) { done <- s }); st != Park {
				t.Fatalf("CallParkable = %s, want park", st)
			}
			if err := (<-pk.handles).Resume(Unpark{Step: end}); err != nil {
				t.Fatal(err)
			}
			if s := <-done; s != end {
				t.Fatalf("done(%s), want %s", s, end)
			}
			if err := m.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if want := [][]NextStep{{Continue}, {end}}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("observer outcomes %v, want %v", got, want)
			}
		})
	}
}

// TestObserverArgsByPlace: an observe-only callout gets the arguments as
// they stand at its place, changed by the synchronous callouts before it
// and not by those after, as a Kea callout sees the changes of the ones
// before it. Before a parking library it gets them at once; after it, on
// resumption.
func TestObserverArgsByPlace(t *testing.T) {
	seen := make([]chan byte, 3)
	obs := func(j int) *fakeLib {
		seen[j] = make(chan byte, 1)
		return &fakeLib{name: fmt.Sprintf("obs%d", j), reg: Registration{Leases4Committed: Observe},
			fn: func(_ Point, a *Args) (NextStep, error) {
				seen[j] <- a.Response[len(a.Response)-1]
				return Continue, nil
			}}
	}
	mark := func(name string, b byte) *fakeLib {
		return &fakeLib{name: name, reg: Registration{Leases4Committed: Sync},
			fn: func(_ Point, a *Args) (NextStep, error) {
				a.Response[len(a.Response)-1] = b // an edit in place, which validation keeps
				return Continue, nil
			}}
	}
	pk := &parker{handles: make(chan ParkHandle, 1)}
	m := newManager(t, linked(obs(0), mark("a", 0xa1), obs(1), pk.lib("parker", Leases4Committed), mark("b", 0xb2), obs(2)))
	resp := packet4(2, 1, 5)
	resp[len(resp)-1] = 0x77
	a := &Args{Query: packet4(1, 1, 3), Response: resp}
	done := make(chan NextStep, 1)
	if st := m.CallParkable(context.Background(), Leases4Committed, a, func(s NextStep, _ *Args) { done <- s }); st != Park {
		t.Fatalf("CallParkable = %s, want park", st)
	}
	for j, want := range []byte{0x77, 0xa1} {
		select {
		case got := <-seen[j]:
			if got != want {
				t.Errorf("observer %d saw %#x, want %#x", j, got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("observer %d, before the parking library, not called while the packet was parked", j)
		}
	}
	select {
	case got := <-seen[2]:
		t.Fatalf("observer after the parking library called before resumption (saw %#x)", got)
	default:
	}
	if err := (<-pk.handles).Resume(Unpark{Step: Continue}); err != nil {
		t.Fatal(err)
	}
	if s := <-done; s != Continue {
		t.Fatalf("done(%s), want continue", s)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := <-seen[2]; got != 0xb2 {
		t.Errorf("observer 2 saw %#x, want %#x", got, 0xb2)
	}
}

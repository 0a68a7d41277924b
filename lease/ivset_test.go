package lease

import (
	"math/rand/v2"
	"testing"
)

// TestIvsetModel checks the interval set against a plain map under random
// adds and removes, including at the ends of the key space.
func TestIvsetModel(t *testing.T) {
	for _, space := range []uint32{8, 300, 5000} {
		rng := rand.New(rand.NewPCG(1, uint64(space)))
		var s ivset[uint32]
		model := map[uint32]bool{}
		base := uint32(0)
		if space == 300 {
			base = ^uint32(0) - space + 1 // the top of the key space
		}
		for step := 0; step < 20000; step++ {
			k := base + rng.Uint32N(space)
			if rng.IntN(3) > 0 {
				if got, want := s.Add(k), !model[k]; got != want {
					t.Fatalf("Add(%d) = %v, want %v", k, got, want)
				}
				model[k] = true
			} else {
				if got, want := s.Remove(k), model[k]; got != want {
					t.Fatalf("Remove(%d) = %v, want %v", k, got, want)
				}
				delete(model, k)
			}
			if step%97 == 0 {
				checkIvset(t, &s, model, base, space)
			}
		}
		checkIvset(t, &s, model, base, space)
	}
}

func checkIvset(t *testing.T, s *ivset[uint32], model map[uint32]bool, base, space uint32) {
	t.Helper()
	if s.Len() != uint64(len(model)) {
		t.Fatalf("Len %d, model %d", s.Len(), len(model))
	}
	var prevHi uint32
	first, runs := true, 0
	s.each(func(lo, hi uint32) {
		runs++
		if lo > hi || (!first && lo <= prevHi+1) {
			t.Fatalf("runs not maximal and ordered: [%d,%d] after %d", lo, hi, prevHi)
		}
		first, prevHi = false, hi
	})
	if runs != s.runs {
		t.Fatalf("runs %d, counted %d", s.runs, runs)
	}
	for c, ch := range s.chunks {
		if len(ch) == 0 || s.mins[c] != ch[0].lo {
			t.Fatalf("chunk %d: len %d, min %d", c, len(ch), s.mins[c])
		}
	}
	last := base + space - 1
	for k := base; ; k++ {
		if s.Contains(k) != model[k] {
			t.Fatalf("Contains(%d) = %v", k, !model[k])
		}
		want, wantOK := uint32(0), false
		for j := k; ; j++ {
			if !model[j] {
				want, wantOK = j, true
				break
			}
			if j == last {
				break
			}
		}
		got, ok := s.NextAbsent(k, last)
		if ok != wantOK || got != want {
			t.Fatalf("NextAbsent(%d, %d) = %d %v, want %d %v", k, last, got, ok, want, wantOK)
		}
		if k == last {
			break
		}
	}
}

func TestIvsetFullRange(t *testing.T) {
	var s ivset[uint64]
	for k := uint64(10); k <= 20; k++ {
		s.Add(k)
	}
	if s.runs != 1 {
		t.Fatalf("runs %d, want 1", s.runs)
	}
	if _, ok := s.NextAbsent(10, 20); ok {
		t.Error("found a free value in a full range")
	}
	if v, ok := s.NextAbsent(10, 21); !ok || v != 21 {
		t.Errorf("NextAbsent(10, 21) = %d %v", v, ok)
	}
	if v, ok := s.NextAbsent(3, 20); !ok || v != 3 {
		t.Errorf("NextAbsent(3, 20) = %d %v", v, ok)
	}
	s.Add(^uint64(0))
	if _, ok := s.NextAbsent(^uint64(0), ^uint64(0)); ok {
		t.Error("top value reported free")
	}
}

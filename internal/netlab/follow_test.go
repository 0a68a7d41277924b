package netlab

import (
	"slices"
	"sync"
	"testing"
)

// TestFollowOutput checks that every line, the unfinished last one too,
// reaches the follower in order.
func TestFollowOutput(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix})
	p, err := l.Start(l.ClientNS, "sh", "-c", `echo one; sleep 0.1; echo two >&2; sleep 0.1; printf 'three\nfour'`)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
	done := p.FollowOutput(func(line string) {
		mu.Lock()
		lines = append(lines, line)
		mu.Unlock()
	})
	<-done
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"one", "two", "three", "four"}; !slices.Equal(lines, want) {
		t.Errorf("lines %q, want %q", lines, want)
	}
}

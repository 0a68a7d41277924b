package daemon

import (
	"errors"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/config"
)

// testReason stands in for dhcp4.DropReason.
type testReason uint8

func (r testReason) String() string { return [...]string{"none", "truncated", "no-address"}[r] }

// countedServer is a server with counters, as *dhcp4.Server is.
type countedServer struct {
	Server[*config.DHCP4]
	counts  Counts
	dropped [3]uint64
}

func TestCounterStats(t *testing.T) {
	stats := CounterStats[*config.DHCP4, *countedServer, testReason](func(s *countedServer) (Counts, []uint64) {
		return s.counts, s.dropped[:]
	})
	const totals = "received=9 sent=7 dropped=2 leases-allocated=3 leases-renewed=4 leases-released=1 leases-declined=0 leases-reclaimed=5"
	tests := []struct {
		name    string
		srv     Server[*config.DHCP4]
		dropped [3]uint64
		want    string
	}{
		{"no drops by reason", &countedServer{}, [3]uint64{}, totals},
		{"drops by reason in reason order, zeros left out", &countedServer{}, [3]uint64{0, 1, 1}, totals + " dropped-truncated=1 dropped-no-address=1"},
		{"another server type", &fakeServer{}, [3]uint64{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if cs, ok := tc.srv.(*countedServer); ok {
				cs.counts = Counts{Received: 9, Sent: 7, Dropped: 2, LeasesAllocated: 3, LeasesRenewed: 4, LeasesReleased: 1, LeasesReclaimed: 5}
				cs.dropped = tc.dropped
			}
			var parts []string
			for _, a := range stats(tc.srv) {
				parts = append(parts, a.String())
			}
			if got := strings.Join(parts, " "); got != tc.want {
				t.Errorf("attributes %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBuilt(t *testing.T) {
	newServer := func(fail bool) (*countedServer, error) {
		if fail {
			return nil, errors.New("cannot build")
		}
		return &countedServer{}, nil
	}
	if s, err := Built[*config.DHCP4](newServer(true)); s != nil || err == nil {
		t.Errorf("failed constructor: Server %v (non-nil interface holding a nil pointer?), error %v; want nil and the error", s, err)
	}
	if s, err := Built[*config.DHCP4](newServer(false)); s == nil || err != nil {
		t.Errorf("constructor: Server %v, error %v; want the server", s, err)
	}
}

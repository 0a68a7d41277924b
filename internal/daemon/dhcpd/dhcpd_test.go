package dhcpd

import (
	"context"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/daemon"
	"github.com/leasehold/leasehold/lease"
)

// TestFamilies builds each family's server from a configuration with no
// interfaces (nothing is opened until Serve) and checks its statistics
// line, and that a server that cannot be built comes back as an error
// alone.
func TestFamilies(t *testing.T) {
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const stats = "received=0 sent=0 dropped=0 leases-allocated=0 leases-renewed=0 leases-released=0 leases-declined=0 leases-reclaimed=0"
	t.Run("v4", func(t *testing.T) {
		cfg := parse(t, `{"Dhcp4": {"subnet4": [{"id": 1, "subnet": "192.0.2.0/24"}]}}`).DHCP4
		check(t, V4(), cfg, store, stats)
	})
	t.Run("v6", func(t *testing.T) {
		cfg := parse(t, `{"Dhcp6": {"subnet6": [{"id": 1, "subnet": "2001:db8:1::/64"}]}}`).DHCP6
		check(t, V6(), cfg, store, stats)
	})
}

func parse(t *testing.T, text string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func check[C any](t *testing.T, f daemon.Family[C], cfg C, store lease.Store, want string) {
	t.Helper()
	s, err := f.New(cfg, daemon.Deps{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	var attrs []string
	for _, a := range f.Stats(s) {
		attrs = append(attrs, a.String())
	}
	if got := strings.Join(attrs, " "); got != want {
		t.Errorf("statistics %q, want %q", got, want)
	}
	if s, err := f.New(cfg, daemon.Deps{}); s != nil || err == nil {
		t.Errorf("without a store: Server %v, error %v; want only an error", s, err)
	}
}

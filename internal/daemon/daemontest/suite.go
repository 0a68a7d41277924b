package daemontest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// Suite is what one daemon's end-to-end tests share: the family, the
// daemon's package path and the namespace prefix of their labs.
//
//	var suite = daemontest.Suite{Family: daemontest.V4, Pkg: "github.com/leasehold/leasehold/cmd/leasehold-dhcp4", Prefix: "lhI4"}
type Suite struct {
	Family Family
	Pkg    string
	Prefix string
}

// Lab builds a lab with the suite's namespace prefix for t.
func (s Suite) Lab(t testing.TB, o netlab.Options) *netlab.Lab {
	t.Helper()
	o.Prefix = s.Prefix
	return netlab.NewT(t, o)
}

// Serve starts the server under test on cfg in lab's server namespace.
func (s Suite) Serve(t testing.TB, lab *netlab.Lab, cfg *Config, o Options) *Daemon {
	t.Helper()
	return Start(t, lab, s.Family, s.Pkg, cfg.JSON(t), o)
}

// Serving builds a lab with options o, writes the family's test
// configuration for it (Config4 or Config6, the lease file at LeaseFile),
// lets edit change it when edit is not nil, and starts the server under
// test on it. The daemon's LeaseFile is the configuration's.
func (s Suite) Serving(t testing.TB, o netlab.Options, edit func(*Config)) (*netlab.Lab, *Config, *Daemon) {
	t.Helper()
	lab := s.Lab(t, o)
	cfg := s.Config(lab, s.LeaseFile(lab))
	if edit != nil {
		edit(cfg)
	}
	return lab, cfg, s.Serve(t, lab, cfg, Options{})
}

// Config is the family's test configuration for lab: Config4 or Config6.
func (s Suite) Config(lab *netlab.Lab, leaseFile string) *Config {
	if s.Family == V6 {
		return Config6(lab, leaseFile)
	}
	return Config4(lab, leaseFile)
}

// LeaseFile is where the suite's tests put the lease file of a lab's
// server: kea-leases4.csv or kea-leases6.csv in the lab's directory.
func (s Suite) LeaseFile(lab *netlab.Lab) string {
	return filepath.Join(lab.Dir, "kea-leases"+s.Family.String()+".csv")
}

// Main runs a daemon's tests and removes the binaries Binary built; call
// it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Timeout is a context for one test's waits, cancelled when the test ends.
func Timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// RelayLab builds a lab with one relay link (netlab's defaults) and a
// client of the test's own on its far link.
func (s Suite) RelayLab(t testing.TB) (*netlab.Lab, *netlab.RelayLink, *netlab.Client) {
	t.Helper()
	lab := s.Lab(t, netlab.Options{})
	r, err := lab.AddRelayLink(netlab.RelayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	far, err := r.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	return lab, r, far
}

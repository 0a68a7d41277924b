package exchange

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/leasehold/leasehold/dhcp4"
)

// Step is one move of a scenario: what the clients do, and the hook points
// (as a multiset) the server must call the script for in consequence.
type Step struct {
	Name   string
	Do     func(r *Runner) error // nil: only wait (expiry, probation)
	Expect []string
	Wait   time.Duration // how long the expected calls may take; 0: 5 s
}

// Phase is one server run: a configuration and the steps played against
// it. Steps is a function so that every run starts with fresh clients.
type Phase struct {
	Name   string
	V6     bool
	Config func(ifName, leaseFile, hook string) string
	Steps  func() []Step
}

// Phases are the scenarios of the capture and of the compatibility test,
// in the order they run.
func Phases() []*Phase {
	return []*Phase{
		{Name: "v4", Config: func(i, l, h string) string { return config4(i, l, h, false) }, Steps: steps4},
		{Name: "v4-remove", Config: func(i, l, h string) string { return config4(i, l, h, true) }, Steps: steps4Remove},
		{Name: "v6", V6: true, Config: func(i, l, h string) string { return config6(i, l, h, false) }, Steps: steps6},
		{Name: "v6-remove", V6: true, Config: func(i, l, h string) string { return config6(i, l, h, true) }, Steps: steps6Remove},
	}
}

func mac(last2 byte) net.HardwareAddr { return net.HardwareAddr{0x02, 0x00, 0x00, 0x4a, last2, 0x01} }

// steps4 covers every DHCPv4 point of run_script: a direct client through
// DORA, DISCOVER while bound, renewal and release; a client that declines
// its address and sees it recovered after probation; a relayed client with
// both option 82 sub-options; a NAK; a relayed client whose option 82
// holds sub-options out of order and an unknown one; a relayed client with an odd hostname
// (a control byte and a NUL) whose short lease expires.
func steps4() []Step {
	a := &Client4{MAC: mac(0x0a), ClientID: append([]byte{1}, mac(0x0a)...), Hostname: "client-a.example.org"}
	b := &Client4{MAC: mac(0x0b), Broadcast: true, Secs: 5}
	c := &Client4{MAC: mac(0x0c), ClientID: []byte("\x00client-c"), Relay: &Relay4{
		GIAddr: netip.MustParseAddr("198.51.100.1"), CircuitID: []byte("ge-0/0/1.100"), RemoteID: []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55},
	}}
	d := &Client4{MAC: mac(0x0d)}
	e := &Client4{MAC: mac(0x0e), Hostname: "odd\x01name\x00tail.example.org", Relay: &Relay4{
		GIAddr: netip.MustParseAddr("203.0.113.1"), CircuitID: []byte{0x00, 0x01, 0xff},
	}}
	// Sub-options out of code order, and one Kea has no definition for.
	g := &Client4{MAC: mac(0x10), Relay: &Relay4{GIAddr: netip.MustParseAddr("198.51.100.1"),
		Option82: []byte{2, 2, 0xbe, 0xef, 1, 3, 'p', 'o', 'p', 151, 1, 0x7f}}}
	dora := func(c *Client4, xid uint32) func(r *Runner) error {
		return func(r *Runner) error {
			if err := r.V4.Discover(c, xid); err != nil {
				return err
			}
			return r.V4.Select(c, xid+1)
		}
	}
	return []Step{
		{Name: "01-a-discover", Do: func(r *Runner) error { return r.V4.Discover(a, 0x0a000001) }},
		{Name: "02-a-request", Do: func(r *Runner) error { return r.V4.Select(a, 0x0a000002) },
			Expect: []string{"leases4_committed"}},
		{Name: "03-a-discover-bound", Do: func(r *Runner) error { return r.V4.Discover(a, 0x0a000003) },
			Expect: []string{"lease4_renew"}},
		{Name: "04-a-renew", Do: func(r *Runner) error { return r.V4.Renew(a, 0x0a000004) },
			Expect: []string{"lease4_renew", "leases4_committed"}},
		{Name: "05-a-release", Do: func(r *Runner) error { return r.V4.Release(a, 0x0a000005) },
			Expect: []string{"lease4_release", "leases4_committed"}},
		{Name: "06-b-dora", Do: dora(b, 0x0b000001), Expect: []string{"leases4_committed"}},
		{Name: "07-b-decline", Do: func(r *Runner) error { return r.V4.Decline(b, 0x0b000003) },
			Expect: []string{"lease4_decline", "leases4_committed"}},
		{Name: "08-b-probation-over", Expect: []string{"lease4_expire", "lease4_recover"}, Wait: 10 * time.Second},
		{Name: "09-c-relayed-dora", Do: dora(c, 0x0c000001), Expect: []string{"leases4_committed"}},
		{Name: "10-c-relayed-discover-bound", Do: func(r *Runner) error { return r.V4.Discover(c, 0x0c000003) },
			Expect: []string{"lease4_renew"}},
		{Name: "11-c-relayed-renew", Do: func(r *Runner) error { return r.V4.Renew(c, 0x0c000004) },
			Expect: []string{"lease4_renew", "leases4_committed"}},
		{Name: "12-c-relayed-release", Do: func(r *Runner) error { return r.V4.Release(c, 0x0c000005) },
			Expect: []string{"lease4_release", "leases4_committed"}},
		{Name: "13-d-nak", Do: func(r *Runner) error {
			t, err := r.V4.InitReboot(d, 0x0d000001, netip.MustParseAddr("198.51.100.77"))
			if err == nil && t != dhcp4.Nak {
				err = fmt.Errorf("INIT-REBOOT for a foreign address: got %v, want NAK", t)
			}
			return err
		}, Expect: []string{"leases4_committed"}},
		{Name: "14-g-option82-order", Do: dora(g, 0x10000001), Expect: []string{"leases4_committed"}},
		{Name: "15-e-odd-hostname-dora", Do: dora(e, 0x0e000001), Expect: []string{"leases4_committed"}},
		{Name: "16-e-expired", Expect: []string{"lease4_expire"}, Wait: 10 * time.Second},
	}
}

// steps4Remove shows lease4_expire with remove_lease true.
func steps4Remove() []Step {
	f := &Client4{MAC: mac(0x0f), Relay: &Relay4{GIAddr: netip.MustParseAddr("203.0.113.1")}}
	return []Step{
		{Name: "01-f-relayed-dora", Do: func(r *Runner) error {
			if err := r.V4.Discover(f, 0x0f000001); err != nil {
				return err
			}
			return r.V4.Select(f, 0x0f000002)
		}, Expect: []string{"leases4_committed"}},
		{Name: "02-f-expired", Expect: []string{"lease4_expire"}, Wait: 10 * time.Second},
	}
}

// duidLL is a DUID-LL (type 3, hardware type 1) of m.
func duidLL(m net.HardwareAddr) []byte { return append([]byte{0, 3, 0, 1}, m...) }

// steps6 covers every DHCPv6 point: a direct client with an IA_NA and an
// IA_PD through request, renew, rebind and release; a client with two
// IA_NA that declines one address and sees it recovered; a relayed client
// (interface-id and remote-id) with IA_NA and IA_PD whose short leases are
// renewed, then expire.
func steps6() []Step {
	x := &Client6{DUID: duidLL(mac(0x1a)), IAs: []*IA6{{IAID: 1}, {PD: true, IAID: 2}}}
	y := &Client6{DUID: append([]byte{0, 2, 0, 0, 0x09, 0xbf}, "client-y"...), IAs: []*IA6{{IAID: 10}, {IAID: 11}}}
	z := &Client6{DUID: duidLL(mac(0x1c)), IAs: []*IA6{{IAID: 0x0c0c0c0c}, {PD: true, IAID: 0x0d0d0d0d}}, Relay: &Relay6{
		LinkAddr: netip.MustParseAddr("2001:db8:2::1"), PeerAddr: netip.MustParseAddr("fe80::1c"),
		InterfaceID: []byte("ge-0/0/2"), RemoteID: []byte{0xaa, 0xbb, 0xcc},
	}}
	sr := func(c *Client6, xid uint32) func(r *Runner) error {
		return func(r *Runner) error {
			if err := r.V6.Solicit(c, xid); err != nil {
				return err
			}
			return r.V6.Request(c, xid+1)
		}
	}
	return []Step{
		{Name: "01-x-solicit", Do: func(r *Runner) error { return r.V6.Solicit(x, 0x1a0001) }},
		{Name: "02-x-request", Do: func(r *Runner) error { return r.V6.Request(x, 0x1a0002) },
			Expect: []string{"leases6_committed"}},
		{Name: "03-x-renew", Do: func(r *Runner) error { return r.V6.Renew(x, 0x1a0003) },
			Expect: []string{"lease6_renew", "lease6_renew", "leases6_committed"}},
		{Name: "04-x-rebind", Do: func(r *Runner) error { return r.V6.Rebind(x, 0x1a0004) },
			Expect: []string{"lease6_rebind", "lease6_rebind", "leases6_committed"}},
		{Name: "05-x-release", Do: func(r *Runner) error { return r.V6.Release(x, 0x1a0005) },
			Expect: []string{"lease6_release", "lease6_release", "leases6_committed"}},
		{Name: "06-y-two-na", Do: sr(y, 0x1b0001), Expect: []string{"leases6_committed"}},
		{Name: "07-y-decline", Do: func(r *Runner) error { return r.V6.Decline(y, 0x1b0003, y.IAs[0]) },
			Expect: []string{"lease6_decline", "leases6_committed"}},
		{Name: "08-y-probation-over", Expect: []string{"lease6_expire", "lease6_recover"}, Wait: 10 * time.Second},
		{Name: "09-z-relayed-request", Do: sr(z, 0x1c0001), Expect: []string{"leases6_committed"}},
		{Name: "10-z-relayed-renew", Do: func(r *Runner) error { return r.V6.Renew(z, 0x1c0003) },
			Expect: []string{"lease6_renew", "lease6_renew", "leases6_committed"}},
		{Name: "11-z-expired", Expect: []string{"lease6_expire", "lease6_expire"}, Wait: 10 * time.Second},
	}
}

// steps6Remove shows lease6_expire with remove_lease true.
func steps6Remove() []Step {
	w := &Client6{DUID: duidLL(mac(0x1d)), IAs: []*IA6{{IAID: 7}}, Relay: &Relay6{
		LinkAddr: netip.MustParseAddr("2001:db8:2::1"), PeerAddr: netip.MustParseAddr("fe80::1d"),
	}}
	return []Step{
		{Name: "01-w-relayed-request", Do: func(r *Runner) error {
			if err := r.V6.Solicit(w, 0x1d0001); err != nil {
				return err
			}
			return r.V6.Request(w, 0x1d0002)
		}, Expect: []string{"leases6_committed"}},
		{Name: "02-w-expired", Expect: []string{"lease6_expire"}, Wait: 10 * time.Second},
	}
}

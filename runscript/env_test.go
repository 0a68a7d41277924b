package runscript

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

var testMAC = []byte{0x02, 0x00, 0x00, 0x4a, 0x0a, 0x01}

// query4 builds a DHCPv4 query of type t; opt82 (when not nil) is option
// 82's data, giaddr the relay's address.
func query4(t dhcp4.MessageType, giaddr netip.Addr, opt82 []byte) []byte {
	h := dhcp4.Header{Op: dhcp4.BootRequest, HType: 1, HLen: 6, XID: 0x0a000005,
		CIAddr: netip.MustParseAddr("192.0.2.100"), GIAddr: giaddr}
	copy(h.CHAddr[:], testMAC)
	b := dhcp4.NewBuilder(nil, h)
	if t != 0 {
		_ = b.AddMessageType(t)
	}
	if opt82 != nil {
		_ = b.AddOption(dhcp4.OptRelayAgentInfo, opt82)
	}
	msg, err := b.Finish()
	if err != nil {
		panic(err)
	}
	return msg
}

func testQuery4() []byte { return query4(dhcp4.Release, netip.Addr{}, nil) }

func testLease4() *lease.Lease4 {
	return &lease.Lease4{Addr: netip.MustParseAddr("192.0.2.100"), HWAddr: testMAC, ClientID: append([]byte{1}, testMAC...),
		ValidLifetime: 3600, CLTT: 1700000000, SubnetID: 1, Hostname: "client-a.example.org"}
}

func vars(env []string) map[string]string { return envMap(env) }

func TestEnvironmentPoints(t *testing.T) {
	lease6 := &lease.Lease6{Type: lease.TypePD, Addr: netip.MustParseAddr("2001:db8:100::"), PrefixLen: 56, DUID: []byte{0, 3, 0, 1, 2, 0, 0, 0x4a, 0x1a, 1},
		IAID: 2, ValidLifetime: 4000, PreferredLifetime: 3000, CLTT: 1700000000, SubnetID: 1}
	q6 := dhcp6.NewBuilder(nil, dhcp6.Renew, 0x1a0003)
	q6.AddOption(dhcp6.OptClientID, lease6.DUID)
	query6, err := q6.Finish()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p    hooks.Point
		a    *hooks.Args
		want []string // the variables that must be there, in this order, among others
		n    int      // how many variables in all
	}{
		{hooks.Lease4Expire, &hooks.Args{Lease4: testLease4(), RemoveLease: true},
			[]string{"LEASE4_ADDRESS=192.0.2.100", "LEASE4_CLTT=1700000000", "LEASE4_CLIENT_ID=01:02:00:00:4a:0a:01", "REMOVE_LEASE=true"}, 10},
		{hooks.Lease4Recover, &hooks.Args{Lease4: testLease4()}, []string{"LEASE4_STATE=default"}, 9},
		{hooks.Lease4Release, releaseArgs(), []string{"QUERY4_TYPE=DHCPRELEASE", "QUERY4_TXID=167772165", "LEASE4_HOSTNAME=client-a.example.org"}, 22 + 9},
		{hooks.Leases4Committed, &hooks.Args{Query: testQuery4(), Leases4: []lease.Lease4{}, DeletedLeases4: []lease.Lease4{*testLease4(), *testLease4()}},
			[]string{"LEASES4_SIZE=0", "DELETED_LEASES4_SIZE=2", "DELETED_LEASES4_AT1_VALID_LIFETIME=3600"}, 22 + 2 + 18},
		{hooks.Lease4Renew, &hooks.Args{Query: testQuery4(), Lease4: testLease4(), HWAddr: testMAC, HWType: 1,
			Subnet4: &hooks.Subnet4{ID: 1, Prefix: netip.MustParsePrefix("192.0.2.0/24")}},
			[]string{"SUBNET4_ID=1", "SUBNET4_NAME=192.0.2.0/24", "SUBNET4_PREFIX=192.0.2.0", "SUBNET4_PREFIX_LEN=24", "PKT4_CLIENT_ID=", "PKT4_HWADDR=02:00:00:4a:0a:01", "PKT4_HWADDR_TYPE=1"}, 22 + 4 + 3 + 9},
		{hooks.Lease6Renew, &hooks.Args{Query: query6, Lease6: lease6, IA: []byte{0, 25, 0, 12, 0, 0, 0, 2, 0, 0, 3, 0xe8, 0, 0, 7, 0xd0}},
			[]string{"QUERY6_TYPE=RENEW", "QUERY6_TXID=1703939", "QUERY6_LOCAL_PORT=", "QUERY6_PROTO=UDP", "QUERY6_CLIENT_ID=00:03:00:01:02:00:00:4a:1a:01",
				"LEASE6_HWADDR=", "LEASE6_HWADDR_TYPE=", "LEASE6_TYPE=IA_PD", "PKT6_IA_IAID=2", "PKT6_IA_IA_TYPE=25", "PKT6_IA_IA_T1=0", "PKT6_IA_IA_T2=0"}, 12 + 13 + 4}, // Kea's timers: always 0
		{hooks.Lease6Rebind, &hooks.Args{Query: query6, Lease6: lease6}, []string{"PKT6_IA_IAID=", "PKT6_IA_IA_T2="}, 12 + 13 + 4},
		{hooks.Lease6Expire, &hooks.Args{Lease6: lease6}, []string{"LEASE6_PREFIX_LEN=56", "REMOVE_LEASE=false"}, 14},
		{hooks.Lease6Recover, &hooks.Args{Lease6: lease6}, []string{"LEASE6_DUID=00:03:00:01:02:00:00:4a:1a:01"}, 13},
		{hooks.Leases6Committed, &hooks.Args{Query: query6, Leases6: []lease.Lease6{*lease6}}, []string{"LEASES6_SIZE=1", "LEASES6_AT0_IAID=2", "DELETED_LEASES6_SIZE=0"}, 12 + 2 + 13},
		{hooks.Lease6Release, &hooks.Args{Query: query6, Lease6: lease6}, []string{"QUERY6_TYPE=RENEW", "LEASE6_IAID=2"}, 12 + 13},
		{hooks.Lease6Decline, &hooks.Args{Query: query6}, []string{"LEASE6_ADDRESS=", "LEASE6_TYPE="}, 12 + 13},
		{hooks.Lease4Decline, &hooks.Args{}, []string{"QUERY4_TYPE=", "QUERY4_HWADDR_TYPE=", "LEASE4_ADDRESS=", "LEASE4_HWADDR_TYPE="}, 22 + 9},
	}
	for _, tt := range tests {
		t.Run(tt.p.String(), func(t *testing.T) {
			env := Environment(tt.p, tt.a)
			if len(env) != tt.n {
				t.Errorf("%d variables, want %d:\n%s", len(env), tt.n, strings.Join(env, "\n"))
			}
			last := -1
			for _, w := range tt.want {
				i := slices.Index(env, w)
				if i < 0 {
					t.Errorf("%s missing:\n%s", w, strings.Join(env, "\n"))
					continue
				}
				if i < last {
					t.Errorf("%s out of order", w)
				}
				last = i
			}
		})
	}
}

func TestEnvironmentOtherPoints(t *testing.T) {
	for _, p := range hooks.Points() {
		if handled(p) {
			continue
		}
		if env := Environment(p, releaseArgs()); env != nil {
			t.Errorf("%v: run_script does not handle it, got %d variables", p, len(env))
		}
	}
}

func TestEnvironmentOption82(t *testing.T) {
	relay := netip.MustParseAddr("198.51.100.1")
	tests := []struct {
		name  string
		data  []byte // nil: no option 82
		want  map[string]string
		unset []string
	}{
		{"absent", nil, nil, []string{"QUERY4_OPTION_82", "QUERY4_OPTION_82_SUB_OPTION_1", "QUERY4_OPTION_82_SUB_OPTION_2"}},
		{"empty", []byte{}, map[string]string{"QUERY4_OPTION_82": ""}, []string{"QUERY4_OPTION_82_SUB_OPTION_1"}},
		{"circuit only", []byte{1, 2, 0xab, 0xcd}, map[string]string{"QUERY4_OPTION_82": "0x0102ABCD", "QUERY4_OPTION_82_SUB_OPTION_1": "0xABCD"},
			[]string{"QUERY4_OPTION_82_SUB_OPTION_2"}},
		{"empty sub-option", []byte{2, 0}, map[string]string{"QUERY4_OPTION_82": "0x0200", "QUERY4_OPTION_82_SUB_OPTION_2": ""}, nil},
		{"sorted by code", []byte{2, 1, 0xbb, 151, 1, 0x7f, 1, 1, 0xaa},
			map[string]string{"QUERY4_OPTION_82": "0x0101AA0201BB97017F", "QUERY4_OPTION_82_SUB_OPTION_1": "0xAA", "QUERY4_OPTION_82_SUB_OPTION_2": "0xBB"}, nil},
		{"repeated code keeps arrival order, first wins", []byte{1, 1, 0x01, 1, 1, 0x02},
			map[string]string{"QUERY4_OPTION_82": "0x010101010102", "QUERY4_OPTION_82_SUB_OPTION_1": "0x01"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &hooks.Args{Query: query4(dhcp4.Request, relay, tt.data)}
			v := vars(Environment(hooks.Leases4Committed, a))
			if v["QUERY4_RELAYED"] != "true" || v["QUERY4_GIADDR"] != "198.51.100.1" {
				t.Errorf("relay: RELAYED=%q GIADDR=%q", v["QUERY4_RELAYED"], v["QUERY4_GIADDR"])
			}
			for k, want := range tt.want {
				if got, ok := v[k]; !ok || got != want {
					t.Errorf("%s = %q (set %v), want %q", k, got, ok, want)
				}
			}
			for _, k := range tt.unset {
				if got, ok := v[k]; ok {
					t.Errorf("%s = %q, want it unset", k, got)
				}
			}
		})
	}
}

func TestEnvironmentQuery4Fields(t *testing.T) {
	tests := []struct {
		name  string
		query []byte
		want  map[string]string
	}{
		{"no message type", query4(0, netip.Addr{}, nil), map[string]string{"QUERY4_TYPE": "UNKNOWN", "QUERY4_RELAYED": "false", "QUERY4_GIADDR": "0.0.0.0"}},
		{"broadcast giaddr is not relayed", query4(dhcp4.Request, netip.MustParseAddr("255.255.255.255"), nil),
			map[string]string{"QUERY4_RELAYED": "false", "QUERY4_GIADDR": "255.255.255.255"}},
		{"inform", query4(dhcp4.Inform, netip.Addr{}, nil), map[string]string{"QUERY4_TYPE": "DHCPINFORM", "QUERY4_HWADDR": "02:00:00:4a:0a:01", "QUERY4_HWADDR_TYPE": "1"}},
		{"not DHCP", []byte("garbage"), map[string]string{"QUERY4_TYPE": "", "QUERY4_TXID": "", "QUERY4_HWADDR": "", "QUERY4_HWADDR_TYPE": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := vars(Environment(hooks.Lease4Release, &hooks.Args{Query: tt.query}))
			for k, want := range tt.want {
				if got, ok := v[k]; !ok || got != want {
					t.Errorf("%s = %q (set %v), want %q", k, got, ok, want)
				}
			}
		})
	}
}

// TestEnvironmentQueryAddr: the query's addressing from hooks.Args, in
// Kea's formats: addresses without their zone, DHCPv6's local port 0, and
// empty values (but set variables) for what the server did not know.
func TestEnvironmentQueryAddr(t *testing.T) {
	q6 := dhcp6.NewBuilder(nil, dhcp6.Release, 0x1a0004)
	q6.AddOption(dhcp6.OptClientID, []byte{0, 3, 0, 1, 2, 0, 0, 0x4a, 0x1a, 1})
	query6, err := q6.Finish()
	if err != nil {
		t.Fatal(err)
	}
	l6 := &lease.Lease6{Type: lease.TypeNA, Addr: netip.MustParseAddr("2001:db8:1::100"), PrefixLen: 128}
	mac := []byte{2, 0, 0, 0x4a, 0, 1}
	tests := []struct {
		name string
		p    hooks.Point
		a    *hooks.Args
		want map[string]string
	}{
		{"v4 broadcast with both MACs", hooks.Lease4Release, &hooks.Args{Query: testQuery4(), Lease4: testLease4(), QueryAddr: hooks.Addressing{
			Local: netip.MustParseAddrPort("255.255.255.255:67"), Remote: netip.MustParseAddrPort("0.0.0.0:68"), IfIndex: 5, IfName: "veth0",
			LocalHWAddr: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, LocalHWType: 1, RemoteHWAddr: testMAC, RemoteHWType: 1}},
			map[string]string{"QUERY4_LOCAL_ADDR": "255.255.255.255", "QUERY4_LOCAL_PORT": "67", "QUERY4_REMOTE_ADDR": "0.0.0.0",
				"QUERY4_REMOTE_PORT": "68", "QUERY4_IFACE_INDEX": "5", "QUERY4_IFACE_NAME": "veth0",
				"QUERY4_LOCAL_HWADDR": "ff:ff:ff:ff:ff:ff", "QUERY4_LOCAL_HWADDR_TYPE": "1",
				"QUERY4_REMOTE_HWADDR": "02:00:00:4a:0a:01", "QUERY4_REMOTE_HWADDR_TYPE": "1"}},
		{"v4 relayed: no source MAC", hooks.Lease4Release, &hooks.Args{Query: testQuery4(), Lease4: testLease4(), QueryAddr: hooks.Addressing{
			Local: netip.MustParseAddrPort("192.0.2.1:67"), Remote: netip.MustParseAddrPort("198.51.100.1:67"), IfIndex: 5, IfName: "veth0",
			LocalHWAddr: mac, LocalHWType: 1}},
			map[string]string{"QUERY4_LOCAL_ADDR": "192.0.2.1", "QUERY4_REMOTE_ADDR": "198.51.100.1", "QUERY4_REMOTE_PORT": "67",
				"QUERY4_LOCAL_HWADDR": "02:00:00:4a:00:01", "QUERY4_LOCAL_HWADDR_TYPE": "1",
				"QUERY4_REMOTE_HWADDR": "", "QUERY4_REMOTE_HWADDR_TYPE": ""}},
		{"v4 not handed over", hooks.Lease4Release, releaseArgs(),
			map[string]string{"QUERY4_LOCAL_ADDR": "", "QUERY4_LOCAL_PORT": "", "QUERY4_REMOTE_ADDR": "", "QUERY4_REMOTE_PORT": "",
				"QUERY4_IFACE_INDEX": "", "QUERY4_IFACE_NAME": "", "QUERY4_LOCAL_HWADDR": "", "QUERY4_LOCAL_HWADDR_TYPE": "",
				"QUERY4_REMOTE_HWADDR": "", "QUERY4_REMOTE_HWADDR_TYPE": ""}},
		{"v6 link-local client", hooks.Lease6Release, &hooks.Args{Query: query6, Lease6: l6, QueryAddr: hooks.Addressing{
			Local: netip.MustParseAddrPort("[ff02::1:2]:547"), Remote: netip.MustParseAddrPort("[fe80::ff:fe4a:101%veth1]:546"), IfIndex: 3, IfName: "veth1"}},
			map[string]string{"QUERY6_LOCAL_ADDR": "ff02::1:2", "QUERY6_LOCAL_PORT": "0", "QUERY6_REMOTE_ADDR": "fe80::ff:fe4a:101",
				"QUERY6_REMOTE_PORT": "546", "QUERY6_IFACE_INDEX": "3", "QUERY6_IFACE_NAME": "veth1",
				"QUERY6_REMOTE_HWADDR": "", "QUERY6_REMOTE_HWADDR_TYPE": ""}},
		{"v6 not handed over", hooks.Lease6Release, &hooks.Args{Query: query6, Lease6: l6},
			map[string]string{"QUERY6_LOCAL_ADDR": "", "QUERY6_LOCAL_PORT": "", "QUERY6_REMOTE_ADDR": "", "QUERY6_REMOTE_PORT": "",
				"QUERY6_IFACE_INDEX": "", "QUERY6_IFACE_NAME": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := vars(Environment(tt.p, tt.a))
			for k, want := range tt.want {
				if got, ok := v[k]; !ok || got != want {
					t.Errorf("%s = %q (set %v), want %q", k, got, ok, want)
				}
			}
		})
	}
}

// A value is cut at a NUL byte, as execve cut Kea's C strings; every other
// byte passes as it is (it is only ever an environment value).
func TestEnvironmentOddValues(t *testing.T) {
	tests := []struct{ hostname, want string }{
		{"odd\x01name\x00tail.example.org", "odd\x01name"}, // as captured from Kea
		{"\x00", ""},
		{"$(reboot); `id` 'q' \"d\" \\", "$(reboot); `id` 'q' \"d\" \\"},
		{"two\nlines", "two\nlines"},
		{"=x=", "=x="},
		{"\xff\xfe", "\xff\xfe"},
	}
	for _, tt := range tests {
		l := testLease4()
		l.Hostname = tt.hostname
		v := vars(Environment(hooks.Lease4Expire, &hooks.Args{Lease4: l}))
		if got := v["LEASE4_HOSTNAME"]; got != tt.want {
			t.Errorf("hostname %q: LEASE4_HOSTNAME=%q, want %q", tt.hostname, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{name4(dhcp4.Discover), "DHCPDISCOVER"}, {name4(dhcp4.Decline), "DHCPDECLINE"}, {name4(16), "UNKNOWN"}, {name4(18), "DHCPTLS"},
		{name6(dhcp6.InformationRequest), "INFORMATION_REQUEST"}, {name6(dhcp6.RelayForw), "RELAY_FORWARD"}, {name6(16), "UNKNOWN"},
		{stateName(lease.StateExpiredReclaimed), "expired-reclaimed"}, {stateName(7), "unknown (7)"},
		{typeName(lease.TypeTA), "IA_TA"}, {typeName(9), "unknown (9)"},
		{colonHex([]byte{0}), "00"}, {colonHex(nil), ""}, {optionHex(nil), ""}, {optionHex([]byte{0xab}), "0xAB"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func BenchmarkEnvironmentLeases4Committed(b *testing.B) {
	a := &hooks.Args{Query: query4(dhcp4.Request, netip.MustParseAddr("198.51.100.1"), []byte{1, 3, 'a', 'b', 'c', 2, 2, 1, 2}),
		Leases4: []lease.Lease4{*testLease4()}, DeletedLeases4: []lease.Lease4{}}
	in := &instance{}
	in.bufs.New = func() any { return new(scratch) }
	b.ReportAllocs()
	for b.Loop() {
		_ = in.environment(hooks.Leases4Committed, a)
	}
}

func BenchmarkEnvironmentLease6Renew(b *testing.B) {
	q6 := dhcp6.NewBuilder(nil, dhcp6.Renew, 0x1a0003)
	q6.AddOption(dhcp6.OptClientID, []byte{0, 3, 0, 1, 2, 0, 0, 0x4a, 0x1a, 1})
	query6, _ := q6.Finish()
	a := &hooks.Args{Query: query6, Lease6: &lease.Lease6{Type: lease.TypeNA, Addr: netip.MustParseAddr("2001:db8:1::100"), PrefixLen: 128},
		IA: []byte{0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}}
	in := &instance{}
	in.bufs.New = func() any { return new(scratch) }
	b.ReportAllocs()
	for b.Loop() {
		_ = in.environment(hooks.Lease6Renew, a)
	}
}

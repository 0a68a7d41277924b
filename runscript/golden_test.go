package runscript

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
	"github.com/leasehold/leasehold/runscript/internal/exchange"
)

// TestGoldenKea rebuilds every call Kea 2.2 made in the captures of
// testdata/kea and checks that Environment gives the same variables, in
// the same order, with the same values. The query of each call is the
// packet the capture's client really sent (found by transaction id), so
// every QUERY4_* / QUERY6_* value that comes from the packet (type, ids,
// header fields, relay state, option 82, client id) is decoded from Kea's
// own input. Leases, subnet and the query's addressing (in Args.QueryAddr,
// as a server gives it) are taken from the capture's values: they test
// formatting, order and the rules for empty values.
func TestGoldenKea(t *testing.T) {
	files, err := filepath.Glob("testdata/kea/*/*.env")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	points := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		calls, err := exchange.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pkts, err := readPackets(strings.TrimSuffix(f, ".env") + ".pkt")
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, c := range calls {
			points[c.Point()]++
			t.Run(fmt.Sprintf("%s/%d-%s", strings.TrimPrefix(strings.TrimSuffix(f, ".env"), "testdata/kea/"), i, c.Point()), func(t *testing.T) {
				p, err := hooks.ParsePoint(c.Point())
				if err != nil {
					t.Fatal(err)
				}
				a := rebuild(t, p, c, pkts)
				got := exchange.Call{Args: c.Args, Env: Environment(p, a)}
				norm := exchange.Norm{From: goldenCLTT, To: goldenCLTT, IfIndex: goldenIfIndex, IfName: "@ifname"}
				if err := norm.Apply(&got); err != nil {
					t.Fatal(err)
				}
				compareEnv(t, c.Env, got.Env)
			})
		}
	}
	for _, want := range []string{"lease4_renew", "lease4_expire", "lease4_recover", "leases4_committed", "lease4_release",
		"lease4_decline", "lease6_renew", "lease6_rebind", "lease6_expire", "lease6_recover", "leases6_committed",
		"lease6_release", "lease6_decline"} {
		if points[want] == 0 {
			t.Errorf("no capture of %s in testdata/kea", want)
		}
	}
}

const (
	goldenCLTT    = 1700000000
	goldenIfIndex = 7
)

// compareEnv reports every variable that differs, is missing or extra, and
// a difference in order.
func compareEnv(t *testing.T, want, got []string) {
	t.Helper()
	wm, gm := envMap(want), envMap(got)
	for _, kv := range want {
		k, v, _ := strings.Cut(kv, "=")
		g, ok := gm[k]
		switch {
		case !ok:
			t.Errorf("%s missing (Kea: %q)", k, v)
		case g != v:
			t.Errorf("%s = %q, Kea %q", k, g, v)
		}
	}
	for _, kv := range got {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := wm[k]; !ok {
			t.Errorf("%s = %q set, Kea does not set it", k, v)
		}
	}
	if !t.Failed() && strings.Join(keys(want), " ") != strings.Join(keys(got), " ") {
		t.Errorf("order differs:\n got %v\nwant %v", keys(got), keys(want))
	}
}

func envMap(vars []string) map[string]string {
	m := make(map[string]string, len(vars))
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func keys(vars []string) []string {
	out := make([]string, len(vars))
	for i, kv := range vars {
		out[i], _, _ = strings.Cut(kv, "=")
	}
	return out
}

func readPackets(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return exchange.ParsePackets(b)
}

// rebuild makes the Args of a captured call.
func rebuild(t *testing.T, p hooks.Point, c exchange.Call, pkts [][]byte) *hooks.Args {
	t.Helper()
	v := envMap(c.Env)
	a := &hooks.Args{}
	if txid, ok := v["QUERY4_TXID"]; ok {
		a.Query = findQuery(t, pkts, txid, false)
		a.QueryAddr = addrFrom(t, v, "QUERY4")
	}
	if txid, ok := v["QUERY6_TXID"]; ok {
		a.Query = findQuery(t, pkts, txid, true)
		a.QueryAddr = addrFrom(t, v, "QUERY6")
	}
	if _, ok := v["SUBNET4_ID"]; ok {
		a.Subnet4 = &hooks.Subnet4{ID: uint32(num(t, v["SUBNET4_ID"])),
			Prefix: netip.PrefixFrom(netip.MustParseAddr(v["SUBNET4_PREFIX"]), int(num(t, v["SUBNET4_PREFIX_LEN"])))}
	}
	if s, ok := v["PKT4_CLIENT_ID"]; ok {
		a.ClientID = unhex(t, s)
		a.HWAddr = unhex(t, v["PKT4_HWADDR"])
		a.HWType = uint16(num(t, v["PKT4_HWADDR_TYPE"]))
	}
	if s, ok := v["REMOVE_LEASE"]; ok {
		a.RemoveLease = s == "true"
	}
	if _, ok := v["LEASE4_ADDRESS"]; ok {
		l := lease4From(t, v, "LEASE4")
		a.Lease4 = &l
	}
	if _, ok := v["LEASE6_ADDRESS"]; ok {
		l := lease6From(t, v, "LEASE6")
		a.Lease6 = &l
	}
	for i := range int(num(t, v["LEASES4_SIZE"])) {
		a.Leases4 = append(a.Leases4, lease4From(t, v, fmt.Sprintf("LEASES4_AT%d", i)))
	}
	for i := range int(num(t, v["DELETED_LEASES4_SIZE"])) {
		a.DeletedLeases4 = append(a.DeletedLeases4, lease4From(t, v, fmt.Sprintf("DELETED_LEASES4_AT%d", i)))
	}
	for i := range int(num(t, v["LEASES6_SIZE"])) {
		a.Leases6 = append(a.Leases6, lease6From(t, v, fmt.Sprintf("LEASES6_AT%d", i)))
	}
	for i := range int(num(t, v["DELETED_LEASES6_SIZE"])) {
		a.DeletedLeases6 = append(a.DeletedLeases6, lease6From(t, v, fmt.Sprintf("DELETED_LEASES6_AT%d", i)))
	}
	if s := v["PKT6_IA_IA_TYPE"]; s != "" {
		ia := make([]byte, 16)
		binary.BigEndian.PutUint16(ia[0:2], uint16(num(t, s)))
		binary.BigEndian.PutUint16(ia[2:4], 12)
		binary.BigEndian.PutUint32(ia[4:8], uint32(num(t, v["PKT6_IA_IAID"])))
		binary.BigEndian.PutUint32(ia[8:12], uint32(num(t, v["PKT6_IA_IA_T1"])))
		binary.BigEndian.PutUint32(ia[12:16], uint32(num(t, v["PKT6_IA_IA_T2"])))
		a.IA = ia
	}
	return a
}

// findQuery returns the packet of the step with transaction id txid.
func findQuery(t *testing.T, pkts [][]byte, txid string, v6 bool) []byte {
	t.Helper()
	want := uint32(num(t, txid))
	for _, b := range pkts {
		if v6 {
			var p dhcp6.Packet
			if p.Decode(b) == nil && p.Msg.TransactionID == want {
				return b
			}
			continue
		}
		var m dhcp4.Message
		if m.Decode(b) == nil && m.XID == want {
			return b
		}
	}
	t.Fatalf("no packet with transaction id %s in the step", txid)
	return nil
}

// addrFrom is the query's addressing a server would have handed over for
// the call. Kea 2.2 reports 0 as the local port of every DHCPv6 query: the
// server port is given here, as a leasehold server gives it.
func addrFrom(t *testing.T, v map[string]string, p string) hooks.Addressing {
	t.Helper()
	lport := uint16(num(t, v[p+"_LOCAL_PORT"]))
	if p == "QUERY6" {
		lport = 547
	}
	a := hooks.Addressing{
		Local:   netip.AddrPortFrom(netip.MustParseAddr(v[p+"_LOCAL_ADDR"]), lport),
		Remote:  netip.AddrPortFrom(netip.MustParseAddr(v[p+"_REMOTE_ADDR"]), uint16(num(t, v[p+"_REMOTE_PORT"]))),
		IfIndex: goldenIfIndex,
		IfName:  v[p+"_IFACE_NAME"],
	}
	if a.Remote.Addr().IsLinkLocalUnicast() {
		a.Remote = netip.AddrPortFrom(a.Remote.Addr().WithZone(a.IfName), a.Remote.Port()) // as the socket reports it
	}
	if s := v[p+"_LOCAL_HWADDR"]; s != "" {
		a.LocalHWAddr, a.LocalHWType = unhex(t, s), uint16(num(t, v[p+"_LOCAL_HWADDR_TYPE"]))
	}
	if s := v[p+"_REMOTE_HWADDR"]; s != "" {
		a.RemoteHWAddr, a.RemoteHWType = unhex(t, s), uint16(num(t, v[p+"_REMOTE_HWADDR_TYPE"]))
	}
	return a
}

func lease4From(t *testing.T, v map[string]string, p string) lease.Lease4 {
	t.Helper()
	return lease.Lease4{
		Addr:          netip.MustParseAddr(v[p+"_ADDRESS"]),
		CLTT:          goldenCLTT,
		Hostname:      v[p+"_HOSTNAME"],
		HWAddr:        unhex(t, v[p+"_HWADDR"]),
		State:         state(t, v[p+"_STATE"]),
		SubnetID:      uint32(num(t, v[p+"_SUBNET_ID"])),
		ValidLifetime: uint32(num(t, v[p+"_VALID_LIFETIME"])),
		ClientID:      unhex(t, v[p+"_CLIENT_ID"]),
	}
}

func lease6From(t *testing.T, v map[string]string, p string) lease.Lease6 {
	t.Helper()
	l := lease.Lease6{
		Addr:              netip.MustParseAddr(v[p+"_ADDRESS"]),
		CLTT:              goldenCLTT,
		Hostname:          v[p+"_HOSTNAME"],
		HWAddr:            unhex(t, v[p+"_HWADDR"]),
		State:             state(t, v[p+"_STATE"]),
		SubnetID:          uint32(num(t, v[p+"_SUBNET_ID"])),
		ValidLifetime:     uint32(num(t, v[p+"_VALID_LIFETIME"])),
		DUID:              unhex(t, v[p+"_DUID"]),
		IAID:              uint32(num(t, v[p+"_IAID"])),
		PreferredLifetime: uint32(num(t, v[p+"_PREFERRED_LIFETIME"])),
		PrefixLen:         uint8(num(t, v[p+"_PREFIX_LEN"])),
	}
	if s := v[p+"_HWADDR_TYPE"]; s != "" {
		l.HWType = uint16(num(t, s))
	}
	switch v[p+"_TYPE"] {
	case "IA_NA":
		l.Type = lease.TypeNA
	case "IA_PD":
		l.Type = lease.TypePD
	case "IA_TA":
		l.Type = lease.TypeTA
	default:
		t.Fatalf("%s_TYPE=%q", p, v[p+"_TYPE"])
	}
	return l
}

func state(t *testing.T, s string) lease.State {
	t.Helper()
	for _, st := range []lease.State{lease.StateDefault, lease.StateDeclined, lease.StateExpiredReclaimed} {
		if stateName(st) == s {
			return st
		}
	}
	t.Fatalf("unknown state %q", s)
	return 0
}

func num(t *testing.T, s string) uint64 {
	t.Helper()
	if s == "" {
		return 0
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	if s == "" {
		return nil
	}
	b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err != nil {
		t.Fatalf("not colon hex: %q", s)
	}
	return b
}

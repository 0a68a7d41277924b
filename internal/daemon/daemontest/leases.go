package daemontest

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Lease4 is one row of a Kea DHCPv4 lease file.
type Lease4 struct {
	Addr          netip.Addr
	HWAddr        string // colon hex, as in the file
	ClientID      string
	ValidLifetime uint32
	Expire        int64
	SubnetID      uint32
	Hostname      string
	State         int // 0 default, 1 declined, 2 expired-reclaimed
}

// Lease6 is one row of a Kea DHCPv6 lease file.
type Lease6 struct {
	Addr          netip.Addr
	DUID          string
	ValidLifetime uint32
	Expire        int64
	SubnetID      uint32
	PrefLifetime  uint32
	Type          int // 0 IA_NA, 1 IA_TA, 2 IA_PD
	IAID          uint32
	PrefixLen     int
	Hostname      string
	HWAddr        string
	State         int
}

// Rows4 reads every complete row of a DHCPv4 lease file, in file order. A
// last line without its newline (cut short by a crash) is left out, as
// the memfile loader does.
func Rows4(path string) ([]Lease4, error) {
	return rows(path, func(r *record) Lease4 {
		return Lease4{
			Addr: r.addr("address"), HWAddr: r.s("hwaddr"), ClientID: r.s("client_id"),
			ValidLifetime: uint32(r.n("valid_lifetime")), Expire: r.n("expire"), SubnetID: uint32(r.n("subnet_id")),
			Hostname: r.s("hostname"), State: int(r.n("state")),
		}
	}, "address", "hwaddr", "client_id", "valid_lifetime", "expire", "subnet_id", "hostname", "state")
}

// ReadLeases4 returns the leases a DHCPv4 lease file leaves after loading:
// the last row of each address, without those whose last row has a valid
// lifetime of 0 (a release).
func ReadLeases4(path string) (map[netip.Addr]Lease4, error) {
	return leases(path, Rows4, func(l Lease4) (netip.Addr, uint32) { return l.Addr, l.ValidLifetime })
}

// Rows6 is Rows4 for a DHCPv6 lease file.
func Rows6(path string) ([]Lease6, error) {
	return rows(path, func(r *record) Lease6 {
		return Lease6{
			Addr: r.addr("address"), DUID: r.s("duid"),
			ValidLifetime: uint32(r.n("valid_lifetime")), Expire: r.n("expire"), SubnetID: uint32(r.n("subnet_id")),
			PrefLifetime: uint32(r.n("pref_lifetime")), Type: int(r.n("lease_type")), IAID: uint32(r.n("iaid")),
			PrefixLen: int(r.n("prefix_len")), Hostname: r.s("hostname"), HWAddr: r.s("hwaddr"), State: int(r.n("state")),
		}
	}, "address", "duid", "valid_lifetime", "expire", "subnet_id", "pref_lifetime", "lease_type", "iaid", "prefix_len", "hostname", "hwaddr", "state")
}

// Key6 identifies a DHCPv6 lease: its type and address (prefix).
type Key6 struct {
	Type int
	Addr netip.Addr
}

// ReadLeases6 is ReadLeases4 for a DHCPv6 lease file.
func ReadLeases6(path string) (map[Key6]Lease6, error) {
	return leases(path, Rows6, func(l Lease6) (Key6, uint32) { return Key6{l.Type, l.Addr}, l.ValidLifetime })
}

// rows reads the file's rows (readCSV, needing the columns need) into
// leases with lease.
func rows[L any](path string, lease func(*record) L, need ...string) ([]L, error) {
	recs, err := readCSV(path, need...)
	if err != nil {
		return nil, err
	}
	out := make([]L, 0, len(recs))
	for _, r := range recs {
		l := lease(r)
		if r.err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, r.line, r.err)
		}
		out = append(out, l)
	}
	return out, nil
}

// leases keeps the last row of each key, dropping the keys whose last row
// has a valid lifetime of 0.
func leases[K comparable, L any](path string, read func(string) ([]L, error), key func(L) (K, uint32)) (map[K]L, error) {
	rows, err := read(path)
	if err != nil {
		return nil, err
	}
	m := map[K]L{}
	for _, l := range rows {
		k, valid := key(l)
		if valid == 0 {
			delete(m, k)
			continue
		}
		m[k] = l
	}
	return m, nil
}

// record is one row with its columns by header name.
type record struct {
	line int
	cols map[string]string
	err  error
}

func (r *record) s(name string) string {
	return strings.ReplaceAll(r.cols[name], "&#x2c;", ",")
}

func (r *record) n(name string) int64 {
	v, err := strconv.ParseInt(r.cols[name], 10, 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("column %s: %w", name, err)
	}
	return v
}

func (r *record) addr(name string) netip.Addr {
	a, err := netip.ParseAddr(r.cols[name])
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("column %s: %w", name, err)
	}
	return a
}

// readCSV reads a Kea lease file, mapping columns by the header's names (so
// files with Kea 2.6's extra pool_id column read too) and checking that the
// named columns are present. A missing file has no rows.
func readCSV(path string, need ...string) ([]*record, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i != len(b)-1 {
		b = b[:i+1] // a torn last line
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	var header []string
	var recs []*record
	for n := 1; sc.Scan(); n++ {
		fields := strings.Split(sc.Text(), ",")
		if header == nil {
			header = fields
			for _, c := range need {
				if !contains(header, c) {
					return nil, fmt.Errorf("%s: header %q lacks column %s", path, sc.Text(), c)
				}
			}
			continue
		}
		if len(fields) != len(header) {
			return nil, fmt.Errorf("%s line %d: %d columns, header has %d", path, n, len(fields), len(header))
		}
		r := &record{line: n, cols: make(map[string]string, len(header))}
		for i, h := range header {
			r.cols[h] = fields[i]
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

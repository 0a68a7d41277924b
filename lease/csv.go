package lease

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"unsafe"
)

// Kea's lease file headers. Kea 2.2 writes exactly these; Kea 2.6 and later
// append ",pool_id". Rows follow the header's column order.
const (
	header4 = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"
	header6 = "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source"

	poolIDColumn = ",pool_id"
)

// Column identifiers, one per column name either file may hold.
const (
	colAddress = iota
	colHWAddr
	colClientID
	colValid
	colExpire
	colSubnet
	colFQDNFwd
	colFQDNRev
	colHostname
	colState
	colUserContext
	colPoolID
	colDUID
	colPref
	colType
	colIAID
	colPrefixLen
	colHWType
	colHWSource
	numCols
)

var columnNames = map[string]int{
	"address": colAddress, "hwaddr": colHWAddr, "client_id": colClientID,
	"valid_lifetime": colValid, "expire": colExpire, "subnet_id": colSubnet,
	"fqdn_fwd": colFQDNFwd, "fqdn_rev": colFQDNRev, "hostname": colHostname,
	"state": colState, "user_context": colUserContext, "pool_id": colPoolID,
	"duid": colDUID, "pref_lifetime": colPref, "lease_type": colType,
	"iaid": colIAID, "prefix_len": colPrefixLen, "hwtype": colHWType,
	"hwaddr_source": colHWSource,
}

// layout maps the columns of one file's header to positions in its rows.
type layout struct {
	pos     [numCols]int // position of each column in a row, -1 if absent
	n       int          // columns per row
	unknown []string     // columns this reader does not know (ignored)
}

// Columns a lease file must have; the rest default when absent, which is how
// Kea reads files written by its older versions.
var (
	required4 = []int{colAddress, colValid, colExpire, colSubnet}
	required6 = []int{colAddress, colDUID, colValid, colExpire, colSubnet, colType, colIAID}
)

// parseHeader maps a header line by column name.
func parseHeader(line []byte, v6 bool) (*layout, error) {
	lo := &layout{}
	for i := range lo.pos {
		lo.pos[i] = -1
	}
	i := 0
	for f := range splitFields(line) {
		c, ok := columnNames[string(f)]
		switch {
		case !ok:
			lo.unknown = append(lo.unknown, string(f))
		case lo.pos[c] >= 0:
			return nil, fmt.Errorf("header: column %q appears twice", f)
		default:
			lo.pos[c] = i
		}
		i++
	}
	lo.n = i
	req := required4
	if v6 {
		req = required6
	}
	for _, c := range req {
		if lo.pos[c] < 0 {
			for name, id := range columnNames {
				if id == c {
					return nil, fmt.Errorf("header: required column %q missing", name)
				}
			}
		}
	}
	if !v6 && lo.pos[colDUID] >= 0 {
		return nil, fmt.Errorf("header: DHCPv6 column \"duid\" in a DHCPv4 lease file")
	}
	if v6 && lo.pos[colClientID] >= 0 {
		return nil, fmt.Errorf("header: DHCPv4 column \"client_id\" in a DHCPv6 lease file")
	}
	return lo, nil
}

// splitFields yields the comma-separated fields of a line, as Kea splits
// them: every comma separates, and there is no quoting.
func splitFields(line []byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		start := 0
		for i, c := range line {
			if c == ',' {
				if !yield(line[start:i]) {
					return
				}
				start = i + 1
			}
		}
		yield(line[start:])
	}
}

// row holds the fields of one data row, indexed by column id.
type row struct {
	f [numCols][]byte
}

func (lo *layout) split(line []byte, r *row) error {
	var fields [32][]byte // rows longer than this are rejected below
	n := 0
	for f := range splitFields(line) {
		if n == len(fields) {
			return fmt.Errorf("more than %d columns", len(fields))
		}
		fields[n] = f
		n++
	}
	if n != lo.n {
		return fmt.Errorf("%d columns, header has %d", n, lo.n)
	}
	for c, p := range lo.pos {
		if p >= 0 {
			r.f[c] = fields[p]
		} else {
			r.f[c] = nil
		}
	}
	return nil
}

// scratch holds buffers that parsing reuses row after row, to spare the
// garbage collector while a large file loads or compacts: the byte slices
// of a lease parsed with a scratch point into it, so whoever keeps the
// lease must copy them (the tables and the compactor's writer do). A nil
// scratch gives fresh slices.
type scratch struct{ a, b []byte }

func (s *scratch) bufs() (a, b []byte) {
	if s == nil {
		return nil, nil
	}
	return s.a[:0], s.b[:0]
}

func (s *scratch) keep(a, b []byte) {
	if s != nil {
		s.a, s.b = a, b
	}
}

// parse4 decodes one DHCPv4 data row.
func (lo *layout) parse4(line []byte, l *Lease4, sc *scratch) error {
	var r row
	if err := lo.split(line, &r); err != nil {
		return err
	}
	var err error
	*l = Lease4{}
	var ok bool
	if l.Addr, ok = parseAddr4(r.f[colAddress]); !ok {
		return fmt.Errorf("address %q is not an IPv4 address", r.f[colAddress])
	}
	a, b := sc.bufs()
	defer func() { sc.keep(a, b) }()
	if l.HWAddr, a, err = parseHexTo(a, r.f[colHWAddr]); err != nil {
		return fmt.Errorf("hwaddr: %w", err)
	}
	if l.ClientID, b, err = parseHexTo(b, r.f[colClientID]); err != nil {
		return fmt.Errorf("client_id: %w", err)
	}
	if len(l.HWAddr) > maxHWAddr || len(l.ClientID) > 255 {
		return fmt.Errorf("hwaddr or client_id too long")
	}
	var expire int64
	if err := parseCommon(&r, &l.ValidLifetime, &expire, &l.SubnetID, &l.PoolID,
		&l.FQDNFwd, &l.FQDNRev, &l.Hostname, &l.State, &l.UserContext); err != nil {
		return err
	}
	l.CLTT = expire - int64(l.ValidLifetime)
	return nil
}

// parse6 decodes one DHCPv6 data row.
func (lo *layout) parse6(line []byte, l *Lease6, sc *scratch) error {
	var r row
	if err := lo.split(line, &r); err != nil {
		return err
	}
	var err error
	*l = Lease6{}
	var ok bool
	if l.Addr, ok = parseAddr6(r.f[colAddress]); !ok {
		return fmt.Errorf("address %q is not an IPv6 address", r.f[colAddress])
	}
	a, b := sc.bufs()
	defer func() { sc.keep(a, b) }()
	if l.DUID, a, err = parseHexTo(a, r.f[colDUID]); err != nil || len(l.DUID) > 255 {
		return fmt.Errorf("duid %q is not a hex string of up to 255 bytes", r.f[colDUID])
	}
	var expire int64
	if err := parseCommon(&r, &l.ValidLifetime, &expire, &l.SubnetID, &l.PoolID,
		&l.FQDNFwd, &l.FQDNRev, &l.Hostname, &l.State, &l.UserContext); err != nil {
		return err
	}
	l.CLTT = expire - int64(l.ValidLifetime)
	if l.PreferredLifetime, err = parseUint32(r.f[colPref], 0); err != nil {
		return fmt.Errorf("pref_lifetime: %w", err)
	}
	t, err := parseUint32(r.f[colType], 0)
	if err != nil || t > uint32(TypePD) {
		return fmt.Errorf("lease_type %q is not 0, 1 or 2", r.f[colType])
	}
	l.Type = Type(t)
	if l.IAID, err = parseUint32(r.f[colIAID], 0); err != nil {
		return fmt.Errorf("iaid: %w", err)
	}
	plen, err := parseUint32(r.f[colPrefixLen], 128)
	if err != nil || plen > 128 {
		return fmt.Errorf("prefix_len %q is not 0-128", r.f[colPrefixLen])
	}
	l.PrefixLen = uint8(plen)
	if l.Type != TypePD {
		// Kea's own checks only make sense of 128 for addresses.
		l.PrefixLen = 128
	}
	if l.HWAddr, b, err = parseHexTo(b, r.f[colHWAddr]); err != nil || len(l.HWAddr) > maxHWAddr {
		return fmt.Errorf("hwaddr %q is not a hex string of up to %d bytes", r.f[colHWAddr], maxHWAddr)
	}
	if len(l.HWAddr) > 0 {
		ht, err := parseUint32(r.f[colHWType], 1)
		if err != nil || ht > 0xFFFF {
			return fmt.Errorf("hwtype %q is not 0-65535", r.f[colHWType])
		}
		l.HWType = uint16(ht)
		if l.HWAddrSource, err = parseUint32(r.f[colHWSource], 0); err != nil {
			return fmt.Errorf("hwaddr_source: %w", err)
		}
	}
	if l.Type == TypePD {
		if err := check6(l); err != nil {
			return err
		}
	}
	return nil
}

// parseCommon decodes the columns DHCPv4 and DHCPv6 rows share.
func parseCommon(r *row, valid *uint32, expire *int64, subnet, pool *uint32,
	fwd, rev *bool, host *string, state *State, uctx *string) error {
	var err error
	if *valid, err = parseUint32(r.f[colValid], 0); err != nil {
		return fmt.Errorf("valid_lifetime: %w", err)
	}
	if *expire, err = strconv.ParseInt(string(r.f[colExpire]), 10, 64); err != nil {
		return fmt.Errorf("expire %q is not a number", r.f[colExpire])
	}
	if *subnet, err = parseUint32(r.f[colSubnet], 0); err != nil {
		return fmt.Errorf("subnet_id: %w", err)
	}
	if *pool, err = parseUint32(r.f[colPoolID], 0); err != nil {
		return fmt.Errorf("pool_id: %w", err)
	}
	if *fwd, err = parseFlag(r.f[colFQDNFwd]); err != nil {
		return fmt.Errorf("fqdn_fwd: %w", err)
	}
	if *rev, err = parseFlag(r.f[colFQDNRev]); err != nil {
		return fmt.Errorf("fqdn_rev: %w", err)
	}
	*host = unescape(r.f[colHostname])
	if len(*host) > maxHostname {
		return fmt.Errorf("hostname longer than %d bytes", maxHostname)
	}
	s, err := parseUint32(r.f[colState], 0)
	if err != nil || s > 0xFF {
		return fmt.Errorf("state %q is not 0-255", r.f[colState])
	}
	*state = State(s)
	*uctx = unescape(r.f[colUserContext])
	if err := checkUserContext(*uctx); err != nil {
		return err
	}
	return nil
}

// checkUserContext accepts "" or a JSON object, which is what Kea accepts.
func checkUserContext(s string) error {
	if s == "" {
		return nil
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	if i < len(s) && s[i] == '{' && json.Valid([]byte(s)) {
		return nil
	}
	return fmt.Errorf("user_context is not a JSON object")
}

// parseAddr4 reads a dotted-quad IPv4 address without allocating.
func parseAddr4(f []byte) (netip.Addr, bool) {
	var b [4]byte
	i := 0
	for part := range splitOn(f, '.') {
		if i == 4 || len(part) == 0 || len(part) > 3 || (len(part) > 1 && part[0] == '0') {
			return netip.Addr{}, false
		}
		v := 0
		for _, c := range part {
			if c < '0' || c > '9' {
				return netip.Addr{}, false
			}
			v = v*10 + int(c-'0')
		}
		if v > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
		i++
	}
	return netip.AddrFrom4(b), i == 4
}

// parseAddr6 reads an IPv6 address (no zone, not IPv4-mapped).
func parseAddr6(f []byte) (netip.Addr, bool) {
	if len(f) == 0 || bytes.IndexByte(f, '%') >= 0 {
		return netip.Addr{}, false
	}
	// ParseAddr keeps its argument only for a zone, which was ruled out,
	// so it may read the row's bytes in place.
	a, err := netip.ParseAddr(unsafe.String(&f[0], len(f)))
	if err != nil || !a.Is6() || a.Is4In6() {
		return netip.Addr{}, false
	}
	return a, true
}

// parseUint32 reads a decimal field; an absent column gives def.
func parseUint32(f []byte, def uint32) (uint32, error) {
	if f == nil {
		return def, nil
	}
	v, err := strconv.ParseUint(string(f), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number 0-4294967295", f)
	}
	return uint32(v), nil
}

func parseFlag(f []byte) (bool, error) {
	switch string(f) {
	case "", "0": // absent or empty column: Kea's default is false
		return false, nil
	case "1":
		return true, nil
	}
	return false, fmt.Errorf("%q is not 0 or 1", f)
}

// parseHex reads colon-separated hex bytes ("0:c:01" and "00:0c:01" alike)
// or, as Kea also accepts, an unseparated even-length hex string.
func parseHex(f []byte) ([]byte, error) {
	v, _, err := parseHexTo(nil, f)
	return v, err
}

// parseHexTo is parseHex appending to buf; it returns the value (nil for an
// empty field) and buf grown.
func parseHexTo(buf, f []byte) (val, grown []byte, err error) {
	if len(f) == 0 {
		return nil, buf, nil
	}
	start := len(buf)
	v, err := appendHexValue(buf, f)
	if err != nil {
		return nil, buf, err
	}
	return v[start:len(v):len(v)], v, nil
}

func appendHexValue(out, f []byte) ([]byte, error) {
	colons := false
	for _, c := range f {
		if c == ':' {
			colons = true
			break
		}
	}
	if !colons {
		if len(f)%2 != 0 {
			return nil, fmt.Errorf("%q: odd number of hex digits", f)
		}
		for i := 0; i < len(f); i += 2 {
			hi, lo := unhex(f[i]), unhex(f[i+1])
			if hi < 0 || lo < 0 {
				return nil, fmt.Errorf("%q: not hex", f)
			}
			out = append(out, byte(hi<<4|lo))
		}
		return out, nil
	}
	for part := range splitOn(f, ':') {
		var v int
		switch len(part) {
		case 1:
			v = unhex(part[0])
		case 2:
			hi, lo := unhex(part[0]), unhex(part[1])
			v = hi<<4 | lo
			if hi < 0 || lo < 0 {
				v = -1
			}
		default:
			v = -1
		}
		if v < 0 {
			return nil, fmt.Errorf("%q: %q is not a hex byte", f, part)
		}
		out = append(out, byte(v))
	}
	return out, nil
}

func splitOn(f []byte, sep byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		start := 0
		for i, c := range f {
			if c == sep {
				if !yield(f[start:i]) {
					return
				}
				start = i + 1
			}
		}
		yield(f[start:])
	}
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

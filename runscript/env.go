package runscript

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// env collects the script's environment in the order Kea 2.2 sets it. The
// formats are those of the captures in testdata/kea (see its README).
type env struct {
	vars []string
	buf  []byte
}

// add appends key=value. A value is cut at its first NUL byte: Kea hands
// the variables to execve as C strings, so that is what a script of Kea's
// sees, and a NUL cannot be passed any other way.
func (e *env) add(prefix, suffix, value string) {
	if i := strings.IndexByte(value, 0); i >= 0 {
		value = value[:i]
	}
	e.buf = append(e.buf[:0], prefix...)
	e.buf = append(e.buf, suffix...)
	e.buf = append(e.buf, '=')
	e.buf = append(e.buf, value...)
	e.vars = append(e.vars, string(e.buf))
}

func (e *env) addUint(prefix, suffix string, v uint64) {
	e.buf = append(e.buf[:0], prefix...)
	e.buf = append(e.buf, suffix...)
	e.buf = append(e.buf, '=')
	e.buf = strconv.AppendUint(e.buf, v, 10)
	e.vars = append(e.vars, string(e.buf))
}

func (e *env) addBool(prefix, suffix string, v bool) {
	e.add(prefix, suffix, strconv.FormatBool(v))
}

func (e *env) addAddr(prefix, suffix string, a netip.Addr) {
	if !a.IsValid() {
		e.add(prefix, suffix, "")
		return
	}
	e.add(prefix, suffix, a.String())
}

// colonHex is Kea's text form of hardware addresses, client ids and DUIDs:
// lower-case hex bytes joined by colons.
func colonHex(b []byte) string {
	const digits = "0123456789abcdef"
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, len(b)*3-1)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// optionHex is Kea's Option::toHexString: "0x" and upper-case hex of the
// option data, or "" for no data.
func optionHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 2, 2+2*len(b))
	out[0], out[1] = '0', 'x'
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// hw is a hardware address as Kea holds one: absent (a null pointer: both
// variables empty), or present with a type, maybe with no bytes.
type hw struct {
	present bool
	addr    []byte
	htype   uint16
}

func (e *env) addHW(prefix string, h hw) {
	if !h.present {
		e.add(prefix, "", "")
		e.add(prefix, "_TYPE", "")
		return
	}
	e.add(prefix, "", colonHex(h.addr))
	e.addUint(prefix, "_TYPE", uint64(h.htype))
}

// stateName is Kea's Lease::basicStatesToText.
func stateName(s lease.State) string {
	switch s {
	case lease.StateDefault:
		return "default"
	case lease.StateDeclined:
		return "declined"
	case lease.StateExpiredReclaimed:
		return "expired-reclaimed"
	}
	return "unknown (" + strconv.Itoa(int(s)) + ")"
}

// typeName is Kea's Lease::typeToText.
func typeName(t lease.Type) string {
	switch t {
	case lease.TypeNA:
		return "IA_NA"
	case lease.TypeTA:
		return "IA_TA"
	case lease.TypePD:
		return "IA_PD"
	}
	return "unknown (" + strconv.Itoa(int(t)) + ")"
}

// lease4 writes Kea's extractLease4. A v4 lease's hardware type is always
// 1: leasehold's DHCPv4 leases, like Kea's lease file, keep no type, and
// Kea gives Ethernet to every lease it loads.
func (e *env) lease4(prefix string, l *lease.Lease4) {
	if l == nil {
		for _, s := range []string{"_ADDRESS", "_CLTT", "_HOSTNAME"} {
			e.add(prefix, s, "")
		}
		e.addHW(prefix+"_HWADDR", hw{})
		for _, s := range []string{"_STATE", "_SUBNET_ID", "_VALID_LIFETIME", "_CLIENT_ID"} {
			e.add(prefix, s, "")
		}
		return
	}
	e.addAddr(prefix, "_ADDRESS", l.Addr)
	e.addUint(prefix, "_CLTT", uint64(l.CLTT))
	e.add(prefix, "_HOSTNAME", l.Hostname)
	e.addHW(prefix+"_HWADDR", hw{present: true, addr: l.HWAddr, htype: 1})
	e.add(prefix, "_STATE", stateName(l.State))
	e.addUint(prefix, "_SUBNET_ID", uint64(l.SubnetID))
	e.addUint(prefix, "_VALID_LIFETIME", uint64(l.ValidLifetime))
	e.add(prefix, "_CLIENT_ID", colonHex(l.ClientID))
}

// lease6 writes Kea's extractLease6. A lease without a hardware address
// has none at all in Kea (both variables empty).
func (e *env) lease6(prefix string, l *lease.Lease6) {
	if l == nil {
		for _, s := range []string{"_ADDRESS", "_CLTT", "_HOSTNAME"} {
			e.add(prefix, s, "")
		}
		e.addHW(prefix+"_HWADDR", hw{})
		for _, s := range []string{"_STATE", "_SUBNET_ID", "_VALID_LIFETIME", "_DUID", "_IAID", "_PREFERRED_LIFETIME", "_PREFIX_LEN", "_TYPE"} {
			e.add(prefix, s, "")
		}
		return
	}
	e.addAddr(prefix, "_ADDRESS", l.Addr)
	e.addUint(prefix, "_CLTT", uint64(l.CLTT))
	e.add(prefix, "_HOSTNAME", l.Hostname)
	e.addHW(prefix+"_HWADDR", hw{present: len(l.HWAddr) > 0, addr: l.HWAddr, htype: l.HWType})
	e.add(prefix, "_STATE", stateName(l.State))
	e.addUint(prefix, "_SUBNET_ID", uint64(l.SubnetID))
	e.addUint(prefix, "_VALID_LIFETIME", uint64(l.ValidLifetime))
	e.add(prefix, "_DUID", colonHex(l.DUID))
	e.addUint(prefix, "_IAID", uint64(l.IAID))
	e.addUint(prefix, "_PREFERRED_LIFETIME", uint64(l.PreferredLifetime))
	e.addUint(prefix, "_PREFIX_LEN", uint64(l.PrefixLen))
	e.add(prefix, "_TYPE", typeName(l.Type))
}

// leases4 writes Kea's extractLeases4: the size, then each lease with an
// _AT<i> prefix.
func (e *env) leases4(prefix string, ls []lease.Lease4) {
	e.addUint(prefix, "_SIZE", uint64(len(ls)))
	for i := range ls {
		e.lease4(prefix+"_AT"+strconv.Itoa(i), &ls[i])
	}
}

func (e *env) leases6(prefix string, ls []lease.Lease6) {
	e.addUint(prefix, "_SIZE", uint64(len(ls)))
	for i := range ls {
		e.lease6(prefix+"_AT"+strconv.Itoa(i), &ls[i])
	}
}

// subnet4 writes Kea's extractSubnet4; Kea names a subnet by its prefix.
func (e *env) subnet4(prefix string, s *hooks.Subnet4) {
	if s == nil || !s.Prefix.IsValid() {
		for _, x := range []string{"_ID", "_NAME", "_PREFIX", "_PREFIX_LEN"} {
			e.add(prefix, x, "")
		}
		return
	}
	e.addUint(prefix, "_ID", uint64(s.ID))
	e.add(prefix, "_NAME", s.Prefix.Masked().String())
	e.addAddr(prefix, "_PREFIX", s.Prefix.Masked().Addr())
	e.addUint(prefix, "_PREFIX_LEN", uint64(s.Prefix.Bits()))
}

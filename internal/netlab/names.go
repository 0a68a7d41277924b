package netlab

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/netip"
)

// Interface names are limited to 15 bytes (IFNAMSIZ-1). A lab's ID is the
// prefix plus idLen random characters, and every interface is the ID plus a
// role suffix of at most maxSuffix bytes ("-sbr", "-p255", "-r12u"), so the
// prefix may have up to maxPrefix bytes.
const (
	idLen     = 3
	maxSuffix = 5
	maxPrefix = 15 - idLen - maxSuffix
)

// Fixed, locally administered MAC addresses keep captures and DUIDs
// (DUID-LL is built from the MAC) the same from run to run. Labs never share
// a link, so two labs using the same MACs do not meet.
var (
	macServer     = net.HardwareAddr{0x02, 0x6c, 0x68, 0x00, 0x00, 0x01}
	macClientBase = net.HardwareAddr{0x02, 0x6c, 0x68, 0x00, 0x01, 0x00}
	macRouterUp   = net.HardwareAddr{0x02, 0x6c, 0x68, 0x00, 0x02, 0x00}
	macRouterDown = net.HardwareAddr{0x02, 0x6c, 0x68, 0x00, 0x03, 0x00}
	macPortBase   = net.HardwareAddr{0x02, 0x6c, 0x68, 0x00, 0x04, 0x00}
	macRouterPort = net.HardwareAddr{0x02, 0x6c, 0x68, 0x00, 0x05, 0x00}
)

// Defaults for the server link and the relay links, all from documentation
// ranges (RFC 5737, RFC 3849).
var (
	defaultServer4 = netip.MustParsePrefix("192.0.2.1/24")
	defaultServer6 = netip.MustParsePrefix("2001:db8:1::1/64")
	defaultRelay4  = []netip.Prefix{
		netip.MustParsePrefix("198.51.100.1/24"),
		netip.MustParsePrefix("203.0.113.1/24"),
	}
)

// macWithLast returns base with its last byte set to n.
func macWithLast(base net.HardwareAddr, n int) net.HardwareAddr {
	m := make(net.HardwareAddr, len(base))
	copy(m, base)
	m[len(m)-1] = byte(n)
	return m
}

func validPrefix(p string) error {
	if p == "" || len(p) > maxPrefix {
		return fmt.Errorf("netlab: prefix %q: want 1 to %d characters", p, maxPrefix)
	}
	for _, c := range []byte(p) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return fmt.Errorf("netlab: prefix %q: only letters and digits are allowed", p)
		}
	}
	return nil
}

// randomID returns prefix followed by idLen characters of [0-9a-z].
func randomID(prefix string) (string, error) {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [idLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("netlab: random lab id: %w", err)
	}
	id := []byte(prefix)
	for _, x := range b {
		id = append(id, alphabet[int(x)%len(alphabet)])
	}
	return string(id), nil
}

// routerAddr returns the address of relay router k (from 0) on the server
// link: counting down from the last host of p for IPv4 (192.0.2.254 for
// 192.0.2.0/24), from ::fe for IPv6.
func routerAddr(p netip.Prefix, k int) (netip.Prefix, error) {
	base := p.Masked().Addr().As16()
	if p.Addr().Is4() {
		a := p.Masked().Addr().As4()
		v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		hostBits := 32 - p.Bits()
		if hostBits < 3 {
			return netip.Prefix{}, fmt.Errorf("netlab: server prefix %s too small for a router address", p)
		}
		v |= (1<<hostBits - 1) - 1 - uint32(k)
		r := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		if r == p.Addr() {
			return netip.Prefix{}, fmt.Errorf("netlab: router address %s is the server's", r)
		}
		return netip.PrefixFrom(r, p.Bits()), nil
	}
	if p.Bits() > 120 {
		return netip.Prefix{}, fmt.Errorf("netlab: server prefix %s too small for a router address", p)
	}
	base[15] = 0xfe - byte(k)
	r := netip.AddrFrom16(base)
	if r == p.Addr() {
		return netip.Prefix{}, fmt.Errorf("netlab: router address %s is the server's", r)
	}
	return netip.PrefixFrom(r, p.Bits()), nil
}

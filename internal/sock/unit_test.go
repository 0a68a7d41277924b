package sock

import (
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestPktinfoRoundTrip(t *testing.T) {
	var b [ctrlLen]byte
	n := putPktinfo6(b[:], 7, mustAddr("2001:db8::1"))
	pi, ok := parsePktinfo(b[:n])
	if !ok || pi.ifIndex != 7 || pi.dst != mustAddr("2001:db8::1") {
		t.Errorf("v6 round trip: %+v %v", pi, ok)
	}
	// For IPv4 the kernel reports ipi_addr, which senders do not set.
	n = putPktinfo4(b[:], 3, mustAddr("192.0.2.1"))
	p4 := (*syscall.Inet4Pktinfo)(unsafe.Pointer(&b[cmsgAlign(cmsgHdrLen)]))
	if p4.Spec_dst != [4]byte{192, 0, 2, 1} || p4.Ifindex != 3 {
		t.Errorf("IP_PKTINFO written as %+v", *p4)
	}
	p4.Addr = [4]byte{255, 255, 255, 255}
	pi, ok = parsePktinfo(b[:n])
	if !ok || pi.ifIndex != 3 || pi.dst != netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		t.Errorf("v4 parse: %+v %v", pi, ok)
	}
}

func TestParsePktinfoRejectsBadLengths(t *testing.T) {
	var b [ctrlLen]byte
	n := putPktinfo6(b[:], 7, mustAddr("2001:db8::1"))
	tests := map[string][]byte{
		"empty":     nil,
		"short":     b[:cmsgHdrLen-1],
		"truncated": b[:n-8],
	}
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
	for name, in := range tests {
		if _, ok := parsePktinfo(in); ok {
			t.Errorf("%s: parsed", name)
		}
	}
	h.Len = 2 // below a header
	if _, ok := parsePktinfo(b[:n]); ok {
		t.Error("length below header parsed")
	}
}

func TestSockaddrRoundTrip(t *testing.T) {
	var raw syscall.RawSockaddrInet6
	for _, ap := range []string{"192.0.2.1:67", "[2001:db8::1]:547", "[fe80::1]:546"} {
		want := netip.MustParseAddrPort(ap)
		l := putSockaddr(&raw, want, 9)
		addr, port, scope := sockaddr(&raw)
		if addr != want.Addr() || port != want.Port() {
			t.Errorf("%s: got %s port %d", ap, addr, port)
		}
		if want.Addr().Is6() && (scope != 9 || l != syscall.SizeofSockaddrInet6) {
			t.Errorf("%s: scope %d len %d", ap, scope, l)
		}
	}
}

func TestParseSpecs(t *testing.T) {
	tests := []struct {
		in   []string
		v6   bool
		want string
	}{
		{nil, false, "[all]"},
		{[]string{"eth0", "eth1/192.0.2.1", "*"}, false, "[eth0 eth1/192.0.2.1 all]"},
		{[]string{"eth0/2001:db8::1"}, true, "[eth0/2001:db8::1]"},
		{[]string{"eth0/2001:db8::1"}, false, "error: is not an IPv4 address"},
		{[]string{"eth0/192.0.2.1"}, true, "error: is not an IPv6 address"},
		{[]string{"/192.0.2.1"}, false, "error: bad interface name"},
		{[]string{"averyveryverylongname"}, false, "error: bad interface name"},
	}
	for _, tt := range tests {
		specs, err := parseSpecs(tt.in, tt.v6)
		var got string
		if err != nil {
			got = "error: " + err.Error()
		} else {
			var parts []string
			for _, s := range specs {
				switch {
				case s.all:
					parts = append(parts, "all")
				case s.addr.IsValid():
					parts = append(parts, s.name+"/"+s.addr.String())
				default:
					parts = append(parts, s.name)
				}
			}
			got = "[" + strings.Join(parts, " ") + "]"
		}
		if !strings.HasPrefix(got, "error: ") && got != tt.want || strings.HasPrefix(tt.want, "error: ") && !strings.Contains(got, strings.TrimPrefix(tt.want, "error: ")) {
			t.Errorf("parseSpecs(%q, v6=%v) = %s, want %s", tt.in, tt.v6, got, tt.want)
		}
	}
}

func TestParseSocketType(t *testing.T) {
	for in, want := range map[string]SocketType{"": SocketRaw, "raw": SocketRaw, "udp": SocketUDP} {
		if got, err := ParseSocketType(in); err != nil || got != want {
			t.Errorf("ParseSocketType(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseSocketType("RAW"); err == nil {
		t.Error("RAW accepted")
	}
}

func TestAddressFilter(t *testing.T) {
	c := &Conn{onlyDst: mustAddr("192.0.2.1"), iface: Interface{Prefixes4: []netip.Prefix{netip.MustParsePrefix("192.0.2.1/24")}}}
	for dst, want := range map[string]bool{
		"192.0.2.1": true, "255.255.255.255": true, "192.0.2.255": true,
		"192.0.2.2": false, "198.51.100.1": false,
	} {
		if got := c.accepts(mustAddr(dst)); got != want {
			t.Errorf("accepts(%s) = %v, want %v", dst, got, want)
		}
	}
}

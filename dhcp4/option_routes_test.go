package dhcp4

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestClasslessRoutes(t *testing.T) {
	r := func(p, gw string) Route {
		return Route{Dest: netip.MustParsePrefix(p), Router: netip.MustParseAddr(gw)}
	}
	tests := []struct {
		name   string
		data   []byte
		routes []Route
		err    string
	}{
		{"default route", []byte{0, 192, 0, 2, 1}, []Route{r("0.0.0.0/0", "192.0.2.1")}, ""},
		{"RFC 3442 examples", []byte{
			24, 198, 51, 100, 192, 0, 2, 1, // 198.51.100.0/24
			9, 10, 128, 192, 0, 2, 2, // 10.128.0.0/9
			32, 203, 0, 113, 7, 0, 0, 0, 0, // host route, on link
			8, 10, 192, 0, 2, 3,
		}, []Route{r("198.51.100.0/24", "192.0.2.1"), r("10.128.0.0/9", "192.0.2.2"), r("203.0.113.7/32", "0.0.0.0"), r("10.0.0.0/8", "192.0.2.3")}, ""},
		{"host bits cleared", []byte{9, 10, 255, 192, 0, 2, 2}, []Route{r("10.128.0.0/9", "192.0.2.2")}, ""},
		{"width 33", []byte{33, 1, 2, 3, 4, 5, 1, 2, 3, 4}, nil, "dhcp4: option 121: route at byte 0: prefix length 33, more than 32"},
		{"second route short", []byte{0, 1, 2, 3, 4, 16, 10, 0, 1, 2}, nil, "dhcp4: option 121: route at byte 5: /16 route needs 7 bytes, 5 left"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendClasslessRoutes(nil, tc.data)
			if tc.err != "" {
				wantBadOption(t, err, tc.err, tc.data, OptClasslessRoutes)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.routes) {
				t.Fatalf("routes %v, want %v", got, tc.routes)
			}
			for i := range got {
				if got[i] != tc.routes[i] {
					t.Errorf("route %d = %v, want %v", i, got[i], tc.routes[i])
				}
			}

			// Through a message and back, reusing the caller's slice.
			b := NewBuilder(nil, Header{Op: BootReply})
			m := decodeBuilt(t, &b, b.AddClasslessRoutes(got))
			dst := make([]Route, 0, 8)
			back, ok := m.ClasslessRoutes(dst)
			if !ok || len(back) != len(got) || &back[:1][0] != &dst[:1][0] {
				t.Fatalf("ClasslessRoutes() = %v, %v (or not in the caller's slice)", back, ok)
			}
			for i := range back {
				if back[i] != got[i] {
					t.Errorf("round trip route %d = %v, want %v", i, back[i], got[i])
				}
			}
			if tc.name == "RFC 3442 examples" {
				if d, _ := m.Option(OptClasslessRoutes); !bytes.Equal(d, tc.data) {
					t.Errorf("encoded %x, want %x", d, tc.data)
				}
			}
		})
	}
}

func TestAddClasslessRoutesErrors(t *testing.T) {
	for _, tc := range []struct {
		routes []Route
		want   string
	}{
		{nil, "dhcp4: option 121: no routes"},
		{[]Route{{Dest: netip.MustParsePrefix("2001:db8::/32")}}, "dhcp4: option 121: route 0: destination 2001:db8::/32 is not an IPv4 prefix"},
		{[]Route{{Dest: netip.MustParsePrefix("10.0.0.0/8"), Router: netip.MustParseAddr("::1")}}, "dhcp4: option 121: route 0: router ::1 is not IPv4"},
		{[]Route{{Router: netip.MustParseAddr("192.0.2.1")}}, "dhcp4: option 121: route 0: destination invalid Prefix is not an IPv4 prefix"},
	} {
		b := NewBuilder(nil, Header{})
		err := b.AddClasslessRoutes(tc.routes)
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrBadOption) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
}

package dhcp4

import "net/netip"

// Route is one classless static route of option 121 (RFC 3442). A Router
// of 0.0.0.0 means the destination is on the link.
type Route struct {
	Dest   netip.Prefix
	Router netip.Addr
}

// ClasslessRoutes appends the routes of option 121 to dst, which the
// caller provides so that decoding need not allocate.
func (m *Message) ClasslessRoutes(dst []Route) ([]Route, bool) {
	d, ok := m.Option(OptClasslessRoutes)
	if !ok {
		return dst, false
	}
	dst, _ = AppendClasslessRoutes(dst, d) // checked by Decode
	return dst, true
}

// AppendClasslessRoutes decodes an option 121 value, appending its routes
// to dst. Host bits set past a destination's prefix length are cleared.
func AppendClasslessRoutes(dst []Route, data []byte) ([]Route, error) {
	for off := 0; off < len(data); {
		r, next, what := nextRoute(data, off)
		if what != "" {
			return dst, errAt(ErrBadOption, int(OptClasslessRoutes), -1, "route at byte "+itoa(off)+": "+what)
		}
		dst = append(dst, r)
		off = next
	}
	return dst, nil
}

// nextRoute decodes the route at data[off]: a prefix length, the
// significant octets of the destination, then the router.
func nextRoute(data []byte, off int) (Route, int, string) {
	width := int(data[off])
	if width > 32 {
		return Route{}, 0, "prefix length " + itoa(width) + ", more than 32"
	}
	octets := (width + 7) / 8
	end := off + 1 + octets + 4
	if end > len(data) {
		return Route{}, 0, "/" + itoa(width) + " route needs " + itoa(end-off) + " bytes, " + itoa(len(data)-off) + " left"
	}
	var dest [4]byte
	copy(dest[:], data[off+1:off+1+octets])
	p := netip.PrefixFrom(netip.AddrFrom4(dest), width).Masked()
	return Route{Dest: p, Router: netip.AddrFrom4([4]byte(data[end-4 : end]))}, end, ""
}

func checkClasslessRoutes(data []byte) (int, string) {
	if len(data) < 5 {
		return -1, "length " + itoa(len(data)) + ", want at least 5"
	}
	for off := 0; off < len(data); {
		_, next, what := nextRoute(data, off)
		if what != "" {
			return off, what
		}
		off = next
	}
	return 0, ""
}

// appendRoute encodes r as option 121 wants it.
func appendRoute(dst []byte, r Route) ([]byte, string) {
	if !r.Dest.IsValid() || !r.Dest.Addr().Is4() {
		return dst, "destination " + r.Dest.String() + " is not an IPv4 prefix"
	}
	router, ok := ipv4(r.Router)
	if !ok {
		return dst, "router " + r.Router.String() + " is not IPv4"
	}
	width := r.Dest.Bits()
	dest := r.Dest.Masked().Addr().As4()
	dst = append(dst, byte(width))
	dst = append(dst, dest[:(width+7)/8]...)
	return append(dst, router[:]...), ""
}

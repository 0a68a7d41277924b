package dhcp6

import "net/netip"

// The PD_EXCLUDE option (RFC 6603) names one prefix inside a delegated
// prefix that the requesting router must not use. On the wire it carries
// only the excluded prefix's length and the bits between the delegated
// prefix's length and its own, so decoding needs the delegated prefix (the
// enclosing IAPREFIX's).

// ParsePDExclude decodes the data of a PD_EXCLUDE option found inside the
// IAPREFIX for delegated, and returns the excluded prefix.
func ParsePDExclude(data []byte, delegated netip.Prefix) (netip.Prefix, error) {
	if len(data) < 2 {
		return netip.Prefix{}, errorf(ErrBadOption, 0, OptPDExclude, "length %d; at least a prefix length and one subnet-id byte are needed", len(data))
	}
	if !delegated.IsValid() || !delegated.Addr().Is6() {
		return netip.Prefix{}, errorf(ErrBadValue, 0, OptPDExclude, "delegated prefix %v is not an IPv6 prefix", delegated)
	}
	plen, dlen := int(data[0]), delegated.Bits()
	if plen <= dlen || plen > 128 {
		return netip.Prefix{}, errorf(ErrBadOption, 0, OptPDExclude, "excluded prefix length %d must be more than the delegated /%d and at most 128", plen, dlen)
	}
	if want := 1 + (plen-dlen+7)/8; len(data) != want {
		return netip.Prefix{}, errorf(ErrBadOption, 0, OptPDExclude, "length %d; a /%d excluded from a /%d takes %d bytes", len(data), plen, dlen, want)
	}
	a := delegated.Masked().Addr().As16()
	for k := range plen - dlen {
		bit := data[1+k/8] >> (7 - k%8) & 1
		pos := dlen + k
		a[pos/8] |= bit << (7 - pos%8)
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), plen), nil
}

// AddPDExclude writes a PD_EXCLUDE option excluding excluded from the
// delegated prefix of the IAPREFIX it goes in (open it with StartIAPrefix).
func (b *Builder) AddPDExclude(delegated, excluded netip.Prefix) {
	if b.err != nil {
		return
	}
	if !delegated.IsValid() || !excluded.IsValid() || !delegated.Addr().Is6() || !excluded.Addr().Is6() ||
		excluded.Bits() <= delegated.Bits() || !delegated.Contains(excluded.Addr()) {
		b.fail(errorf(ErrBadValue, len(b.buf), OptPDExclude, "%v is not a longer prefix inside %v", excluded, delegated))
		return
	}
	plen, dlen := excluded.Bits(), delegated.Bits()
	var id [16]byte
	a := excluded.Addr().As16()
	for k := range plen - dlen {
		pos := dlen + k
		bit := a[pos/8] >> (7 - pos%8) & 1
		id[k/8] |= bit << (7 - k%8)
	}
	b.StartOption(OptPDExclude)
	b.WriteUint8(uint8(plen))
	b.WriteBytes(id[:(plen-dlen+7)/8])
	b.EndOption()
}

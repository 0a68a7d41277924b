package dhcp6

import (
	"iter"
	"net/netip"
)

// AddrList is the content of an option that is a list of IPv6 addresses
// (DNS_SERVERS, SNTP_SERVERS, SIP_SERVER_A, NIS_SERVERS, ...), referring
// into the option data.
type AddrList []byte

// ParseDNSServers decodes the data of a DNS_SERVERS option (RFC 3646).
func ParseDNSServers(data []byte) (AddrList, error) { return ParseAddrList(OptDNSServers, data) }

// ParseAddrList decodes the data of any option (code) that is a list of
// IPv6 addresses.
func ParseAddrList(code OptionCode, data []byte) (AddrList, error) {
	if len(data)%16 != 0 {
		return nil, errorf(ErrBadOption, 0, code, "length %d is not a multiple of 16-byte IPv6 addresses", len(data))
	}
	return AddrList(data), nil
}

// Len returns the number of addresses.
func (l AddrList) Len() int { return len(l) / 16 }

// At returns the i'th address.
func (l AddrList) At(i int) netip.Addr { return netip.AddrFrom16([16]byte(l[16*i:])) }

// All iterates over the addresses in order.
func (l AddrList) All() iter.Seq[netip.Addr] {
	return func(yield func(netip.Addr) bool) {
		for i := 0; i+16 <= len(l); i += 16 {
			if !yield(netip.AddrFrom16([16]byte(l[i:]))) {
				return
			}
		}
	}
}

// AddDNSServers writes a DNS_SERVERS option.
func (b *Builder) AddDNSServers(addrs ...netip.Addr) { b.AddAddrList(OptDNSServers, addrs...) }

// AddAddrList writes an option (code) that is a list of IPv6 addresses.
func (b *Builder) AddAddrList(code OptionCode, addrs ...netip.Addr) {
	for _, a := range addrs {
		if b.err == nil && !a.Is6() {
			b.fail(errorf(ErrBadValue, len(b.buf), code, "address %v is not IPv6", a))
			return
		}
	}
	b.StartOption(code)
	for _, a := range addrs {
		b.WriteAddr(a)
	}
	b.EndOption()
}

// DomainList is the content of a DOMAIN_LIST option (RFC 3646): domain
// names in DNS wire format (RFC 1035 section 3.1, no compression, RFC 8415
// section 10), each ending with the zero-length root label.
type DomainList []byte

// ParseDomainList decodes the data of a DOMAIN_LIST option, checking that
// it is a sequence of whole names.
func ParseDomainList(data []byte) (DomainList, error) {
	l := DomainList(data)
	for off := 0; off < len(l); {
		_, next, err := l.Next(off)
		if err != nil {
			return nil, err
		}
		off = next
	}
	return l, nil
}

// Next returns the wire-format name starting at byte off and the offset of
// the name after it. AppendNameText turns a name into text.
func (l DomainList) Next(off int) (name []byte, next int, err error) {
	if off < 0 || off >= len(l) {
		return nil, off, errorf(ErrTruncated, off, OptDomainList, "no name at offset %d of %d bytes", off, len(l))
	}
	n, _, err := scanName(l[off:], false)
	if err != nil {
		return nil, off, rebaseName(err, off, OptDomainList)
	}
	return l[off : off+n], off + n, nil
}

// All iterates over the wire-format names, stopping at a malformed one
// (none, for a list from ParseDomainList).
func (l DomainList) All() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for off := 0; off < len(l); {
			name, next, err := l.Next(off)
			if err != nil || !yield(name) {
				return
			}
			off = next
		}
	}
}

// AddDomainList writes a DOMAIN_LIST option from names in dotted text
// ("example.com" or "example.com."; both are written as whole names).
func (b *Builder) AddDomainList(names ...string) {
	b.StartOption(OptDomainList)
	for _, n := range names {
		b.writeName(OptDomainList, n, true)
	}
	b.EndOption()
}

// Client FQDN flag bits (RFC 4704 section 4.1).
const (
	FQDNFlagS uint8 = 0x01 // server performs AAAA updates
	FQDNFlagO uint8 = 0x02 // server overrode the client's S bit
	FQDNFlagN uint8 = 0x04 // server performs no DNS updates
)

// ClientFQDN is the content of a CLIENT_FQDN option (RFC 4704).
type ClientFQDN struct {
	Flags uint8
	// Name is the domain name in wire format, referring into the option
	// data. It is either a whole name or, when a client sends just a host
	// label, a partial name without the root label; it may be empty.
	Name []byte
}

// FullyQualified reports whether Name ends with the root label.
func (f ClientFQDN) FullyQualified() bool { return len(f.Name) > 0 && f.Name[len(f.Name)-1] == 0 }

// ParseClientFQDN decodes the data of a CLIENT_FQDN option. The reserved
// flag bits and the N-and-S combination RFC 4704 forbids are left for the
// server to judge.
func ParseClientFQDN(data []byte) (ClientFQDN, error) {
	if len(data) < 1 {
		return ClientFQDN{}, errorf(ErrBadOption, 0, OptClientFQDN, "empty; the flags byte is missing")
	}
	name := data[1:]
	if len(name) > 0 {
		n, _, err := scanName(name, true)
		if err != nil {
			return ClientFQDN{}, rebaseName(err, 1, OptClientFQDN)
		}
		if n != len(name) {
			return ClientFQDN{}, errorf(ErrBadOption, 1+n, OptClientFQDN, "%d bytes after the end of the domain name", len(name)-n)
		}
	}
	return ClientFQDN{Flags: data[0], Name: name}, nil
}

// AddClientFQDN writes a CLIENT_FQDN option. A name with a trailing dot
// ("host.example.com.") is written whole, one without as a partial name;
// "" writes no name.
func (b *Builder) AddClientFQDN(flags uint8, name string) {
	b.StartOption(OptClientFQDN)
	b.WriteUint8(flags)
	if name != "" {
		b.writeName(OptClientFQDN, name, false)
	}
	b.EndOption()
}

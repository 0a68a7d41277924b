package dhcp6

import (
	"errors"
	"net/netip"
	"strconv"
)

// Fixed part of each IA option and address/prefix option, before its
// sub-options (RFC 8415 sections 21.4-21.6, 21.21, 21.22).
const (
	ianaHeaderLen     = 12 // IAID, T1, T2
	iataHeaderLen     = 4  // IAID
	iapdHeaderLen     = 12 // IAID, T1, T2
	iaAddrHeaderLen   = 24 // address, preferred, valid
	iaPrefixHeaderLen = 25 // preferred, valid, prefix-length, prefix
)

// IANA is the content of an IA_NA option.
type IANA struct {
	IAID   uint32
	T1, T2 uint32 // seconds; Infinity means never
	// Options holds the IA's sub-options (IAADDR, STATUS_CODE), referring
	// into the option data.
	Options Options
}

// IATA is the content of an IA_TA option, which has no T1/T2.
type IATA struct {
	IAID    uint32
	Options Options
}

// IAPD is the content of an IA_PD option.
type IAPD struct {
	IAID    uint32
	T1, T2  uint32
	Options Options // IAPREFIX, STATUS_CODE
}

// IAAddr is the content of an IAADDR option.
type IAAddr struct {
	Addr             netip.Addr
	Preferred, Valid uint32 // lifetimes in seconds; Infinity means forever
	Options          Options
}

// IAPrefix is the content of an IAPREFIX option. Prefix keeps the address
// bits exactly as sent, including any bits past the prefix length.
type IAPrefix struct {
	Preferred, Valid uint32
	Prefix           netip.Prefix
	Options          Options // STATUS_CODE, PD_EXCLUDE
}

// subOptions checks that data holds parent's fixed header of hdr bytes,
// then validates the options that follow it and says, on error, which
// option held them.
func subOptions(data []byte, hdr int, parent OptionCode) (Options, error) {
	if len(data) < hdr {
		return nil, shortOption(parent, len(data), hdr)
	}
	opts := Options(data[hdr:])
	if err := opts.Validate(); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Offset += hdr
			e.Detail = "in " + parent.String() + " sub-options: " + e.Detail
			if parent == OptVendorOpts && e.Code != 0 {
				// The vendor's codes are not DHCPv6 codes; naming them
				// as such would mislead.
				e.Detail = "in VENDOR_OPTS sub-option " + strconv.Itoa(int(e.Code)) + e.Detail[len("in VENDOR_OPTS sub-options"):]
				e.Code = parent
			}
		}
		return nil, err
	}
	return opts, nil
}

func shortOption(code OptionCode, got, want int) error {
	return errorf(ErrBadOption, 0, code, "length %d shorter than %d-byte %s header", got, want, code)
}

// ParseIANA decodes the data of an IA_NA option.
func ParseIANA(data []byte) (IANA, error) {
	opts, err := subOptions(data, ianaHeaderLen, OptIANA)
	if err != nil {
		return IANA{}, err
	}
	return IANA{IAID: be32(data), T1: be32(data[4:]), T2: be32(data[8:]), Options: opts}, nil
}

// ParseIATA decodes the data of an IA_TA option.
func ParseIATA(data []byte) (IATA, error) {
	opts, err := subOptions(data, iataHeaderLen, OptIATA)
	if err != nil {
		return IATA{}, err
	}
	return IATA{IAID: be32(data), Options: opts}, nil
}

// ParseIAPD decodes the data of an IA_PD option.
func ParseIAPD(data []byte) (IAPD, error) {
	opts, err := subOptions(data, iapdHeaderLen, OptIAPD)
	if err != nil {
		return IAPD{}, err
	}
	return IAPD{IAID: be32(data), T1: be32(data[4:]), T2: be32(data[8:]), Options: opts}, nil
}

// ParseIAAddr decodes the data of an IAADDR option.
func ParseIAAddr(data []byte) (IAAddr, error) {
	opts, err := subOptions(data, iaAddrHeaderLen, OptIAAddr)
	if err != nil {
		return IAAddr{}, err
	}
	return IAAddr{
		Addr:      netip.AddrFrom16([16]byte(data[:16])),
		Preferred: be32(data[16:]),
		Valid:     be32(data[20:]),
		Options:   opts,
	}, nil
}

// ParseIAPrefix decodes the data of an IAPREFIX option.
func ParseIAPrefix(data []byte) (IAPrefix, error) {
	if len(data) < iaPrefixHeaderLen {
		return IAPrefix{}, shortOption(OptIAPrefix, len(data), iaPrefixHeaderLen)
	}
	bits := int(data[8])
	if bits > 128 {
		return IAPrefix{}, errorf(ErrBadOption, 8, OptIAPrefix, "prefix length %d is more than 128", bits)
	}
	opts, err := subOptions(data, iaPrefixHeaderLen, OptIAPrefix)
	if err != nil {
		return IAPrefix{}, err
	}
	return IAPrefix{
		Preferred: be32(data),
		Valid:     be32(data[4:]),
		Prefix:    netip.PrefixFrom(netip.AddrFrom16([16]byte(data[9:25])), bits),
		Options:   opts,
	}, nil
}

// AddIANA opens an IA_NA option and writes its fixed part. Add its
// sub-options (AddIAAddr, AddStatusCode), then close it with EndOption.
func (b *Builder) AddIANA(iaid, t1, t2 uint32) {
	b.StartOption(OptIANA)
	b.WriteUint32(iaid)
	b.WriteUint32(t1)
	b.WriteUint32(t2)
}

// AddIATA opens an IA_TA option; close it with EndOption.
func (b *Builder) AddIATA(iaid uint32) {
	b.StartOption(OptIATA)
	b.WriteUint32(iaid)
}

// AddIAPD opens an IA_PD option and writes its fixed part. Add its
// sub-options (AddIAPrefix, AddStatusCode), then close it with EndOption.
func (b *Builder) AddIAPD(iaid, t1, t2 uint32) {
	b.StartOption(OptIAPD)
	b.WriteUint32(iaid)
	b.WriteUint32(t1)
	b.WriteUint32(t2)
}

// AddIAAddr writes a complete IAADDR option without sub-options.
func (b *Builder) AddIAAddr(addr netip.Addr, preferred, valid uint32) {
	b.StartIAAddr(addr, preferred, valid)
	b.EndOption()
}

// StartIAAddr opens an IAADDR option, for one that carries sub-options (a
// STATUS_CODE); close it with EndOption.
func (b *Builder) StartIAAddr(addr netip.Addr, preferred, valid uint32) {
	if b.err == nil && !addr.Is6() {
		b.fail(errorf(ErrBadValue, len(b.buf), OptIAAddr, "address %v is not IPv6", addr))
		return
	}
	b.StartOption(OptIAAddr)
	b.WriteAddr(addr)
	b.WriteUint32(preferred)
	b.WriteUint32(valid)
}

// AddIAPrefix writes a complete IAPREFIX option without sub-options.
func (b *Builder) AddIAPrefix(prefix netip.Prefix, preferred, valid uint32) {
	b.StartIAPrefix(prefix, preferred, valid)
	b.EndOption()
}

// StartIAPrefix opens an IAPREFIX option, for one that carries sub-options
// (STATUS_CODE, PD_EXCLUDE); close it with EndOption.
func (b *Builder) StartIAPrefix(prefix netip.Prefix, preferred, valid uint32) {
	if b.err == nil && (!prefix.IsValid() || !prefix.Addr().Is6()) {
		b.fail(errorf(ErrBadValue, len(b.buf), OptIAPrefix, "prefix %v is not an IPv6 prefix", prefix))
		return
	}
	b.StartOption(OptIAPrefix)
	b.WriteUint32(preferred)
	b.WriteUint32(valid)
	b.WriteUint8(uint8(prefix.Bits()))
	b.WriteAddr(prefix.Addr())
}

// Status is the content of a STATUS_CODE option.
type Status struct {
	Code StatusCode
	// Message is the UTF-8 status message, referring into the option data.
	Message []byte
}

// ParseStatusCode decodes the data of a STATUS_CODE option.
func ParseStatusCode(data []byte) (Status, error) {
	if len(data) < 2 {
		return Status{}, shortOption(OptStatusCode, len(data), 2)
	}
	return Status{Code: StatusCode(be16(data)), Message: data[2:]}, nil
}

// AddStatusCode writes a STATUS_CODE option.
func (b *Builder) AddStatusCode(code StatusCode, msg string) {
	b.StartOption(OptStatusCode)
	b.WriteUint16(uint16(code))
	if b.err == nil {
		b.buf = append(b.buf, msg...)
	}
	b.EndOption()
}

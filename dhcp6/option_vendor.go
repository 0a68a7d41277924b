package dhcp6

import "iter"

// DataItems is a run of length-prefixed opaque items (2-byte length, data),
// the layout of USER_CLASS and of VENDOR_CLASS after its enterprise number
// (RFC 8415 sections 21.15, 21.16). It refers into the option data.
type DataItems []byte

// Next returns the item starting at byte off and the offset of the next.
func (d DataItems) Next(off int) (item []byte, next int, err error) {
	return d.next(off, 0)
}

func (d DataItems) next(off int, code OptionCode) (item []byte, next int, err error) {
	if off < 0 || off >= len(d) {
		return nil, off, errorf(ErrTruncated, off, code, "no data item at offset %d of %d bytes", off, len(d))
	}
	if len(d)-off < 2 {
		return nil, off, errorf(ErrBadOption, off, code, "%d byte left, too few for a 2-byte data item length", len(d)-off)
	}
	n := int(be16(d[off:]))
	if n > len(d)-off-2 {
		return nil, off, errorf(ErrBadOption, off, code, "data item of length %d runs past the end (%d bytes left)", n, len(d)-off-2)
	}
	return d[off+2 : off+2+n], off + 2 + n, nil
}

func (d DataItems) validate(code OptionCode) error {
	for off := 0; off < len(d); {
		_, next, err := d.next(off, code)
		if err != nil {
			return err
		}
		off = next
	}
	return nil
}

// All iterates over the items, stopping at a malformed one (none, for
// items from a Parse function).
func (d DataItems) All() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for off := 0; off < len(d); {
			item, next, err := d.Next(off)
			if err != nil || !yield(item) {
				return
			}
			off = next
		}
	}
}

// ParseUserClass decodes the data of a USER_CLASS option.
func ParseUserClass(data []byte) (DataItems, error) {
	if err := DataItems(data).validate(OptUserClass); err != nil {
		return nil, err
	}
	return DataItems(data), nil
}

// AddUserClass writes a USER_CLASS option with the given items.
func (b *Builder) AddUserClass(items ...[]byte) {
	b.StartOption(OptUserClass)
	b.writeItems(OptUserClass, items)
	b.EndOption()
}

func (b *Builder) writeItems(code OptionCode, items [][]byte) {
	for _, it := range items {
		if b.err == nil && len(it) > 0xffff {
			b.fail(errorf(ErrOptionTooLong, len(b.buf), code, "data item of %d bytes does not fit its 16-bit length", len(it)))
			return
		}
		b.WriteUint16(uint16(len(it)))
		b.WriteBytes(it)
	}
}

// VendorClass is the content of a VENDOR_CLASS option.
type VendorClass struct {
	Enterprise uint32
	Data       DataItems
}

// ParseVendorClass decodes the data of a VENDOR_CLASS option.
func ParseVendorClass(data []byte) (VendorClass, error) {
	if len(data) < 4 {
		return VendorClass{}, shortOption(OptVendorClass, len(data), 4)
	}
	items := DataItems(data[4:])
	if err := items.validate(OptVendorClass); err != nil {
		return VendorClass{}, rebase(err, 4, 0)
	}
	return VendorClass{Enterprise: be32(data), Data: items}, nil
}

// AddVendorClass writes a VENDOR_CLASS option.
func (b *Builder) AddVendorClass(enterprise uint32, items ...[]byte) {
	b.StartOption(OptVendorClass)
	b.WriteUint32(enterprise)
	b.writeItems(OptVendorClass, items)
	b.EndOption()
}

// VendorOpts is the content of a VENDOR_OPTS option: an enterprise number
// and options in that vendor's own code space, framed like DHCPv6 options.
type VendorOpts struct {
	Enterprise uint32
	Options    Options
}

// ParseVendorOpts decodes the data of a VENDOR_OPTS option.
func ParseVendorOpts(data []byte) (VendorOpts, error) {
	opts, err := subOptions(data, 4, OptVendorOpts)
	if err != nil {
		return VendorOpts{}, err
	}
	return VendorOpts{Enterprise: be32(data), Options: opts}, nil
}

// StartVendorOpts opens a VENDOR_OPTS option for the given enterprise. Add
// the vendor's options with AddOption (their codes are the vendor's, not
// DHCPv6's), then close it with EndOption.
func (b *Builder) StartVendorOpts(enterprise uint32) {
	b.StartOption(OptVendorOpts)
	b.WriteUint32(enterprise)
}

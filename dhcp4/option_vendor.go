package dhcp4

import "encoding/binary"

// VendorSpecific returns a walk over the sub-options of option 43. Their
// meaning depends on the vendor (option 60); RFC 2132 asks for option-style
// encoding but does not require it, so Decode leaves the framing to the
// walk, which reports it through Err. The raw bytes are Option(43).
func (m *Message) VendorSpecific() (Suboptions, bool) {
	d, ok := m.Option(OptVendorSpecific)
	return VendorSuboptions(OptVendorSpecific, d), ok
}

// VendorBlocks walks the per-enterprise blocks of options 124 and 125
// (RFC 3925): a 4-byte IANA enterprise number, a length byte, then data.
// For 124 the data is one or more length-prefixed vendor class strings;
// for 125 it is sub-options (see VendorSuboptions).
//
//	v, ok := m.VIVendorSpecific()
//	for ok && v.Next() {
//		use(v.Enterprise(), v.Data())
//	}
type VendorBlocks struct {
	data []byte
	off  int
	ent  uint32
	val  []byte
}

// ParseVendorBlocks checks the framing of an option 124 or 125 value
// (code names the option in errors).
func ParseVendorBlocks(code uint8, data []byte) (VendorBlocks, error) {
	if pos, what := checkVendorBlocks(data); what != "" {
		return VendorBlocks{}, valueError(code, pos, what)
	}
	return VendorBlocks{data: data}, nil
}

// VIVendorClass returns option 124, the vendor-identifying vendor class.
func (m *Message) VIVendorClass() (VendorBlocks, bool) {
	d, ok := m.Option(OptVIVendorClass)
	return VendorBlocks{data: d}, ok
}

// VIVendorSpecific returns option 125, vendor-identifying vendor-specific
// information.
func (m *Message) VIVendorSpecific() (VendorBlocks, bool) {
	d, ok := m.Option(OptVIVendorSpecific)
	return VendorBlocks{data: d}, ok
}

// Next advances to the next block and reports whether there is one.
func (v *VendorBlocks) Next() bool {
	if v.off+5 > len(v.data) {
		return false
	}
	end := v.off + 5 + int(v.data[v.off+4])
	if end > len(v.data) {
		return false // not produced by Decode or ParseVendorBlocks
	}
	v.ent = binary.BigEndian.Uint32(v.data[v.off:])
	v.val = v.data[v.off+5 : end : end]
	v.off = end
	return true
}

// Enterprise returns the IANA enterprise number of the current block.
func (v *VendorBlocks) Enterprise() uint32 { return v.ent }

// Data returns the data of the current block.
func (v *VendorBlocks) Data() []byte { return v.val }

// Find returns the data of the first block of enterprise.
func (v VendorBlocks) Find(enterprise uint32) ([]byte, bool) {
	v.off = 0
	for v.Next() {
		if v.ent == enterprise {
			return v.val, true
		}
	}
	return nil, false
}

func checkVendorBlocks(data []byte) (int, string) {
	if len(data) == 0 {
		return -1, "length 0, want at least 5"
	}
	for off := 0; off < len(data); {
		if off+5 > len(data) {
			return off, itoa(len(data)-off) + " bytes left, an enterprise block needs at least 5"
		}
		n := int(data[off+4])
		if off+5+n > len(data) {
			return off, "enterprise " + itoa(int(binary.BigEndian.Uint32(data[off:]))) + ": data length " + itoa(n) + " runs past end of option"
		}
		off += 5 + n
	}
	return 0, ""
}

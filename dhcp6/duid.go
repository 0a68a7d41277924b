package dhcp6

import "strconv"

// DUIDType is the 2-byte type code at the start of a DUID.
type DUIDType uint16

// DUID types (RFC 8415 section 11; DUID-UUID RFC 6355).
const (
	DUIDLLT  DUIDType = 1 // link-layer address plus time
	DUIDEN   DUIDType = 2 // enterprise number plus identifier
	DUIDLL   DUIDType = 3 // link-layer address
	DUIDUUID DUIDType = 4 // UUID
)

func (t DUIDType) String() string {
	switch t {
	case DUIDLLT:
		return "DUID-LLT"
	case DUIDEN:
		return "DUID-EN"
	case DUIDLL:
		return "DUID-LL"
	case DUIDUUID:
		return "DUID-UUID"
	}
	return "DUID-" + strconv.Itoa(int(t))
}

// DUID length limits: RFC 8415 section 11.1 allows at most 128 bytes after
// the type code; one byte of identifier is the least that identifies.
const (
	minDUIDLen = 3
	maxDUIDLen = 130
)

// DUID is a DHCP unique identifier, the content of a CLIENTID or SERVERID
// option. Its slices refer into the decoded buffer. Raw is what identifies
// a client: compare, hash (string(d.Raw)) and store that; the other fields
// are views for the known types.
type DUID struct {
	// Raw is the whole DUID as on the wire, type code included.
	Raw []byte
	// HardwareType is the IANA hardware type of DUID-LLT and DUID-LL.
	HardwareType uint16
	// Time is DUID-LLT's seconds since 2000-01-01 00:00 UTC.
	Time uint32
	// Enterprise is DUID-EN's IANA private enterprise number.
	Enterprise uint32
	// LinkLayerAddr is the link-layer address of DUID-LLT and DUID-LL.
	LinkLayerAddr []byte
	// Identifier is DUID-EN's identifier, DUID-UUID's 16 bytes, or for any
	// other type everything after the type code.
	Identifier []byte
}

// Type returns the DUID's type code, 0 for an empty DUID.
func (d DUID) Type() DUIDType {
	if len(d.Raw) < 2 {
		return 0
	}
	return DUIDType(be16(d.Raw))
}

// String formats the DUID as Kea logs and stores it: colon-separated hex
// bytes of Raw.
func (d DUID) String() string {
	if len(d.Raw) == 0 {
		return ""
	}
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 3*len(d.Raw))
	for i, c := range d.Raw {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}

// ParseDUID decodes the data of a CLIENTID or SERVERID option. A DUID of a
// type this package does not know is kept whole in Raw and Identifier.
func ParseDUID(data []byte) (DUID, error) {
	if len(data) < minDUIDLen || len(data) > maxDUIDLen {
		return DUID{}, errorf(ErrBadOption, 0, 0, "DUID of %d bytes; want %d to %d", len(data), minDUIDLen, maxDUIDLen)
	}
	d := DUID{Raw: data}
	need := 0
	switch d.Type() {
	case DUIDLLT:
		need = 8
	case DUIDEN:
		need = 6
	case DUIDLL:
		need = 4
	case DUIDUUID:
		if len(data) != 18 {
			return DUID{}, errorf(ErrBadOption, 0, 0, "DUID-UUID of %d bytes; want 18", len(data))
		}
	}
	if len(data) < need {
		return DUID{}, errorf(ErrBadOption, 0, 0, "%s of %d bytes, shorter than its %d-byte fixed part", d.Type(), len(data), need)
	}
	switch d.Type() {
	case DUIDLLT:
		d.HardwareType, d.Time, d.LinkLayerAddr = be16(data[2:]), be32(data[4:]), data[8:]
	case DUIDEN:
		d.Enterprise, d.Identifier = be32(data[2:]), data[6:]
	case DUIDLL:
		d.HardwareType, d.LinkLayerAddr = be16(data[2:]), data[4:]
	default:
		d.Identifier = data[2:]
	}
	return d, nil
}

// AppendDUIDLLT appends a DUID-LLT to dst.
func AppendDUIDLLT(dst []byte, hwType uint16, t uint32, lladdr []byte) []byte {
	dst = append(dst, 0, byte(DUIDLLT), byte(hwType>>8), byte(hwType))
	dst = append(dst, byte(t>>24), byte(t>>16), byte(t>>8), byte(t))
	return append(dst, lladdr...)
}

// AppendDUIDLL appends a DUID-LL to dst.
func AppendDUIDLL(dst []byte, hwType uint16, lladdr []byte) []byte {
	dst = append(dst, 0, byte(DUIDLL), byte(hwType>>8), byte(hwType))
	return append(dst, lladdr...)
}

// AppendDUIDEN appends a DUID-EN to dst.
func AppendDUIDEN(dst []byte, enterprise uint32, id []byte) []byte {
	e := enterprise
	dst = append(dst, 0, byte(DUIDEN), byte(e>>24), byte(e>>16), byte(e>>8), byte(e))
	return append(dst, id...)
}

// AppendDUIDUUID appends a DUID-UUID to dst.
func AppendDUIDUUID(dst []byte, uuid [16]byte) []byte {
	dst = append(dst, 0, byte(DUIDUUID))
	return append(dst, uuid[:]...)
}

// AddDUID writes a CLIENTID or SERVERID option (code) holding d.Raw.
func (b *Builder) AddDUID(code OptionCode, d DUID) {
	if b.err == nil && (len(d.Raw) < minDUIDLen || len(d.Raw) > maxDUIDLen) {
		b.fail(errorf(ErrBadValue, len(b.buf), code, "DUID of %d bytes; want %d to %d", len(d.Raw), minDUIDLen, maxDUIDLen))
		return
	}
	b.AddOption(code, d.Raw)
}

package config

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Checks of encoded payloads against their definition: the sizes Kea's
// option classes insist on when they parse a buffer, and the bytes its
// dedicated classes add when they pack one.

// fqdnLen returns the length of the uncompressed wire domain name at the
// start of b, or an error.
func fqdnLen(b []byte) (int, error) {
	off := 0
	for {
		if off >= len(b) {
			return 0, fmt.Errorf("domain name truncated")
		}
		l := int(b[off])
		if l == 0 {
			if off == 0 {
				return 0, fmt.Errorf("empty domain name")
			}
			return off + 1, nil
		}
		if l > 63 {
			return 0, fmt.Errorf("bad label length %d in domain name", l)
		}
		off += 1 + l
		if off > 255 {
			return 0, fmt.Errorf("domain name longer than 255 bytes")
		}
	}
}

// fixedSize returns the wire size of a fixed-size type, or 0.
func fixedSize(t OptionType) int {
	switch t {
	case TypeBoolean, TypeInt8, TypeUint8:
		return 1
	case TypeInt16, TypeUint16:
		return 2
	case TypeInt32, TypeUint32, TypeIPv4Address:
		return 4
	case TypeIPv6Address:
		return 16
	case TypePSID:
		return 3
	}
	return 0
}

// fieldLen returns how many bytes of b one value of type t takes; last
// says whether it is the option's last field (variable-size types then
// take the rest).
func fieldLen(t OptionType, b []byte, last, v6 bool) (int, error) {
	if n := fixedSize(t); n > 0 {
		if len(b) < n {
			return 0, fmt.Errorf("a %s value needs %d bytes, %d left", t, n, len(b))
		}
		return n, nil
	}
	switch t {
	case TypeIPv6Prefix:
		if len(b) < 1 || b[0] > 128 || len(b) < 1+(int(b[0])+7)/8 {
			return 0, fmt.Errorf("bad ipv6-prefix value")
		}
		return 1 + (int(b[0])+7)/8, nil
	case TypeFQDN:
		return fqdnLen(b)
	case TypeTuple:
		if v6 {
			if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
				return 0, fmt.Errorf("tuple truncated")
			}
			return 2 + int(binary.BigEndian.Uint16(b)), nil
		}
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return 0, fmt.Errorf("tuple truncated")
		}
		return 1 + int(b[0]), nil
	case TypeString, TypeBinary:
		if !last {
			return 0, fmt.Errorf("a %s field must be last", t)
		}
		return len(b), nil
	}
	return 0, fmt.Errorf("type %s cannot hold data", t)
}

// checkPayload verifies that hex data fits the definition, as Kea does
// when it builds the option from the buffer.
func checkPayload(def OptionDef, b []byte, v6 bool) error {
	fields := []OptionType{def.Type}
	if def.Type == TypeRecord {
		fields = def.RecordTypes
	}
	if def.Type == TypeEmpty {
		return nil
	}
	if def.Array && len(b) == 0 {
		return emptyArray(def, v6)
	}
	if def.Type == TypeString && len(strings.Trim(string(b), "\x00")) == 0 {
		return fmt.Errorf("a string option must not be empty")
	}
	off := 0
	for i, t := range fields {
		n, err := fieldLen(t, b[off:], i == len(fields)-1 && !def.Array, v6)
		if err != nil {
			return err
		}
		off += n
	}
	if def.Array {
		last := fields[len(fields)-1]
		for off < len(b) {
			n, err := fieldLen(last, b[off:], false, v6)
			if err != nil {
				return err
			}
			off += n
		}
	}
	if off != len(b) {
		return fmt.Errorf("%d bytes left over after the %s value", len(b)-off, def.Type)
	}
	return nil
}

// emptyArray applies Kea's rule for arrays without elements: lists of
// addresses (and DHCPv6 name lists, tuples, records) may be empty;
// integer arrays and DHCPv4 name lists may not.
func emptyArray(def OptionDef, v6 bool) error {
	switch def.Type {
	case TypeInt8, TypeInt16, TypeInt32, TypeUint8, TypeUint16, TypeUint32:
		return fmt.Errorf("an array of %s needs at least one value", def.Type)
	case TypeFQDN:
		if !v6 {
			return fmt.Errorf("a list of domain names needs at least one name")
		}
	}
	return nil
}

// special applies what Kea's dedicated option classes do to a payload
// built from the configuration: the checks they make when they parse it
// and the bytes they add when they pack it.
func special(def OptionDef, b []byte, v6 bool) ([]byte, error) {
	if def.Space != SpaceDHCP4 && def.Space != SpaceDHCP6 {
		return b, nil
	}
	switch {
	case !v6 && def.Code == 125, v6 && def.Code == 17:
		if len(b) < 4 {
			return nil, fmt.Errorf("vendor option needs a 4-byte enterprise id, has %d bytes", len(b))
		}
		if !v6 && len(b) == 4 {
			// Kea packs the data-len byte of an option 125 without
			// sub-options as 0.
			return append(b, 0), nil
		}
	case !v6 && def.Code == 124, v6 && def.Code == 16:
		return b, checkVendorClass(b, v6)
	case !v6 && def.Code == 81:
		if len(b) < 3 {
			return nil, fmt.Errorf("client FQDN option needs flags and two rcode bytes")
		}
		if b[0]&0x09 == 0x09 {
			return nil, fmt.Errorf("client FQDN flags set both N and S (RFC 4702)")
		}
	case v6 && def.Code == 39:
		if len(b) < 1 {
			return nil, fmt.Errorf("client FQDN option needs flags")
		}
		if b[0]&0x05 == 0x05 {
			return nil, fmt.Errorf("client FQDN flags set both N and S (RFC 4704)")
		}
	}
	return b, nil
}

// checkVendorClass checks a vendor class payload (options 124 and 16):
// enterprise id then length-prefixed data; DHCPv4 repeats the enterprise
// id before every further tuple.
func checkVendorClass(b []byte, v6 bool) error {
	if len(b) < 4 || !v6 && len(b) < 5 {
		return fmt.Errorf("vendor class option truncated (%d bytes)", len(b))
	}
	off := 4
	for off < len(b) {
		if !v6 && off > 4 {
			off += 4
			if off+1 >= len(b) {
				return fmt.Errorf("vendor class option truncated: enterprise id without data")
			}
		}
		n, err := fieldLen(TypeTuple, b[off:], false, v6)
		if err != nil {
			return fmt.Errorf("vendor class data: %v", err)
		}
		off += n
	}
	return nil
}

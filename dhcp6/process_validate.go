package dhcp6

import (
	"github.com/leasehold/leasehold/config"
)

// Kea 2.2 parses every option of a received message, and of its relay
// headers, with the option's definition, and drops the packet when one
// does not fit (an ELAPSED_TIME of one byte, DNS_SERVERS of three, a
// VENDOR_CLASS whose data items run past its end). Options without a
// definition, and BINARY or EMPTY ones, are taken as they are. These
// checks reproduce that, so a message Kea drops is dropped here too; the
// messages Kea accepts pass. Checked against kea-dhcp6 2.2 by
// TestKeaCompare's malformed suite.

// optFormat is what the check needs of an option definition.
type optFormat struct {
	typ    config.OptionType
	array  bool
	record []config.OptionType
}

func optFormats(defs []config.OptionDef) map[uint16]optFormat {
	m := map[uint16]optFormat{}
	for _, d := range config.StandardOptionDefs(true, config.SpaceDHCP6) {
		m[d.Code] = optFormat{typ: d.Type, array: d.Array, record: d.RecordTypes}
	}
	for _, d := range defs {
		if d.Space == config.SpaceDHCP6 {
			m[d.Code] = optFormat{typ: d.Type, array: d.Array, record: d.RecordTypes}
		}
	}
	return m
}

// validOptions checks the options of the client message and of every
// relay header.
func (v *view) validOptions(p *Packet) bool {
	for i := range p.NumRelays {
		if !v.validRun(p.Relays[i].Options) {
			return false
		}
	}
	return v.validRun(p.Msg.Options)
}

func (v *view) validRun(opts Options) bool {
	for code, data := range opts.All() {
		if !v.validOption(code, data) {
			return false
		}
	}
	return true
}

func (v *view) validOption(code OptionCode, data []byte) bool {
	switch code {
	case OptClientID, OptServerID, OptRelayMsg, OptUserClass, OptRSOO:
		// DUIDs are checked by message type (sanityCheck); relay-msg by the
		// decoder; user-class and RSOO are taken as they are.
		return true
	case OptIANA:
		v, err := ParseIANA(data)
		return err == nil && validIAOptions(v.Options)
	case OptIATA:
		v, err := ParseIATA(data)
		return err == nil && validIAOptions(v.Options)
	case OptIAPD:
		v, err := ParseIAPD(data)
		return err == nil && validIAOptions(v.Options)
	case OptORO:
		_, err := ParseORO(data)
		return err == nil
	case OptVendorClass:
		_, err := ParseVendorClass(data)
		return err == nil
	case OptVendorOpts:
		// Kea stops at a truncated vendor sub-option without complaint.
		return len(data) >= 4
	case OptClientFQDN:
		_, err := ParseClientFQDN(data)
		return err == nil
	case OptStatusCode:
		_, err := ParseStatusCode(data)
		return err == nil
	}
	f, ok := v.formats[uint16(code)]
	if !ok {
		return true
	}
	return fitsFormat(f, data)
}

func validIAOptions(opts Options) bool {
	for c, d := range opts.All() {
		var err error
		switch c {
		case OptIAAddr:
			_, err = ParseIAAddr(d)
		case OptIAPrefix:
			_, err = ParseIAPrefix(d)
		case OptStatusCode:
			_, err = ParseStatusCode(d)
		}
		if err != nil {
			return false
		}
	}
	return true
}

// fixedSize is the size of a fixed-size data type, 0 for the others.
func fixedSize(t config.OptionType) int {
	switch t {
	case config.TypeUint8, config.TypeInt8, config.TypeBoolean:
		return 1
	case config.TypeUint16, config.TypeInt16:
		return 2
	case config.TypeUint32, config.TypeInt32, config.TypeIPv4Address:
		return 4
	case config.TypeIPv6Address:
		return 16
	}
	return 0
}

func fitsFormat(f optFormat, data []byte) bool {
	if f.typ == config.TypeRecord {
		return fitsRecord(f.record, f.array, data)
	}
	if n := fixedSize(f.typ); n > 0 {
		if f.array {
			return len(data)%n == 0
		}
		return len(data) >= n
	}
	switch f.typ {
	case config.TypeString:
		return len(data) > 0
	case config.TypeFQDN:
		rest, ok := fitsName(data)
		for ok && f.array && len(rest) > 0 {
			rest, ok = fitsName(rest)
		}
		return ok && (f.array || len(rest) == 0)
	case config.TypeTuple:
		rest, ok := fitsTuple(data)
		for ok && f.array && len(rest) > 0 {
			rest, ok = fitsTuple(rest)
		}
		return ok
	case config.TypeIPv6Prefix:
		return len(data) >= 1 && data[0] <= 128 && len(data) >= 1+(int(data[0])+7)/8
	}
	return true
}

// fitsRecord checks that the fixed fields of a record are present and the
// variable ones well formed; in an array record the last field repeats.
func fitsRecord(fields []config.OptionType, array bool, data []byte) bool {
	for i, t := range fields {
		last := i == len(fields)-1
		switch n := fixedSize(t); {
		case n > 0:
			if len(data) < n {
				return false
			}
			data = data[n:]
			if last && array {
				return len(data)%n == 0
			}
		case t == config.TypeFQDN:
			rest, ok := fitsName(data)
			if !ok {
				return false
			}
			data = rest
		case t == config.TypeTuple:
			rest, ok := fitsTuple(data)
			if !ok {
				return false
			}
			data = rest
		case t == config.TypeString:
			if last && len(data) == 0 {
				return false
			}
			data = nil
		default:
			data = nil
		}
	}
	return true
}

// fitsName checks one domain name in wire format and returns what follows.
func fitsName(data []byte) ([]byte, bool) {
	total := 0
	for i := 0; i < len(data); {
		l := int(data[i])
		if l == 0 {
			return data[i+1:], true
		}
		if l > 63 || i+1+l > len(data) {
			return nil, false
		}
		total += l + 1
		if total > 255 {
			return nil, false
		}
		i += 1 + l
	}
	// A partial name ends with the data.
	return nil, len(data) > 0
}

// fitsTuple checks one DHCPv6 tuple (two-byte length, data).
func fitsTuple(data []byte) ([]byte, bool) {
	if len(data) < 2 {
		return nil, false
	}
	n := int(data[0])<<8 | int(data[1])
	if 2+n > len(data) {
		return nil, false
	}
	return data[2+n:], true
}

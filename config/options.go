package config

import (
	"encoding/json"
	"fmt"
	"strings"
)

// OptionType is the data type of an option or of a record field, by Kea's
// names.
type OptionType string

// Kea's option data types.
const (
	TypeEmpty       OptionType = "empty"
	TypeBinary      OptionType = "binary"
	TypeBoolean     OptionType = "boolean"
	TypeInt8        OptionType = "int8"
	TypeInt16       OptionType = "int16"
	TypeInt32       OptionType = "int32"
	TypeUint8       OptionType = "uint8"
	TypeUint16      OptionType = "uint16"
	TypeUint32      OptionType = "uint32"
	TypeIPv4Address OptionType = "ipv4-address"
	TypeIPv6Address OptionType = "ipv6-address"
	TypeIPv6Prefix  OptionType = "ipv6-prefix"
	TypePSID        OptionType = "psid"
	TypeString      OptionType = "string"
	TypeFQDN        OptionType = "fqdn"
	TypeTuple       OptionType = "tuple"
	TypeRecord      OptionType = "record"
)

var optionTypes = map[OptionType]bool{
	TypeEmpty: true, TypeBinary: true, TypeBoolean: true, TypeInt8: true, TypeInt16: true,
	TypeInt32: true, TypeUint8: true, TypeUint16: true, TypeUint32: true, TypeIPv4Address: true,
	TypeIPv6Address: true, TypeIPv6Prefix: true, TypePSID: true, TypeString: true,
	TypeFQDN: true, TypeTuple: true, TypeRecord: true,
}

// Option spaces with a meaning of their own.
const (
	SpaceDHCP4 = "dhcp4" // top-level DHCPv4 options
	SpaceDHCP6 = "dhcp6" // top-level DHCPv6 options
	// SpaceVendorEncapsulated holds the sub-options of option 43.
	SpaceVendorEncapsulated = "vendor-encapsulated-options-space"
	// SpaceAgentOptions holds the sub-options of option 82.
	SpaceAgentOptions = "dhcp-agent-options-space"
)

// OptionData is one configured option with its payload encoded at load
// time, so a server copies Data after the option's code and length.
type OptionData struct {
	// Name and Code identify the option in Space; Name is "" for an option
	// configured by code without a definition (csv-format false).
	Name  string
	Code  uint16
	Space string
	// Data is the wire payload (without code and length). When the
	// option's definition encapsulates an option space, the sub-options
	// of that space configured at the same level (the same option-data
	// list) are already appended, as Kea does.
	//
	// An option-data list may hold options of other spaces (sub-options,
	// or vendor options in "vendor-<enterprise-id>" spaces that a server
	// packs into option 125 or 17 for a client that asks for that vendor):
	// only options with Space SpaceDHCP4 or SpaceDHCP6 are top-level.
	Data []byte
	// AlwaysSend: send even when the client did not ask (default false).
	AlwaysSend bool
	// NeverSend: never send, even when asked (Kea 2.6's key; default
	// false). It masks the option at lower-precedence levels too.
	NeverSend   bool
	UserContext json.RawMessage
	Comment     string
}

// OptionDef is an option definition: a custom one from "option-def" or one
// of Kea's standard ones.
type OptionDef struct {
	Name  string
	Code  uint16
	Space string
	Type  OptionType
	// Array: the option holds a list of Type values (for a record, the last
	// field repeats).
	Array bool
	// RecordTypes are the field types when Type is record.
	RecordTypes []OptionType
	// Encapsulate names the option space whose options this option
	// carries as sub-options ("" = none).
	Encapsulate string
	UserContext json.RawMessage
	Comment     string
}

func (s stdDef) def(space string) OptionDef {
	return OptionDef{Name: s.name, Code: s.code, Space: space, Type: s.typ, Array: s.array,
		RecordTypes: s.fields, Encapsulate: s.encap}
}

// StandardOptionDefs returns Kea's standard definitions of one option space
// ("dhcp4", "dhcp6", "vendor-4491", "s46-rule-options", ...) of the DHCPv4
// (v6 false) or DHCPv6 server; nil for a space without standard options.
func StandardOptionDefs(v6 bool, space string) []OptionDef {
	spaces := std4Spaces
	if v6 {
		spaces = std6Spaces
	}
	var out []OptionDef
	for _, s := range spaces[space] {
		out = append(out, s.def(space))
	}
	if !v6 && space == SpaceDHCP4 {
		for _, s := range lastResort4 {
			out = append(out, s.def(space))
		}
	}
	return out
}

// defTable resolves option definitions the way Kea does for one
// option-data list: definitions local to a client class first, then the
// global custom ones, then the standard ones, then the last-resort
// definition of option 43.
type defTable struct {
	v6     bool
	local  []OptionDef
	global []OptionDef
}

func (t *defTable) find(space, name string, code int) (OptionDef, bool) {
	match := func(d OptionDef) bool {
		if d.Space != space {
			return false
		}
		if code >= 0 {
			return int(d.Code) == code
		}
		return d.Name == name
	}
	for _, list := range [][]OptionDef{t.local, t.global} {
		for _, d := range list {
			if match(d) {
				return d, true
			}
		}
	}
	spaces := std4Spaces
	if t.v6 {
		spaces = std6Spaces
	}
	for _, s := range spaces[space] {
		if d := s.def(space); match(d) {
			return d, true
		}
	}
	if !t.v6 && space == SpaceDHCP4 {
		for _, s := range lastResort4 {
			if d := s.def(space); match(d) {
				return d, true
			}
		}
	}
	return OptionDef{}, false
}

// isStandard reports whether a definition with that code or name exists in
// a standard top-level space, which an option-def may not override.
func isStandard(v6 bool, space, name string, code uint16) bool {
	spaces := std4Spaces
	if v6 {
		spaces = std6Spaces
	}
	if space != SpaceDHCP4 && space != SpaceDHCP6 {
		return false
	}
	for _, s := range spaces[space] {
		if s.code == code || s.name == name {
			return true
		}
	}
	return false
}

// validName checks Kea's rule for option and space names: letters, digits,
// '-' and '_', not starting or ending with '-' or '_'.
func validName(s string) bool {
	if s == "" || strings.ContainsAny(s[:1], "-_") || strings.ContainsAny(s[len(s)-1:], "-_") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// parseOptionDefs reads an "option-def" list. classLevel applies Kea's rule
// that a DHCPv4 client class may only define option 43 and the
// site-specific options 224-254 of the dhcp4 space.
func (d *dec) parseOptionDefs(o *obj, key string, classLevel bool) []OptionDef {
	var defs []OptionDef
	o.each(key, func(_ int, n *node, path string) {
		def := d.parseOptionDef(n, path)
		if d.failed() {
			return
		}
		if classLevel && (d.v6 || def.Space != SpaceDHCP4 || (def.Code != 43 && (def.Code < 224 || def.Code > 254))) {
			d.fail(n, path, "a client class may only define option 43 or 224-254 of the dhcp4 space, not %s.%d", def.Space, def.Code)
			return
		}
		for _, other := range defs {
			if other.Space != def.Space {
				continue
			}
			if other.Code == def.Code {
				d.fail(n, path, "option definition with code %d already exists in option space %q", def.Code, def.Space)
				return
			}
			if other.Name == def.Name {
				d.fail(n, path, "option definition with name %q already exists in option space %q", def.Name, def.Space)
				return
			}
		}
		if isStandard(d.v6, def.Space, def.Name, def.Code) {
			d.fail(n, path, "option %q (code %d) is standard in space %q and cannot be redefined", def.Name, def.Code, def.Space)
			return
		}
		defs = append(defs, def)
	})
	return defs
}

func (d *dec) parseOptionDef(n *node, path string) OptionDef {
	o := d.object(n, path, keaOptionDefKeys, keaOptionDefKeys)
	var def OptionDef
	name, _ := o.str("name")
	def.Name = name
	maxCode := int64(254)
	defSpace := SpaceDHCP4
	if d.v6 {
		maxCode, defSpace = 65535, SpaceDHCP6
	}
	code, ok := o.integer("code", 1, maxCode)
	if !ok && !d.failed() {
		d.fail(n, path, "option definition needs a code")
	}
	def.Code = uint16(code)
	typ, ok := o.str("type")
	if !ok && !d.failed() {
		d.fail(n, path, "option definition needs a type")
	}
	def.Type = OptionType(typ)
	def.Array = o.boolOr("array", false)
	recordTypes := o.strOr("record-types", "")
	def.Space = o.strOr("space", defSpace)
	def.Encapsulate = o.strOr("encapsulate", "")
	def.UserContext, def.Comment = o.userContext()
	if d.failed() {
		return def
	}
	switch {
	case !validName(def.Name):
		d.fail(n, joinPath(path, "name"), "invalid option name %q", def.Name)
	case !validName(def.Space):
		d.fail(n, joinPath(path, "space"), "invalid option space name %q", def.Space)
	case d.v6 && def.Space == SpaceDHCP4 || !d.v6 && def.Space == SpaceDHCP6:
		d.fail(n, joinPath(path, "space"), "option space %q is reserved for the other DHCP version", def.Space)
	case def.Encapsulate != "" && !validName(def.Encapsulate):
		d.fail(n, joinPath(path, "encapsulate"), "invalid encapsulated option space name %q", def.Encapsulate)
	case def.Encapsulate != "" && def.Array:
		d.fail(n, path, "option %s.%s is an array and may not encapsulate an option space", def.Space, def.Name)
	case def.Encapsulate == def.Space:
		d.fail(n, path, "option %s.%s may not encapsulate the space it belongs to", def.Space, def.Name)
	case !optionTypes[def.Type]:
		d.fail(n, joinPath(path, "type"), "unknown option type %q", typ)
	}
	if d.failed() {
		return def
	}
	for _, t := range strings.Split(recordTypes, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !optionTypes[OptionType(t)] || t == string(TypeRecord) || t == string(TypeEmpty) {
			d.fail(n, joinPath(path, "record-types"), "invalid record field type %q", t)
			return def
		}
		def.RecordTypes = append(def.RecordTypes, OptionType(t))
	}
	if msg := checkDef(def); msg != "" {
		d.fail(n, path, "%s", msg)
	}
	return def
}

// checkDef applies Kea's consistency rules to a definition.
func checkDef(def OptionDef) string {
	if def.Type == TypeRecord {
		f := def.RecordTypes
		if len(f) < 2 {
			return fmt.Sprintf("a record needs at least 2 fields, has %d", len(f))
		}
		for i, t := range f {
			if (t == TypeString || t == TypeBinary) && i < len(f)-1 {
				return fmt.Sprintf("a %s field may only be the last field of a record", t)
			}
		}
		if def.Array && (f[len(f)-1] == TypeString || f[len(f)-1] == TypeBinary) {
			return fmt.Sprintf("an array record may not end with a %s field", f[len(f)-1])
		}
		return ""
	}
	if len(def.RecordTypes) > 0 {
		return "record-types is only allowed with type record"
	}
	if def.Array && (def.Type == TypeString || def.Type == TypeBinary || def.Type == TypeEmpty) {
		return fmt.Sprintf("an array of %s is not a valid option definition", def.Type)
	}
	return ""
}

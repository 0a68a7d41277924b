package config

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// parsedOption is an option-data entry with what encapsulation needs.
type parsedOption struct {
	OptionData
	def  *OptionDef // nil for an option configured without definition
	n    *node
	path string
}

// parseOptionData reads one "option-data" list, encodes every entry and
// packs sub-options into the options that encapsulate their space.
func (d *dec) parseOptionData(o *obj, defs *defTable) []OptionData {
	var list []parsedOption
	o.each("option-data", func(_ int, n *node, path string) {
		if p, ok := d.parseOneOption(n, path, defs); ok {
			list = append(list, p)
		}
	})
	if d.failed() || len(list) == 0 {
		return nil
	}
	out := make([]OptionData, len(list))
	for i := range list {
		out[i] = list[i].OptionData
		if list[i].def == nil || list[i].def.Encapsulate == "" || !isTopSpace(list[i].Space) {
			continue
		}
		data, err := encapsulate(list, i, d.v6, 0)
		if err != nil {
			d.fail(list[i].n, list[i].path, "%v", err)
			return nil
		}
		out[i].Data = data
	}
	return out
}

func isTopSpace(s string) bool { return s == SpaceDHCP4 || s == SpaceDHCP6 }

func (d *dec) parseOneOption(n *node, path string, defs *defTable) (parsedOption, bool) {
	o := d.object(n, path, supOptionData, keaOptionDataKeys)
	var p parsedOption
	p.n, p.path = n, path
	maxCode := int64(255)
	p.Space = SpaceDHCP4
	if d.v6 {
		maxCode, p.Space = 65535, SpaceDHCP6
	}
	code := -1
	if v, ok := o.integer("code", 0, maxCode); ok {
		code = int(v)
	}
	name, hasName := o.str("name")
	if hasName && strings.Contains(name, " ") {
		d.fail(n, joinPath(path, "name"), "invalid option name %q: space character is not allowed", name)
	}
	if s, ok := o.str("space"); ok {
		p.Space = s
	}
	csv := o.boolOr("csv-format", true)
	data := o.strOr("data", "")
	p.AlwaysSend = o.boolOr("always-send", false)
	p.NeverSend = o.boolOr("never-send", false)
	p.UserContext, p.Comment = o.userContext()
	if d.failed() {
		return p, false
	}
	switch {
	case !validName(p.Space):
		d.fail(n, joinPath(path, "space"), "invalid option space name %q", p.Space)
	case d.v6 && p.Space == SpaceDHCP4 || !d.v6 && p.Space == SpaceDHCP6:
		d.fail(n, joinPath(path, "space"), "option space %q is reserved for the other DHCP version", p.Space)
	case code < 0 && !hasName:
		d.fail(n, path, "option data needs a code or a name")
	case p.Space == SpaceDHCP4 && (code == 0 || code == 255):
		d.fail(n, joinPath(path, "code"), "invalid option code %d: reserved for PAD/END", code)
	case p.Space == SpaceDHCP6 && code == 0:
		d.fail(n, joinPath(path, "code"), "invalid option code 0: reserved")
	}
	if d.failed() {
		return p, false
	}
	def, found := defs.find(p.Space, name, code)
	if !found {
		if csv {
			what := fmt.Sprintf("%s.%s", p.Space, name)
			if code >= 0 {
				what = fmt.Sprintf("%s.%d", p.Space, code)
			}
			d.fail(n, path, "unknown option %s: no definition (define it with option-def, or give code and csv-format false with hex data)", what)
			return p, false
		}
		if code < 0 {
			d.fail(n, path, "unknown option %s.%s: no definition", p.Space, name)
			return p, false
		}
		b, err := decodeHexData(data)
		if err != nil {
			d.fail(n, joinPath(path, "data"), "%v", err)
			return p, false
		}
		p.Name, p.Code, p.Data = name, uint16(code), b
		return p, true
	}
	if hasName && name != def.Name {
		d.fail(n, joinPath(path, "name"), "option name %q does not match the definition of %s.%d (%q)", name, p.Space, def.Code, def.Name)
		return p, false
	}
	p.def, p.Name, p.Code = &def, def.Name, def.Code
	var b []byte
	var err error
	if csv {
		var ignored int
		b, ignored, err = encodeCSV(def, data, d.v6)
		if ignored > 0 {
			d.warn("%s: option %s takes one value; %d more comma-separated value(s) ignored as Kea does (escape a comma with \\,)", path, def.Name, ignored)
		}
		if err == nil {
			err = checkPayload(def, b, d.v6)
		}
	} else {
		b, err = decodeHexData(data)
		if err == nil && def.Type == TypeEmpty && def.Encapsulate == "" && len(b) > 0 {
			d.warn("%s: option %s is of type empty; its data is ignored as Kea does", path, def.Name)
			b = nil
		}
		if err == nil && def.Type != TypeEmpty {
			err = checkPayload(def, b, d.v6)
		}
	}
	if err == nil {
		b, err = special(def, b, d.v6)
	}
	if err != nil {
		d.fail(n, joinPath(path, "data"), "option %s.%s (code %d): %v", p.Space, def.Name, def.Code, err)
		return p, false
	}
	if b == nil {
		b = []byte{}
	}
	p.Data = b
	return p, true
}

// encapsulate returns the payload of list[i] with the options of its
// encapsulated space from the same list appended, each once and only when
// the payload does not already carry that code; sub-options that
// encapsulate a space get theirs first.
func encapsulate(list []parsedOption, i int, v6 bool, depth int) ([]byte, error) {
	if depth > 8 {
		return nil, fmt.Errorf("option spaces encapsulate each other in a loop")
	}
	parent := list[i]
	data := append([]byte{}, parent.Data...)
	present := map[uint16]bool{}
	if parent.def.Type == TypeEmpty {
		for _, c := range subOptionCodes(data, v6) {
			present[c] = true
		}
	}
	for j := range list {
		sub := list[j]
		if j == i || sub.Space != parent.def.Encapsulate || present[sub.Code] {
			continue
		}
		present[sub.Code] = true
		payload := sub.Data
		if sub.def != nil && sub.def.Encapsulate != "" && !isTopSpace(parent.def.Encapsulate) {
			var err error
			if payload, err = encapsulate(list, j, v6, depth+1); err != nil {
				return nil, err
			}
		}
		if v6 {
			if len(payload) > 0xffff {
				return nil, fmt.Errorf("sub-option %s.%d is longer than 65535 bytes", sub.Space, sub.Code)
			}
			data = binary.BigEndian.AppendUint16(data, sub.Code)
			data = binary.BigEndian.AppendUint16(data, uint16(len(payload)))
		} else {
			if len(payload) > 255 || sub.Code > 255 {
				return nil, fmt.Errorf("sub-option %s.%d does not fit a DHCPv4 option (code or %d bytes over 255)", sub.Space, sub.Code, len(payload))
			}
			data = append(data, byte(sub.Code), byte(len(payload)))
		}
		data = append(data, payload...)
	}
	return data, nil
}

// subOptionCodes lists the codes of well-formed sub-options at the start
// of b; it stops at the first malformed one.
func subOptionCodes(b []byte, v6 bool) []uint16 {
	var codes []uint16
	for len(b) > 0 {
		if v6 {
			if len(b) < 4 || len(b) < 4+int(binary.BigEndian.Uint16(b[2:])) {
				return codes
			}
			codes = append(codes, binary.BigEndian.Uint16(b))
			b = b[4+int(binary.BigEndian.Uint16(b[2:])):]
			continue
		}
		if b[0] == 0 || b[0] == 255 {
			b = b[1:]
			continue
		}
		if len(b) < 2 || len(b) < 2+int(b[1]) {
			return codes
		}
		codes = append(codes, uint16(b[0]))
		b = b[2+int(b[1]):]
	}
	return codes
}

package expr

// Parsing of the constructs that read the packet: option[..], relay4[..],
// relay6[..], pkt, pkt4 and pkt6 fields.

// repr is how an option is read: .hex, .text or .exists.
type repr uint8

const (
	reprHex repr = iota
	reprText
	reprExists
)

// parseRepr consumes .hex/.text/.exists (the '.' already consumed) and
// returns the offset just past it.
func (p *parser) parseRepr() (repr, int, *Error) {
	r := reprHex
	switch p.tok.kind {
	case tHexRepr:
	case tText:
		r = reprText
	case tExists:
		r = reprExists
	default:
		return 0, 0, p.unexpected("\"hex\", \"text\" or \"exists\"")
	}
	end := p.tok.end
	return r, end, p.advance()
}

func reprType(r repr) valType {
	if r == reprExists {
		return typBool
	}
	return typString
}

// optionCode parses an option code in brackets' content: an integer in the
// family's range or, where names are allowed, an option name.
func (p *parser) optionCode(names bool) (uint16, *Error) {
	t := p.tok
	switch {
	case t.kind == tInt:
		limit := int64(255)
		if p.fam == V6 {
			limit = 65535
		}
		if t.num < 0 || t.num > limit {
			return 0, p.errAt(t.pos, "option code %d out of range 0..%d", t.num, limit)
		}
		return uint16(t.num), p.advance()
	case t.kind == tName && names:
		code, ok := p.lookupName(t.text)
		if !ok {
			return 0, p.errAt(t.pos, "option %q is not defined", t.text)
		}
		return code, p.advance()
	}
	if names {
		return 0, p.unexpected("option code or name")
	}
	return 0, p.unexpected("option code")
}

func (p *parser) stdTable() []stdOption {
	if p.fam == V4 {
		return std4[:]
	}
	return std6[:]
}

func (p *parser) lookupName(name string) (uint16, bool) {
	for _, o := range p.stdTable() {
		if o.name == name {
			return o.code, true
		}
	}
	if p.cfg.names != nil {
		return p.cfg.names(name)
	}
	return 0, false
}

// format tells how Kea decodes option code of space: standard definitions
// first (Kea does not let a custom definition replace one), then the
// caller's, else a plain binary option.
func (p *parser) format(space Space, code uint16) Format {
	if space != SpaceAgent {
		for _, o := range p.stdTable() {
			if o.code == code {
				return o.format
			}
		}
	}
	if p.cfg.formats != nil {
		if f, ok := p.cfg.formats(space, code); ok {
			return f
		}
	}
	return FormatBinary
}

// indexedCode parses the "[code]." that follows an option keyword: the
// code, by number or (names) by name, and the dot before what is read.
func (p *parser) indexedCode(names bool) (uint16, *Error) {
	if err := p.expect(tLBracket); err != nil {
		return 0, err
	}
	code, err := p.optionCode(names)
	if err == nil {
		err = p.expect(tRBracket)
	}
	if err == nil {
		err = p.expect(tDot)
	}
	return code, err
}

// codeAndRepr parses "[code].repr" with a numeric code, and returns the
// offset just past it.
func (p *parser) codeAndRepr() (uint16, repr, int, *Error) {
	code, err := p.indexedCode(false)
	if err != nil {
		return 0, 0, 0, err
	}
	r, end, err := p.parseRepr()
	return code, r, end, err
}

// emitOption checks the format against the representation and emits op.
func (p *parser) emitOption(op opcode, space Space, code uint16, r repr, nest int64, start, end int) *Error {
	f := p.format(space, code)
	if r == reprText && f == FormatTyped {
		return p.unsupported(start, end, "Kea renders the text of this option from its definition, which is not reproduced; use .hex")
	}
	p.emit(instr{op: op, code: code, repr: r, format: f, n: nest}, 0)
	return nil
}

func (p *parser) parseOption() (valType, int, *Error) {
	start := p.tok.pos
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	code, err := p.indexedCode(true)
	if err != nil {
		return 0, 0, err
	}
	if p.tok.kind == tOption {
		// option[N].option[M]: parsed to the end so that syntax errors are
		// reported as such, then refused.
		if err := p.advance(); err != nil {
			return 0, 0, err
		}
		_, _, end, err := p.codeAndRepr()
		if err != nil {
			return 0, 0, err
		}
		return 0, 0, p.unsupported(start, end, "sub-options are not implemented")
	}
	r, end, err := p.parseRepr()
	if err == nil {
		space := SpaceDHCP4
		if p.fam == V6 {
			space = SpaceDHCP6
		}
		err = p.emitOption(opOption, space, code, r, 0, start, end)
	}
	return reprType(r), start, err
}

func (p *parser) parseRelay4() (valType, int, *Error) {
	start := p.tok.pos
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	code, r, end, err := p.codeAndRepr()
	if err != nil {
		return 0, 0, err
	}
	if p.fam != V4 {
		return 0, 0, p.errAt(start, "relay4 can be used only in DHCPv4")
	}
	return reprType(r), start, p.emitOption(opAgent, SpaceAgent, code, r, 0, start, end)
}

func (p *parser) parseRelay6() (valType, int, *Error) {
	start := p.tok.pos
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	if err := p.expect(tLBracket); err != nil {
		return 0, 0, err
	}
	if p.tok.kind != tInt {
		return 0, 0, p.unexpected("nesting level")
	}
	if p.fam != V6 {
		return 0, 0, p.errAt(start, "relay6 can be used only in DHCPv6")
	}
	nest := p.tok.num
	if nest < -32 || nest > 31 {
		return 0, 0, p.errAt(p.tok.pos, "relay nesting level %d out of range -32..31", nest)
	}
	err := p.advance()
	if err == nil {
		err = p.expect(tRBracket)
	}
	if err == nil {
		err = p.expect(tDot)
	}
	if err != nil {
		return 0, 0, err
	}
	switch p.tok.kind {
	case tPeeraddr, tLinkaddr:
		peer := p.tok.kind == tPeeraddr
		p.emit(instr{op: opRelayAddr, n: nest, all: peer}, 0)
		return typString, start, p.advance()
	case tOption:
	default:
		return 0, 0, p.unexpected("\"option\", \"peeraddr\" or \"linkaddr\"")
	}
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	code, r, end, err := p.codeAndRepr()
	if err != nil {
		return 0, 0, err
	}
	return reprType(r), start, p.emitOption(opRelayOpt, SpaceDHCP6, code, r, nest, start, end)
}

// pktFields maps the field keyword after pkt., pkt4. or pkt6. to what the
// evaluator reads.
var pktFields = map[tokKind]map[tokKind]Field{
	tPkt: {tIface: fieldIface, tSrc: FieldSrc, tDst: FieldDst, tLen: FieldLen},
	tPkt4: {tMac: fieldMac, tHlen: FieldHlen, tHtype: FieldHtype, tCiaddr: FieldCiaddr,
		tGiaddr: FieldGiaddr, tYiaddr: FieldYiaddr, tSiaddr: FieldSiaddr,
		tMsgtype: FieldMsgType, tTransid: FieldTransID},
	tPkt6: {tMsgtype: FieldMsgType, tTransid: FieldTransID},
}

func (p *parser) parsePktField() (valType, int, *Error) {
	obj := p.tok
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	if err := p.expect(tDot); err != nil {
		return 0, 0, err
	}
	f, ok := pktFields[obj.kind][p.tok.kind]
	if !ok {
		return 0, 0, p.unexpected("a field of " + obj.text)
	}
	switch {
	case obj.kind == tPkt4 && p.fam != V4:
		return 0, 0, p.errAt(obj.pos, "pkt4 can be used only in DHCPv4")
	case obj.kind == tPkt6 && p.fam != V6:
		return 0, 0, p.errAt(obj.pos, "pkt6 can be used only in DHCPv6")
	}
	p.emit(instr{op: opField, a: int32(f)}, 0)
	return typString, obj.pos, p.advance()
}

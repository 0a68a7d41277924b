package expr

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The parser is recursive descent over Kea's grammar. Kea's grammar keeps
// conditions and string values apart (bool_expr and string_expr); here every
// sub-expression is parsed the same way and its type checked where it is
// used, which accepts the same language: precedence from loosest to tightest
// is "or", "and", "not", "==", "+", and "==" does not chain.

type valType uint8

const (
	typString valType = iota
	typBool
)

// maxDepth bounds nesting so that a hostile or broken configuration cannot
// exhaust the goroutine stack.
const maxDepth = 256

type parser struct {
	lex   lexer
	tok   token
	fam   Family
	cfg   *config
	e     *Expr
	depth int
	stack int // values on the evaluation stack after the code emitted so far
}

func (p *parser) errAt(pos int, format string, args ...any) *Error {
	return &Error{Expr: p.lex.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unsupported(from, to int, why string) *Error {
	return &Error{Expr: p.lex.src, Pos: from, Msg: p.lex.src[from:to] + " (" + why + ")", Unsupported: true}
}

func (p *parser) advance() *Error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) unexpected(want string) *Error {
	found := p.tok.kind.describe()
	switch p.tok.kind {
	case tString, tHex, tInt, tAddr, tName:
		found += " " + p.lex.src[p.tok.pos:p.tok.end]
	}
	if want == "" {
		return p.errAt(p.tok.pos, "syntax error: unexpected %s", found)
	}
	return p.errAt(p.tok.pos, "syntax error: expected %s but found %s", want, found)
}

// expect consumes a token of kind k.
func (p *parser) expect(k tokKind) *Error {
	if p.tok.kind != k {
		return p.unexpected(k.describe())
	}
	return p.advance()
}

// emit appends an instruction that pops pop values and pushes one.
func (p *parser) emit(in instr, pop int) {
	p.e.prog = append(p.e.prog, in)
	p.stack += 1 - pop
	p.e.maxStack = max(p.e.maxStack, p.stack)
}

func (p *parser) parseTop(boolean bool) *Error {
	if err := p.advance(); err != nil {
		return err
	}
	typ, pos, err := p.parseOr()
	if err != nil {
		return err
	}
	if p.tok.kind != tEOF {
		return p.unexpected("")
	}
	switch {
	case boolean && typ != typBool:
		return p.errAt(p.tok.pos, "syntax error: expected \"==\" or \"+\": a test must be a condition, not a string value")
	case !boolean && typ != typString:
		return p.errAt(pos, "syntax error: expected a string value, not a condition")
	}
	return nil
}

// Each parse function returns the type of what it parsed and the position
// of the token that gave it that type, for error messages.

func (p *parser) parseOr() (valType, int, *Error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return 0, 0, p.errAt(p.tok.pos, "expression nested too deeply")
	}
	typ, pos, err := p.parseAnd()
	for err == nil && p.tok.kind == tOr {
		pos = p.tok.pos
		err = p.logical(typ, opOr, p.parseAnd)
		typ = typBool
	}
	return typ, pos, err
}

func (p *parser) parseAnd() (valType, int, *Error) {
	typ, pos, err := p.parseNot()
	for err == nil && p.tok.kind == tAnd {
		pos = p.tok.pos
		err = p.logical(typ, opAnd, p.parseNot)
		typ = typBool
	}
	return typ, pos, err
}

// logical parses the right operand of "and"/"or" and emits op.
func (p *parser) logical(left valType, op opcode, operand func() (valType, int, *Error)) *Error {
	opTok := p.tok
	if left != typBool {
		return p.errAt(opTok.pos, "syntax error: %s needs a condition on its left, not a string value", opTok.kind.describe())
	}
	if err := p.advance(); err != nil {
		return err
	}
	right, pos, err := operand()
	if err != nil {
		return err
	}
	if right != typBool {
		return p.errAt(pos, "syntax error: %s needs a condition on its right, not a string value", opTok.kind.describe())
	}
	p.emit(instr{op: op}, 2)
	return nil
}

func (p *parser) parseNot() (valType, int, *Error) {
	if p.tok.kind != tNot {
		return p.parseCmp()
	}
	notPos := p.tok.pos
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return 0, 0, p.errAt(p.tok.pos, "expression nested too deeply")
	}
	typ, pos, err := p.parseNot()
	if err != nil {
		return 0, 0, err
	}
	if typ != typBool {
		return 0, 0, p.errAt(pos, "syntax error: \"not\" needs a condition, not a string value")
	}
	p.emit(instr{op: opNot}, 1)
	return typBool, notPos, nil
}

func (p *parser) parseCmp() (valType, int, *Error) {
	typ, pos, err := p.parsePlus()
	if err != nil || p.tok.kind != tEqual {
		return typ, pos, err
	}
	eqPos := p.tok.pos
	if typ != typString {
		return 0, 0, p.unexpected("")
	}
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	right, rpos, err := p.parsePlus()
	if err != nil {
		return 0, 0, err
	}
	if right != typString {
		return 0, 0, p.errAt(rpos, "syntax error: \"==\" compares string values, not conditions")
	}
	p.emit(instr{op: opEqual}, 2)
	return typBool, eqPos, nil
}

func (p *parser) parsePlus() (valType, int, *Error) {
	typ, pos, err := p.parsePrimary()
	for err == nil && p.tok.kind == tPlus {
		if typ != typString {
			return 0, 0, p.unexpected("")
		}
		if err = p.advance(); err != nil {
			break
		}
		var right valType
		var rpos int
		right, rpos, err = p.parsePrimary()
		if err == nil && right != typString {
			err = p.errAt(rpos, "syntax error: \"+\" concatenates string values, not conditions")
		}
		if err == nil {
			p.emit(instr{op: opConcat}, 2)
		}
	}
	return typ, pos, err
}

// stringArg parses a function argument that must be a string value.
func (p *parser) stringArg() *Error {
	typ, pos, err := p.parseOr()
	if err == nil && typ != typString {
		err = p.errAt(pos, "syntax error: expected a string value, not a condition")
	}
	return err
}

// intArg parses an integer literal argument (substring, split).
func (p *parser) intArg() (int64, *Error) {
	if p.tok.kind != tInt {
		return 0, p.unexpected("integer")
	}
	n := p.tok.num
	return n, p.advance()
}

func (p *parser) parsePrimary() (valType, int, *Error) {
	t := p.tok
	switch t.kind {
	case tLParen:
		if err := p.advance(); err != nil {
			return 0, 0, err
		}
		typ, pos, err := p.parseOr()
		if err != nil {
			return 0, 0, err
		}
		return typ, pos, p.expect(tRParen)
	case tString:
		p.pushConst([]byte(t.text))
	case tHex:
		p.pushConst(decodeHexLiteral(t.text[2:]))
	case tAddr:
		p.pushConst(t.addr.AsSlice())
	case tInt:
		if t.num < 0 || t.num > math.MaxUint32 {
			return 0, 0, p.errAt(t.pos, "integer %d out of range 0..4294967295", t.num)
		}
		p.pushConst(binary.BigEndian.AppendUint32(nil, uint32(t.num)))
	case tOption:
		return p.parseOption()
	case tRelay4:
		return p.parseRelay4()
	case tRelay6:
		return p.parseRelay6()
	case tPkt, tPkt4, tPkt6:
		return p.parsePktField()
	case tMember:
		return p.parseMember()
	case tVendor, tVendorClass:
		return 0, 0, p.unsupported(t.pos, t.pos+len(t.text), "vendor and vendor-class options are not implemented")
	case tSubstring, tSplit, tConcat, tIfelse, tHexstring, tAddrtotext,
		tInt8totext, tInt16totext, tInt32totext, tUint8totext, tUint16totext, tUint32totext:
		return p.parseCall()
	default:
		return 0, 0, p.unexpected("")
	}
	return typString, t.pos, p.advance()
}

func (p *parser) pushConst(b []byte) {
	p.e.consts = append(p.e.consts, b)
	p.emit(instr{op: opConst, a: int32(len(p.e.consts) - 1)}, 0)
}

// decodeHexLiteral decodes hex digits, with a leading 0 added to an odd
// count as Kea does. The lexer guarantees the digits are valid.
func decodeHexLiteral(h string) []byte {
	if len(h)%2 == 1 {
		h = "0" + h
	}
	out := make([]byte, len(h)/2)
	for i := range out {
		out[i] = hexVal(h[2*i])<<4 | hexVal(h[2*i+1])
	}
	return out
}

func hexVal(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

func (p *parser) parseCall() (valType, int, *Error) {
	fn := p.tok
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	if err := p.expect(tLParen); err != nil {
		return 0, 0, err
	}
	var err *Error
	comma := func() {
		if err == nil {
			err = p.expect(tComma)
		}
	}
	str := func() {
		if err == nil {
			err = p.stringArg()
		}
	}
	switch fn.kind {
	case tSubstring:
		str()
		comma()
		var start, length int64
		var all bool
		if err == nil {
			start, err = p.intArg()
		}
		comma()
		if err == nil {
			if p.tok.kind == tAll {
				all = true
				err = p.advance()
			} else if p.tok.kind != tInt {
				err = p.unexpected("integer or \"all\"")
			} else {
				length, err = p.intArg()
			}
		}
		if err == nil {
			p.emit(instr{op: opSubstring, n: start, m: length, all: all}, 1)
		}
	case tSplit:
		str()
		comma()
		str()
		comma()
		var field int64
		if err == nil {
			field, err = p.intArg()
		}
		if err == nil {
			p.emit(instr{op: opSplit, n: field}, 2)
		}
	case tConcat, tHexstring:
		str()
		comma()
		str()
		if err == nil {
			op := opConcat
			if fn.kind == tHexstring {
				op = opHexString
			}
			p.emit(instr{op: op}, 2)
		}
	case tIfelse:
		if err == nil {
			var typ valType
			var pos int
			typ, pos, err = p.parseOr()
			if err == nil && typ != typBool {
				err = p.errAt(pos, "syntax error: ifelse needs a condition as its first argument")
			}
		}
		comma()
		str()
		comma()
		str()
		if err == nil {
			p.emit(instr{op: opIfElse}, 3)
		}
	default: // the conversions to text
		str()
		if err == nil {
			p.emit(instr{op: opToText, a: int32(fn.kind)}, 1)
		}
	}
	if err == nil {
		err = p.expect(tRParen)
	}
	return typString, fn.pos, err
}

func (p *parser) parseMember() (valType, int, *Error) {
	start := p.tok.pos
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	if err := p.expect(tLParen); err != nil {
		return 0, 0, err
	}
	if p.tok.kind != tString {
		return 0, 0, p.unexpected("class name in quotes")
	}
	name := p.tok.text
	if p.cfg.defined != nil && !p.cfg.defined(name) {
		return 0, 0, p.errAt(p.tok.pos, "client class %q is not defined (member() may name only built-in classes and classes defined before)", name)
	}
	if err := p.advance(); err != nil {
		return 0, 0, err
	}
	idx := -1
	for i, c := range p.e.classes {
		if c == name {
			idx = i
		}
	}
	if idx < 0 {
		p.e.classes = append(p.e.classes, name)
		idx = len(p.e.classes) - 1
	}
	p.emit(instr{op: opMember, a: int32(idx)}, 0)
	return typBool, start, p.expect(tRParen)
}

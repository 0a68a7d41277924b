package expr

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
)

type opcode uint8

const (
	opConst     opcode = iota // push consts[a]
	opOption                  // push top-level option code as repr
	opAgent                   // push relay agent sub-option code as repr
	opRelayOpt                // push option code of relay n as repr
	opRelayAddr               // push peer (all) or link address of relay n
	opField                   // push Field(a)
	opMember                  // push member(classes[a])
	opEqual                   // a b -> a==b
	opNot                     // a -> not a
	opAnd                     // a b -> a and b
	opOr                      // a b -> a or b
	opConcat                  // a b -> ab
	opSubstring               // s -> substring(s, n, m or all)
	opSplit                   // s delims -> field n
	opIfElse                  // c t f -> t or f
	opHexString               // s sep -> hex of s joined by sep
	opToText                  // s -> conversion tokKind(a) of s
)

type instr struct {
	op     opcode
	repr   repr
	format Format
	all    bool // substring length "all"; opRelayAddr: peer address
	code   uint16
	a      int32
	n, m   int64
}

var (
	valTrue  = []byte("true")
	valFalse = []byte("false")
)

func boolVal(b bool) []byte {
	if b {
		return valTrue
	}
	return valFalse
}

// Scratch is the working memory of one evaluation: the value stack and an
// arena for computed values. Reusing one keeps evaluation free of
// allocations. A Scratch serves one evaluation at a time; values returned by
// EvalScratch point into it until its next use.
type Scratch struct {
	stack [][]byte
	arena []byte
}

// maxPooledArena keeps one unusual evaluation from pinning a large buffer.
const maxPooledArena = 64 << 10

var scratchPool = sync.Pool{New: func() any { return new(Scratch) }}

// Eval evaluates a test against p: true only when the expression yields
// "true". An error means evaluation failed (Kea logs it and does not put
// the packet in the class).
func (e *Expr) Eval(p Packet) (bool, error) {
	s := scratchPool.Get().(*Scratch)
	ok, err := e.EvalScratch(s, p)
	putScratch(s)
	return ok, err
}

// EvalScratch is Eval with working memory from the caller, for a worker that
// keeps one Scratch.
func (e *Expr) EvalScratch(s *Scratch, p Packet) (bool, error) {
	v, err := e.run(s, p)
	if err != nil {
		return false, err
	}
	switch {
	case bytes.Equal(v, valTrue):
		return true, nil
	case bytes.Equal(v, valFalse):
		return false, nil
	}
	return false, fmt.Errorf("expression %q: yields a string value, not a condition", e.text)
}

// EvalBytes evaluates the expression and returns its value in a new slice.
// A test yields "true" or "false".
func (e *Expr) EvalBytes(p Packet) ([]byte, error) {
	return e.AppendEval(nil, p)
}

// AppendEval evaluates the expression and appends its value to dst, which
// allocates nothing when dst has room.
func (e *Expr) AppendEval(dst []byte, p Packet) ([]byte, error) {
	s := scratchPool.Get().(*Scratch)
	v, err := e.run(s, p)
	if err == nil {
		dst = append(dst, v...)
	}
	putScratch(s)
	return dst, err
}

func putScratch(s *Scratch) {
	if cap(s.arena) > maxPooledArena {
		s.arena = nil
	}
	scratchPool.Put(s)
}

// run executes the program. Values on the stack are never written to once
// pushed: they alias constants, packet data or earlier arena bytes, and an
// arena that grows leaves earlier values in the old array intact.
func (e *Expr) run(s *Scratch, p Packet) ([]byte, error) {
	if cap(s.stack) < e.maxStack {
		s.stack = make([][]byte, 0, max(e.maxStack, 16))
	}
	v, err := e.exec(s, p)
	clear(s.stack[:e.maxStack]) // do not keep packets alive from the pool
	return v, err
}

func (e *Expr) exec(s *Scratch, p Packet) ([]byte, error) {
	st := s.stack[:0]
	ar := s.arena[:0]
	defer func() { s.arena = ar[:0] }()
	for i := range e.prog {
		in := &e.prog[i]
		var v []byte
		switch in.op {
		case opConst:
			v = e.consts[in.a]
		case opOption:
			data, ok := p.Option(in.code)
			v = optionValue(&ar, in, data, ok, e.family == V6)
		case opAgent:
			data, ok := p.AgentOption(uint8(in.code))
			v = optionValue(&ar, in, data, ok, false)
		case opRelayOpt:
			var data []byte
			level, ok := relayLevel(in.n, p.RelayCount())
			if ok {
				data, ok = p.RelayOption(level, in.code)
			}
			v = optionValue(&ar, in, data, ok, true)
		case opRelayAddr:
			if level, ok := relayLevel(in.n, p.RelayCount()); ok {
				link, peer := p.RelayAddrs(level)
				if in.all {
					link = peer
				}
				a := link.As16()
				v = appendValue(&ar, a[:]...)
			}
		case opField:
			v = e.field(&ar, p, Field(in.a))
		case opMember:
			v = boolVal(p.Member(e.classes[in.a]))
		default:
			n := popCount(in.op)
			if len(st) < n {
				return nil, fmt.Errorf("expression %q: evaluation stack underflow", e.text)
			}
			args := st[len(st)-n:]
			st = st[:len(st)-n]
			var err error
			if v, err = e.apply(&ar, in, args); err != nil {
				return nil, err
			}
		}
		st = append(st, v)
	}
	if len(st) != 1 {
		return nil, fmt.Errorf("expression %q: evaluation left %d values", e.text, len(st))
	}
	return st[0], nil
}

func popCount(op opcode) int {
	switch op {
	case opNot, opSubstring, opToText:
		return 1
	case opIfElse:
		return 3
	}
	return 2
}

// apply runs an operator on its arguments, in the order they were pushed.
func (e *Expr) apply(ar *[]byte, in *instr, args [][]byte) ([]byte, error) {
	switch in.op {
	case opEqual:
		return boolVal(bytes.Equal(args[0], args[1])), nil
	case opNot:
		b, err := e.toBool(args[0])
		return boolVal(!b), err
	case opAnd, opOr:
		a, err := e.toBool(args[0])
		if err != nil {
			return nil, err
		}
		b, err := e.toBool(args[1])
		if in.op == opAnd {
			return boolVal(a && b), err
		}
		return boolVal(a || b), err
	case opConcat:
		switch {
		case len(args[0]) == 0:
			return args[1], nil
		case len(args[1]) == 0:
			return args[0], nil
		case len(args[0])+len(args[1]) > MaxValueLen:
			return nil, e.tooLong("concat")
		}
		start := len(*ar)
		*ar = append(append(*ar, args[0]...), args[1]...)
		return (*ar)[start:len(*ar):len(*ar)], nil
	case opIfElse:
		c, err := e.toBool(args[0])
		if c {
			return args[1], err
		}
		return args[2], err
	case opSubstring:
		return e.substring(args[0], in)
	case opSplit:
		return e.split(args[0], args[1], in.n)
	case opHexString:
		if n := len(args[0]); n > 0 && int64(n)*2+int64(n-1)*int64(len(args[1])) > MaxValueLen {
			return nil, e.tooLong("hexstring")
		}
		return appendHexString(ar, args[0], args[1]), nil
	case opToText:
		return e.toText(ar, tokKind(in.a), args[0])
	}
	return nil, fmt.Errorf("expression %q: bad instruction %d", e.text, in.op)
}

// MaxValueLen bounds the values concat and hexstring may build. Kea has no
// such bound, but an expression that nests them can grow a value
// exponentially, and nothing read from a DHCP message comes near this.
const MaxValueLen = 1 << 20

func (e *Expr) tooLong(op string) error {
	return fmt.Errorf("expression %q: %s result longer than %d bytes", e.text, op, MaxValueLen)
}

func (e *Expr) toBool(v []byte) (bool, error) {
	switch {
	case bytes.Equal(v, valTrue):
		return true, nil
	case bytes.Equal(v, valFalse):
		return false, nil
	}
	return false, fmt.Errorf("expression %q: %q is not a boolean", e.text, v)
}

// appendValue copies b to the arena and returns the copy.
func appendValue(ar *[]byte, b ...byte) []byte {
	start := len(*ar)
	*ar = append(*ar, b...)
	return (*ar)[start:len(*ar):len(*ar)]
}

// relayLevel turns a relay6[n] nesting level into an index: from the server
// side for n >= 0, from the client side for n < 0 (-1 is the relay closest
// to the client).
func relayLevel(n int64, count int) (int, bool) {
	if n < 0 {
		n += int64(count)
	}
	if n < 0 || n >= int64(count) {
		return 0, false
	}
	return int(n), true
}

// optionValue turns an option lookup into the value Kea pushes.
func optionValue(ar *[]byte, in *instr, data []byte, ok, v6 bool) []byte {
	if ok && in.format == FormatString {
		// Kea's string options lose trailing NULs, and one with nothing left
		// is not added to the packet at all.
		data = bytes.TrimRight(data, "\x00")
		ok = len(data) > 0
	}
	switch {
	case in.repr == reprExists:
		return boolVal(ok)
	case !ok:
		return nil
	case in.repr == reprText && in.format == FormatBinary:
		return appendGenericText(ar, in.code, data, v6)
	}
	return data
}

// appendGenericText renders an option the way Kea's generic option renders
// itself: "type=061, len=003: 01:02:03", with 5-digit fields for DHCPv6.
func appendGenericText(ar *[]byte, code uint16, data []byte, v6 bool) []byte {
	width := 3
	if v6 {
		width = 5
	}
	start := len(*ar)
	b := append(*ar, "type="...)
	b = appendPadded(b, uint64(code), width)
	b = append(b, ", len="...)
	b = appendPadded(b, uint64(len(data)), width)
	b = append(b, ": "...)
	for i, c := range data {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	*ar = b
	return b[start:len(b):len(b)]
}

const hexDigits = "0123456789abcdef"

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(b []byte, n uint64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	for len(tmp)-i < width {
		b = append(b, '0')
		width--
	}
	return append(b, tmp[i:]...)
}

func appendHexString(ar *[]byte, bin, sep []byte) []byte {
	start := len(*ar)
	b := *ar
	for i, c := range bin {
		if i > 0 {
			b = append(b, sep...)
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	*ar = b
	return b[start:len(b):len(b)]
}

// substring follows Kea: start counts from the end when negative; a
// negative length takes the bytes before start; out-of-range starts give
// an empty string. Kea converts start and length to a C int only when the
// string is not empty, and fails when they do not fit.
func (e *Expr) substring(s []byte, in *instr) ([]byte, error) {
	if len(s) == 0 {
		return nil, nil
	}
	if in.n < math.MinInt32 || in.n > math.MaxInt32 {
		return nil, fmt.Errorf("expression %q: substring start %d is not a 32-bit integer", e.text, in.n)
	}
	start, length := in.n, in.m
	if in.all {
		length = int64(len(s))
	} else if length < math.MinInt32 || length > math.MaxInt32 {
		return nil, fmt.Errorf("expression %q: substring length %d is not a 32-bit integer", e.text, length)
	}
	n := int64(len(s))
	if start < -n || start >= n {
		return nil, nil
	}
	if start < 0 {
		start += n
	}
	if length < 0 {
		length = -length
		if length <= start {
			start -= length
		} else {
			length, start = start, 0
		}
	}
	end := min(start+length, n)
	return s[start:end:end], nil
}

// split returns field (1-based) of s cut at any byte of delims, as Kea's
// split: empty fields count, an empty s gives "", empty delims give s.
func (e *Expr) split(s, delims []byte, field int64) ([]byte, error) {
	if len(s) == 0 {
		return nil, nil
	}
	if field < math.MinInt32 || field > math.MaxInt32 {
		return nil, fmt.Errorf("expression %q: split field %d is not a 32-bit integer", e.text, field)
	}
	if len(delims) == 0 {
		return s, nil
	}
	for n := int64(1); ; n++ {
		i := indexAny(s, delims)
		if n == field {
			if i < 0 {
				return s, nil
			}
			return s[:i:i], nil
		}
		if i < 0 {
			return nil, nil
		}
		s = s[i+1:]
	}
}

func indexAny(s, set []byte) int {
	for i, c := range s {
		if bytes.IndexByte(set, c) >= 0 {
			return i
		}
	}
	return -1
}

// field reads a fixed packet field as Kea encodes it.
func (e *Expr) field(ar *[]byte, p Packet, f Field) []byte {
	switch f {
	case FieldHlen:
		return appendUint32(ar, min(p.Uint(FieldHlen), 16))
	case FieldHtype, FieldMsgType, FieldTransID, FieldLen:
		return appendUint32(ar, p.Uint(f))
	case FieldCiaddr, FieldGiaddr, FieldYiaddr, FieldSiaddr:
		a := p.Addr(f).Unmap()
		if !a.Is4() {
			return appendValue(ar, 0, 0, 0, 0)
		}
		b := a.As4()
		return appendValue(ar, b[:]...)
	case FieldSrc, FieldDst:
		a := p.Addr(f)
		if e.family == V4 {
			a = a.Unmap()
		}
		if a.Is4() {
			b := a.As4()
			return appendValue(ar, b[:]...)
		}
		if a.Is6() {
			b := a.As16()
			return appendValue(ar, b[:]...)
		}
		return nil
	case fieldMac:
		// Kea sizes the hardware address by the raw hlen, zero-filling past
		// the 16 bytes of chaddr.
		hlen := int(p.Uint(FieldHlen))
		ch := p.Chaddr()
		if hlen <= len(ch) {
			return ch[:hlen:hlen]
		}
		start := len(*ar)
		*ar = append(*ar, ch...)
		for len(*ar)-start < hlen {
			*ar = append(*ar, 0)
		}
		return (*ar)[start:len(*ar):len(*ar)]
	case fieldIface:
		start := len(*ar)
		*ar = append(*ar, p.Iface()...)
		return (*ar)[start:len(*ar):len(*ar)]
	}
	return nil
}

func appendUint32(ar *[]byte, v uint32) []byte {
	start := len(*ar)
	*ar = binary.BigEndian.AppendUint32(*ar, v)
	return (*ar)[start:len(*ar):len(*ar)]
}

package expr

import (
	"bytes"
	"fmt"
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

package expr

import (
	"errors"
	"testing"
)

// FuzzParse checks that no input makes the parser or the evaluator panic,
// that every error is an *Error with a position inside the text, and that
// whatever parses evaluates against both fake packets without panicking.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.text, c.fam == V6)
	}
	f.Add("relay6[-1].option[18].hex == 'x' and member('a')", true)
	f.Add("hexstring(addrtotext(pkt.src) + split(pkt.iface, 'h', 1), ':') == ''", false)
	p4, p6 := v4Packet(), v6Packet()
	f.Fuzz(func(t *testing.T, text string, v6 bool) {
		fam, p := V4, p4
		if v6 {
			fam, p = V6, p6
		}
		for _, boolean := range []bool{true, false} {
			parse := Parse
			if !boolean {
				parse = ParseString
			}
			e, err := parse(text, fam)
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) {
					if fam == V4 || fam == V6 {
						t.Fatalf("%q: error of type %T: %v", text, err, err)
					}
				} else if pe.Pos < 0 || pe.Pos > len(text) || pe.Expr != text {
					t.Fatalf("%q: error position %d out of range: %v", text, pe.Pos, err)
				}
				_ = err.Error()
				continue
			}
			if boolean {
				_, _ = e.Eval(p)
			} else {
				_, _ = e.EvalBytes(p)
			}
		}
	})
}

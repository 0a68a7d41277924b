package hostname

import (
	"bytes"
	"testing"
)

// FuzzNames checks that the parsers never panic and that a name's text
// form reads back to the same name, as Kea's toText and Name(text) do.
func FuzzNames(f *testing.F) {
	f.Add([]byte("\x03odd\x01\x04name\x00"), "a\\.b.c\\032d.")
	f.Add([]byte("\x04Part"), "UPPER.Example.")
	f.Add([]byte{0}, ".")
	f.Fuzz(func(t *testing.T, wire []byte, text string) {
		check := func(n Name, partial bool) {
			var back Name
			var err error
			if partial {
				back, partial, err = ParseText(n.PartialText())
				if !partial {
					t.Fatalf("%q read back as a full name", n.PartialText())
				}
			} else {
				back, _, err = ParseText(n.Text())
			}
			if err != nil || !bytes.Equal(back.AppendWire(nil), n.AppendWire(nil)) {
				t.Fatalf("%q read back as %q, %v", n.Text(), back.Text(), err)
			}
		}
		if n, partial, err := ParseWire(wire); err == nil && !n.IsRoot() {
			check(n, partial)
		}
		if CheckText(text) == nil != (CheckText([]byte(text)) == nil) {
			t.Fatalf("CheckText differs for string and bytes of %q", text)
		}
		n, partial, err := ParseText(text)
		if (err == nil) != (CheckText(text) == nil) {
			t.Fatalf("ParseText and CheckText disagree on %q: %v", text, err)
		}
		if err == nil && !n.IsRoot() {
			check(n, partial)
		}
	})
}

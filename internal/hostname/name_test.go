package hostname

import (
	"bytes"
	"errors"
	"testing"
)

func wire(labels ...string) []byte {
	var b []byte
	for _, l := range labels {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return b
}

func full(labels ...string) []byte { return append(wire(labels...), 0) }

// The expectations are what Kea 2.2 (kea-dhcp4 and kea-dhcp6 in a
// namespace, DHCPv4 option 81 and DHCPv6 option 39) put in the lease file
// and the reply for these names, with hostname-char-set "" (none), the
// default "[^A-Za-z0-9.-]" (dflt) and the default with
// hostname-char-replacement "x" (repl).
func TestAdjustAsKea(t *testing.T) {
	dflt, err := NewSanitizer("[^A-Za-z0-9.-]", "")
	if err != nil {
		t.Fatal(err)
	}
	repl, err := NewSanitizer("[^A-Za-z0-9.-]", "x")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		wire             []byte // or
		text             string // the ASCII (E=0) form
		none, dflt, repl string // the lease's host name; "" for a dropped packet
		noneWire         []byte // the reply's wire name without sanitizing, when not the input
	}{
		{name: "control byte", wire: full("odd\x01name", "Example", "org"),
			none: `odd\001name.example.org.`, dflt: "oddname.example.org.", repl: "oddxname.example.org.",
			noneWire: full("odd\x01name", "example", "org")},
		{name: "dot inside a label", wire: full("a.b", "c d"),
			none: `a\.b.c\032d.`, dflt: "a.b.cd.", repl: "a.b.cxd."},
		{name: "backslash and upper case", wire: full(`a\b`, "Up"),
			none: `a\\b.up.`, dflt: "ab.up.", repl: "axb.up.", noneWire: full(`a\b`, "up")},
		{name: "bytes above 0x7e", wire: full("\xc3\x89T\xe9\x7f"),
			none: `\195\137t\233\127.`, dflt: "t.", repl: "xxtxx.", noneWire: full("\xc3\x89t\xe9\x7f")},
		{name: "special characters", wire: full(`a"b(c);d@e$f`, "x"),
			none: `a\"b\(c\)\;d\@e\$f.x.`, dflt: "abcdef.x.", repl: "axbxcxxdxexf.x."},
		{name: "partial", wire: wire("Part", "x\x01"),
			none: `part.x\001.`, dflt: "part.x.", repl: "part.xx.", noneWire: full("part", "x\x01")},
		{name: "NUL in a label", wire: full("a\x00b"), none: `a\000b.`, dflt: "ab.", repl: "axb."},
		{name: "ASCII upper case", text: "UPPER.Example.ORG.", none: "upper.example.org.", dflt: "upper.example.org.", repl: "upper.example.org."},
		{name: "ASCII escapes", text: `a\.b.c\065d\\e.`, none: `a\.b.cad\\e.`, dflt: "a.b.cade.", repl: "a.b.cadxe."},
		{name: "ASCII control byte", text: "odd\x01name.example.org.", none: `odd\001name.example.org.`, dflt: "oddname.example.org.", repl: "oddxname.example.org."},
		{name: "ASCII partial with a space", text: "has space", none: `has\032space.`, dflt: "hasspace.", repl: "hasxspace."},
		{name: "ASCII space only", text: " ", none: `\032.`, dflt: ".", repl: "x."},
		{name: "ASCII UTF-8", text: "\xc3\x89t\xe9.example.org.", none: `\195\137t\233.example.org.`, dflt: "t.example.org.", repl: "xxtx.example.org."},
		{name: "ASCII empty label", text: "a..b."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n Name
			var partial bool
			var err error
			if tc.wire != nil {
				n, partial, err = ParseWire(tc.wire)
			} else {
				n, partial, err = ParseText(tc.text)
			}
			if tc.none == "" {
				if !errors.Is(err, ErrName) {
					t.Fatalf("parsing gave %v, %v; want an ErrName (Kea drops the packet)", n.Text(), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []struct {
				what string
				s    *Sanitizer
				want string
			}{{"none", nil, tc.none}, {"dflt", dflt, tc.dflt}, {"repl", repl, tc.repl}} {
				got, err := Adjust(n, partial, v.s, "")
				if v.want == "" {
					if err == nil {
						t.Errorf("%s: Adjust gave %q, want an error", v.what, got.Text())
					}
					continue
				}
				if err != nil || got.Text() != v.want {
					t.Errorf("%s: Adjust = %q, %v; want %q", v.what, got.Text(), err, v.want)
				}
			}
			if tc.wire != nil {
				want := tc.noneWire
				if want == nil {
					want = tc.wire
				}
				got, _ := Adjust(n, partial, nil, "")
				if w := got.AppendWire(nil); !bytes.Equal(w, want) {
					t.Errorf("wire form %q, want %q", w, want)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := make([]byte, 64)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct {
		name string
		wire []byte
		text string
	}{
		{name: "wire label over 63", wire: append([]byte{64}, long...)},
		{name: "wire compression", wire: []byte{0xc0, 0x0c}},
		{name: "wire past the end", wire: []byte{5, 'a'}},
		{name: "wire bytes after the root", wire: []byte{1, 'a', 0, 1}},
		{name: "text empty", text: ""},
		{name: "text label over 63", text: string(long) + ".x"},
		{name: "text escape over 255", text: `a\256`},
		{name: "text incomplete escape", text: `a\12`},
		{name: "text lone backslash", text: `a\`},
		{name: "text leading dot", text: ".a"},
	} {
		var err error
		if tc.wire != nil {
			_, _, err = ParseWire(tc.wire)
		} else {
			_, _, err = ParseText(tc.text)
		}
		if !errors.Is(err, ErrName) {
			t.Errorf("%s: %v, want an ErrName", tc.name, err)
		}
	}
	var name []byte
	for range 52 {
		name = append(name, wire("abcd")...)
	}
	if _, _, err := ParseWire(append(name, 0)); !errors.Is(err, ErrName) {
		t.Errorf("a name of %d wire bytes: %v, want an ErrName", len(name)+1, err)
	}
}

func TestRoot(t *testing.T) {
	n, partial, err := ParseText(".")
	if err != nil || partial || !n.IsRoot() || n.Text() != "." || !bytes.Equal(n.AppendWire(nil), []byte{0}) {
		t.Errorf("root: %q partial %v, %v", n.Text(), partial, err)
	}
	if (Name{}).Text() != "." {
		t.Errorf("zero Name: %q, want the root", Name{}.Text())
	}
}

// Kea's processing of the Host Name option (12): trailing NULs gone, then
// trimmed of spaces, tabs and newlines, sanitized, ASCII lowered.
func TestHostNameAsKea(t *testing.T) {
	repl, _ := NewSanitizer("[^A-Za-z0-9.-]", "x")
	dflt, _ := NewSanitizer("[^A-Za-z0-9.-]", "")
	for _, tc := range []struct {
		in, none, dflt, repl string
	}{
		{"\b\v Host\r\n", "\b\v host\r", "host", "xxxhostx"},
		{"A\xc3\x89b.Ex", "a\xc3\x89b.ex", "ab.ex", "axxb.ex"},
		{"a\xe9B.example.org", "a\xe9b.example.org", "ab.example.org", "axb.example.org"},
		{"  Pad\tHost  ", "pad\thost", "padhost", "padxhost"},
		{"odd\x01name\x00tail", "odd\x01name\x00tail", "oddnametail", "oddxnamextail"},
	} {
		in := Trim(tc.in)
		for _, v := range []struct {
			s    *Sanitizer
			want string
		}{{nil, tc.none}, {dflt, tc.dflt}, {repl, tc.repl}} {
			if got := LowerASCII(v.s.Scrub(in)); got != v.want {
				t.Errorf("%q: got %q, want %q", tc.in, got, v.want)
			}
		}
	}
}

func TestQualify(t *testing.T) {
	for _, tc := range []struct {
		in, suffix string
		dot        bool
		want       string
	}{
		{"host", "example.org", true, "host.example.org."},
		{"host.", "example.org", true, "host.example.org."},
		{"host", "", false, "host"},
		{"host.", "", false, "host"},
		{"", "example.org", true, "example.org."},
		{"", "", true, ""},
	} {
		if got := Qualify(tc.in, tc.suffix, tc.dot); got != tc.want {
			t.Errorf("Qualify(%q, %q, %v) = %q, want %q", tc.in, tc.suffix, tc.dot, got, tc.want)
		}
	}
}

func TestAdjustQualifies(t *testing.T) {
	n, partial, _ := ParseWire(wire("Host"))
	for _, s := range []*Sanitizer{nil, mustSanitizer(t)} {
		got, err := Adjust(n, partial, s, "example.org")
		if err != nil || got.Text() != "host.example.org." {
			t.Errorf("Adjust of a partial name: %q, %v; want host.example.org.", got.Text(), err)
		}
	}
}

func mustSanitizer(t *testing.T) *Sanitizer {
	s, err := NewSanitizer("[^A-Za-z0-9.-]", "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSanitizer(t *testing.T) {
	if s, err := NewSanitizer("", "x"); s != nil || err != nil {
		t.Errorf("empty char set: %v, %v; want no sanitizer", s, err)
	}
	if _, err := NewSanitizer("[", ""); err == nil {
		t.Error("a bad expression compiled")
	}
	if got := (*Sanitizer)(nil).Scrub("a\x01"); got != "a\x01" {
		t.Errorf("nil sanitizer changed %q", got)
	}
	// A non-ASCII replacement keeps its bytes.
	s, _ := NewSanitizer("[^a-z]", "\xc3\xa9")
	if got := s.Scrub("a\x01b\xe9"); got != "a\xc3\xa9b\xc3\xa9" {
		t.Errorf("UTF-8 replacement: %q", got)
	}
}

// CheckText runs in the DHCPv4 decoder on every ASCII Client FQDN option.
func TestCheckTextAllocs(t *testing.T) {
	name := []byte(`host\001x.Example.org.`)
	if n := testing.AllocsPerRun(100, func() {
		if CheckText(name) != nil {
			t.Fatal("rejected")
		}
	}); n != 0 {
		t.Errorf("CheckText allocates %v times per call, want 0", n)
	}
}

func TestParseTextPartial(t *testing.T) {
	for _, tc := range []struct {
		in      string
		partial bool
		text    string
	}{
		{"a.b.", false, "a.b."},
		{"a.b", true, "a.b."},
		{`a\.`, true, `a\..`},
		{`a\\.`, false, `a\\.`},
		{`a\046`, true, `a\..`},
	} {
		n, partial, err := ParseText(tc.in)
		if err != nil || partial != tc.partial || n.Text() != tc.text {
			t.Errorf("ParseText(%q) = %q partial %v, %v; want %q partial %v", tc.in, n.Text(), partial, err, tc.text, tc.partial)
		}
	}
}

func TestAppendWireText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
	}{
		{`odd\001name.Example.org.`, full("odd\x01name", "Example", "org")},
		{`a\.b.c\032d`, wire("a.b", "c d")},
		{".", []byte{0}},
	} {
		got, err := AppendWireText([]byte{0xff}, tc.in)
		if err != nil || !bytes.Equal(got, append([]byte{0xff}, tc.want...)) {
			t.Errorf("AppendWireText(%q) = %q, %v; want %q", tc.in, got[1:], err, tc.want)
		}
	}
	if got, err := AppendWireText([]byte{1}, "a..b"); err == nil || !bytes.Equal(got, []byte{1}) {
		t.Errorf("AppendWireText of an empty label: %q, %v", got, err)
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { _, _ = AppendWireText(buf[:0], `host\001.example.org.`) }); n != 0 {
		t.Errorf("AppendWireText allocates %v times", n)
	}
}

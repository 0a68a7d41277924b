package dhcp6

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestOptionsWalk(t *testing.T) {
	opts := Options{
		0, 1, 0, 2, 0xaa, 0xbb, // CLIENTID
		0, 14, 0, 0, // RAPID_COMMIT, empty
		0, 1, 0, 1, 0xcc, // second CLIENTID
	}
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	type opt struct {
		code OptionCode
		data []byte
	}
	var got []opt
	for off := 0; off < len(opts); {
		code, data, next, err := opts.Next(off)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, opt{code, data})
		off = next
	}
	want := []opt{{1, []byte{0xaa, 0xbb}}, {14, []byte{}}, {1, []byte{0xcc}}}
	if len(got) != len(want) {
		t.Fatalf("got %d options, want %d", len(got), len(want))
	}
	i := 0
	for code, data := range opts.All() {
		if code != want[i].code || !bytes.Equal(data, want[i].data) || code != got[i].code || !bytes.Equal(got[i].data, want[i].data) {
			t.Errorf("option %d: got %v % x, want %v % x", i, code, data, want[i].code, want[i].data)
		}
		i++
	}
	if d, ok := opts.Get(OptClientID); !ok || !bytes.Equal(d, []byte{0xaa, 0xbb}) {
		t.Errorf("Get(CLIENTID) = % x, %v: want the first instance", d, ok)
	}
	if _, ok := opts.Get(OptServerID); ok {
		t.Error("Get(SERVERID) found an absent option")
	}
	if !opts.Has(OptRapidCommit) || opts.Count(OptClientID) != 2 {
		t.Errorf("Has/Count wrong")
	}
	// Data must not let an append reach into the next option.
	d, _ := opts.Get(OptClientID)
	if cap(d) != len(d) {
		t.Errorf("option data cap %d > len %d", cap(d), len(d))
	}
}

func TestOptionsMalformed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    Options
		errText string
	}{
		{"one byte", Options{0}, "at offset 0: 1 bytes left, too few for a 4-byte option header"},
		{"header cut", Options{0, 1, 0, 2, 1, 2, 0, 3, 0}, "at offset 6: 3 bytes left"},
		{"length past end", Options{0, 1, 0, 2, 1, 2, 0, 3, 0, 5, 1}, "option 3 (IA_NA) at offset 6: length 5 runs past the end of the data (1 bytes left)"},
		{"max length", Options{0, 9, 0xff, 0xff}, "length 65535 runs past"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate()
			if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), tc.errText) {
				t.Fatalf("Validate = %v, want ErrTruncated containing %q", err, tc.errText)
			}
			n := 0
			for range tc.opts.All() {
				n++
			}
			if n > 2 {
				t.Errorf("All yielded %d options from a malformed run", n)
			}
		})
	}
	if _, _, _, err := (Options{0, 1, 0, 0}).Next(4); !errors.Is(err, ErrTruncated) {
		t.Errorf("Next at end: %v", err)
	}
	if _, _, _, err := (Options{0, 1, 0, 0}).Next(-1); !errors.Is(err, ErrTruncated) {
		t.Errorf("Next at -1: %v", err)
	}
}

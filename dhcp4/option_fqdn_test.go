package dhcp4

import (
	"bytes"
	"errors"
	"testing"
)

func TestClientFQDN(t *testing.T) {
	wire := func(labels ...string) []byte {
		var b []byte
		for _, l := range labels {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
		return b
	}
	tests := []struct {
		name    string
		data    []byte
		flags   uint8
		text    string
		partial bool
		err     string
	}{
		{"wire full", cat([]byte{0x05, 0, 0}, wire("host-a", "example", "")), 0x05, "host-a.example.", false, ""},
		{"wire partial", cat([]byte{0x04, 0, 0}, wire("host-a")), 0x04, "host-a", true, ""},
		{"wire root only", []byte{0x04, 0, 0, 0}, 0x04, ".", false, ""},
		{"wire empty", []byte{0x04, 0, 0}, 0x04, "", true, ""},
		{"wire escapes", cat([]byte{0x04, 0, 0}, wire("a.b", "c\\d", "e\x01", "")), 0x04, `a\.b.c\\d.e\001.`, false, ""},
		{"ascii full", cat([]byte{0x01, 0, 0}, []byte("host-a.example.")), 0x01, "host-a.example.", false, ""},
		{"ascii partial", cat([]byte{0x00, 0, 0}, []byte("host-a")), 0x00, "host-a", true, ""},
		{"ascii with odd bytes", []byte{0, 0, 0, 0xc0, 0x01}, 0, "\xc0\x01", true, ""},
		// Kea reads an ASCII name as text and drops a packet whose name it
		// cannot read.
		{"ascii empty label", cat([]byte{0, 0, 0}, []byte("a..b.")), 0, "", false, `dhcp4: option 81: at byte 3: bad domain name: "a..b.": empty label`},
		{"ascii bad escape", cat([]byte{0, 0, 0}, []byte(`a\25`)), 0, "", false,
			`dhcp4: option 81: at byte 3: bad domain name: "a\\25": bad escape at byte 1 (\DDD up to 255, or \ and a byte that is not a digit)`},
		{"short", []byte{0x04, 0}, 0, "", false, "dhcp4: option 81: length 2, want at least 3"},
		{"label 64", cat([]byte{0x04, 0, 0, 64}, make([]byte, 64)), 0, "", false, "dhcp4: option 81: at byte 3: label length 64, longer than 63"},
		{"name over 255", cat([]byte{0x04, 0, 0}, bytes.Repeat(wire("abcdefghi"), 26)), 0, "", false, "dhcp4: option 81: at byte 3: domain name of 260 bytes, longer than 255"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseClientFQDN(tc.data)
			if tc.err != "" {
				wantBadOption(t, err, tc.err, tc.data)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Flags != tc.flags {
				t.Errorf("Flags = %#x, want %#x", f.Flags, tc.flags)
			}
			if got := string(f.AppendText(nil)); got != tc.text {
				t.Errorf("AppendText = %q, want %q", got, tc.text)
			}
			if f.Partial() != tc.partial {
				t.Errorf("Partial() = %v, want %v", f.Partial(), tc.partial)
			}
		})
	}
}

func TestBuildClientFQDN(t *testing.T) {
	tests := []struct {
		flags uint8
		name  string
		want  []byte // option data
		err   string
	}{
		{FQDNServerUpdate | FQDNEncoded, "host-a.example.", cat([]byte{5, 255, 255}, []byte{6}, []byte("host-a"), []byte{7}, []byte("example"), []byte{0}), ""},
		{FQDNEncoded, "host-a", cat([]byte{4, 255, 255, 6}, []byte("host-a")), ""},
		{FQDNEncoded, ".", []byte{4, 255, 255, 0}, ""},
		{FQDNEncoded, "", []byte{4, 255, 255}, ""},
		{FQDNServerUpdate, "host-a.example.", cat([]byte{1, 255, 255}, []byte("host-a.example.")), ""},
		// The escapes AppendText writes are read back.
		{FQDNEncoded, `a\.b.c\\d.e\001.`, cat([]byte{4, 255, 255, 3}, []byte("a.b"), []byte{3}, []byte(`c\d`), []byte{2, 'e', 1, 0}), ""},
		{FQDNEncoded, "a..b", nil, `dhcp4: option 81: bad domain name: "a..b": empty label`},
		{FQDNEncoded, "a..", nil, `dhcp4: option 81: bad domain name: "a..": empty label`},
		{FQDNEncoded, ".a", nil, `dhcp4: option 81: bad domain name: ".a": empty label`},
		{FQDNEncoded, `a\256`, nil, "...bad escape"},
		{FQDNEncoded, string(bytes.Repeat([]byte("x"), 64)), nil, "...label of more than 63 bytes"},
		{FQDNEncoded, string(bytes.Repeat([]byte("abcdefghi."), 26)), nil, "...more than 255 bytes in wire format"},
	}
	for _, tc := range tests {
		b := NewBuilder(nil, Header{Op: BootReply})
		err := b.AddClientFQDN(tc.flags, 255, tc.name)
		if tc.err != "" {
			if err == nil || !errors.Is(err, ErrBadOption) || !matchText(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.name, err)
		}
		msg, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		var m Message
		if err := m.Decode(msg); err != nil {
			t.Fatalf("%q: %v", tc.name, err)
		}
		d, _ := m.Option(OptClientFQDN)
		if !bytes.Equal(d, tc.want) {
			t.Errorf("%q: option 81 = %x, want %x", tc.name, d, tc.want)
		}
		f, ok := m.ClientFQDN()
		if !ok || string(f.AppendText(nil)) != tc.name || f.RCode1 != 255 || f.RCode2 != 255 {
			t.Errorf("%q: ClientFQDN() = %+v text %q", tc.name, f, f.AppendText(nil))
		}
	}
}

func matchText(got, want string) bool {
	if len(want) > 3 && want[:3] == "..." {
		return bytes.Contains([]byte(got), []byte(want[3:]))
	}
	return got == want
}

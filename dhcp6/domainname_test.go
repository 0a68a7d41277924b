package dhcp6

import (
	"errors"
	"strings"
	"testing"
)

func TestDomainList(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		want    []string
		errText string
	}{
		{name: "two names", data: "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 01 61 00", want: []string{"example.com.", "a."}},
		{name: "root", data: "00", want: []string{"."}},
		{name: "empty option", data: "", want: nil},
		{name: "escapes", data: "03 61 2e 62 02 5c 20 01 ff 00", want: []string{`a\.b.\\\032.\255.`}},
		{name: "partial name", data: "07 65 78 61 6d 70 6c 65", errText: "option 24 (DOMAIN_LIST) at offset 8: domain name does not end with a zero-length label"},
		{name: "label past end", data: "07 65 78 61", errText: "option 24 (DOMAIN_LIST) at offset 0: label of 7 bytes runs past"},
		{name: "compression pointer", data: "01 61 00 c0 00", errText: "option 24 (DOMAIN_LIST) at offset 3: label length byte 0xc0: more than 63"},
		{name: "second name bad", data: "01 61 00 02 62", errText: "at offset 3: label of 2 bytes"},
		{name: "too long", data: strings.Repeat("3f "+strings.Repeat("61 ", 63), 4) + "00", errText: "domain name longer than 255 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseDomainList(hexb(tc.data))
			if tc.errText != "" {
				if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %v, want ErrBadOption containing %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for n := range l.All() {
				txt, err := AppendNameText(nil, n)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(txt))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("names %q, want %q", got, tc.want)
			}
			// Text back to wire gives the same bytes.
			b := Builder{}
			b.AddDomainList(got...)
			out := mustFinish(t, &b)
			if d, _ := Options(out).Get(OptDomainList); string(d) != string(hexb(tc.data)) {
				t.Errorf("AddDomainList(%q) wrote % x", got, d)
			}
		})
	}
	// 255 bytes exactly is allowed.
	max := strings.Repeat("3f "+strings.Repeat("61 ", 63), 3) + "3d " + strings.Repeat("61 ", 61) + "00"
	if _, err := ParseDomainList(hexb(max)); err != nil {
		t.Errorf("255-byte name: %v", err)
	}
}

func TestWriteName(t *testing.T) {
	for _, tc := range []struct {
		text    string
		full    bool
		want    string
		errText string
	}{
		{text: "example.com", full: true, want: "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00"},
		{text: "example.com.", want: "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00"},
		{text: "host", want: "04 68 6f 73 74"},
		{text: ".", want: "00"},
		{text: `a\.b\\\065`, want: "05 61 2e 62 5c 41"},
		{text: "a..b", errText: "empty label"},
		{text: ".a", errText: "empty label"},
		{text: strings.Repeat("a", 64), errText: "label longer than 63"},
		{text: `a\`, errText: "lone backslash"},
		{text: `a\256`, errText: `escape \256 is more than 255`},
		{text: strings.Repeat("abcdefghi.", 26), errText: "longer than 255 bytes"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			b := Builder{}
			b.writeName(OptDomainList, tc.text, tc.full)
			if tc.errText != "" {
				_, err := b.Finish()
				if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %v, want ErrBadValue containing %q", err, tc.errText)
				}
				return
			}
			if got := mustFinish(t, &b); string(got) != string(hexb(tc.want)) {
				t.Errorf("wrote % x, want %s", got, tc.want)
			}
		})
	}
}

func TestClientFQDN(t *testing.T) {
	for _, tc := range []struct {
		name     string
		data     string
		flags    uint8
		text     string
		fullName bool
		errText  string
	}{
		{name: "full", data: "01 04 68 6f 73 74 07 65 78 61 6d 70 6c 65 00", flags: FQDNFlagS, text: "host.example.", fullName: true},
		{name: "partial", data: "00 04 68 6f 73 74", text: "host"},
		{name: "flags only", data: "04", flags: FQDNFlagN, text: ""},
		{name: "override", data: "03 01 61 00", flags: FQDNFlagS | FQDNFlagO, text: "a.", fullName: true},
		{name: "empty", data: "", errText: "option 39 (CLIENT_FQDN) at offset 0: empty"},
		{name: "bytes after name", data: "01 01 61 00 05", errText: "option 39 (CLIENT_FQDN) at offset 4: 1 bytes after the end"},
		{name: "label past end", data: "01 05 61", errText: "option 39 (CLIENT_FQDN) at offset 1: label of 5 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseClientFQDN(hexb(tc.data))
			if tc.errText != "" {
				if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %v, want containing %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			txt, err := AppendNameText(nil, f.Name)
			if err != nil || f.Flags != tc.flags || string(txt) != tc.text || f.FullyQualified() != tc.fullName {
				t.Fatalf("got flags %#x name %q full %v (%v)", f.Flags, txt, f.FullyQualified(), err)
			}
			b := Builder{}
			b.AddClientFQDN(f.Flags, string(txt))
			out := mustFinish(t, &b)
			if d, _ := Options(out).Get(OptClientFQDN); string(d) != string(hexb(tc.data)) {
				t.Errorf("AddClientFQDN wrote % x", d)
			}
		})
	}
}

func TestAppendNameTextErrors(t *testing.T) {
	if _, err := AppendNameText(nil, []byte{1, 'a', 0, 0}); !errors.Is(err, ErrBadOption) {
		t.Errorf("trailing bytes: %v", err)
	}
	if _, err := AppendNameText(nil, []byte{0x40}); !errors.Is(err, ErrBadOption) {
		t.Errorf("bad label: %v", err)
	}
	if got, err := AppendNameText([]byte("x "), nil); err != nil || string(got) != "x " {
		t.Errorf("empty name: %q %v", got, err)
	}
}

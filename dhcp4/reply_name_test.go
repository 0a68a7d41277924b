package dhcp4

import (
	"bytes"
	"errors"
	"testing"
)

// TestClientNamesAsKea holds the host names of TestHostNames' odd cousins
// to what kea-dhcp4 2.2 answered and stored for them in a namespace, with
// hostname-char-set "" on the subnet (no sanitizing: control bytes and
// spaces stay), the default "[^A-Za-z0-9.-]", and the default with
// hostname-char-replacement "x".
func TestClientNamesAsKea(t *testing.T) {
	wire := func(labels ...string) []byte {
		var b []byte
		for _, l := range labels {
			b = append(append(b, byte(len(l))), l...)
		}
		return append(b, 0)
	}
	type want struct {
		reply []byte // option 12, or the name part of option 81; nil: no such option
		lease string
	}
	tests := []struct {
		name             string
		code             uint8
		data             []byte
		none, dflt, repl want
	}{
		{name: "12 control byte", code: OptHostname, data: []byte("odd\x01name"),
			none: want{[]byte("odd\x01name"), "odd\x01name"}, dflt: want{[]byte("oddname"), "oddname"}, repl: want{[]byte("oddxname"), "oddxname"}},
		// Kea's lease file and run_script cut this name at the NUL (C
		// strings); the lease itself holds it whole, as Kea's memory does.
		{name: "12 NUL inside", code: OptHostname, data: []byte("odd\x01name\x00tail.example.org"),
			none: want{[]byte("odd\x01name\x00tail.example.org"), "odd\x01name\x00tail.example.org"},
			dflt: want{[]byte("oddnametail.example.org"), "oddnametail.example.org"},
			repl: want{[]byte("oddxnamextail.example.org"), "oddxnamextail.example.org"}},
		{name: "12 trimmed of space, tab, newline only", code: OptHostname, data: []byte("\b\v Host\r\n"),
			none: want{[]byte("\b\v host\r"), "\b\v host\r"}, dflt: want{[]byte("host"), "host"}, repl: want{[]byte("xxxhostx"), "xxxhostx"}},
		{name: "12 ASCII letters lowered, UTF-8 kept", code: OptHostname, data: []byte("A\xc3\x89b.Ex"),
			none: want{[]byte("a\xc3\x89b.ex"), "a\xc3\x89b.ex"}, dflt: want{[]byte("ab.ex"), "ab.ex"}, repl: want{[]byte("axxb.ex"), "axxb.ex"}},
		{name: "12 byte that is not UTF-8", code: OptHostname, data: []byte("a\xe9B.example.org"),
			none: want{[]byte("a\xe9b.example.org"), "a\xe9b.example.org"}, dflt: want{[]byte("ab.example.org"), "ab.example.org"},
			repl: want{[]byte("axb.example.org"), "axb.example.org"}},
		{name: "81 wire, control byte", code: OptClientFQDN, data: append([]byte{FQDNEncoded, 0, 0}, wire("odd\x01name", "Example", "org")...),
			none: want{wire("odd\x01name", "example", "org"), `odd\001name.example.org.`},
			dflt: want{wire("oddname", "example", "org"), "oddname.example.org."},
			repl: want{wire("oddxname", "example", "org"), "oddxname.example.org."}},
		{name: "81 wire, dot inside a label", code: OptClientFQDN, data: append([]byte{FQDNEncoded, 0, 0}, wire("a.b", "c d")...),
			none: want{wire("a.b", "c d"), `a\.b.c\032d.`}, dflt: want{wire("a", "b", "cd"), "a.b.cd."}, repl: want{wire("a", "b", "cxd"), "a.b.cxd."}},
		{name: "81 wire, empty label after sanitizing", code: OptClientFQDN, data: append([]byte{FQDNEncoded, 0, 0}, wire("a", "\x01", "b")...),
			none: want{wire("a", "\x01", "b"), `a.\001.b.`}, dflt: want{nil, ""}, repl: want{wire("a", "x", "b"), "a.x.b."}},
		{name: "81 wire, root only", code: OptClientFQDN, data: []byte{FQDNEncoded, 0, 0, 0},
			none: want{[]byte{0}, "."}, dflt: want{[]byte{0}, "."}, repl: want{[]byte{0}, "."}},
		{name: "81 ASCII, control byte", code: OptClientFQDN, data: append([]byte{0, 0, 0}, "odd\x01name.example.org."...),
			none: want{[]byte(`odd\001name.example.org.`), `odd\001name.example.org.`},
			dflt: want{[]byte("oddname.example.org."), "oddname.example.org."},
			repl: want{[]byte("oddxname.example.org."), "oddxname.example.org."}},
		{name: "81 ASCII, partial with a space", code: OptClientFQDN, data: append([]byte{0, 0, 0}, "Has space"...),
			none: want{[]byte(`has\032space.`), `has\032space.`}, dflt: want{[]byte("hasspace."), "hasspace."}, repl: want{[]byte("hasxspace."), "hasxspace."}},
		{name: "81 ASCII, escapes", code: OptClientFQDN, data: append([]byte{0, 0, 0}, `a\.b.c\065d\\e.`...),
			none: want{[]byte(`a\.b.cad\\e.`), `a\.b.cad\\e.`}, dflt: want{[]byte("a.b.cade."), "a.b.cade."}, repl: want{[]byte("a.b.cadxe."), "a.b.cadxe."}},
	}
	configs := []struct {
		name string
		body string
	}{
		{"none", `"hostname-char-set": "",`},
		{"dflt", ``},
		{"repl", `"hostname-char-replacement": "x",`},
	}
	for i, c := range configs {
		for _, tc := range tests {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				w := [...]want{tc.none, tc.dflt, tc.repl}[i]
				h := newHarness(t, `"interfaces-config": {"interfaces": ["eth0"]}, "valid-lifetime": 4000,
					"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0", `+c.body+`
						"pools": [{"pool": "192.0.2.10 - 192.0.2.19"}]}]`)
				_, ack := h.dora(client{mac: mac(1), extra: [][2][]byte{{{tc.code}, tc.data}}})
				got, ok := ack.Option(tc.code)
				if tc.code == OptClientFQDN && ok {
					got = got[3:]
				}
				if !ok && w.reply != nil || ok && w.reply == nil || !bytes.Equal(got, w.reply) {
					t.Errorf("option %d in the ACK: %q (present %v), want %q", tc.code, got, ok, w.reply)
				}
				l, err := h.store.Get4(t.Context(), ack.YIAddr)
				if err != nil || l.Hostname != w.lease {
					t.Errorf("lease host name %q (%v), want %q", l.Hostname, err, w.lease)
				}
			})
		}
	}
}

// Kea drops a packet whose ASCII Client FQDN name it cannot read as a
// domain name.
func TestClientFQDNUnreadable(t *testing.T) {
	h := newHarness(t, hBasic)
	c := client{mac: mac(1), typ: Discover, extra: [][2][]byte{{{OptClientFQDN}, append([]byte{0, 0, 0}, "a..b."...)}}}
	if _, err := h.send(c); !errors.Is(err, DropBadOption) {
		t.Errorf("DISCOVER with option 81 name \"a..b.\": %v, want %v", err, DropBadOption)
	}
}

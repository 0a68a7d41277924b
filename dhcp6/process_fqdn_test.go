package dhcp6

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/lease"
)

// TestClientFQDNAsKea holds odd client names to what kea-dhcp6 2.2
// answered (ADVERTISE and REPLY) and stored for them in a namespace, with
// hostname-char-set "" on the subnet (no sanitizing: control bytes, dots
// and spaces inside labels stay), the default "[^A-Za-z0-9.-]", and the
// default with hostname-char-replacement "x".
func TestClientFQDNAsKea(t *testing.T) {
	wire := func(labels ...string) []byte {
		var b []byte
		for _, l := range labels {
			b = append(append(b, byte(len(l))), l...)
		}
		return b
	}
	full := func(labels ...string) []byte { return append(wire(labels...), 0) }
	type want struct {
		reply []byte // the name in the reply's option 39; nil: packet dropped
		lease string
	}
	tests := []struct {
		name             string
		fqdn             []byte // the client's name
		none, dflt, repl want
	}{
		{"control byte", full("odd\x01name", "Example", "org"),
			want{full("odd\x01name", "example", "org"), `odd\001name.example.org.`},
			want{full("oddname", "example", "org"), "oddname.example.org."},
			want{full("oddxname", "example", "org"), "oddxname.example.org."}},
		{"dot and space inside labels", full("a.b", "c d"),
			want{full("a.b", "c d"), `a\.b.c\032d.`}, want{full("a", "b", "cd"), "a.b.cd."}, want{full("a", "b", "cxd"), "a.b.cxd."}},
		{"backslash and upper case", full(`a\b`, "Up"),
			want{full(`a\b`, "up"), `a\\b.up.`}, want{full("ab", "up"), "ab.up."}, want{full("axb", "up"), "axb.up."}},
		{"bytes above 0x7e", full("\xc3\x89T\xe9\x7f"),
			want{full("\xc3\x89t\xe9\x7f"), `\195\137t\233\127.`}, want{full("t"), "t."}, want{full("xxtxx"), "xxtxx."}},
		{"special characters", full(`a"b(c);d@e$f`, "x"),
			want{full(`a"b(c);d@e$f`, "x"), `a\"b\(c\)\;d\@e\$f.x.`}, want{full("abcdef", "x"), "abcdef.x."},
			want{full("axbxcxxdxexf", "x"), "axbxcxxdxexf.x."}},
		{"partial", wire("Part", "x\x01"),
			want{full("part", "x\x01"), `part.x\001.`}, want{full("part", "x"), "part.x."}, want{full("part", "xx"), "part.xx."}},
		{"NUL inside a label", full("a\x00b"), want{full("a\x00b"), `a\000b.`}, want{full("ab"), "ab."}, want{full("axb"), "axb."}},
		{"empty label after sanitizing", full("a", "\x01", "b"),
			want{full("a", "\x01", "b"), `a.\001.b.`}, want{nil, ""}, want{full("a", "x", "b"), "a.x.b."}},
		{"root only", []byte{0}, want{[]byte{0}, "."}, want{[]byte{0}, "."}, want{[]byte{0}, "."}},
	}
	configs := []struct{ name, body string }{
		{"none", `"hostname-char-set": "",`},
		{"dflt", ``},
		{"repl", `"hostname-char-replacement": "x",`},
	}
	for i, c := range configs {
		for k, tc := range tests {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				w := [...]want{tc.none, tc.dflt, tc.repl}[i]
				ts := newTS(t, strings.Replace(tsBase, `"interface": "eth0",`, `"interface": "eth0", `+c.body, 1))
				duid := duidLL(byte(0x40 + k))
				fq := withOption(OptClientFQDN, append([]byte{0}, tc.fqdn...))
				solicit := srvMsg(Solicit, 1, duid, []opt{withNA(1), fq})
				if w.reply == nil {
					// The drop is counted with the FQDN option's other
					// failure, N and S both set.
					ts.dropped(solicit, tsDirect, DropRFCViolation)
					return
				}
				adv := ts.ask(solicit, tsDirect)
				rep := ts.ask(srvMsg(Request, 2, duid, []opt{withServerIDOf(adv.Msg.Options), withIAs(adv.Msg.Options), fq}), tsDirect)
				for _, p := range []*Packet{adv, rep} {
					got, _ := p.Msg.Options.Get(OptClientFQDN)
					if len(got) == 0 || !bytes.Equal(got[1:], w.reply) {
						t.Errorf("%v: option 39 name %q, want %q", p.Msg.Type, got, w.reply)
					}
				}
				na, _ := rep.Msg.Options.Get(OptIANA)
				ia, _ := ParseIANA(na)
				ad, _ := ia.Options.Get(OptIAAddr)
				a, _ := ParseIAAddr(ad)
				l, err := ts.s.store.Get6(context.Background(), lease.TypeNA, a.Addr)
				if err != nil || l.Hostname != w.lease {
					t.Errorf("lease of %v: host name %q (%v), want %q", a.Addr, l.Hostname, err, w.lease)
				}
			})
		}
	}
}

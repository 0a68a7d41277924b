package expr

import "testing"

// Typical tests from Kea configurations, with the allocations per
// evaluation reported (zero expected: see TestEvalDoesNotAllocate).
var benchTests = []struct {
	name string
	fam  Family
	text string
}{
	{"option-text", V4, "option[60].text == 'PXEClient:Arch:00000:UNDI:002001'"},
	{"substring-hex", V4, "substring(option[61].hex, 0, 3) == 0x01000c"},
	{"relay4", V4, "relay4[1].hex == 'eth0/1' and relay4[2].exists"},
	{"mac-member", V4, "pkt4.mac == 0x000c29aabbcc or member('KNOWN')"},
	{"hexstring-mac", V4, "hexstring(pkt4.mac, ':') == '00:0c:29:aa:bb:cc'"},
	{"concat-ifelse", V4, "concat(ifelse(option[12].exists, option[12].text, 'none'), '-' + pkt.iface) == 'laptop-eth0'"},
	{"generic-text", V4, "option[61].text == 'type=061, len=007: 01:00:0c:29:aa:bb:cc'"},
	{"msgtype", V4, "pkt4.msgtype == 1 and not pkt4.giaddr == 0.0.0.0"},
	{"relay6", V6, "relay6[-1].option[18].hex == 'port7' and relay6[0].linkaddr == 2001:db8:1::1"},
	{"pkt6", V6, "pkt6.msgtype == 1 and substring(option[1].hex, 0, 2) == 0x0002"},
}

func BenchmarkEval(b *testing.B) {
	for _, bt := range benchTests {
		e, err := Parse(bt.text, bt.fam)
		if err != nil {
			b.Fatal(err)
		}
		var p Packet = v4Packet()
		if bt.fam == V6 {
			p = v6Packet()
		}
		if ok, err := e.Eval(p); !ok || err != nil {
			b.Fatalf("%s: %v, %v; the benchmark packet should match", bt.name, ok, err)
		}
		b.Run(bt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = e.Eval(p)
			}
		})
		b.Run(bt.name+"/scratch", func(b *testing.B) {
			b.ReportAllocs()
			var s Scratch
			for b.Loop() {
				_, _ = e.EvalScratch(&s, p)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("substring(option[61].hex, 0, 3) == 0x010203 and (member('KNOWN') or relay4[1].hex == 'abc')", V4); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEvalDoesNotAllocate holds evaluation to zero allocations once its
// scratch has grown: the fake packet's map lookups do not allocate either.
func TestEvalDoesNotAllocate(t *testing.T) {
	for _, bt := range benchTests {
		e, err := Parse(bt.text, bt.fam)
		if err != nil {
			t.Fatal(err)
		}
		var p Packet = v4Packet()
		if bt.fam == V6 {
			p = v6Packet()
		}
		var s Scratch
		_, _ = e.EvalScratch(&s, p)
		if n := testing.AllocsPerRun(100, func() { _, _ = e.EvalScratch(&s, p) }); n != 0 {
			t.Errorf("%s: %v allocations per EvalScratch", bt.name, n)
		}
		if raceEnabled {
			continue
		}
		buf := make([]byte, 0, 64)
		if n := testing.AllocsPerRun(100, func() { _, _ = e.AppendEval(buf[:0], p) }); n != 0 {
			t.Errorf("%s: %v allocations per AppendEval", bt.name, n)
		}
	}
}

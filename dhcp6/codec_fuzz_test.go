package dhcp6

import (
	"bytes"
	"net/netip"
	"testing"
)

// FuzzDecode: Decode never panics; whatever it accepts re-encodes to the
// same bytes and decodes again to the same packet; the typed parsers never
// panic on what it returns; a direct message rebuilt option by option with
// the Builder gives the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(solicitBytes(f))
	f.Add(replyBytes(f))
	f.Add(relayedSolicitBytes(f, 1))
	f.Add(relayedSolicitBytes(f, 3))
	f.Add([]byte{12, 0})
	f.Add([]byte{1, 0, 0, 0, 0, 9, 0, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Packet
		if err := p.Decode(data); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		out, err := p.AppendTo(nil)
		if err != nil {
			t.Fatalf("AppendTo of a decoded packet: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("AppendTo gives\n% x\nfor input\n% x", out, data)
		}
		var q Packet
		if err := q.Decode(out); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if q.NumRelays != p.NumRelays || q.Msg.Type != p.Msg.Type || q.Msg.TransactionID != p.Msg.TransactionID ||
			!bytes.Equal(q.Msg.Options, p.Msg.Options) {
			t.Fatal("re-decoded packet differs")
		}
		for i := range p.NumRelays {
			a, b := p.Relays[i], q.Relays[i]
			if a.Type != b.Type || a.HopCount != b.HopCount || a.LinkAddr != b.LinkAddr || a.PeerAddr != b.PeerAddr || !bytes.Equal(a.Options, b.Options) {
				t.Fatalf("re-decoded hop %d differs", i)
			}
			_ = parseAll(a.Options)
		}
		_ = readMessage(&p.Msg)
		_ = parseAll(p.Msg.Options)

		if p.NumRelays == 0 {
			b := NewBuilder(nil, p.Msg.Type, p.Msg.TransactionID)
			for code, data := range p.Msg.Options.All() {
				b.AddOption(code, data)
			}
			if rebuilt, err := b.Finish(); err != nil || !bytes.Equal(rebuilt, data) {
				t.Fatalf("rebuilt message differs (err %v)", err)
			}
		}
	})
}

// parseAll runs every typed parser on every option it fits and returns the
// first error, naming the option.
func parseAll(opts Options) error {
	for code, data := range opts.All() {
		if err := parseOption(code, data); err != nil {
			return err
		}
	}
	return nil
}

// parseOption runs the typed parser for code, if there is one, and those of
// the options nested in it.
func parseOption(code OptionCode, data []byte) error {
	var txt [1024]byte
	var err error
	switch code {
	case OptClientID, OptServerID:
		var d DUID
		if d, err = ParseDUID(data); err == nil {
			_ = d.String()
		}
	case OptIANA:
		var ia IANA
		if ia, err = ParseIANA(data); err == nil {
			err = parseAll(ia.Options)
		}
	case OptIATA:
		var ia IATA
		if ia, err = ParseIATA(data); err == nil {
			err = parseAll(ia.Options)
		}
	case OptIAPD:
		var ia IAPD
		if ia, err = ParseIAPD(data); err == nil {
			err = parseAll(ia.Options)
		}
	case OptIAAddr:
		var a IAAddr
		if a, err = ParseIAAddr(data); err == nil {
			err = parseAll(a.Options)
		}
	case OptIAPrefix:
		var p IAPrefix
		if p, err = ParseIAPrefix(data); err == nil {
			if ex, ok := p.Options.Get(OptPDExclude); ok {
				if _, err = ParsePDExclude(ex, p.Prefix); err != nil {
					return err
				}
			}
			err = parseAll(p.Options)
		}
	case OptStatusCode:
		_, err = ParseStatusCode(data)
	case OptORO:
		var o ORO
		if o, err = ParseORO(data); err == nil {
			for range o.All() {
			}
		}
	case OptPreference:
		_, err = ParsePreference(data)
	case OptElapsedTime:
		_, err = ParseElapsedTime(data)
	case OptUserClass:
		_, err = ParseUserClass(data)
	case OptVendorClass:
		_, err = ParseVendorClass(data)
	case OptVendorOpts:
		_, err = ParseVendorOpts(data)
	case OptDNSServers:
		_, err = ParseDNSServers(data)
	case OptDomainList:
		var l DomainList
		if l, err = ParseDomainList(data); err == nil {
			for n := range l.All() {
				if _, err = AppendNameText(txt[:0], n); err != nil {
					return err
				}
			}
		}
	case OptClientFQDN:
		var f ClientFQDN
		if f, err = ParseClientFQDN(data); err == nil {
			_, err = AppendNameText(txt[:0], f.Name)
		}
	case OptRemoteID:
		_, err = ParseRemoteID(data)
	case OptSubscriberID:
		_, err = ParseSubscriberID(data)
	case OptClientLinkLayerAddr:
		_, err = ParseClientLinkLayerAddr(data)
	case OptSolMaxRT:
		_, err = ParseSolMaxRT(data)
	case OptInfMaxRT:
		_, err = ParseInfMaxRT(data)
	}
	return err
}

// checkIA parses an IA-family option and, when it parses, rebuilds it with
// the Builder's typed methods and requires the same bytes back; then does
// the same for its sub-options. With t nil it only looks for panics.
func checkIA(t *testing.T, code OptionCode, data []byte) {
	b := Builder{}
	var sub Options
	switch code {
	case OptIANA:
		ia, err := ParseIANA(data)
		if err != nil {
			return
		}
		b.AddIANA(ia.IAID, ia.T1, ia.T2)
		sub = ia.Options
	case OptIATA:
		ia, err := ParseIATA(data)
		if err != nil {
			return
		}
		b.AddIATA(ia.IAID)
		sub = ia.Options
	case OptIAPD:
		ia, err := ParseIAPD(data)
		if err != nil {
			return
		}
		b.AddIAPD(ia.IAID, ia.T1, ia.T2)
		sub = ia.Options
	case OptIAAddr:
		a, err := ParseIAAddr(data)
		if err != nil {
			return
		}
		b.StartIAAddr(a.Addr, a.Preferred, a.Valid)
		sub = a.Options
	case OptIAPrefix:
		p, err := ParseIAPrefix(data)
		if err != nil {
			return
		}
		b.StartIAPrefix(p.Prefix, p.Preferred, p.Valid)
		sub = p.Options
		if ex, ok := p.Options.Get(OptPDExclude); ok {
			checkPDExclude(t, ex, p.Prefix)
		}
	case OptStatusCode:
		s, err := ParseStatusCode(data)
		if err != nil {
			return
		}
		b.AddStatusCode(s.Code, string(s.Message))
		if out, err := b.Finish(); t != nil && (err != nil || !bytes.Equal(out[4:], data)) {
			t.Fatalf("STATUS_CODE rebuilt as % x (%v), want % x", out, err, data)
		}
		return
	default:
		return
	}
	b.WriteBytes(sub)
	b.EndOption()
	out, err := b.Finish()
	if t != nil && (err != nil || !bytes.Equal(out[4:], data)) {
		t.Fatalf("%v rebuilt as % x (%v), want % x", code, out, err, data)
	}
	for c, d := range sub.All() {
		checkIA(t, c, d)
	}
}

func checkPDExclude(t *testing.T, data []byte, delegated netip.Prefix) {
	ex, err := ParsePDExclude(data, delegated)
	if err != nil {
		return
	}
	b := Builder{}
	b.AddPDExclude(delegated, ex)
	out, err := b.Finish()
	if err != nil {
		if t != nil {
			t.Fatalf("AddPDExclude(%v, %v): %v", delegated, ex, err)
		}
		return
	}
	// Padding bits past the excluded length are ignored when parsing and
	// written as zero, so compare what they mean, not the bytes.
	again, err := ParsePDExclude(out[4:], delegated)
	if t != nil && (err != nil || again != ex) {
		t.Fatalf("PD_EXCLUDE %v rebuilt as %v (%v)", ex, again, err)
	}
}

// FuzzIAOptions: the IA-family parsers (IA_NA, IA_TA, IA_PD, IAADDR,
// IAPREFIX, STATUS_CODE, PD_EXCLUDE) never panic, and what they accept the
// Builder writes back byte for byte.
func FuzzIAOptions(f *testing.F) {
	b := NewBuilder(nil, Reply, 1)
	buildReply(&b)
	b.AddIAPD(3, 1, 2)
	b.StartIAPrefix(leasePfx, 3, 4)
	b.AddPDExclude(leasePfx, netip.MustParsePrefix("2001:db8:8000:1::/64"))
	b.AddStatusCode(Success, "ok")
	b.EndOption()
	b.EndOption()
	reply := mustFinish(f, &b)
	for code, data := range Options(reply[4:]).All() {
		if code == OptIANA || code == OptIAPD {
			f.Add(uint16(code), data)
		}
	}
	f.Add(uint16(OptIATA), []byte{0, 0, 0, 1})
	f.Add(uint16(OptStatusCode), []byte{0, 2, 'n', 'o'})
	f.Fuzz(func(t *testing.T, code uint16, data []byte) {
		checkIA(t, OptionCode(code%32), data)
	})
}

// FuzzNames: wire-format names that parse convert to text and back to the
// same bytes.
func FuzzNames(f *testing.F) {
	f.Add([]byte{7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}, false)
	f.Add([]byte{4, 'h', 'o', 's', 't'}, true)
	f.Add([]byte{3, 'a', '.', '\\', 2, 0xff, ' ', 0}, false)
	f.Fuzz(func(t *testing.T, data []byte, partial bool) {
		var txt [1024]byte
		var wire []byte
		if partial {
			fq, err := ParseClientFQDN(append([]byte{0}, data...))
			if err != nil {
				return
			}
			wire = fq.Name
		} else {
			l, err := ParseDomainList(data)
			if err != nil || len(l) == 0 {
				return
			}
			wire, _, _ = l.Next(0)
			if len(wire) != len(data) {
				return
			}
		}
		text, err := AppendNameText(txt[:0], wire)
		if err != nil {
			t.Fatalf("AppendNameText of a parsed name: %v", err)
		}
		b := Builder{}
		b.writeName(OptClientFQDN, string(text), false)
		out, err := b.Finish()
		if err != nil || !bytes.Equal(out, wire) {
			t.Fatalf("name % x -> %q -> % x (%v)", wire, text, out, err)
		}
	})
}

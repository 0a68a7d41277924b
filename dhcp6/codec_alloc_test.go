package dhcp6

import (
	"testing"
)

// readMessage reads every option of a typical SOLICIT or REPLY the way a
// server or client would, through the typed parsers.
func readMessage(m *Message) error {
	for code, data := range m.Options.All() {
		var err error
		switch code {
		case OptClientID, OptServerID:
			_, err = ParseDUID(data)
		case OptElapsedTime:
			_, err = ParseElapsedTime(data)
		case OptORO:
			var o ORO
			if o, err = ParseORO(data); err == nil {
				o.Contains(OptDNSServers)
			}
		case OptIANA:
			var ia IANA
			if ia, err = ParseIANA(data); err == nil {
				err = readIAOptions(ia.Options)
			}
		case OptIAPD:
			var ia IAPD
			if ia, err = ParseIAPD(data); err == nil {
				err = readIAOptions(ia.Options)
			}
		case OptDNSServers:
			var l AddrList
			if l, err = ParseDNSServers(data); err == nil {
				for range l.All() {
				}
			}
		case OptDomainList:
			var l DomainList
			if l, err = ParseDomainList(data); err == nil {
				var txt [256]byte
				for n := range l.All() {
					if _, err = AppendNameText(txt[:0], n); err != nil {
						return err
					}
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readIAOptions(opts Options) error {
	for code, data := range opts.All() {
		var err error
		switch code {
		case OptIAAddr:
			_, err = ParseIAAddr(data)
		case OptIAPrefix:
			_, err = ParseIAPrefix(data)
		case OptStatusCode:
			_, err = ParseStatusCode(data)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func decodeCases(t testing.TB) []struct {
	name string
	in   []byte
} {
	var relayedReply Packet
	if err := relayedReply.Decode(relayedSolicitBytes(t, 2)); err != nil {
		t.Fatal(err)
	}
	rb := NewRelayReplyBuilder(nil, &relayedReply, Reply, 0x123456)
	buildReply(&rb)
	return []struct {
		name string
		in   []byte
	}{
		{"SOLICIT", solicitBytes(t)},
		{"REPLY", replyBytes(t)},
		{"relayed SOLICIT", relayedSolicitBytes(t, 1)},
		{"relayed REPLY 2 hops", mustFinish(t, &rb)},
	}
}

func TestDecodeAllocs(t *testing.T) {
	for _, tc := range decodeCases(t) {
		var p Packet
		var err error
		n := testing.AllocsPerRun(100, func() {
			if err = p.Decode(tc.in); err == nil {
				err = readMessage(&p.Msg)
			}
			for i := range p.NumRelays {
				if id, ok := p.Relays[i].Options.Get(OptInterfaceID); !ok || len(id) == 0 {
					t.Fatal("interface-id missing")
				}
			}
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n != 0 {
			t.Errorf("%s: decode allocated %v times per run, want 0", tc.name, n)
		}
	}
}

func TestBuildAllocs(t *testing.T) {
	var query Packet
	if err := query.Decode(relayedSolicitBytes(t, 2)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 1500)
	for _, tc := range []struct {
		name  string
		build func() ([]byte, error)
	}{
		{"SOLICIT", func() ([]byte, error) {
			b := NewBuilder(buf, Solicit, 0x123456)
			buildSolicit(&b)
			return b.Finish()
		}},
		{"REPLY", func() ([]byte, error) {
			b := NewBuilder(buf, Reply, 0x123456)
			buildReply(&b)
			return b.Finish()
		}},
		{"relayed REPLY", func() ([]byte, error) {
			b := NewRelayReplyBuilder(buf, &query, Reply, query.Msg.TransactionID)
			buildReply(&b)
			return b.Finish()
		}},
		{"Packet.AppendTo", func() ([]byte, error) { return query.AppendTo(buf) }},
	} {
		var err error
		n := testing.AllocsPerRun(100, func() { _, err = tc.build() })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n != 0 {
			t.Errorf("%s: build allocated %v times per run, want 0", tc.name, n)
		}
	}
}

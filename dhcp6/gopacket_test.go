package dhcp6

import (
	"net/netip"
	"testing"
)

// TestGopacketAgreesOnBuilt checks our decoder against gopacket's on
// messages built by our builder, relayed and not.
func TestGopacketAgreesOnBuilt(t *testing.T) {
	var q Packet
	if err := q.Decode(relayedSolicitBytes(t, 3)); err != nil {
		t.Fatal(err)
	}
	rb := NewRelayReplyBuilder(nil, &q, Reply, q.Msg.TransactionID)
	buildReply(&rb)
	ib := NewBuilder(nil, InformationRequest, 0xfedcba)
	ib.AddDUID(OptClientID, DUID{Raw: clientDUID})
	ib.AddClientFQDN(FQDNFlagS, "host.example.com.")
	ib.AddUserClass([]byte("office"))
	ib.AddVendorClass(4491, []byte("docsis3.0"))
	ib.StartVendorOpts(4491)
	ib.AddOption(1, []byte{0, 1})
	ib.EndOption()
	ab := NewBuilder(nil, Advertise, 1)
	ab.AddPreference(255)
	ab.AddStatusCode(NoAddrsAvail, "no addresses")
	ab.AddIAPD(2, 0, 0)
	ab.StartIAPrefix(netip.MustParsePrefix("2001:db8:8000::/56"), 1, 2)
	ab.AddPDExclude(netip.MustParsePrefix("2001:db8:8000::/56"), netip.MustParsePrefix("2001:db8:8000:1::/64"))
	ab.EndOption()
	ab.EndOption()
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"SOLICIT", solicitBytes(t)},
		{"REPLY", replyBytes(t)},
		{"relayed SOLICIT 1", relayedSolicitBytes(t, 1)},
		{"relayed SOLICIT 32", relayedSolicitBytes(t, 32)},
		{"relayed REPLY 3", mustFinish(t, &rb)},
		{"INFORMATION-REQUEST", mustFinish(t, &ib)},
		{"ADVERTISE", mustFinish(t, &ab)},
		{"truncated", solicitBytes(t)[:30]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, d := range crossCheck(tc.in) {
				t.Error(d)
			}
		})
	}
}

// The checker itself must report a disagreement: gopacket accepts a relay
// message without relay-msg, which Decode rejects.
func TestCrossCheckReportsDifferences(t *testing.T) {
	b := Builder{buf: append([]byte{byte(RelayForw), 0}, make([]byte, 32)...)}
	b.AddInterfaceID([]byte("x"))
	if d := crossCheck(mustFinish(t, &b)); len(d) != 1 {
		t.Fatalf("crossCheck found %d differences, want 1: %q", len(d), d)
	}
}

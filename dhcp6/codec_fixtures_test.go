package dhcp6

import (
	"fmt"
	"net/netip"
	"testing"
)

// Fixtures shared by the tests, benchmarks and fuzz seeds: what a typical
// client sends and a typical server answers.

var (
	clientDUID = AppendDUIDLLT(nil, 1, 0x2f3a4b5c, []byte{0x02, 0, 0, 0, 0, 0x01})
	serverDUID = AppendDUIDLL(nil, 1, []byte{0x02, 0, 0, 0, 0, 0xfe})
	leaseAddr  = netip.MustParseAddr("2001:db8:1::100")
	leasePfx   = netip.MustParsePrefix("2001:db8:8000::/56")
	dnsAddr    = netip.MustParseAddr("2001:db8::53")
	relayLink  = netip.MustParseAddr("2001:db8:1::1")
	relayPeer  = netip.MustParseAddr("fe80::2")
)

// buildSolicit writes the options of a SOLICIT like dhclient -6 -N -P
// sends: client-id, elapsed time, ORO, IA_NA and IA_PD with a prefix hint.
func buildSolicit(b *Builder) {
	b.AddDUID(OptClientID, DUID{Raw: clientDUID})
	b.AddElapsedTime(0)
	b.AddORO(OptDNSServers, OptDomainList, OptSolMaxRT)
	b.AddIANA(1, 0, 0)
	b.EndOption()
	b.AddIAPD(2, 0, 0)
	b.AddIAPrefix(netip.MustParsePrefix("::/56"), 0, 0)
	b.EndOption()
	b.AddRapidCommit()
}

// buildReply writes the options of the REPLY to it: both ids, the address
// and prefix bound, DNS configuration.
func buildReply(b *Builder) {
	b.AddDUID(OptClientID, DUID{Raw: clientDUID})
	b.AddDUID(OptServerID, DUID{Raw: serverDUID})
	b.AddIANA(1, 1000, 2000)
	b.AddIAAddr(leaseAddr, 3000, 4000)
	b.EndOption()
	b.AddIAPD(2, 1000, 2000)
	b.AddIAPrefix(leasePfx, 3000, 4000)
	b.EndOption()
	b.AddRapidCommit()
	b.AddDNSServers(dnsAddr)
	b.AddDomainList("example.com")
}

func mustFinish(t testing.TB, b *Builder) []byte {
	t.Helper()
	out, err := b.Finish()
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	return out
}

func solicitBytes(t testing.TB) []byte {
	b := NewBuilder(nil, Solicit, 0x123456)
	buildSolicit(&b)
	return mustFinish(t, &b)
}

func replyBytes(t testing.TB) []byte {
	b := NewBuilder(nil, Reply, 0x123456)
	buildReply(&b)
	return mustFinish(t, &b)
}

// relayHops returns n relay hops as relays stacked between client and
// server would add them, each with an interface-id and the one next to the
// client with a remote-id and the client's link-layer address.
func relayHops(t testing.TB, n int) []RelayHop {
	hops := make([]RelayHop, n)
	for i := range hops {
		b := Builder{}
		b.AddInterfaceID([]byte{'e', 't', 'h', byte('0' + i%10)})
		if i == n-1 {
			b.AddRemoteID(4491, []byte("circuit-7"))
			b.AddClientLinkLayerAddr(1, []byte{0x02, 0, 0, 0, 0, 0x01})
		}
		opts, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		hops[i] = RelayHop{Type: RelayForw, HopCount: uint8(n - 1 - i), LinkAddr: relayLink, PeerAddr: relayPeer, Options: opts}
	}
	return hops
}

func relayedSolicitBytes(t testing.TB, n int) []byte {
	b := NewRelayBuilder(nil, relayHops(t, n), Solicit, 0x123456)
	buildSolicit(&b)
	return mustFinish(t, &b)
}

func sprint(v any) string { return fmt.Sprintf("%+v", v) }

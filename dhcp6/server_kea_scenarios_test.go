package dhcp6

import "testing"

// keaScenarios are the conversations TestKeaCompare holds with both
// servers, in this order (each uses its own clients, but pools are
// shared, so the order matters).
var keaScenarios = []scenario{
	{"sarr-na-renew-rebind-release", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLLT(1))
		adv := c.step("direct", srvMsg(Solicit, 0x100001, c.duid, []opt{withElapsed(), withNA(1), withORO(OptDNSServers, OptDomainList)}))
		if adv == nil {
			return c.out
		}
		req := srvMsg(Request, 0x100002, c.duid, []opt{withServerIDOf(c.last), withIAs(c.last), withORO(OptDNSServers)})
		c.step("direct", req)
		ias := c.last
		c.step("unicast", srvMsg(Renew, 0x100003, c.duid, []opt{withServerIDOf(ias), withIAs(ias)}))
		c.step("direct", srvMsg(Rebind, 0x100004, c.duid, []opt{withIAs(ias)}))
		c.step("unicast", srvMsg(Release, 0x100005, c.duid, []opt{withServerIDOf(ias), withIAs(ias)}))
		c.step("unicast", srvMsg(Release, 0x100006, c.duid, []opt{withServerIDOf(ias), withIAs(ias)}))
		return c.out
	}},
	{"na-and-pd-with-exclude", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(2))
		if c.step("direct", srvMsg(Solicit, 0x200001, c.duid, []opt{withNA(7), withPD(8), withORO(OptPDExclude)})) == nil {
			return c.out
		}
		c.step("direct", srvMsg(Request, 0x200002, c.duid, []opt{withServerIDOf(c.last), withIAs(c.last), withORO(OptPDExclude)}))
		ias := c.last
		c.step("direct", srvMsg(Renew, 0x200003, c.duid, []opt{withServerIDOf(ias), withIAs(ias), withORO(OptPDExclude)}))
		return c.out
	}},
	{"several-ias-each-kind", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidEN(3))
		if c.step("direct", srvMsg(Solicit, 0x300001, c.duid, []opt{withNA(1), withNA(2), withPD(3), withPD(4)})) == nil {
			return c.out
		}
		c.step("direct", srvMsg(Request, 0x300002, c.duid, []opt{withServerIDOf(c.last), withIAs(c.last)}))
		return c.out
	}},
	{"hints", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidUUID(4))
		c.step("direct", srvMsg(Solicit, 0x400001, c.duid, []opt{withNA(1, "2001:db8:1::1f0"), withPD(2, "2001:db8:8000:4200::/56")}))
		c.step("direct", srvMsg(Solicit, 0x400002, c.duid, []opt{withNA(1, "2001:db8:99::1")}))
		c.step("direct", srvMsg(Solicit, 0x400003, c.duid, []opt{withNALifetimes(1, "2001:db8:1::1f1", 10, 20)}))
		return c.out
	}},
	{"relayed-rapid-commit", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLLT(5))
		q := srvMsg(Solicit, 0x500001, c.duid, []opt{withNA(1), withRapidCommit(), withORO(OptDNSServers)})
		c.step("relayed", srvRelay(q, relayHop{link: "2001:db8:2::1", peer: "fe80::5"}))
		q = srvMsg(Solicit, 0x500002, duidLLT(55), []opt{withNA(1), withORO(OptDNSServers)})
		c.step("relayed", srvRelay(q, relayHop{link: "2001:db8:2::1", peer: "fe80::55"}))
		return c.out
	}},
	{"relayed-interface-id-two-levels", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(6))
		q := srvMsg(Solicit, 0x600001, c.duid, []opt{withNA(1)})
		c.step("relayed", srvRelay(q,
			relayHop{link: "::", peer: "fe80::6", opts: []opt{withOption(OptInterfaceID, []byte("ifid-3"))}},
			relayHop{link: "2001:db8:5::1", peer: "2001:db8:5::6", opts: []opt{withOption(OptInterfaceID, []byte("outer"))}}))
		return c.out
	}},
	{"confirm", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(7))
		c.step("direct", srvMsg(Confirm, 0x700001, c.duid, []opt{withNA(1, "2001:db8:1::77")}))
		c.step("direct", srvMsg(Confirm, 0x700002, c.duid, []opt{withNA(1, "2001:db8:1::77", "2001:db8:7::1")}))
		c.step("direct", srvMsg(Confirm, 0x700003, c.duid, []opt{withNA(1)}))
		c.step("relayed", srvRelay(srvMsg(Confirm, 0x700004, c.duid, []opt{withNA(1, "2001:db8:1::77")}),
			relayHop{link: "2001:db8:77::1", peer: "fe80::7"}))
		return c.out
	}},
	{"information-request", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(8))
		c.step("direct", srvMsg(InformationRequest, 0x800001, c.duid, []opt{withORO(OptDNSServers, OptDomainList, OptSNTPServers)}))
		c.step("direct", srvMsg(InformationRequest, 0x800002, nil, []opt{withORO(OptDNSServers)}))
		c.step("direct", srvMsg(InformationRequest, 0x800003, c.duid, []opt{withORO(OptSNTPServers, OptDNSServers),
			withOption(OptVendorClass, vendorClass(4242, "lhk-test"))}))
		return c.out
	}},
	{"decline", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(9))
		if c.step("direct", srvMsg(Solicit, 0x900001, c.duid, []opt{withNA(1)})) == nil {
			return c.out
		}
		c.step("direct", srvMsg(Request, 0x900002, c.duid, []opt{withServerIDOf(c.last), withIAs(c.last)}))
		ias := c.last
		c.step("direct", srvMsg(Decline, 0x900003, c.duid, []opt{withServerIDOf(ias), withIAs(ias)}))
		c.step("direct", srvMsg(Decline, 0x900004, c.duid, []opt{withServerIDOf(ias), withIAs(ias)}))
		c.step("direct", srvMsg(Decline, 0x900005, c.duid, []opt{withServerIDOf(ias), withNA(1)}))
		return c.out
	}},
	{"unknown-leases", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(10))
		sid := withServerID(AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0xaa, 1}))
		c.step("direct", srvMsg(Renew, 0xa00001, c.duid, []opt{sid, withNA(1, "2001:db8:1::1a0"), withPD(2, "2001:db8:8000:5500::/56")}))
		c.step("direct", srvMsg(Release, 0xa00002, c.duid, []opt{sid, withNA(3, "2001:db8:1::1a1"), withPD(4, "2001:db8:8000:5600::/56")}))
		c.step("direct", srvMsg(Rebind, 0xa00003, duidLL(100), []opt{withNA(1, "2001:db8:99::1")}))
		return c.out
	}},
	{"dropped", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, duidLL(11))
		c.step("unicast", srvMsg(Solicit, 0xb00001, c.duid, []opt{withNA(1)}))
		c.step("direct", srvMsg(Solicit, 0xb00002, nil, []opt{withNA(1)}))
		c.step("direct", srvMsg(Request, 0xb00003, c.duid, []opt{withNA(1), withServerID(duidLL(99))}))
		c.step("direct", srvMsg(Request, 0xb00004, c.duid, []opt{withNA(1)}))
		c.step("direct", srvMsg(Solicit, 0xb00005, c.duid, []opt{withNA(1), withServerID(duidLL(99))}))
		c.step("direct", srvMsg(Advertise, 0xb00006, c.duid, []opt{withNA(1)}))
		c.step("relayed", srvRelay(srvMsg(Rebind, 0xb00007, c.duid, []opt{withPD(1, "2001:db8:8000:100::/56")}),
			relayHop{link: "2001:db8:66::1", peer: "fe80::66"}))
		return c.out
	}},
	{"reservation-and-fqdn", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 5, 1}))
		fqdn := withOption(OptClientFQDN, []byte{0x01, 4, 'h', 'o', 's', 't'})
		if c.step("direct", srvMsg(Solicit, 0xc00001, c.duid, []opt{withNA(1), withPD(2), fqdn})) == nil {
			return c.out
		}
		c.step("direct", srvMsg(Request, 0xc00002, c.duid, []opt{withServerIDOf(c.last), withIAs(c.last), fqdn}))
		other := newConvo(t, tg, duidLL(12))
		other.step("direct", srvMsg(Request, 0xc00003, other.duid, []opt{withServerIDOf(c.last), withNA(1), withOption(OptClientFQDN, []byte{0x00, 5, 'o', 't', 'h', 'e', 'r', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0})}))
		other.step("direct", srvMsg(Request, 0xc00004, duidLL(13), []opt{withServerIDOf(c.last), withNA(1), withOption(OptClientFQDN, []byte{0x01})}))
		return append(c.out, other.out...)
	}},
	{"class-options", func(t *testing.T, tg target) []string {
		c := newConvo(t, tg, append([]byte{0, 4}, make([]byte, 16)...))
		c.step("direct", srvMsg(InformationRequest, 0xd00001, c.duid, []opt{withORO(OptDomainList)}))
		return c.out
	}},
	{"ia-ta", func(t *testing.T, tg target) []string {
		// Kea 2.2 ignores IA_TA; leasehold assigns temporary addresses, so
		// only the IA_NA part of the answer is compared here.
		c := newConvo(t, tg, duidLL(14))
		c.step("direct", srvMsg(Solicit, 0xe00001, c.duid, []opt{withNA(1)}))
		return c.out
	}},
}

// keaMalformedScenarios send options Kea's parser rejects or accepts.
var keaMalformedScenarios = []scenario{
	{"malformed-options", func(t *testing.T, tg target) []string {
		var out []string
		for i, o := range []opt{
			withOption(OptElapsedTime, []byte{1}),
			withOption(OptElapsedTime, []byte{0, 1, 2}),
			withOption(OptVendorClass, []byte{0, 0, 0, 9, 0, 5, 'a'}),
			withOption(OptVendorClass, []byte{0, 0}),
			withOption(OptUserClass, []byte{0, 9, 'a'}),
			withOption(OptClientFQDN, []byte{0, 9, 'a'}),
			withOption(OptORO, []byte{0, 23, 0}),
			withOption(OptVendorOpts, []byte{0, 0, 0x11, 0x8b, 0, 1, 0, 9}),
			withOption(OptPreference, []byte{}),
			withOption(OptRapidCommit, []byte{1}),
			withOption(OptReconfAccept, []byte{1, 2}),
			withOption(OptStatusCode, []byte{0}),
			withOption(OptIAPD, []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 3, 1, 2, 3}),
			withOption(OptDNSServers, []byte{1, 2, 3}),
			withOption(OptInterfaceID, nil),
			withOption(OptAuth, []byte{1}),
		} {
			c := newConvo(t, tg, duidLL(byte(0x20+i)))
			c.step("direct", srvMsg(Solicit, 0xf00000+uint32(i), c.duid, []opt{withNA(1), o}))
			out = append(out, c.out...)
		}
		for i, o := range []opt{
			withOption(OptRemoteID, []byte{0, 0}),
			withOption(OptRemoteID, []byte{0, 0, 0, 9}),
			withOption(OptElapsedTime, []byte{1}),
			withOption(OptClientLinkLayerAddr, []byte{1}),
			withOption(OptSubscriberID, nil),
		} {
			c := newConvo(t, tg, duidLL(byte(0x40+i)))
			q := srvMsg(Solicit, 0xf10000+uint32(i), c.duid, []opt{withNA(1)})
			c.step("relayed", srvRelay(q, relayHop{link: "2001:db8:2::1", peer: "fe80::40", opts: []opt{o}}))
			out = append(out, c.out...)
		}
		return out
	}},
}

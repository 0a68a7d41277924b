package dhcp4

// Option codes. RFC 2132 defines 0-76; the others name their RFC.
const (
	OptPad                    uint8 = 0
	OptSubnetMask             uint8 = 1
	OptTimeOffset             uint8 = 2
	OptRouter                 uint8 = 3
	OptTimeServer             uint8 = 4
	OptNameServer             uint8 = 5 // IEN 116 name servers, not DNS
	OptDNS                    uint8 = 6
	OptLogServer              uint8 = 7
	OptCookieServer           uint8 = 8
	OptLPRServer              uint8 = 9
	OptImpressServer          uint8 = 10
	OptResourceLocationServer uint8 = 11
	OptHostname               uint8 = 12
	OptBootFileSize           uint8 = 13
	OptMeritDumpFile          uint8 = 14
	OptDomainName             uint8 = 15
	OptSwapServer             uint8 = 16
	OptRootPath               uint8 = 17
	OptExtensionsPath         uint8 = 18
	OptIPForwarding           uint8 = 19
	OptNonLocalSourceRouting  uint8 = 20
	OptPolicyFilter           uint8 = 21
	OptMaxDatagramReassembly  uint8 = 22
	OptDefaultIPTTL           uint8 = 23
	OptPathMTUAgingTimeout    uint8 = 24
	OptPathMTUPlateauTable    uint8 = 25
	OptInterfaceMTU           uint8 = 26
	OptAllSubnetsLocal        uint8 = 27
	OptBroadcastAddress       uint8 = 28
	OptPerformMaskDiscovery   uint8 = 29
	OptMaskSupplier           uint8 = 30
	OptPerformRouterDiscovery uint8 = 31
	OptRouterSolicitation     uint8 = 32
	OptStaticRoute            uint8 = 33
	OptTrailerEncapsulation   uint8 = 34
	OptARPCacheTimeout        uint8 = 35
	OptEthernetEncapsulation  uint8 = 36
	OptTCPDefaultTTL          uint8 = 37
	OptTCPKeepaliveInterval   uint8 = 38
	OptTCPKeepaliveGarbage    uint8 = 39
	OptNISDomain              uint8 = 40
	OptNISServers             uint8 = 41
	OptNTPServers             uint8 = 42
	OptVendorSpecific         uint8 = 43
	OptNetBIOSNameServer      uint8 = 44
	OptNetBIOSDatagramServer  uint8 = 45
	OptNetBIOSNodeType        uint8 = 46
	OptNetBIOSScope           uint8 = 47
	OptXFontServer            uint8 = 48
	OptXDisplayManager        uint8 = 49
	OptRequestedIP            uint8 = 50
	OptLeaseTime              uint8 = 51
	OptOverload               uint8 = 52
	OptMessageType            uint8 = 53
	OptServerID               uint8 = 54
	OptParamRequest           uint8 = 55
	OptMessage                uint8 = 56
	OptMaxMessageSize         uint8 = 57
	OptRenewalTime            uint8 = 58
	OptRebindingTime          uint8 = 59
	OptVendorClass            uint8 = 60
	OptClientID               uint8 = 61
	OptNISPlusDomain          uint8 = 64
	OptNISPlusServers         uint8 = 65
	OptTFTPServerName         uint8 = 66
	OptBootfileName           uint8 = 67
	OptMobileIPHomeAgent      uint8 = 68
	OptSMTPServer             uint8 = 69
	OptPOP3Server             uint8 = 70
	OptNNTPServer             uint8 = 71
	OptWWWServer              uint8 = 72
	OptFingerServer           uint8 = 73
	OptIRCServer              uint8 = 74
	OptStreetTalkServer       uint8 = 75
	OptSTDAServer             uint8 = 76
	OptUserClass              uint8 = 77  // RFC 3004
	OptRapidCommit            uint8 = 80  // RFC 4039
	OptClientFQDN             uint8 = 81  // RFC 4702
	OptRelayAgentInfo         uint8 = 82  // RFC 3046
	OptAuthentication         uint8 = 90  // RFC 3118
	OptClientLastTransaction  uint8 = 91  // RFC 4388
	OptAssociatedIP           uint8 = 92  // RFC 4388
	OptClientArch             uint8 = 93  // RFC 4578
	OptClientNDI              uint8 = 94  // RFC 4578
	OptClientMachineID        uint8 = 97  // RFC 4578
	OptIPv6OnlyPreferred      uint8 = 108 // RFC 8925
	OptCaptivePortal          uint8 = 114 // RFC 8910
	OptAutoConfigure          uint8 = 116 // RFC 2563
	OptSubnetSelection        uint8 = 118 // RFC 3011
	OptDomainSearch           uint8 = 119 // RFC 3397
	OptSIPServers             uint8 = 120 // RFC 3361
	OptClasslessRoutes        uint8 = 121 // RFC 3442
	OptVIVendorClass          uint8 = 124 // RFC 3925
	OptVIVendorSpecific       uint8 = 125 // RFC 3925
	OptTFTPServerAddress      uint8 = 150 // RFC 5859
	OptStatusCode             uint8 = 151 // RFC 6926
	OptEnd                    uint8 = 255
)

// Option overload values (RFC 2132 section 9.3): which fixed fields carry
// options, as bits.
const (
	OverloadFile  uint8 = 1
	OverloadSName uint8 = 2
)

// check validates the options that have typed accessors, so that those
// accessors can report "present" and mean "well-formed".
func (m *Message) check(o *option) error {
	pos, what := checkData(o.code, m.data(o))
	if what == "" {
		return nil
	}
	off := int(o.off)
	switch {
	case o.count > 1 && pos >= 0:
		what = "in the data joined from " + itoa(int(o.count)) + " instances, at byte " + itoa(pos) + ": " + what
	case o.count > 1:
		what = "in the data joined from " + itoa(int(o.count)) + " instances: " + what
	case pos >= 0:
		off += 2 + pos
	}
	return errAt(ErrBadOption, int(o.code), off, what)
}

// checkData returns "" when data is a valid value of option code, or what
// is wrong and at which byte of data (-1: the option as a whole).
func checkData(code uint8, data []byte) (pos int, what string) {
	switch code {
	case OptMessageType:
		return wantLen(data, 1)
	case OptMaxMessageSize:
		return wantLen(data, 2)
	case OptRequestedIP, OptServerID, OptSubnetSelection,
		OptLeaseTime, OptRenewalTime, OptRebindingTime:
		return wantLen(data, 4)
	case OptClientFQDN:
		return checkClientFQDN(data)
	case OptRelayAgentInfo:
		return checkRelayAgentInfo(data)
	case OptClasslessRoutes:
		return checkClasslessRoutes(data)
	case OptVIVendorClass, OptVIVendorSpecific:
		return checkVendorBlocks(data)
	}
	return 0, ""
}

func wantLen(data []byte, n int) (int, string) {
	if len(data) != n {
		return -1, "length " + itoa(len(data)) + ", want " + itoa(n)
	}
	return 0, ""
}

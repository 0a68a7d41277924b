package dhcp6

import (
	"encoding/binary"
	"iter"
	"strconv"
)

// OptionCode is a DHCPv6 option code (IANA "DHCPv6 Option Codes" registry).
type OptionCode uint16

// Option codes. Those with typed parsers and builder methods are marked in
// their doc; every other option goes through Options.Get and
// Builder.AddOption as bytes.
const (
	OptClientID            OptionCode = 1  // RFC 8415 21.2; DUID
	OptServerID            OptionCode = 2  // RFC 8415 21.3; DUID
	OptIANA                OptionCode = 3  // RFC 8415 21.4; ParseIANA
	OptIATA                OptionCode = 4  // RFC 8415 21.5; ParseIATA
	OptIAAddr              OptionCode = 5  // RFC 8415 21.6; ParseIAAddr
	OptORO                 OptionCode = 6  // RFC 8415 21.7; ParseORO
	OptPreference          OptionCode = 7  // RFC 8415 21.8; ParsePreference
	OptElapsedTime         OptionCode = 8  // RFC 8415 21.9; ParseElapsedTime
	OptRelayMsg            OptionCode = 9  // RFC 8415 21.10; Packet.Decode follows it
	OptAuth                OptionCode = 11 // RFC 8415 21.11
	OptUnicast             OptionCode = 12 // RFC 8415 21.12
	OptStatusCode          OptionCode = 13 // RFC 8415 21.13; ParseStatusCode
	OptRapidCommit         OptionCode = 14 // RFC 8415 21.14; empty
	OptUserClass           OptionCode = 15 // RFC 8415 21.15; ParseUserClass
	OptVendorClass         OptionCode = 16 // RFC 8415 21.16; ParseVendorClass
	OptVendorOpts          OptionCode = 17 // RFC 8415 21.17; ParseVendorOpts
	OptInterfaceID         OptionCode = 18 // RFC 8415 21.18; opaque
	OptReconfMsg           OptionCode = 19 // RFC 8415 21.19
	OptReconfAccept        OptionCode = 20 // RFC 8415 21.20; empty
	OptSIPServerD          OptionCode = 21 // RFC 3319
	OptSIPServerA          OptionCode = 22 // RFC 3319
	OptDNSServers          OptionCode = 23 // RFC 3646; ParseDNSServers
	OptDomainList          OptionCode = 24 // RFC 3646; ParseDomainList
	OptIAPD                OptionCode = 25 // RFC 8415 21.21; ParseIAPD
	OptIAPrefix            OptionCode = 26 // RFC 8415 21.22; ParseIAPrefix
	OptNISServers          OptionCode = 27 // RFC 3898
	OptNISPServers         OptionCode = 28 // RFC 3898
	OptNISDomainName       OptionCode = 29 // RFC 3898
	OptNISPDomainName      OptionCode = 30 // RFC 3898
	OptSNTPServers         OptionCode = 31 // RFC 4075
	OptInfoRefreshTime     OptionCode = 32 // RFC 8415 21.23
	OptRemoteID            OptionCode = 37 // RFC 4649; ParseRemoteID
	OptSubscriberID        OptionCode = 38 // RFC 4580; ParseSubscriberID
	OptClientFQDN          OptionCode = 39 // RFC 4704; ParseClientFQDN
	OptERO                 OptionCode = 43 // RFC 4994
	OptLQQuery             OptionCode = 44 // RFC 5007
	OptClientData          OptionCode = 45 // RFC 5007
	OptCLTTime             OptionCode = 46 // RFC 5007
	OptLQRelayData         OptionCode = 47 // RFC 5007
	OptLQClientLink        OptionCode = 48 // RFC 5007
	OptNTPServer           OptionCode = 56 // RFC 5908
	OptBootfileURL         OptionCode = 59 // RFC 5970
	OptBootfileParam       OptionCode = 60 // RFC 5970
	OptClientArchType      OptionCode = 61 // RFC 5970
	OptNII                 OptionCode = 62 // RFC 5970
	OptAFTRName            OptionCode = 64 // RFC 6334
	OptRSOO                OptionCode = 66 // RFC 6422
	OptPDExclude           OptionCode = 67 // RFC 6603; ParsePDExclude
	OptClientLinkLayerAddr OptionCode = 79 // RFC 6939; ParseClientLinkLayerAddr
	OptSolMaxRT            OptionCode = 82 // RFC 8415 21.24; ParseSolMaxRT
	OptInfMaxRT            OptionCode = 83 // RFC 8415 21.25; ParseInfMaxRT
	OptDHCPv4Msg           OptionCode = 87 // RFC 7341
	OptDHCP4o6ServerAddr   OptionCode = 88 // RFC 7341
)

// optionNames are the IANA registry names without their OPTION_ prefix,
// the spelling RFCs and packet dissectors use.
var optionNames = map[OptionCode]string{
	OptClientID: "CLIENTID", OptServerID: "SERVERID", OptIANA: "IA_NA",
	OptIATA: "IA_TA", OptIAAddr: "IAADDR", OptORO: "ORO",
	OptPreference: "PREFERENCE", OptElapsedTime: "ELAPSED_TIME",
	OptRelayMsg: "RELAY_MSG", OptAuth: "AUTH", OptUnicast: "UNICAST",
	OptStatusCode: "STATUS_CODE", OptRapidCommit: "RAPID_COMMIT",
	OptUserClass: "USER_CLASS", OptVendorClass: "VENDOR_CLASS",
	OptVendorOpts: "VENDOR_OPTS", OptInterfaceID: "INTERFACE_ID",
	OptReconfMsg: "RECONF_MSG", OptReconfAccept: "RECONF_ACCEPT",
	OptSIPServerD: "SIP_SERVER_D", OptSIPServerA: "SIP_SERVER_A",
	OptDNSServers: "DNS_SERVERS", OptDomainList: "DOMAIN_LIST",
	OptIAPD: "IA_PD", OptIAPrefix: "IAPREFIX", OptNISServers: "NIS_SERVERS",
	OptNISPServers: "NISP_SERVERS", OptNISDomainName: "NIS_DOMAIN_NAME",
	OptNISPDomainName: "NISP_DOMAIN_NAME", OptSNTPServers: "SNTP_SERVERS",
	OptInfoRefreshTime: "INFORMATION_REFRESH_TIME", OptRemoteID: "REMOTE_ID",
	OptSubscriberID: "SUBSCRIBER_ID", OptClientFQDN: "CLIENT_FQDN",
	OptERO: "ERO", OptLQQuery: "LQ_QUERY", OptClientData: "CLIENT_DATA",
	OptCLTTime: "CLT_TIME", OptLQRelayData: "LQ_RELAY_DATA",
	OptLQClientLink: "LQ_CLIENT_LINK", OptNTPServer: "NTP_SERVER",
	OptBootfileURL: "BOOTFILE_URL", OptBootfileParam: "BOOTFILE_PARAM",
	OptClientArchType: "CLIENT_ARCH_TYPE", OptNII: "NII",
	OptAFTRName: "AFTR_NAME", OptRSOO: "RSOO", OptPDExclude: "PD_EXCLUDE",
	OptClientLinkLayerAddr: "CLIENT_LINKLAYER_ADDR", OptSolMaxRT: "SOL_MAX_RT",
	OptInfMaxRT: "INF_MAX_RT", OptDHCPv4Msg: "DHCPV4_MSG",
	OptDHCP4o6ServerAddr: "DHCP4_O_DHCP6_SERVER",
}

// String returns the registry name ("IA_NA"), or "OPTION_<n>" for a code
// this package has no name for.
func (c OptionCode) String() string {
	if name, ok := optionNames[c]; ok {
		return name
	}
	return "OPTION_" + strconv.Itoa(int(c))
}

// optionHeaderLen is the code and length in front of every option.
const optionHeaderLen = 4

// Options is a run of DHCPv6 options as they are on the wire: code (2
// bytes), length (2 bytes), data, repeated. It refers into the buffer it was
// decoded from; nothing is copied, so the buffer must outlive it and must not
// be changed while it is in use.
//
// Options found in a decoded Packet have been validated (Validate), so Get,
// Next and All cannot meet a framing error in them.
type Options []byte

// Next decodes the option starting at byte off of o and returns its code, its
// data (a sub-slice of o) and the offset of the option after it. Walk a run
// with
//
//	for off := 0; off < len(opts); {
//		code, data, next, err := opts.Next(off)
//		if err != nil { ... }
//		off = next
//	}
//
// Errors carry off (relative to o) and wrap ErrTruncated.
func (o Options) Next(off int) (code OptionCode, data []byte, next int, err error) {
	if off < 0 || off >= len(o) {
		return 0, nil, off, errorf(ErrTruncated, off, 0, "no option at offset %d of a %d-byte option run", off, len(o))
	}
	if len(o)-off < optionHeaderLen {
		return 0, nil, off, errorf(ErrTruncated, off, 0, "%d bytes left, too few for a 4-byte option header", len(o)-off)
	}
	code = OptionCode(binary.BigEndian.Uint16(o[off:]))
	n := int(binary.BigEndian.Uint16(o[off+2:]))
	start := off + optionHeaderLen
	if n > len(o)-start {
		return code, nil, off, errorf(ErrTruncated, off, code, "length %d runs past the end of the data (%d bytes left)", n, len(o)-start)
	}
	return code, o[start : start+n : start+n], start + n, nil
}

// Validate checks that o is a whole number of well-framed options. It does
// not look inside option data; the Parse functions do that.
func (o Options) Validate() error {
	for off := 0; off < len(o); {
		_, _, next, err := o.Next(off)
		if err != nil {
			return err
		}
		off = next
	}
	return nil
}

// Get returns the data of the first option with the given code. A framing
// error ends the search as if the option were absent; Validate tells them
// apart.
func (o Options) Get(code OptionCode) ([]byte, bool) {
	for off := 0; off < len(o); {
		c, data, next, err := o.Next(off)
		if err != nil {
			return nil, false
		}
		if c == code {
			return data, true
		}
		off = next
	}
	return nil, false
}

// Has reports whether an option with the given code is present.
func (o Options) Has(code OptionCode) bool {
	_, ok := o.Get(code)
	return ok
}

// Count returns how many options with the given code are present.
func (o Options) Count(code OptionCode) int {
	n := 0
	for c := range o.All() {
		if c == code {
			n++
		}
	}
	return n
}

// All iterates over the options in wire order, stopping at the first framing
// error (none, for validated Options).
func (o Options) All() iter.Seq2[OptionCode, []byte] {
	return func(yield func(OptionCode, []byte) bool) {
		for off := 0; off < len(o); {
			c, data, next, err := o.Next(off)
			if err != nil || !yield(c, data) {
				return
			}
			off = next
		}
	}
}

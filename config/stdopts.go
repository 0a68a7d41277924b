package config

// Kea 2.2's standard option definitions: name, code, type, array flag,
// record field types and encapsulated space of every option Kea knows
// without an option-def, per option space. Facts taken from Kea's
// standard-options tables (ARM "DHCPv4/DHCPv6 Option Definitions") as
// implemented by Kea 2.2.0; the table layout is leasehold's own.

type stdDef struct {
	name   string
	code   uint16
	typ    OptionType
	array  bool
	fields []OptionType
	encap  string
}

const (
	tEmpty  = TypeEmpty
	tBinary = TypeBinary
	tBool   = TypeBoolean
	tI8     = TypeInt8
	tI16    = TypeInt16
	tI32    = TypeInt32
	tU8     = TypeUint8
	tU16    = TypeUint16
	tU32    = TypeUint32
	tIPv4   = TypeIPv4Address
	tIPv6   = TypeIPv6Address
	tPrefix = TypeIPv6Prefix
	tPSID   = TypePSID
	tString = TypeString
	tFQDN   = TypeFQDN
	tTuple  = TypeTuple
	tRecord = TypeRecord
)

// DHCPv4 option spaces.
var std4Spaces = map[string][]stdDef{
	SpaceDHCP4: {
		{"subnet-mask", 1, tIPv4, false, nil, ""},
		{"time-offset", 2, tI32, false, nil, ""},
		{"routers", 3, tIPv4, true, nil, ""},
		{"time-servers", 4, tIPv4, true, nil, ""},
		{"name-servers", 5, tIPv4, true, nil, ""},
		{"domain-name-servers", 6, tIPv4, true, nil, ""},
		{"log-servers", 7, tIPv4, true, nil, ""},
		{"cookie-servers", 8, tIPv4, true, nil, ""},
		{"lpr-servers", 9, tIPv4, true, nil, ""},
		{"impress-servers", 10, tIPv4, true, nil, ""},
		{"resource-location-servers", 11, tIPv4, true, nil, ""},
		{"host-name", 12, tString, false, nil, ""},
		{"boot-size", 13, tU16, false, nil, ""},
		{"merit-dump", 14, tString, false, nil, ""},
		{"domain-name", 15, tString, false, nil, ""},
		{"swap-server", 16, tIPv4, false, nil, ""},
		{"root-path", 17, tString, false, nil, ""},
		{"extensions-path", 18, tString, false, nil, ""},
		{"ip-forwarding", 19, tBool, false, nil, ""},
		{"non-local-source-routing", 20, tBool, false, nil, ""},
		{"policy-filter", 21, tIPv4, true, nil, ""},
		{"max-dgram-reassembly", 22, tU16, false, nil, ""},
		{"default-ip-ttl", 23, tU8, false, nil, ""},
		{"path-mtu-aging-timeout", 24, tU32, false, nil, ""},
		{"path-mtu-plateau-table", 25, tU16, true, nil, ""},
		{"interface-mtu", 26, tU16, false, nil, ""},
		{"all-subnets-local", 27, tBool, false, nil, ""},
		{"broadcast-address", 28, tIPv4, false, nil, ""},
		{"perform-mask-discovery", 29, tBool, false, nil, ""},
		{"mask-supplier", 30, tBool, false, nil, ""},
		{"router-discovery", 31, tBool, false, nil, ""},
		{"router-solicitation-address", 32, tIPv4, false, nil, ""},
		{"static-routes", 33, tIPv4, true, nil, ""},
		{"trailer-encapsulation", 34, tBool, false, nil, ""},
		{"arp-cache-timeout", 35, tU32, false, nil, ""},
		{"ieee802-3-encapsulation", 36, tBool, false, nil, ""},
		{"default-tcp-ttl", 37, tU8, false, nil, ""},
		{"tcp-keepalive-interval", 38, tU32, false, nil, ""},
		{"tcp-keepalive-garbage", 39, tBool, false, nil, ""},
		{"nis-domain", 40, tString, false, nil, ""},
		{"nis-servers", 41, tIPv4, true, nil, ""},
		{"ntp-servers", 42, tIPv4, true, nil, ""},
		{"netbios-name-servers", 44, tIPv4, true, nil, ""},
		{"netbios-dd-server", 45, tIPv4, true, nil, ""},
		{"netbios-node-type", 46, tU8, false, nil, ""},
		{"netbios-scope", 47, tString, false, nil, ""},
		{"font-servers", 48, tIPv4, true, nil, ""},
		{"x-display-manager", 49, tIPv4, true, nil, ""},
		{"dhcp-requested-address", 50, tIPv4, false, nil, ""},
		{"dhcp-lease-time", 51, tU32, false, nil, ""},
		{"dhcp-option-overload", 52, tU8, false, nil, ""},
		{"dhcp-message-type", 53, tU8, false, nil, ""},
		{"dhcp-server-identifier", 54, tIPv4, false, nil, ""},
		{"dhcp-parameter-request-list", 55, tU8, true, nil, ""},
		{"dhcp-message", 56, tString, false, nil, ""},
		{"dhcp-max-message-size", 57, tU16, false, nil, ""},
		{"dhcp-renewal-time", 58, tU32, false, nil, ""},
		{"dhcp-rebinding-time", 59, tU32, false, nil, ""},
		{"vendor-class-identifier", 60, tString, false, nil, ""},
		{"dhcp-client-identifier", 61, tBinary, false, nil, ""},
		{"nwip-domain-name", 62, tString, false, nil, ""},
		{"nwip-suboptions", 63, tBinary, false, nil, ""},
		{"nisplus-domain-name", 64, tString, false, nil, ""},
		{"nisplus-servers", 65, tIPv4, true, nil, ""},
		{"tftp-server-name", 66, tString, false, nil, ""},
		{"boot-file-name", 67, tString, false, nil, ""},
		{"mobile-ip-home-agent", 68, tIPv4, true, nil, ""},
		{"smtp-server", 69, tIPv4, true, nil, ""},
		{"pop-server", 70, tIPv4, true, nil, ""},
		{"nntp-server", 71, tIPv4, true, nil, ""},
		{"www-server", 72, tIPv4, true, nil, ""},
		{"finger-server", 73, tIPv4, true, nil, ""},
		{"irc-server", 74, tIPv4, true, nil, ""},
		{"streettalk-server", 75, tIPv4, true, nil, ""},
		{"streettalk-directory-assistance-server", 76, tIPv4, true, nil, ""},
		{"user-class", 77, tBinary, false, nil, ""},
		{"slp-directory-agent", 78, tRecord, true, []OptionType{tBool, tIPv4}, ""},
		{"slp-service-scope", 79, tRecord, false, []OptionType{tBool, tString}, ""},
		{"fqdn", 81, tRecord, false, []OptionType{tU8, tU8, tU8, tFQDN}, ""},
		{"dhcp-agent-options", 82, tEmpty, false, nil, SpaceAgentOptions},
		{"nds-servers", 85, tIPv4, true, nil, ""},
		{"nds-tree-name", 86, tString, false, nil, ""},
		{"nds-context", 87, tString, false, nil, ""},
		{"bcms-controller-names", 88, tFQDN, true, nil, ""},
		{"bcms-controller-address", 89, tIPv4, true, nil, ""},
		{"authenticate", 90, tBinary, false, nil, ""},
		{"client-last-transaction-time", 91, tU32, false, nil, ""},
		{"associated-ip", 92, tIPv4, true, nil, ""},
		{"client-system", 93, tU16, true, nil, ""},
		{"client-ndi", 94, tRecord, false, []OptionType{tU8, tU8, tU8}, ""},
		{"uuid-guid", 97, tRecord, false, []OptionType{tU8, tBinary}, ""},
		{"uap-servers", 98, tString, false, nil, ""},
		{"geoconf-civic", 99, tBinary, false, nil, ""},
		{"pcode", 100, tString, false, nil, ""},
		{"tcode", 101, tString, false, nil, ""},
		{"v6-only-preferred", 108, tU32, false, nil, ""},
		{"netinfo-server-address", 112, tIPv4, true, nil, ""},
		{"netinfo-server-tag", 113, tString, false, nil, ""},
		{"v4-captive-portal", 114, tString, false, nil, ""},
		{"auto-config", 116, tU8, false, nil, ""},
		{"name-service-search", 117, tU16, true, nil, ""},
		{"subnet-selection", 118, tIPv4, false, nil, ""},
		{"domain-search", 119, tFQDN, true, nil, ""},
		{"vivco-suboptions", 124, tRecord, false, []OptionType{tU32, tBinary}, ""},
		{"vivso-suboptions", 125, tU32, false, nil, ""},
		{"pana-agent", 136, tIPv4, true, nil, ""},
		{"v4-lost", 137, tFQDN, false, nil, ""},
		{"capwap-ac-v4", 138, tIPv4, true, nil, ""},
		{"sip-ua-cs-domains", 141, tFQDN, true, nil, ""},
		{"rdnss-selection", 146, tRecord, true, []OptionType{tU8, tIPv4, tIPv4, tFQDN}, ""},
		{"v4-portparams", 159, tRecord, false, []OptionType{tU8, tPSID}, ""},
		{"option-6rd", 212, tRecord, true, []OptionType{tU8, tU8, tIPv6, tIPv4}, ""},
		{"v4-access-domain", 213, tFQDN, false, nil, ""},
	},
	// Cable Labs DOCSIS 3 vendor options, enterprise 4491 (option 125).
	"vendor-4491": docsis4,
	"docsis3-v4":  docsis4,
}

// lastResort4 holds the definition Kea uses for option 43 when no
// option-def redefines it: an empty option carrying sub-options of
// vendor-encapsulated-options-space.
var lastResort4 = []stdDef{
	{"vendor-encapsulated-options", 43, tEmpty, false, nil, SpaceVendorEncapsulated},
}

var docsis4 = []stdDef{
	{"oro", 1, tU8, true, nil, ""},
	{"tftp-servers", 2, tIPv4, true, nil, ""},
}

// DHCPv6 option spaces.
var std6Spaces = map[string][]stdDef{
	SpaceDHCP6: {
		{"clientid", 1, tBinary, false, nil, ""},
		{"serverid", 2, tBinary, false, nil, ""},
		{"ia-na", 3, tRecord, false, []OptionType{tU32, tU32, tU32}, ""},
		{"ia-ta", 4, tU32, false, nil, ""},
		{"iaaddr", 5, tRecord, false, []OptionType{tIPv6, tU32, tU32}, ""},
		{"oro", 6, tU16, true, nil, ""},
		{"preference", 7, tU8, false, nil, ""},
		{"elapsed-time", 8, tU16, false, nil, ""},
		{"relay-msg", 9, tBinary, false, nil, ""},
		{"auth", 11, tBinary, false, nil, ""},
		{"unicast", 12, tIPv6, false, nil, ""},
		{"status-code", 13, tRecord, false, []OptionType{tU16, tString}, ""},
		{"rapid-commit", 14, tEmpty, false, nil, ""},
		{"user-class", 15, tBinary, false, nil, ""},
		{"vendor-class", 16, tRecord, false, []OptionType{tU32, tBinary}, ""},
		{"vendor-opts", 17, tU32, false, nil, ""},
		{"interface-id", 18, tBinary, false, nil, ""},
		{"reconf-msg", 19, tU8, false, nil, ""},
		{"reconf-accept", 20, tEmpty, false, nil, ""},
		{"sip-server-dns", 21, tFQDN, true, nil, ""},
		{"sip-server-addr", 22, tIPv6, true, nil, ""},
		{"dns-servers", 23, tIPv6, true, nil, ""},
		{"domain-search", 24, tFQDN, true, nil, ""},
		{"ia-pd", 25, tRecord, false, []OptionType{tU32, tU32, tU32}, ""},
		{"iaprefix", 26, tRecord, false, []OptionType{tU32, tU32, tU8, tIPv6}, ""},
		{"nis-servers", 27, tIPv6, true, nil, ""},
		{"nisp-servers", 28, tIPv6, true, nil, ""},
		{"nis-domain-name", 29, tFQDN, true, nil, ""},
		{"nisp-domain-name", 30, tFQDN, true, nil, ""},
		{"sntp-servers", 31, tIPv6, true, nil, ""},
		{"information-refresh-time", 32, tU32, false, nil, ""},
		{"bcmcs-server-dns", 33, tFQDN, true, nil, ""},
		{"bcmcs-server-addr", 34, tIPv6, true, nil, ""},
		{"geoconf-civic", 36, tRecord, false, []OptionType{tU8, tU16, tBinary}, ""},
		{"remote-id", 37, tRecord, false, []OptionType{tU32, tBinary}, ""},
		{"subscriber-id", 38, tBinary, false, nil, ""},
		{"client-fqdn", 39, tRecord, false, []OptionType{tU8, tFQDN}, ""},
		{"pana-agent", 40, tIPv6, true, nil, ""},
		{"new-posix-timezone", 41, tString, false, nil, ""},
		{"new-tzdb-timezone", 42, tString, false, nil, ""},
		{"ero", 43, tU16, true, nil, ""},
		{"lq-query", 44, tRecord, false, []OptionType{tU8, tIPv6}, "dhcp6"},
		{"client-data", 45, tEmpty, false, nil, "dhcp6"},
		{"clt-time", 46, tU32, false, nil, ""},
		{"lq-relay-data", 47, tRecord, false, []OptionType{tIPv6, tBinary}, ""},
		{"lq-client-link", 48, tIPv6, true, nil, ""},
		{"v6-lost", 51, tFQDN, false, nil, ""},
		{"capwap-ac-v6", 52, tIPv6, true, nil, ""},
		{"relay-id", 53, tBinary, false, nil, ""},
		{"v6-access-domain", 57, tFQDN, false, nil, ""},
		{"sip-ua-cs-list", 58, tFQDN, true, nil, ""},
		{"bootfile-url", 59, tString, false, nil, ""},
		{"bootfile-param", 60, tTuple, true, nil, ""},
		{"client-arch-type", 61, tU16, true, nil, ""},
		{"nii", 62, tRecord, false, []OptionType{tU8, tU8, tU8}, ""},
		{"aftr-name", 64, tFQDN, false, nil, ""},
		{"erp-local-domain-name", 65, tFQDN, false, nil, ""},
		{"rsoo", 66, tEmpty, false, nil, "rsoo-opts"},
		{"pd-exclude", 67, tPrefix, false, nil, ""},
		{"rdnss-selection", 74, tRecord, true, []OptionType{tIPv6, tU8, tFQDN}, ""},
		{"client-linklayer-addr", 79, tBinary, false, nil, ""},
		{"link-address", 80, tIPv6, false, nil, ""},
		{"solmax-rt", 82, tU32, false, nil, ""},
		{"inf-max-rt", 83, tU32, false, nil, ""},
		{"dhcpv4-message", 87, tBinary, false, nil, ""},
		{"dhcp4o6-server-addr", 88, tIPv6, true, nil, ""},
		{"v6-captive-portal", 103, tString, false, nil, ""},
		{"relay-source-port", 135, tU16, false, nil, ""},
		{"ipv6-address-andsf", 143, tIPv6, true, nil, ""},
		{"s46-cont-mape", 94, tEmpty, false, nil, "s46-cont-mape-options"},
		{"s46-cont-mapt", 95, tEmpty, false, nil, "s46-cont-mapt-options"},
		{"s46-cont-lw", 96, tEmpty, false, nil, "s46-cont-lw-options"},
	},
	// Cable Labs DOCSIS 3 vendor options, enterprise 4491 (option 17).
	"vendor-4491": docsis6,
	"docsis3-v6":  docsis6,
	// ISC's DHCPv4-over-DHCPv6 options, enterprise 2495.
	"vendor-2495": isc6,
	"4o6":         isc6,
	// Softwire 46 containers (RFC 7598).
	"s46-cont-mape-options": {
		{"s46-br", 90, tIPv6, false, nil, ""},
		{"s46-rule", 89, tRecord, false, []OptionType{tU8, tU8, tU8, tIPv4, tPrefix}, "s46-rule-options"},
	},
	"s46-cont-mapt-options": {
		{"s46-rule", 89, tRecord, false, []OptionType{tU8, tU8, tU8, tIPv4, tPrefix}, "s46-rule-options"},
		{"s46-dmr", 91, tPrefix, false, nil, ""},
	},
	"s46-cont-lw-options": {
		{"s46-br", 90, tIPv6, false, nil, ""},
		{"s46-v4v6bind", 92, tRecord, false, []OptionType{tIPv4, tPrefix}, "s46-v4v6bind-options"},
	},
	"s46-rule-options": {
		{"s46-portparams", 93, tRecord, false, []OptionType{tU8, tPSID}, ""},
	},
	"s46-v4v6bind-options": {
		{"s46-portparams", 93, tRecord, false, []OptionType{tU8, tPSID}, ""},
	},
}

var docsis6 = []stdDef{
	{"oro", 1, tU16, true, nil, ""},
	{"device-type", 2, tString, false, nil, ""},
	{"vendor-type", 10, tString, false, nil, ""},
	{"tftp-servers", 32, tIPv6, true, nil, ""},
	{"config-file", 33, tString, false, nil, ""},
	{"syslog-servers", 34, tIPv6, true, nil, ""},
	{"device-id", 36, tBinary, false, nil, ""},
	{"time-servers", 37, tIPv6, true, nil, ""},
	{"time-offset", 38, tI32, false, nil, ""},
	{"cmts-cm-mac", 1026, tBinary, false, nil, ""},
}

var isc6 = []stdDef{
	{"4o6-interface", 60000, tString, false, nil, ""},
	{"4o6-source-address", 60001, tIPv6, false, nil, ""},
	{"4o6-source-port", 60002, tU16, false, nil, ""},
}

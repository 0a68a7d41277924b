package config

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// keaVerdict says how Kea 2.2 treats a test configuration.
type keaVerdict int

const (
	keaSame    keaVerdict = iota // Kea loads it exactly when leasehold does
	keaDiffers                   // a documented difference (leasehold stricter, or a later Kea key)
	keaNA                        // Kea's check cannot judge it here (interfaces, databases, both maps)
)

type cfgCase struct {
	name string
	conf string // whole file
	err  string // "" = loads; else a substring of the error, path included
	kind error  // the error's kind when err != ""
	kea  keaVerdict
}

func v4(body string) string { return `{ "Dhcp4": { ` + body + ` } }` }
func v6(body string) string { return `{ "Dhcp6": { ` + body + ` } }` }

const sub4 = `"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24"`
const sub6 = `"subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64"`

var cfgCases = []cfgCase{
	// Keys.
	{"unknown global key", v4(`"valid-lifetme": 5`), `unknown key "valid-lifetme" at Dhcp4`, ErrUnknownKey, keaSame},
	{"unknown subnet key", v4(sub4 + `, "pool": "x" } ]`), `unknown key "pool" at Dhcp4/subnet4[0]`, ErrUnknownKey, keaSame},
	{"v4 key in v6", v6(`"next-server": "192.0.2.1"`), `unknown key "next-server" at Dhcp6`, ErrUnknownKey, keaSame},
	{"unsupported hosts database", v4(`"hosts-databases": [ { "type": "mysql" } ]`), "unsupported: hosts-databases at Dhcp4", ErrUnsupported, keaNA},
	{"unsupported control socket", v6(`"control-socket": { "socket-type": "unix", "socket-name": "/tmp/s" }`), "unsupported: control-socket at Dhcp6", ErrUnsupported, keaDiffers},
	{"unsupported lease database type", v4(`"lease-database": { "type": "mysql", "name": "kea", "host": "localhost" }`), `unsupported: lease-database type "mysql" at Dhcp4/lease-database`, ErrUnsupported, keaNA},
	{"unsupported database key", v4(`"lease-database": { "type": "memfile", "readonly": true }`), "unsupported: readonly at Dhcp4/lease-database", ErrUnsupported, keaDiffers},
	{"unsupported DNS updates", v4(`"dhcp-ddns": { "enable-updates": true }`), "unsupported: dhcp-ddns.enable-updates at Dhcp4/dhcp-ddns", ErrUnsupported, keaDiffers},
	{"DNS updates off", v4(`"dhcp-ddns": { "enable-updates": false, "server-ip": "127.0.0.1" }, "ddns-qualifying-suffix": "example.org."`), "", nil, keaSame},
	{"unsupported 4o6 subnet", v4(sub4 + `, "4o6-subnet": "2001:db8::/64" } ]`), "unsupported: 4o6-subnet at Dhcp4/subnet4[0]", ErrUnsupported, keaDiffers},
	{"4o6 keys off", v4(sub4 + `, "4o6-subnet": "", "4o6-interface": "" } ]`), "", nil, keaSame},
	{"unsupported top-level map", `{ "Control-agent": {} }`, "unsupported: Control-agent at the top-level map", ErrUnsupported, keaNA},
	{"unknown top-level map", `{ "Dhcp5": {} }`, `unknown key "Dhcp5" at the top-level map`, ErrUnknownKey, keaNA},
	{"no server map", `{ }`, "neither a Dhcp4 nor a Dhcp6 map", ErrInvalid, keaSame},
	{"both maps", `{ "Dhcp4": {}, "Dhcp6": {} }`, "", nil, keaNA},
	{"allocator flq", v4(`"allocator": "flq"`), `unsupported: allocator "flq" at Dhcp4`, ErrUnsupported, keaNA},
	{"allocator random", v6(`"allocator": "random", "pd-allocator": "iterative"`), "", nil, keaDiffers},
	{"bad allocator", v4(`"allocator": "best"`), `Dhcp4/allocator: "best" is not an allocator`, ErrInvalid, keaNA},

	// Types and ranges.
	{"wrong type", v4(`"valid-lifetime": "7200"`), "Dhcp4/valid-lifetime: expected an integer, got a string", ErrInvalid, keaSame},
	{"negative lifetime", v4(`"valid-lifetime": -1`), "Dhcp4/valid-lifetime: value -1 out of range", ErrInvalid, keaDiffers},
	{"user context not a map", v4(`"user-context": [1]`), "Dhcp4/user-context: user context must be a map", ErrInvalid, keaSame},
	{"expired leases range", v4(`"expired-leases-processing": { "max-reclaim-time": 10001 }`), "Dhcp4/expired-leases-processing/max-reclaim-time: value 10001 out of range [0, 10000]", ErrInvalid, keaSame},
	{"sname too long", v4(sub4 + `, "server-hostname": "` + strings.Repeat("s", 64) + `" } ]`), "Dhcp4/subnet4[0]/server-hostname: server-hostname must be at most 63 bytes long", ErrInvalid, keaSame},
	{"global sname too long", v4(`"server-hostname": "` + strings.Repeat("s", 64) + `"`), "Dhcp4/server-hostname: server-hostname must be at most 63 bytes long", ErrInvalid, keaDiffers},
	{"bad next-server", v4(sub4 + `, "next-server": "2001:db8::1" } ]`), `Dhcp4/subnet4[0]/next-server: "2001:db8::1" is not an IPv4 address`, ErrInvalid, keaSame},
	{"bad severity", v4(`"loggers": [ { "name": "kea-dhcp4", "severity": "LOUD" } ]`), `Dhcp4/loggers[0]/severity: "LOUD" is not a severity`, ErrInvalid, keaNA},
	{"bad debuglevel", v4(`"loggers": [ { "name": "kea-dhcp4", "severity": "DEBUG", "debuglevel": 100 } ]`), "Dhcp4/loggers[0]/debuglevel: value 100 out of range [0, 99]", ErrInvalid, keaNA},
	{"empty hooks library", v4(`"hooks-libraries": [ { "library": "" } ]`), "Dhcp4/hooks-libraries[0]: hooks library needs a non-empty library path", ErrInvalid, keaSame},
	{"bad host identifier type", v4(`"host-reservation-identifiers": [ "duid", "mac" ]`), `Dhcp4/host-reservation-identifiers[1]: "mac" is not a host identifier type`, ErrInvalid, keaSame},
	{"circuit-id in v6", v6(`"host-reservation-identifiers": [ "circuit-id" ]`), `"circuit-id" is not a host identifier type`, ErrInvalid, keaSame},
	{"bad mac source", v6(`"mac-sources": [ "raw", "rfc9999" ]`), `Dhcp6/mac-sources[1]: "rfc9999" is not a MAC source`, ErrInvalid, keaSame},
	{"mac source twice", v6(`"mac-sources": [ "rfc6939", "client-link-addr-option" ]`), `MAC source "client-link-addr-option" is listed twice`, ErrInvalid, keaSame},
	{"bad server-id type", v6(`"server-id": { "type": "UUID" }`), `Dhcp6/server-id/type: "UUID" is not one of LLT, EN, LL`, ErrInvalid, keaSame},
	{"bad rsoo", v6(`"relay-supplied-options": [ "no-such-option" ]`), `"no-such-option" is neither an option code nor a dhcp6 option name`, ErrInvalid, keaSame},
	{"bad regex", v4(sub4 + `, "hostname-char-set": "[a-" } ]`), `Dhcp4/subnet4[0]/hostname-char-set: "[a-" is not a valid regular expression`, ErrInvalid, keaSame},
	{"bad global regex", v4(`"hostname-char-set": "[a-"`), `Dhcp4/hostname-char-set: "[a-" is not a valid regular expression`, ErrInvalid, keaDiffers},
	{"bad replace mode", v4(`"ddns-replace-client-name": "sometimes"`), `"sometimes" is not one of never, always`, ErrInvalid, keaSame},
	{"duplicate interface", v4(`"interfaces-config": { "interfaces": [ "eth0", "eth0/192.0.2.1" ] }`), `Dhcp4/interfaces-config/interfaces[1]: interface "eth0" is already specified`, ErrInvalid, keaNA},
	{"interface address family", v6(`"interfaces-config": { "interfaces": [ "eth0/192.0.2.1" ] }`), `"192.0.2.1" is not a valid IPv6 address of interface "eth0"`, ErrInvalid, keaNA},

	// Subnets and pools.
	{"pool outside subnet", v4(sub4 + `, "pools": [ { "pool": "192.0.3.1 - 192.0.3.9" } ] } ]`), "Dhcp4/subnet4[0]/pools[0]/pool: pool 192.0.3.1 - 192.0.3.9 is not within the subnet 192.0.2.0/24", ErrInvalid, keaSame},
	{"pool prefix outside", v6(sub6 + `, "pools": [ { "pool": "2001:db8:2::/80" } ] } ]`), "Dhcp6/subnet6[0]/pools[0]/pool: pool 2001:db8:2:: - 2001:db8:2::ffff:ffff:ffff is not within", ErrInvalid, keaSame},
	{"overlapping pools", v4(sub4 + `, "pools": [ { "pool": "192.0.2.0/26" }, { "pool": "192.0.2.60-192.0.2.70" } ] } ]`), "Dhcp4/subnet4[0]/pools[1]/pool: pool 192.0.2.60 - 192.0.2.70 overlaps pool 192.0.2.0 - 192.0.2.63", ErrInvalid, keaSame},
	{"reversed pool", v4(sub4 + `, "pools": [ { "pool": "192.0.2.9 - 192.0.2.1" } ] } ]`), "Dhcp4/subnet4[0]/pools[0]/pool: pool \"192.0.2.9 - 192.0.2.1\" ends before it starts", ErrInvalid, keaSame},
	{"bad pool", v4(sub4 + `, "pools": [ { "pool": "192.0.2.1" } ] } ]`), "Dhcp4/subnet4[0]/pools[0]/pool: \"192.0.2.1\" is not a pool", ErrInvalid, keaSame},
	{"missing subnet", v4(`"subnet4": [ { "id": 1 } ]`), `Dhcp4/subnet4[0]: a subnet needs a "subnet" prefix`, ErrInvalid, keaSame},
	{"bad prefix length", v4(`"subnet4": [ { "subnet": "192.0.2.0/33" } ]`), `Dhcp4/subnet4[0]/subnet: "192.0.2.0/33" is not a valid IPv4 prefix`, ErrInvalid, keaSame},
	{"v6 prefix in v4", v4(`"subnet4": [ { "subnet": "2001:db8::/64" } ]`), `is not a valid IPv4 prefix`, ErrInvalid, keaSame},
	{"duplicate ids", v4(`"subnet4": [ { "id": 5, "subnet": "192.0.2.0/24" }, { "id": 5, "subnet": "198.51.100.0/24" } ]`), "Dhcp4/subnet4[1]/id: subnet id 5 is already used by Dhcp4/subnet4[0]", ErrInvalid, keaSame},
	{"automatic id clash", v4(`"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24" } ], "shared-networks": [ { "name": "n", "subnet4": [ { "subnet": "198.51.100.0/24" } ] } ]`), "Dhcp4/subnet4[0]/id: subnet id 1 is already used by Dhcp4/shared-networks[0]/subnet4[0]", ErrInvalid, keaSame},
	{"automatic ids", v4(`"subnet4": [ { "id": 2, "subnet": "192.0.2.0/24" } ], "shared-networks": [ { "name": "n", "subnet4": [ { "subnet": "198.51.100.0/24" } ] } ]`), "", nil, keaSame},
	{"duplicate prefix", v6(`"subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" }, { "id": 2, "subnet": "2001:db8:1::/64" } ]`), "Dhcp6/subnet6[1]/subnet: subnet 2001:db8:1::/64 is already defined at Dhcp6/subnet6[0]", ErrInvalid, keaSame},
	{"overlapping subnets", v4(`"subnet4": [ { "id": 1, "subnet": "192.0.2.0/25" }, { "id": 2, "subnet": "192.0.2.0/24" } ]`), "Dhcp4/subnet4[1]/subnet: subnet 192.0.2.0/24 overlaps subnet 192.0.2.0/25 at Dhcp4/subnet4[0]", ErrInvalid, keaDiffers},
	{"renew after rebind", v4(sub4 + `, "renew-timer": 100, "rebind-timer": 50 } ]`), "Dhcp4/subnet4[0]: renew-timer (100) is greater than rebind-timer (50)", ErrInvalid, keaSame},
	{"inherited timers clash", v4(`"renew-timer": 100, ` + sub4 + `, "rebind-timer": 50 } ]`), "Dhcp4/subnet4[0]: renew-timer (100) is greater than rebind-timer (50)", ErrInvalid, keaSame},
	{"t1 after t2", v6(sub6 + `, "t1-percent": .9, "t2-percent": .8 } ]`), "Dhcp6/subnet6[0]: t1-percent 0.9 must be less than t2-percent 0.8", ErrInvalid, keaSame},
	{"global t1 after t2", v6(`"t1-percent": .9, "t2-percent": .8`), "Dhcp6: t1-percent 0.9 must be less than t2-percent 0.8", ErrInvalid, keaDiffers},
	{"t2 out of range", v4(sub4 + `, "calculate-tee-times": true, "t2-percent": 1.5 } ]`), "Dhcp4/subnet4[0]: t2-percent 1.5 must be greater than 0 and less than 1", ErrInvalid, keaSame},
	{"percents unchecked when not calculated", v4(`"t1-percent": .9, "t2-percent": .8`), "", nil, keaSame},
	{"min above max", v4(`"min-valid-lifetime": 500, "max-valid-lifetime": 400, "valid-lifetime": 450`), "Dhcp4: min-valid-lifetime (500) is greater than max-valid-lifetime (400)", ErrInvalid, keaSame},
	{"default above inherited max", v4(`"max-valid-lifetime": 8000, ` + sub4 + `, "valid-lifetime": 9000 } ]`), "Dhcp4/subnet4[0]: valid-lifetime (9000) is greater than max-valid-lifetime (8000)", ErrInvalid, keaSame},
	{"preferred min above default", v6(`"min-preferred-lifetime": 4000`), "Dhcp6: min-preferred-lifetime (4000) is greater than preferred-lifetime (3600)", ErrInvalid, keaSame},
	{"cache threshold", v4(`"shared-networks": [ { "name": "n", "cache-threshold": 1.0 } ]`), "Dhcp4/shared-networks[0]/cache-threshold: 1 must be greater than 0 and less than 1", ErrInvalid, keaSame},
	{"global cache threshold", v4(`"cache-threshold": 1.0`), "Dhcp4/cache-threshold: 1 must be greater than 0 and less than 1", ErrInvalid, keaDiffers},
	{"relay both forms", v4(sub4 + `, "relay": { "ip-address": "192.0.2.1", "ip-addresses": [ "192.0.2.2" ] } } ]`), "Dhcp4/subnet4[0]/relay: specify either ip-address or ip-addresses, not both", ErrInvalid, keaSame},
	{"relay family", v4(sub4 + `, "relay": { "ip-addresses": [ "2001:db8::1" ] } } ]`), `Dhcp4/subnet4[0]/relay/ip-addresses[0]: "2001:db8::1" is not an IPv4 address`, ErrInvalid, keaSame},
	{"interface and interface-id", v6(sub6 + `, "interface": "eth0", "interface-id": "x" } ]`), "Dhcp6/subnet6[0]: interface (for directly connected clients) and interface-id (for relayed ones) cannot both be set", ErrInvalid, keaNA},
	{"network interfaces differ", v6(`"shared-networks": [ { "name": "n", "interface": "eth0", "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth1" } ] } ]`), `Dhcp6/shared-networks[0]/subnet6[0]/interface: subnet 2001:db8:1::/64 uses interface "eth1" but its shared network (or an earlier subnet of it) uses "eth0"`, ErrInvalid, keaNA},
	{"duplicate network", v4(`"shared-networks": [ { "name": "n" }, { "name": "n" } ]`), `Dhcp4/shared-networks[1]: shared network "n" is already defined at Dhcp4/shared-networks[0]`, ErrInvalid, keaSame},
	{"network without name", v4(`"shared-networks": [ { "subnet4": [] } ]`), "Dhcp4/shared-networks[0]: a shared network needs a non-empty name", ErrInvalid, keaSame},
	{"delegated shorter than prefix", v6(sub6 + `, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 40 } ] } ]`), "Dhcp6/subnet6[0]/pd-pools[0]/delegated-len: delegated-len (40) must be at least prefix-len (48)", ErrInvalid, keaSame},
	{"pd-pool lengths missing", v6(sub6 + `, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48 } ] } ]`), "Dhcp6/subnet6[0]/pd-pools[0]: a pd-pool needs prefix, prefix-len and delegated-len", ErrInvalid, keaSame},
	{"excluded too short", v6(sub6 + `, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56, "excluded-prefix": "2001:db8:8::", "excluded-prefix-len": 56 } ] } ]`), "excluded-prefix-len (56) must be greater than delegated-len (56)", ErrInvalid, keaSame},
	{"excluded elsewhere", v6(sub6 + `, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56, "excluded-prefix": "2001:db8:9::", "excluded-prefix-len": 60 } ] } ]`), "excluded prefix 2001:db8:9::/60 does not share the first 56 bits", ErrInvalid, keaSame},
	{"excluded without length", v6(sub6 + `, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56, "excluded-prefix": "2001:db8:8::" } ] } ]`), "excluded-prefix and excluded-prefix-len go together", ErrInvalid, keaSame},
	{"overlapping pd-pools", v6(sub6 + `, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56 }, { "prefix": "2001:db8:8::", "prefix-len": 52, "delegated-len": 56 } ] } ]`), "Dhcp6/subnet6[0]/pd-pools[1]: pd-pool 2001:db8:8::/52 overlaps pd-pool 2001:db8:8::/48", ErrInvalid, keaSame},
	{"pd-pool outside the subnet", v6(sub6 + `, "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56, "excluded-prefix": "2001:db8:8:0:1::", "excluded-prefix-len": 80 } ] } ]`), "", nil, keaSame},

	// Reservations.
	{"reservation outside subnet", v4(sub4 + `, "reservations": [ { "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.3.5" } ] } ]`), "Dhcp4/subnet4[0]/reservations[0]: reserved address 192.0.3.5 is not within the subnet 192.0.2.0/24", ErrInvalid, keaSame},
	{"reservation v6 outside subnet", v6(sub6 + `, "reservations": [ { "duid": "01:02:03", "ip-addresses": [ "2001:db8:2::1" ] } ] } ]`), "reserved address 2001:db8:2::1 is not within the subnet 2001:db8:1::/64", ErrInvalid, keaSame},
	{"reserved prefix may lie anywhere", v6(sub6 + `, "reservations": [ { "duid": "01:02:03", "prefixes": [ "2001:db8:2::/64" ] } ] } ]`), "", nil, keaSame},
	{"dashed identifier", v4(sub4 + `, "reservations": [ { "hw-address": "01-02-03-04-05-06", "hostname": "x" } ] } ]`), `Dhcp4/subnet4[0]/reservations[0]/hw-address: invalid host identifier "01-02-03-04-05-06"`, ErrInvalid, keaSame},
	{"duplicate identifier hex forms", v4(sub4 + `, "reservations": [ { "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.5" }, { "hw-address": "010203040506", "hostname": "x" } ] } ]`), "Dhcp4/subnet4[0]/reservations[1]: duplicate reservation: hw-address 01:02:03:04:05:06 is already reserved at Dhcp4/subnet4[0]/reservations[0]", ErrInvalid, keaSame},
	{"duplicate address", v4(sub4 + `, "reservations": [ { "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.5" }, { "client-id": "01:aa", "ip-address": "192.0.2.5" } ] } ]`), "Dhcp4/subnet4[0]/reservations[1]: duplicate reservation: 192.0.2.5 is already reserved at Dhcp4/subnet4[0]/reservations[0]", ErrInvalid, keaSame},
	{"duplicate address allowed", v4(`"ip-reservations-unique": false, ` + sub4 + `, "reservations": [ { "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.5" }, { "client-id": "01:aa", "ip-address": "192.0.2.5" } ] } ]`), "", nil, keaSame},
	{"duplicate global prefix", v6(`"reservations": [ { "duid": "01:02", "prefixes": [ "2001:db8:8::/56" ] }, { "duid": "01:03", "prefixes": [ "2001:db8:8::/56" ] } ]`), "Dhcp6/reservations[1]: duplicate reservation: 2001:db8:8::/56 is already reserved at Dhcp6/reservations[0]", ErrInvalid, keaSame},
	{"two identifiers", v6(`"reservations": [ { "duid": "01:02", "hw-address": "01:02:03:04:05:06", "hostname": "h" } ]`), "Dhcp6/reservations[0]: hw-address and duid are mutually exclusive", ErrInvalid, keaSame},
	{"no identifier", v4(`"reservations": [ { "hostname": "h" } ]`), "Dhcp4/reservations[0]: a reservation needs one identifier", ErrInvalid, keaSame},
	{"nothing reserved", v6(`"reservations": [ { "duid": "01:02" } ]`), "Dhcp6/reservations[0]: a reservation must reserve something", ErrInvalid, keaSame},
	{"bad identifier", v4(`"reservations": [ { "hw-address": "01:zz", "hostname": "h" } ]`), `Dhcp4/reservations[0]/hw-address: invalid host identifier "01:zz"`, ErrInvalid, keaSame},
	{"quoted identifier", v4(`"reservations": [ { "flex-id": "'port1'", "hostname": "h" } ]`), "", nil, keaSame},
	{"reserved broadcast", v4(`"reservations": [ { "hw-address": "01:02:03:04:05:06", "ip-address": "255.255.255.255" } ]`), "Dhcp4/reservations[0]/ip-address: 255.255.255.255 cannot be reserved", ErrInvalid, keaSame},
	{"address twice for one host", v6(`"reservations": [ { "duid": "01:02", "ip-addresses": [ "2001:db8::1", "2001:db8::1" ] } ]`), "Dhcp6/reservations[0]/ip-addresses[1]: 2001:db8::1 is reserved twice for this host", ErrInvalid, keaSame},
	{"reservation-mode and new keys", v4(`"reservation-mode": "all", "reservations-global": true`), "Dhcp4/reservation-mode: reservation-mode may not be used with", ErrInvalid, keaSame},
	{"bad reservation-mode", v4(sub4 + `, "reservation-mode": "some" } ]`), `Dhcp4/subnet4[0]/reservation-mode: "some" is not a reservation mode`, ErrInvalid, keaSame},

	// Options.
	{"unknown option name", v4(`"option-data": [ { "name": "no-such-option", "data": "1" } ]`), "Dhcp4/option-data[0]: unknown option dhcp4.no-such-option", ErrInvalid, keaSame},
	{"unknown option code csv", v4(`"option-data": [ { "code": 200, "data": "01" } ]`), "Dhcp4/option-data[0]: unknown option dhcp4.200", ErrInvalid, keaSame},
	{"unknown option code hex", v4(`"option-data": [ { "code": 200, "csv-format": false, "data": "01" } ]`), "", nil, keaSame},
	{"name and code disagree", v4(`"option-data": [ { "name": "routers", "code": 4, "data": "192.0.2.1" } ]`), `Dhcp4/option-data[0]/name: option name "routers" does not match the definition of dhcp4.4 ("time-servers")`, ErrInvalid, keaSame},
	{"option value out of range", v4(sub4 + `, "pools": [ { "pool": "192.0.2.0/28", "option-data": [ { "name": "default-ip-ttl", "data": "256" } ] } ] } ]`), "Dhcp4/subnet4[0]/pools[0]/option-data[0]/data: option dhcp4.default-ip-ttl (code 23): 256 out of the uint8 range 0..255", ErrInvalid, keaSame},
	{"option without data", v6(`"option-data": [ { "name": "dns-servers" } ]`), "", nil, keaSame},
	{"string option empty", v4(`"option-data": [ { "name": "domain-name", "data": "" } ]`), "Dhcp4/option-data[0]/data: option dhcp4.domain-name (code 15): no option value given", ErrInvalid, keaSame},
	{"option space of the other family", v4(`"option-data": [ { "name": "routers", "space": "dhcp6", "data": "192.0.2.1" } ]`), `Dhcp4/option-data[0]/space: option space "dhcp6" is reserved for the other DHCP version`, ErrInvalid, keaSame},
	{"option code 0", v4(`"option-data": [ { "code": 0, "csv-format": false, "data": "01" } ]`), "Dhcp4/option-data[0]/code: invalid option code 0", ErrInvalid, keaDiffers},
	{"option code too big", v4(`"option-data": [ { "code": 256, "csv-format": false, "data": "01" } ]`), "Dhcp4/option-data[0]/code: value 256 out of range [0, 255]", ErrInvalid, keaSame},
	{"bad hex", v4(`"option-data": [ { "code": 200, "csv-format": false, "data": "0a::0b" } ]`), `Dhcp4/option-data[0]/data: "0a::0b" is not a valid string of hexadecimal digits`, ErrInvalid, keaSame},
	{"ipv6 in an ipv4 option", v4(`"option-data": [ { "name": "routers", "data": "2001:db8::1" } ]`), `option dhcp4.routers (code 3): "2001:db8::1" is not an IPv4 address`, ErrInvalid, keaDiffers},
	{"standard option redefined", v4(`"option-def": [ { "name": "routers", "code": 3, "type": "ipv4-address" } ]`), `Dhcp4/option-def[0]: option "routers" (code 3) is standard in space "dhcp4" and cannot be redefined`, ErrInvalid, keaSame},
	{"duplicate option-def", v4(`"option-def": [ { "name": "a", "code": 200, "type": "uint8" }, { "name": "b", "code": 200, "type": "uint8" } ]`), `Dhcp4/option-def[1]: option definition with code 200 already exists in option space "dhcp4"`, ErrInvalid, keaSame},
	{"record with one field", v4(`"option-def": [ { "name": "a", "code": 200, "type": "record", "record-types": "uint8" } ]`), "Dhcp4/option-def[0]: a record needs at least 2 fields, has 1", ErrInvalid, keaSame},
	{"string inside record", v4(`"option-def": [ { "name": "a", "code": 200, "type": "record", "record-types": "string, uint8" } ]`), "a string field may only be the last field of a record", ErrInvalid, keaSame},
	{"array of strings", v6(`"option-def": [ { "name": "a", "code": 200, "type": "string", "array": true } ]`), "an array of string is not a valid option definition", ErrInvalid, keaSame},
	{"record types without record", v4(`"option-def": [ { "name": "a", "code": 200, "type": "uint8", "record-types": "uint8, uint8" } ]`), "record-types is only allowed with type record", ErrInvalid, keaSame},
	{"bad option type", v4(`"option-def": [ { "name": "a", "code": 200, "type": "float" } ]`), `Dhcp4/option-def[0]/type: unknown option type "float"`, ErrInvalid, keaSame},
	{"bad option name", v4(`"option-def": [ { "name": "-a", "code": 200, "type": "uint8" } ]`), `Dhcp4/option-def[0]/name: invalid option name "-a"`, ErrInvalid, keaSame},
	{"encapsulating array", v4(`"option-def": [ { "name": "a", "code": 200, "type": "uint8", "array": true, "encapsulate": "x" } ]`), "is an array and may not encapsulate", ErrInvalid, keaSame},

	// Client classes.
	{"duplicate class", v4(`"client-classes": [ { "name": "a" }, { "name": "a" } ]`), `Dhcp4/client-classes[1]: client class "a" is already defined at Dhcp4/client-classes[0]`, ErrInvalid, keaSame},
	{"class without name", v6(`"client-classes": [ { "test": "member('ALL')" } ]`), "Dhcp6/client-classes[0]: a client class needs a non-empty name", ErrInvalid, keaSame},
	{"class option-def not allowed", v4(`"client-classes": [ { "name": "a", "option-def": [ { "name": "x", "code": 200, "type": "uint8" } ] } ]`), "Dhcp4/client-classes[0]/option-def[0]: a client class may only define option 43 or 224-254", ErrInvalid, keaSame},
	{"built-in class with test", v4(`"client-classes": [ { "name": "KNOWN", "test": "member('ALL')" } ]`), `Dhcp4/client-classes[0]: built-in class "KNOWN" cannot have a test`, ErrInvalid, keaSame},
	{"class lifetimes without default", v6(`"client-classes": [ { "name": "a", "min-valid-lifetime": 10, "max-valid-lifetime": 20 } ]`), "Dhcp6/client-classes[0]: have min-valid-lifetime and max-valid-lifetime but no valid-lifetime", ErrInvalid, keaSame},
	{"class options", v4(`"client-classes": [ { "name": "a", "test": "option[60].text == 'x'", "next-server": "192.0.2.9", "option-data": [ { "name": "tftp-server-name", "data": "t" } ] } ]`), "", nil, keaSame},
}

func TestConfigCases(t *testing.T) {
	for _, tc := range cfgCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.conf))
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("loaded; want error %q", tc.err)
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Errorf("got  %v\nwant %q", err, tc.err)
			}
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, tc.kind) {
				t.Errorf("error %v is not an *Error of kind %v", err, tc.kind)
			}
		})
	}
}

// TestConfigCasesAgainstKea runs Kea 2.2's own configuration check on the
// cases that Kea must judge like leasehold: it proves the tests right
// about Kea.
func TestConfigCasesAgainstKea(t *testing.T) {
	bins := map[bool]string{}
	for _, b := range []string{"kea-dhcp4", "kea-dhcp6"} {
		p, err := exec.LookPath(b)
		if err != nil {
			if required() {
				t.Fatalf("%s is required under CI: %v", b, err)
			}
			t.Skipf("%s is not installed", b)
		}
		bins[b == "kea-dhcp6"] = p
	}
	dir := t.TempDir()
	for _, tc := range cfgCases {
		if tc.kea != keaSame {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, "kea.json")
			if err := os.WriteFile(file, []byte(tc.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			isV6 := strings.Contains(tc.conf, `"Dhcp6"`)
			out, err := exec.Command(bins[isV6], "-t", file).CombinedOutput()
			keaLoads := err == nil
			if keaLoads != (tc.err == "") {
				t.Errorf("Kea 2.2 loads=%v, leasehold expects loads=%v:\n%s", keaLoads, tc.err == "", lastLine(out))
			}
		})
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

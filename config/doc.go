// Package config reads ISC Kea 2.2's JSON configuration: the "Dhcp4" and
// "Dhcp6" maps of a kea-dhcp4/kea-dhcp6 configuration file, so that an
// operator's existing file runs leasehold unchanged.
//
//	cfg, err := config.Load("/etc/kea/kea-dhcp4.conf")
//	if err != nil {
//		log.Fatal(err) // e.g. Dhcp4/subnet4[2]/pools[0]/pool: pool 10.0.0.1 - 10.0.0.9 is not within the subnet 192.0.2.0/24 (kea.conf:40:25)
//	}
//	for _, s := range cfg.DHCP4.Subnets {
//		fmt.Println(s.ID, s.Prefix, s.ValidLifetime.Default, s.Authoritative)
//	}
//
// # What is read
//
// Kea's dialect of JSON: comments (#, //, /* */) outside strings,
// <?include "file"?> directives (relative paths start at the including
// file's directory; Kea itself starts at its working directory; loops are
// errors), extra commas (a warning, as in Kea), duplicate keys (an error).
//
// Values come out typed (netip addresses and prefixes, []byte identifiers,
// option payloads already encoded) with Kea 2.2's defaults filled in; each
// default is given in the field's comment. Subnets carry effective values:
// a parameter set on the subnet wins, else its shared network's, else the
// global one, else Kea's default (Params4, Params6), so a server reads one
// struct per subnet. Option data stays at its level (global, shared
// network, subnet, pool, client class, reservation) because Kea chooses
// between levels per packet: for an option code it takes the first level
// that has it in this order: reservation, pool, subnet, shared network,
// the client classes in the order the packet was classified, global.
// Subnet4/Subnet6 methods apply Kea's run-time rules that span levels:
// Admits (subnet and shared network client-class), RequiredClasses
// (require-client-classes of network, subnet and pool) and OptionScopes.
//
// # Strictness
//
// Every key Kea 2.2 accepts is either read or rejected with an *Error of
// kind ErrUnsupported whose text is "unsupported: <key> at <path>"; a key
// Kea does not have is ErrUnknownKey. Errors name the JSON path
// ("Dhcp4/subnet4[2]/pools[0]/pool") and the file position. Unsupported
// now: the top-level maps other than Dhcp4/Dhcp6 (Control-agent, DhcpDdns,
// Netconf), lease databases other than memfile and their connection keys,
// hosts-database(s), config-control, control-socket, DNS updates
// (dhcp-ddns.enable-updates true), DHCPv4-over-DHCPv6 subnets (4o6-* keys
// with a value), Kea 2.4's "flq" allocator.
//
// Accepted and stored although leasehold gives them no behaviour of its
// own (the servers decide what to do with them): multi-threading,
// dhcp-queue-control, statistic-default-sample-*, dhcp4o6-port (with a
// warning when non-zero), the ddns-* and hostname-char-* parameters and
// the connection keys of dhcp-ddns (meaningful only with DNS updates, but
// they also shape host names in Kea), store-extended-info, cache-threshold
// and cache-max-age, compatibility.lenient-option-parsing,
// early-global-reservations-lookup, reservations-lookup-first.
//
// Beyond Kea 2.2 leasehold accepts "allocator" and "pd-allocator"
// (iterative or random, from Kea 2.4) and "never-send" in option-data
// (Kea 2.6).
//
// Where leasehold is stricter than Kea 2.2: overlapping subnets are an
// error (Kea rejects only equal prefixes); an IPv6 address given for an
// IPv4 option field, or a hex payload longer than its fixed-size type,
// is an error (Kea writes or ignores the bytes). Kea also checks that
// interfaces and hook libraries exist; that is the servers' job here.
//
// # Options
//
// option-data entries are encoded to wire payloads at load time from
// Kea's standard option definitions (StandardOptionDefs) or the
// configuration's option-def entries: csv-format data per the option's
// type (comma-separated values, "\," for a literal comma; records, arrays,
// domain names in DNS wire format, booleans as 0/1), csv-format false data
// as hex ("0a0b", "0x0a0b", "0a:0b", "0a 0b") or a 'quoted string'.
// Options whose definition encapsulates an option space get the
// sub-options of that space from the same option-data list appended, as
// Kea does for option 43 and vendor-encapsulated-options-space. Options in
// "vendor-<enterprise-id>" spaces are kept for the servers to pack into
// option 125 (DHCPv4) or 17 (DHCPv6) for the clients that ask for them.
package config

package config

import "strings"

// The keys Kea 2.2 accepts in each map, read from its configuration grammar
// (dhcp4_parser.yy / dhcp6_parser.yy of Kea-2.2.0) and its example
// all-keys.json files. A key in this list that leasehold does not read is
// reported as "unsupported: <key> at <path>"; a key in no list is unknown.

type keySet map[string]bool

func (s keySet) has(k string) bool { return s[k] }

func keys(lists ...string) keySet {
	s := keySet{}
	for _, l := range lists {
		for _, k := range strings.Fields(l) {
			s[k] = true
		}
	}
	return s
}

const (
	ddnsNetworkKeys = `ddns-generated-prefix ddns-override-client-update ddns-override-no-update
		ddns-qualifying-suffix ddns-replace-client-name ddns-send-updates ddns-update-on-renew
		ddns-use-conflict-resolution hostname-char-replacement hostname-char-set`
	networkKeys = `cache-max-age cache-threshold calculate-tee-times client-class comment interface
		max-valid-lifetime min-valid-lifetime option-data rebind-timer relay renew-timer
		require-client-classes reservation-mode reservations-global reservations-in-subnet
		reservations-out-of-pool store-extended-info t1-percent t2-percent user-context valid-lifetime`
	globalCommonKeys = `cache-max-age cache-threshold calculate-tee-times client-classes comment
		compatibility config-control control-socket decline-probation-period dhcp-ddns
		dhcp-queue-control dhcp4o6-port early-global-reservations-lookup expired-leases-processing
		hooks-libraries host-reservation-identifiers hosts-database hosts-databases
		interfaces-config ip-reservations-unique lease-database loggers max-valid-lifetime
		min-valid-lifetime multi-threading option-data option-def parked-packet-limit
		rebind-timer renew-timer reservation-mode reservations reservations-global
		reservations-in-subnet reservations-lookup-first reservations-out-of-pool sanity-checks
		server-tag shared-networks statistic-default-sample-age statistic-default-sample-count
		store-extended-info t1-percent t2-percent user-context valid-lifetime`
	v4BootKeys = `authoritative boot-file-name match-client-id next-server server-hostname`
	v6LifeKeys = `max-preferred-lifetime min-preferred-lifetime preferred-lifetime`
)

var (
	keaTopKeys = keys(`Dhcp4 Dhcp6 DhcpDdns Control-agent Netconf`)

	keaGlobal4Keys = keys(globalCommonKeys, ddnsNetworkKeys, v4BootKeys, `echo-client-id subnet4`)
	keaGlobal6Keys = keys(globalCommonKeys, ddnsNetworkKeys, v6LifeKeys,
		`data-directory mac-sources relay-supplied-options server-id subnet6`)

	keaSubnet4Keys = keys(networkKeys, ddnsNetworkKeys, v4BootKeys,
		`4o6-interface 4o6-interface-id 4o6-subnet id pools reservations subnet`)
	keaSubnet6Keys = keys(networkKeys, ddnsNetworkKeys, v6LifeKeys,
		`id interface-id pd-pools pools rapid-commit reservations subnet`)
	keaShared4Keys = keys(networkKeys, ddnsNetworkKeys, v4BootKeys, `name subnet4`)
	keaShared6Keys = keys(networkKeys, ddnsNetworkKeys, v6LifeKeys, `interface-id name rapid-commit subnet6`)

	keaPoolKeys   = keys(`client-class comment option-data pool require-client-classes user-context`)
	keaPDPoolKeys = keys(`client-class comment delegated-len excluded-prefix excluded-prefix-len
		option-data prefix prefix-len require-client-classes user-context`)

	keaReservation4Keys = keys(`boot-file-name circuit-id client-classes client-id comment duid
		flex-id hostname hw-address ip-address next-server option-data server-hostname user-context`)
	keaReservation6Keys = keys(`client-classes comment duid flex-id hostname hw-address
		ip-addresses option-data prefixes user-context`)

	keaClass4Keys = keys(`boot-file-name comment max-valid-lifetime min-valid-lifetime name
		next-server only-if-required option-data option-def server-hostname test user-context valid-lifetime`)
	keaClass6Keys = keys(v6LifeKeys, `comment max-valid-lifetime min-valid-lifetime name
		only-if-required option-data test user-context valid-lifetime`)

	keaOptionDataKeys = keys(`always-send code comment csv-format data name space user-context`)
	keaOptionDefKeys  = keys(`array code comment encapsulate name record-types space type user-context`)

	keaInterfaces4Keys = keys(`comment dhcp-socket-type interfaces outbound-interface re-detect
		service-sockets-max-retries service-sockets-require-all service-sockets-retry-wait-time user-context`)
	keaInterfaces6Keys = keys(`comment interfaces re-detect service-sockets-max-retries
		service-sockets-require-all service-sockets-retry-wait-time user-context`)

	keaDatabaseKeys = keys(`cert-file cipher-list connect-timeout host key-file lfc-interval
		max-reconnect-tries max-row-errors name on-fail password persist port readonly
		reconnect-wait-time trust-anchor type user`)

	keaExpiredKeys = keys(`flush-reclaimed-timer-wait-time hold-reclaimed-time max-reclaim-leases
		max-reclaim-time reclaim-timer-wait-time unwarned-reclaim-cycles`)
	keaMultiThreadingKeys = keys(`comment enable-multi-threading packet-queue-size thread-pool-size user-context`)
	keaHooksKeys          = keys(`library parameters`)
	// leaseholdHooksKeys adds leasehold's per-library settings object.
	leaseholdHooksKeys   = keys(`library parameters leasehold`)
	keaLoggerKeys        = keys(`comment debuglevel name output_options severity user-context`)
	keaOutputKeys        = keys(`output flush maxsize maxver pattern`)
	keaSanityKeys        = keys(`lease-checks`)
	keaCompatibilityKeys = keys(`lenient-option-parsing`)
	keaRelayKeys         = keys(`ip-address ip-addresses`)
	keaServerIDKeys      = keys(`comment enterprise-id htype identifier persist time type user-context`)
	keaDDNSKeys          = keys(`comment enable-updates generated-prefix hostname-char-replacement
		hostname-char-set max-queue-size ncr-format ncr-protocol override-client-update
		override-no-update qualifying-suffix replace-client-name sender-ip sender-port server-ip
		server-port user-context`)
)

// The keys leasehold reads in each map. Kea's keys missing here are
// unsupported; allocator, pd-allocator (Kea 2.4) and never-send (Kea 2.6)
// are later Kea keys that leasehold accepts.
var (
	supGlobal4 = without(keaGlobal4Keys, unsupportedGlobal, `allocator`)
	supGlobal6 = without(keaGlobal6Keys, unsupportedGlobal, `allocator pd-allocator`)
	supSubnet4 = without(keaSubnet4Keys, "", `allocator`)
	supSubnet6 = without(keaSubnet6Keys, "", `allocator pd-allocator`)
	supShared4 = without(keaShared4Keys, "", `allocator`)
	supShared6 = without(keaShared6Keys, "", `allocator pd-allocator`)

	supOptionData = without(keaOptionDataKeys, "", `never-send`)
	// Only memfile is supported: the SQL connection keys are not.
	supDatabase = keys(`type name persist lfc-interval max-row-errors`)
)

// unsupportedGlobal are the global keys of features leasehold lacks:
// host reservations in databases, the configuration backend and the
// control channel.
const unsupportedGlobal = `hosts-database hosts-databases config-control control-socket`

// without returns kea minus the keys in drop plus the keys in add.
func without(kea keySet, drop, add string) keySet {
	s := keySet{}
	for k := range kea {
		s[k] = true
	}
	for _, k := range strings.Fields(drop) {
		delete(s, k)
	}
	for _, k := range strings.Fields(add) {
		s[k] = true
	}
	return s
}

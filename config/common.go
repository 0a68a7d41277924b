package config

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// The maps that Dhcp4 and Dhcp6 share.

// server reads the server-wide sections of a Dhcp4/Dhcp6 map (everything
// in Server but the options, definitions and classes).
func (d *dec) server(o *obj, s *Server) {
	s.InterfacesConfig = d.interfacesConfig(o.take("interfaces-config"), o.sub("interfaces-config"))
	s.LeaseDatabase = d.leaseDatabase(o.take("lease-database"), o.sub("lease-database"))
	s.ExpiredLeasesProcessing = d.expired(o.take("expired-leases-processing"), o.sub("expired-leases-processing"))
	s.DeclineProbationPeriod = o.u32Or("decline-probation-period", 86400)
	s.HooksLibraries = d.hooks(o)
	s.Loggers = d.loggers(o)
	s.ServerTag = o.strOr("server-tag", "")
	if v, ok := o.integer("dhcp4o6-port", 0, math.MaxUint16); ok {
		s.DHCP4o6Port = uint16(v)
		if v != 0 {
			d.warn("%s: stored, but leasehold does not implement DHCPv4-over-DHCPv6", o.sub("dhcp4o6-port"))
		}
	}
	s.ParkedPacketLimit = o.u32Or("parked-packet-limit", 256)
	s.MultiThreading = d.multiThreading(o.take("multi-threading"), o.sub("multi-threading"))
	s.SanityChecks = d.sanityChecks(o.take("sanity-checks"), o.sub("sanity-checks"))
	s.DHCPQueueControl = d.queueControl(o.take("dhcp-queue-control"), o.sub("dhcp-queue-control"))
	s.DHCPDDNS = d.dhcpDDNS(o.take("dhcp-ddns"), o.sub("dhcp-ddns"))
	s.HostReservationIdentifiers = d.hostIdentifiers(o)
	s.EarlyGlobalReservationsLookup = o.boolOr("early-global-reservations-lookup", false)
	s.IPReservationsUnique = o.boolOr("ip-reservations-unique", true)
	s.ReservationsLookupFirst = o.boolOr("reservations-lookup-first", false)
	s.StatisticDefaultSampleCount = o.u32Or("statistic-default-sample-count", 20)
	s.StatisticDefaultSampleAge = o.u32Or("statistic-default-sample-age", 0)
	if n := o.take("compatibility"); n != nil {
		c := d.object(n, o.sub("compatibility"), keaCompatibilityKeys, keaCompatibilityKeys)
		s.LenientOptionParsing = c.boolOr("lenient-option-parsing", false)
	}
	s.UserContext, s.Comment = o.userContext()
}

func (d *dec) interfacesConfig(n *node, path string) InterfacesConfig {
	var c InterfacesConfig
	if !d.v6 {
		c.DHCPSocketType, c.OutboundInterface = "raw", "same-as-inbound"
	}
	c.ServiceSocketsRetryWaitTime = 5000
	if n == nil {
		return c
	}
	kea := keaInterfaces4Keys
	if d.v6 {
		kea = keaInterfaces6Keys
	}
	o := d.object(n, path, kea, kea)
	seen := map[string]bool{}
	o.each("interfaces", func(_ int, n *node, p string) {
		if n.kind != kString {
			d.fail(n, p, "expected an interface name, got a %s", n.kind)
			return
		}
		name, addrText, hasAddr := strings.Cut(n.str, "/")
		it := Interface{Name: name}
		switch {
		case name == "":
			d.fail(n, p, "empty interface name in %q", n.str)
		case name == "*" && hasAddr:
			d.fail(n, p, "the wildcard \"*\" takes no address")
		case seen[name]:
			d.fail(n, p, "interface %q is already specified", name)
		case hasAddr:
			a, err := netip.ParseAddr(addrText)
			if err != nil || a.Is4() == d.v6 || a.Zone() != "" {
				d.fail(n, p, "%q is not a valid %s address of interface %q", addrText, family(d.v6), name)
			}
			it.Addr = a
		}
		seen[name] = true
		c.Interfaces = append(c.Interfaces, it)
	})
	if !d.v6 {
		c.DHCPSocketType = o.enum("dhcp-socket-type", "raw", "raw", "udp")
		c.OutboundInterface = o.enum("outbound-interface", "same-as-inbound", "same-as-inbound", "use-routing")
	}
	c.ReDetect = o.boolOr("re-detect", true)
	c.ServiceSocketsRequireAll = o.boolOr("service-sockets-require-all", false)
	c.ServiceSocketsMaxRetries = o.u32Or("service-sockets-max-retries", 0)
	c.ServiceSocketsRetryWaitTime = o.u32Or("service-sockets-retry-wait-time", 5000)
	c.UserContext, c.Comment = o.userContext()
	return c
}

func family(v6 bool) string {
	if v6 {
		return "IPv6"
	}
	return "IPv4"
}

func (d *dec) leaseDatabase(n *node, path string) LeaseDatabase {
	db := LeaseDatabase{Type: "memfile", Persist: true, LFCInterval: 3600}
	if n == nil {
		return db
	}
	// The type decides whether the other keys make sense: look at it first.
	if n.kind == kMap {
		if t := n.get("type"); t != nil && t.kind == kString && t.str != "memfile" {
			d.unsupported(t, `lease-database type "`+t.str+`"`, path)
			return db
		}
	}
	o := d.object(n, path, supDatabase, keaDatabaseKeys)
	if !o.has("type") && !d.failed() {
		d.fail(n, path, "lease-database needs a type (memfile)")
	}
	db.Type = o.strOr("type", "memfile")
	db.Name = o.strOr("name", "")
	db.Persist = o.boolOr("persist", true)
	db.LFCInterval = o.u32Or("lfc-interval", 3600)
	db.MaxRowErrors = o.u32Or("max-row-errors", 0)
	return db
}

func (d *dec) expired(n *node, path string) ExpiredLeasesProcessing {
	e := ExpiredLeasesProcessing{
		ReclaimTimerWaitTime:        10,
		FlushReclaimedTimerWaitTime: 25,
		HoldReclaimedTime:           3600,
		MaxReclaimLeases:            100,
		MaxReclaimTime:              250,
		UnwarnedReclaimCycles:       5,
	}
	if n == nil {
		return e
	}
	o := d.object(n, path, keaExpiredKeys, keaExpiredKeys)
	// Kea's ranges: 16-bit timers, 32-bit counts, at most 10 s per run.
	get := func(key string, hi int64, def uint32) uint32 {
		if v, ok := o.integer(key, 0, hi); ok {
			return uint32(v)
		}
		return def
	}
	e.ReclaimTimerWaitTime = get("reclaim-timer-wait-time", math.MaxUint16, e.ReclaimTimerWaitTime)
	e.FlushReclaimedTimerWaitTime = get("flush-reclaimed-timer-wait-time", math.MaxUint16, e.FlushReclaimedTimerWaitTime)
	e.HoldReclaimedTime = get("hold-reclaimed-time", math.MaxUint32, e.HoldReclaimedTime)
	e.MaxReclaimLeases = get("max-reclaim-leases", math.MaxUint32, e.MaxReclaimLeases)
	e.MaxReclaimTime = get("max-reclaim-time", 10000, e.MaxReclaimTime)
	e.UnwarnedReclaimCycles = get("unwarned-reclaim-cycles", math.MaxUint16, e.UnwarnedReclaimCycles)
	return e
}

func (d *dec) hooks(o *obj) []HooksLibrary {
	var libs []HooksLibrary
	o.each("hooks-libraries", func(_ int, n *node, p string) {
		h := d.object(n, p, leaseholdHooksKeys, keaHooksKeys)
		lib, ok := h.str("library")
		if !ok || strings.TrimSpace(lib) == "" {
			d.fail(n, p, "hooks library needs a non-empty library path")
			return
		}
		libs = append(libs, HooksLibrary{Library: lib, Parameters: h.raw("parameters"), Leasehold: h.raw("leasehold")})
	})
	return libs
}

var severities = []string{"FATAL", "ERROR", "WARN", "INFO", "DEBUG", "NONE"}

func (d *dec) loggers(o *obj) []Logger {
	var out []Logger
	o.each("loggers", func(_ int, n *node, p string) {
		l := d.object(n, p, keaLoggerKeys, keaLoggerKeys)
		var lg Logger
		name, ok := l.str("name")
		if !ok && !d.failed() {
			d.fail(n, p, "logger needs a name")
		}
		lg.Name = name
		sev, ok := l.str("severity")
		if !ok && !d.failed() {
			d.fail(n, p, "logger needs a severity")
		}
		lg.Severity = strings.ToUpper(sev)
		valid := false
		for _, s := range severities {
			valid = valid || s == lg.Severity
		}
		if !valid && !d.failed() {
			d.fail(l.take("severity"), l.sub("severity"), "%q is not a severity (%s)", sev, strings.Join(severities, ", "))
		}
		if v, ok := l.integer("debuglevel", 0, 99); ok {
			lg.DebugLevel = int(v)
		}
		l.each("output_options", func(_ int, n *node, p string) {
			oo := d.object(n, p, keaOutputKeys, keaOutputKeys)
			out, ok := oo.str("output")
			if !ok && !d.failed() {
				d.fail(n, p, "output_options entry needs an output")
			}
			lo := LogOutput{Output: out, MaxSize: 10240000, MaxVer: 1, Flush: true}
			if v, ok := oo.integer("maxsize", 0, math.MaxInt64); ok {
				lo.MaxSize = uint64(v)
			}
			if v, ok := oo.integer("maxver", 0, math.MaxInt32); ok {
				lo.MaxVer = int(v)
			}
			lo.Flush = oo.boolOr("flush", true)
			lo.Pattern = oo.strOr("pattern", "")
			lg.OutputOptions = append(lg.OutputOptions, lo)
		})
		lg.UserContext, lg.Comment = l.userContext()
		out = append(out, lg)
	})
	return out
}

func (d *dec) multiThreading(n *node, path string) MultiThreading {
	m := MultiThreading{PacketQueueSize: 64}
	if n == nil {
		return m
	}
	o := d.object(n, path, keaMultiThreadingKeys, keaMultiThreadingKeys)
	m.EnableMultiThreading = o.boolOr("enable-multi-threading", false)
	m.ThreadPoolSize = o.u32Or("thread-pool-size", 0)
	m.PacketQueueSize = o.u32Or("packet-queue-size", 64)
	m.UserContext, m.Comment = o.userContext()
	return m
}

func (d *dec) sanityChecks(n *node, path string) SanityChecks {
	if n == nil {
		return SanityChecks{LeaseChecks: "warn"}
	}
	o := d.object(n, path, keaSanityKeys, keaSanityKeys)
	return SanityChecks{LeaseChecks: o.enum("lease-checks", "warn", "none", "warn", "fix", "fix-del", "del")}
}

// queueControl reads dhcp-queue-control, whose map may hold any key (Kea
// hands it to the queue implementation).
func (d *dec) queueControl(n *node, path string) QueueControl {
	q := QueueControl{QueueType: "kea-ring4", Capacity: 64}
	if d.v6 {
		q.QueueType = "kea-ring6"
	}
	if n == nil {
		return q
	}
	if n.kind != kMap {
		d.fail(n, path, "expected a map, got a %s", n.kind)
		return q
	}
	o := &obj{d: d, n: n, path: path}
	q.EnableQueue = o.boolOr("enable-queue", false)
	q.QueueType = o.strOr("queue-type", q.QueueType)
	q.Capacity = o.u32Or("capacity", 64)
	o.userContext()
	q.Raw = toJSON(n)
	return q
}

// dhcpDDNS reads dhcp-ddns. enable-updates true is unsupported: it is
// read before anything else so that is what gets reported.
func (d *dec) dhcpDDNS(n *node, path string) DHCPDDNS {
	c := DHCPDDNS{
		ServerIP: netip.MustParseAddr("127.0.0.1"), ServerPort: 53001,
		SenderIP: netip.IPv4Unspecified(), MaxQueueSize: 1024, NCRProtocol: "UDP", NCRFormat: "JSON",
	}
	if n == nil {
		return c
	}
	if n.kind == kMap {
		if e := n.get("enable-updates"); e != nil && e.kind == kBool && e.boolean {
			d.unsupported(e, "dhcp-ddns.enable-updates", path)
			return c
		}
	}
	o := d.object(n, path, keaDDNSKeys, keaDDNSKeys)
	c.EnableUpdates = o.boolOr("enable-updates", false)
	if n := o.take("server-ip"); n != nil {
		c.ServerIP, _ = d.anyAddr(n, o.sub("server-ip"))
	}
	if v, ok := o.integer("server-port", 0, math.MaxUint16); ok {
		c.ServerPort = uint16(v)
	}
	if n := o.take("sender-ip"); n != nil {
		c.SenderIP, _ = d.anyAddr(n, o.sub("sender-ip"))
	}
	if v, ok := o.integer("sender-port", 0, math.MaxUint16); ok {
		c.SenderPort = uint16(v)
	}
	c.MaxQueueSize = o.u32Or("max-queue-size", 1024)
	c.NCRProtocol = o.enum("ncr-protocol", "UDP", "UDP")
	c.NCRFormat = o.enum("ncr-format", "JSON", "JSON")
	for _, k := range []string{"generated-prefix", "hostname-char-replacement", "hostname-char-set",
		"qualifying-suffix", "replace-client-name"} {
		o.str(k)
	}
	o.boolean("override-client-update")
	o.boolean("override-no-update")
	o.userContext()
	c.Raw = toJSON(n)
	return c
}

// anyAddr reads an address of either family.
func (d *dec) anyAddr(n *node, path string) (netip.Addr, bool) {
	if n.kind == kString {
		if a, err := netip.ParseAddr(n.str); err == nil && a.Zone() == "" {
			return a, true
		}
	}
	d.fail(n, path, "%s is not an IP address", describeValue(n))
	return netip.Addr{}, false
}

func describeValue(n *node) string {
	if n.kind == kString {
		return strconv.Quote(n.str)
	}
	return describe(n)
}

// hostIdentifiers reads host-reservation-identifiers ("auto" = all types
// of the family).
func (d *dec) hostIdentifiers(o *obj) []IdentifierType {
	all := []IdentifierType{IDHWAddress, IDDUID, IDCircuitID, IDClientID, IDFlexID}
	def := []IdentifierType{IDHWAddress, IDDUID, IDCircuitID, IDClientID}
	if d.v6 {
		all = []IdentifierType{IDHWAddress, IDDUID, IDFlexID}
		def = []IdentifierType{IDHWAddress, IDDUID}
	}
	n := o.take("host-reservation-identifiers")
	if n == nil {
		return def
	}
	var out []IdentifierType
	o.each("host-reservation-identifiers", func(_ int, e *node, p string) {
		if e.kind != kString {
			d.fail(e, p, "expected an identifier type, got a %s", e.kind)
			return
		}
		if e.str == "auto" {
			if len(out) > 0 {
				d.fail(e, p, "\"auto\" may not be combined with other identifier types")
			}
			out = append(out, all...)
			return
		}
		for _, t := range all {
			if string(t) == e.str {
				out = append(out, t)
				return
			}
		}
		d.fail(e, p, "%q is not a host identifier type of this server", e.str)
	})
	if len(out) == 0 && !d.failed() {
		d.fail(n, o.sub("host-reservation-identifiers"), "host-reservation-identifiers must not be empty")
	}
	return out
}

// hexID decodes a host identifier or server identifier: 'quoted text' or
// hex (with ':' or ' ' between bytes, or plain with optional 0x).
func hexID(s string) ([]byte, bool) {
	if s == "" {
		return nil, false
	}
	b, err := decodeHexData(s)
	return b, err == nil && len(b) > 0
}

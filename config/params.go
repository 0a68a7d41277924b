package config

import (
	"net/netip"
	"regexp"
)

// rawParams are the inheritable parameters as written at one level (nil =
// not set there). A subnet's effective values come from merging its raw
// parameters over its shared network's and those over the global ones,
// key by key, then filling Kea's defaults: the result Kea 2.2 reaches by
// copying the keys down the levels (SimpleParser4/6::deriveParameters)
// and by asking the parent at run time for the others.
type rawParams struct {
	valid, minValid, maxValid             *uint32
	preferred, minPreferred, maxPreferred *uint32
	renew, rebind                         *uint32
	calcTee                               *bool
	t1, t2                                *float64
	matchClientID, authoritative          *bool
	nextServer                            *netip.Addr
	serverHostname, bootFileName          *string
	resGlobal, resInSubnet, resOutOfPool  *bool
	allocator, pdAllocator                *string
	storeExtendedInfo                     *bool
	cacheThreshold                        *float64
	cacheMaxAge                           *uint32

	ddnsSendUpdates, ddnsOverrideNoUpdate, ddnsOverrideClientUpdate  *bool
	ddnsReplaceClientName, ddnsGeneratedPrefix, ddnsQualifyingSuffix *string
	ddnsUpdateOnRenew, ddnsUseConflictResolution                     *bool
	hostnameCharSet, hostnameCharReplacement                         *string

	// Network and subnet only.
	iface       *string
	ifaceID     *string
	rapidCommit *bool
	relay       *[]netip.Addr
}

// over returns p with every unset field taken from parent.
func (p rawParams) over(parent rawParams) rawParams {
	out := p
	inherit(&out.valid, parent.valid)
	inherit(&out.minValid, parent.minValid)
	inherit(&out.maxValid, parent.maxValid)
	inherit(&out.preferred, parent.preferred)
	inherit(&out.minPreferred, parent.minPreferred)
	inherit(&out.maxPreferred, parent.maxPreferred)
	inherit(&out.renew, parent.renew)
	inherit(&out.rebind, parent.rebind)
	inherit(&out.calcTee, parent.calcTee)
	inherit(&out.t1, parent.t1)
	inherit(&out.t2, parent.t2)
	inherit(&out.matchClientID, parent.matchClientID)
	inherit(&out.authoritative, parent.authoritative)
	inherit(&out.nextServer, parent.nextServer)
	inherit(&out.serverHostname, parent.serverHostname)
	inherit(&out.bootFileName, parent.bootFileName)
	inherit(&out.resGlobal, parent.resGlobal)
	inherit(&out.resInSubnet, parent.resInSubnet)
	inherit(&out.resOutOfPool, parent.resOutOfPool)
	inherit(&out.allocator, parent.allocator)
	inherit(&out.pdAllocator, parent.pdAllocator)
	inherit(&out.storeExtendedInfo, parent.storeExtendedInfo)
	inherit(&out.cacheThreshold, parent.cacheThreshold)
	inherit(&out.cacheMaxAge, parent.cacheMaxAge)
	inherit(&out.ddnsSendUpdates, parent.ddnsSendUpdates)
	inherit(&out.ddnsOverrideNoUpdate, parent.ddnsOverrideNoUpdate)
	inherit(&out.ddnsOverrideClientUpdate, parent.ddnsOverrideClientUpdate)
	inherit(&out.ddnsReplaceClientName, parent.ddnsReplaceClientName)
	inherit(&out.ddnsGeneratedPrefix, parent.ddnsGeneratedPrefix)
	inherit(&out.ddnsQualifyingSuffix, parent.ddnsQualifyingSuffix)
	inherit(&out.ddnsUpdateOnRenew, parent.ddnsUpdateOnRenew)
	inherit(&out.ddnsUseConflictResolution, parent.ddnsUseConflictResolution)
	inherit(&out.hostnameCharSet, parent.hostnameCharSet)
	inherit(&out.hostnameCharReplacement, parent.hostnameCharReplacement)
	inherit(&out.iface, parent.iface)
	inherit(&out.ifaceID, parent.ifaceID)
	inherit(&out.rapidCommit, parent.rapidCommit)
	inherit(&out.relay, parent.relay)
	return out
}

func inherit[T any](child **T, parent *T) {
	if *child == nil {
		*child = parent
	}
}

// readParams reads the inheritable keys present in o. network says the
// map is a shared network or a subnet (interface, relay, ... allowed).
func (d *dec) readParams(o *obj, network bool) rawParams {
	var r rawParams
	r.valid, r.minValid, r.maxValid = o.u32Ptr("valid-lifetime"), o.u32Ptr("min-valid-lifetime"), o.u32Ptr("max-valid-lifetime")
	r.renew, r.rebind = o.u32Ptr("renew-timer"), o.u32Ptr("rebind-timer")
	r.calcTee = o.boolPtr("calculate-tee-times")
	r.t1, r.t2 = o.realPtr("t1-percent"), o.realPtr("t2-percent")
	if d.v6 {
		r.preferred, r.minPreferred, r.maxPreferred = o.u32Ptr("preferred-lifetime"), o.u32Ptr("min-preferred-lifetime"), o.u32Ptr("max-preferred-lifetime")
		r.pdAllocator = d.allocator(o, "pd-allocator")
	} else {
		r.matchClientID, r.authoritative = o.boolPtr("match-client-id"), o.boolPtr("authoritative")
		if a, ok := o.addr("next-server", true); ok {
			r.nextServer = &a
		}
		r.serverHostname = d.bootString(o, "server-hostname", 64)
		r.bootFileName = d.bootString(o, "boot-file-name", 128)
	}
	r.allocator = d.allocator(o, "allocator")
	d.reservationModes(o, &r)
	r.storeExtendedInfo = o.boolPtr("store-extended-info")
	r.cacheThreshold = o.realPtr("cache-threshold")
	if r.cacheThreshold != nil && (*r.cacheThreshold <= 0 || *r.cacheThreshold >= 1) {
		d.fail(o.take("cache-threshold"), o.sub("cache-threshold"), "%v must be greater than 0 and less than 1", *r.cacheThreshold)
	}
	r.cacheMaxAge = o.u32Ptr("cache-max-age")

	r.ddnsSendUpdates = o.boolPtr("ddns-send-updates")
	r.ddnsOverrideNoUpdate = o.boolPtr("ddns-override-no-update")
	r.ddnsOverrideClientUpdate = o.boolPtr("ddns-override-client-update")
	if o.has("ddns-replace-client-name") {
		s := o.enum("ddns-replace-client-name", "", "never", "always", "when-present", "when-not-present")
		r.ddnsReplaceClientName = &s
	}
	r.ddnsGeneratedPrefix = strPtr(o, "ddns-generated-prefix")
	r.ddnsQualifyingSuffix = strPtr(o, "ddns-qualifying-suffix")
	r.ddnsUpdateOnRenew = o.boolPtr("ddns-update-on-renew")
	r.ddnsUseConflictResolution = o.boolPtr("ddns-use-conflict-resolution")
	r.hostnameCharSet = strPtr(o, "hostname-char-set")
	r.hostnameCharReplacement = strPtr(o, "hostname-char-replacement")
	if r.hostnameCharSet != nil && *r.hostnameCharSet != "" {
		if _, err := regexp.Compile(*r.hostnameCharSet); err != nil {
			d.fail(o.take("hostname-char-set"), o.sub("hostname-char-set"), "%q is not a valid regular expression", *r.hostnameCharSet)
		}
	}
	if network {
		r.iface = strPtr(o, "interface")
		if d.v6 {
			r.ifaceID = strPtr(o, "interface-id")
			r.rapidCommit = o.boolPtr("rapid-commit")
		}
		if n := o.take("relay"); n != nil {
			ips := d.relay(n, o.sub("relay"))
			r.relay = &ips
		}
	}
	return r
}

func strPtr(o *obj, key string) *string {
	if s, ok := o.str(key); ok {
		return &s
	}
	return nil
}

// bootString reads sname or file, which must fit the DHCPv4 header field
// with its terminating zero.
func (d *dec) bootString(o *obj, key string, field int) *string {
	s := strPtr(o, key)
	if s != nil && len(*s) > field-1 {
		d.fail(o.take(key), o.sub(key), "%s must be at most %d bytes long, it is %d", key, field-1, len(*s))
	}
	return s
}

// allocator reads allocator or pd-allocator: "iterative" or "random"; Kea
// 2.4's free lease queue allocator "flq" is unsupported.
func (d *dec) allocator(o *obj, key string) *string {
	n := o.take(key)
	s, ok := o.str(key)
	if !ok {
		return nil
	}
	switch s {
	case "iterative", "random":
		return &s
	case "flq":
		d.unsupported(n, key+` "flq"`, o.path)
	default:
		d.fail(n, o.sub(key), "%q is not an allocator (iterative or random)", s)
	}
	return nil
}

// reservationModes reads reservations-global/-in-subnet/-out-of-pool or
// the deprecated reservation-mode (not both), translated as Kea does.
func (d *dec) reservationModes(o *obj, r *rawParams) {
	r.resGlobal = o.boolPtr("reservations-global")
	r.resInSubnet = o.boolPtr("reservations-in-subnet")
	r.resOutOfPool = o.boolPtr("reservations-out-of-pool")
	n := o.take("reservation-mode")
	mode, ok := o.str("reservation-mode")
	if !ok {
		return
	}
	if r.resGlobal != nil || r.resInSubnet != nil || r.resOutOfPool != nil {
		d.fail(n, o.sub("reservation-mode"), "reservation-mode may not be used with reservations-global, reservations-in-subnet or reservations-out-of-pool")
		return
	}
	t, f := true, false
	switch mode {
	case "disabled", "off":
		r.resGlobal, r.resInSubnet = &f, &f
	case "out-of-pool":
		r.resGlobal, r.resInSubnet, r.resOutOfPool = &f, &t, &t
	case "global":
		r.resGlobal, r.resInSubnet = &t, &f
	case "all":
		r.resGlobal, r.resInSubnet, r.resOutOfPool = &f, &t, &f
	default:
		d.fail(n, o.sub("reservation-mode"), "%q is not a reservation mode (disabled, out-of-pool, global, all)", mode)
		return
	}
	d.warn("%s: reservation-mode is deprecated; use reservations-global, reservations-in-subnet and reservations-out-of-pool", o.sub("reservation-mode"))
}

// relay reads a relay map: ip-addresses, or the deprecated ip-address.
func (d *dec) relay(n *node, path string) []netip.Addr {
	o := d.object(n, path, keaRelayKeys, keaRelayKeys)
	one, many := o.take("ip-address"), o.take("ip-addresses")
	switch {
	case d.failed():
		return nil
	case one != nil && many != nil:
		d.fail(n, path, "specify either ip-address or ip-addresses, not both")
		return nil
	case one != nil:
		a, _ := d.addr(one, o.sub("ip-address"), !d.v6)
		d.warn("%s: relay ip-address is deprecated; use ip-addresses", path)
		return []netip.Addr{a}
	case many == nil:
		d.fail(n, path, "relay needs ip-addresses")
		return nil
	}
	var out []netip.Addr
	o.each("ip-addresses", func(_ int, n *node, p string) {
		if a, ok := d.addr(n, p, !d.v6); ok {
			out = append(out, a)
		}
	})
	return out
}

func val[T any](p *T, def T) T {
	if p != nil {
		return *p
	}
	return def
}

// lifetime builds Kea's (min, default, max) triplet from the three keys
// as Kea's parseIntTriplet does; name is "valid-lifetime" or
// "preferred-lifetime". ok is false when none of the keys is set.
func (d *dec) lifetime(name string, def, lo, hi *uint32, n *node, path string) (Lifetime, bool) {
	switch {
	case def == nil && lo == nil && hi == nil:
		return Lifetime{}, false
	case def == nil && lo != nil && hi != nil:
		d.fail(n, path, "have min-%s and max-%s but no %s (default)", name, name, name)
		return Lifetime{}, false
	}
	var l Lifetime
	switch {
	case def != nil:
		l = Lifetime{val(lo, *def), *def, val(hi, *def)}
	case lo != nil:
		l = Lifetime{*lo, *lo, *lo}
	default:
		l = Lifetime{*hi, *hi, *hi}
	}
	switch {
	case l.Min > l.Max && lo != nil && hi != nil:
		d.fail(n, path, "min-%s (%d) is greater than max-%s (%d)", name, l.Min, name, l.Max)
	case l.Min > l.Default:
		d.fail(n, path, "min-%s (%d) is greater than %s (%d)", name, l.Min, name, l.Default)
	case l.Default > l.Max:
		d.fail(n, path, "%s (%d) is greater than max-%s (%d)", name, l.Default, name, l.Max)
	}
	return l, true
}

// Kea 2.2's global defaults that differ between DHCPv4 and DHCPv6.
const (
	defaultValidLifetime     = 7200
	defaultPreferredLifetime = 3600 // DHCPv6
	defaultT1Percent         = 0.5
	defaultT2Percent4        = 0.875
	defaultT2Percent6        = 0.8
)

// timers checks renew-timer against rebind-timer and resolves the T1/T2
// percentages with the family's defaults, checking them as Kea does when
// calculate-tee-times is on.
func (d *dec) timers(r rawParams, calcDefault bool, t2Default float64, n *node, path string) (calc bool, t1, t2 float64) {
	if r.renew != nil && r.rebind != nil && *r.renew > *r.rebind {
		d.fail(n, path, "renew-timer (%d) is greater than rebind-timer (%d)", *r.renew, *r.rebind)
	}
	calc = val(r.calcTee, calcDefault)
	t1, t2 = val(r.t1, defaultT1Percent), val(r.t2, t2Default)
	if calc {
		switch {
		case t2 <= 0 || t2 >= 1:
			d.fail(n, path, "t2-percent %v must be greater than 0 and less than 1", t2)
		case t1 <= 0 || t1 >= 1:
			d.fail(n, path, "t1-percent %v must be greater than 0 and less than 1", t1)
		case t1 >= t2:
			d.fail(n, path, "t1-percent %v must be less than t2-percent %v", t1, t2)
		}
	}
	return calc, t1, t2
}

func ddnsParams(r rawParams) DDNSParams {
	return DDNSParams{
		SendUpdates:             val(r.ddnsSendUpdates, true),
		OverrideNoUpdate:        val(r.ddnsOverrideNoUpdate, false),
		OverrideClientUpdate:    val(r.ddnsOverrideClientUpdate, false),
		ReplaceClientName:       val(r.ddnsReplaceClientName, "never"),
		GeneratedPrefix:         val(r.ddnsGeneratedPrefix, "myhost"),
		QualifyingSuffix:        val(r.ddnsQualifyingSuffix, ""),
		UpdateOnRenew:           val(r.ddnsUpdateOnRenew, false),
		UseConflictResolution:   val(r.ddnsUseConflictResolution, true),
		HostnameCharSet:         val(r.hostnameCharSet, "[^A-Za-z0-9.-]"),
		HostnameCharReplacement: val(r.hostnameCharReplacement, ""),
	}
}

func resModes(r rawParams) ReservationModes {
	return ReservationModes{
		Global:    val(r.resGlobal, false),
		InSubnet:  val(r.resInSubnet, true),
		OutOfPool: val(r.resOutOfPool, false),
	}
}

// params4 turns merged raw parameters into effective DHCPv4 values.
func (d *dec) params4(r rawParams, n *node, path string) Params4 {
	var p Params4
	vl := uint32(defaultValidLifetime)
	p.ValidLifetime, _ = d.lifetime("valid-lifetime", ptrOr(r.valid, &vl), r.minValid, r.maxValid, n, path)
	p.RenewTimer, p.RebindTimer = r.renew, r.rebind
	p.CalculateTeeTimes, p.T1Percent, p.T2Percent = d.timers(r, false, defaultT2Percent4, n, path)
	p.MatchClientID = val(r.matchClientID, true)
	p.Authoritative = val(r.authoritative, false)
	p.NextServer = val(r.nextServer, netip.IPv4Unspecified())
	p.ServerHostname = val(r.serverHostname, "")
	p.BootFileName = val(r.bootFileName, "")
	p.ReservationModes = resModes(r)
	p.Allocator = val(r.allocator, "iterative")
	p.StoreExtendedInfo = val(r.storeExtendedInfo, false)
	p.CacheThreshold, p.CacheMaxAge = r.cacheThreshold, r.cacheMaxAge
	p.DDNS = ddnsParams(r)
	return p
}

// params6 turns merged raw parameters into effective DHCPv6 values.
func (d *dec) params6(r rawParams, n *node, path string) Params6 {
	var p Params6
	vl, pl := uint32(defaultValidLifetime), uint32(defaultPreferredLifetime)
	p.ValidLifetime, _ = d.lifetime("valid-lifetime", ptrOr(r.valid, &vl), r.minValid, r.maxValid, n, path)
	p.PreferredLifetime, _ = d.lifetime("preferred-lifetime", ptrOr(r.preferred, &pl), r.minPreferred, r.maxPreferred, n, path)
	p.RenewTimer, p.RebindTimer = r.renew, r.rebind
	p.CalculateTeeTimes, p.T1Percent, p.T2Percent = d.timers(r, true, defaultT2Percent6, n, path)
	p.ReservationModes = resModes(r)
	p.Allocator = val(r.allocator, "iterative")
	p.PDAllocator = val(r.pdAllocator, "iterative")
	p.StoreExtendedInfo = val(r.storeExtendedInfo, false)
	p.CacheThreshold, p.CacheMaxAge = r.cacheThreshold, r.cacheMaxAge
	p.DDNS = ddnsParams(r)
	return p
}

func ptrOr[T any](p, def *T) *T {
	if p != nil {
		return p
	}
	return def
}

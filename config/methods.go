package config

// Helpers that encode Kea 2.2's run-time rules over the configuration, so
// both servers apply them alike.

// Admits reports whether a client that belongs to the classes for which
// inClass is true may use the subnet. As in Kea 2.2, the subnet's
// client-class and its shared network's must both match, each when set.
func (s *Subnet4) Admits(inClass func(class string) bool) bool {
	if s.Network != nil && s.Network.ClientClass != "" && !inClass(s.Network.ClientClass) {
		return false
	}
	return s.ClientClass == "" || inClass(s.ClientClass)
}

// Admits is Subnet4.Admits for DHCPv6.
func (s *Subnet6) Admits(inClass func(class string) bool) bool {
	if s.Network != nil && s.Network.ClientClass != "" && !inClass(s.Network.ClientClass) {
		return false
	}
	return s.ClientClass == "" || inClass(s.ClientClass)
}

// Admits reports whether a client of those classes may get an address
// from the pool (its client-class, when set, must match).
func (p *Pool) Admits(inClass func(class string) bool) bool {
	return p.ClientClass == "" || inClass(p.ClientClass)
}

// Admits is Pool.Admits for prefix delegation pools.
func (p *PDPool) Admits(inClass func(class string) bool) bool {
	return p.ClientClass == "" || inClass(p.ClientClass)
}

// RequiredClasses lists the only-if-required classes to evaluate for a
// client given this subnet and the pool its address came from (nil when
// none): the shared network's, the subnet's and the pool's
// require-client-classes, gathered as Kea 2.2 does. Kea then evaluates
// them in the order of the client-classes list.
func (s *Subnet4) RequiredClasses(pool *Pool) []string {
	var out []string
	if s.Network != nil {
		out = append(out, s.Network.RequireClientClasses...)
	}
	out = append(out, s.RequireClientClasses...)
	if pool != nil {
		out = append(out, pool.RequireClientClasses...)
	}
	return out
}

// RequiredClasses is Subnet4.RequiredClasses for DHCPv6 (the pools of all
// the client's leases apply, address and prefix pools alike).
func (s *Subnet6) RequiredClasses(pools []*Pool, pdPools []*PDPool) []string {
	var out []string
	if s.Network != nil {
		out = append(out, s.Network.RequireClientClasses...)
	}
	out = append(out, s.RequireClientClasses...)
	for _, p := range pools {
		out = append(out, p.RequireClientClasses...)
	}
	for _, p := range pdPools {
		out = append(out, p.RequireClientClasses...)
	}
	return out
}

// OptionScopes returns the option-data of the pool (when not nil), the
// subnet and its shared network, in the order Kea 2.2 searches them. A
// server looks an option up in a reservation's options first, then in
// these scopes, then in the classes of the packet (classification order),
// then in the global options, and takes the first it finds.
func (s *Subnet4) OptionScopes(pool *Pool) [][]OptionData {
	var out [][]OptionData
	if pool != nil {
		out = append(out, pool.Options)
	}
	out = append(out, s.Options)
	if s.Network != nil {
		out = append(out, s.Network.Options)
	}
	return out
}

// OptionScopes is Subnet4.OptionScopes for DHCPv6: Kea 2.2 searches the
// options of the pool of every address and prefix in the reply (pass
// their Options in reply order), then the subnet's and the network's.
func (s *Subnet6) OptionScopes(poolOptions ...[]OptionData) [][]OptionData {
	out := append([][]OptionData(nil), poolOptions...)
	out = append(out, s.Options)
	if s.Network != nil {
		out = append(out, s.Network.Options)
	}
	return out
}

package config

import "net/netip"

// builtinClasses may be defined (to give them options) but not with a test
// or only-if-required, as in Kea 2.2.
var builtinClasses = map[string]bool{"ALL": true, "KNOWN": true, "UNKNOWN": true, "BOOTP": true}

// classes reads "client-classes". Class option-data resolves definitions
// in the class's own option-def first, then the global ones.
func (d *dec) classes(o *obj, global *defTable) []ClientClass {
	var out []ClientClass
	seen := map[string]string{}
	o.each("client-classes", func(_ int, n *node, path string) {
		kea := keaClass4Keys
		if d.v6 {
			kea = keaClass6Keys
		}
		c := d.object(n, path, kea, kea)
		cc := ClientClass{Path: path}
		cc.Name, _ = c.str("name")
		if cc.Name == "" && !d.failed() {
			d.fail(n, path, "a client class needs a non-empty name")
			return
		}
		if first, dup := seen[cc.Name]; dup {
			d.fail(n, path, "client class %q is already defined at %s", cc.Name, first)
			return
		}
		seen[cc.Name] = path
		cc.Test = c.strOr("test", "")
		cc.OnlyIfRequired = c.boolOr("only-if-required", false)
		switch {
		case builtinClasses[cc.Name] && cc.OnlyIfRequired:
			d.fail(n, path, "built-in class %q cannot be only-if-required", cc.Name)
		case builtinClasses[cc.Name] && cc.Test != "":
			d.fail(n, path, "built-in class %q cannot have a test", cc.Name)
		case cc.Name == "DROP" && cc.OnlyIfRequired:
			d.fail(n, path, "special class DROP cannot be only-if-required")
		}
		cc.OptionDefs = d.parseOptionDefs(c, "option-def", true)
		defs := &defTable{v6: d.v6, local: cc.OptionDefs, global: global.global}
		cc.Options = d.parseOptionData(c, defs)
		if !d.v6 {
			cc.NextServer = netip.IPv4Unspecified()
			if a, ok := c.addr("next-server", true); ok {
				if a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
					d.fail(c.take("next-server"), c.sub("next-server"), "next-server may not be the broadcast address")
				}
				cc.NextServer = a
			}
			cc.ServerHostname = val(d.bootString(c, "server-hostname", 64), "")
			cc.BootFileName = val(d.bootString(c, "boot-file-name", 128), "")
		}
		if l, ok := d.lifetime("valid-lifetime", c.u32Ptr("valid-lifetime"), c.u32Ptr("min-valid-lifetime"), c.u32Ptr("max-valid-lifetime"), n, path); ok {
			cc.ValidLifetime = &l
		}
		if d.v6 {
			if l, ok := d.lifetime("preferred-lifetime", c.u32Ptr("preferred-lifetime"), c.u32Ptr("min-preferred-lifetime"), c.u32Ptr("max-preferred-lifetime"), n, path); ok {
				cc.PreferredLifetime = &l
			}
		}
		cc.UserContext, cc.Comment = c.userContext()
		out = append(out, cc)
	})
	return out
}

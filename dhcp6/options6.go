package dhcp6

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"

	"github.com/leasehold/leasehold/config"
)

// optionLevel holds the option-data of one level (global, shared network,
// subnet, pool, class, reservation): the top-level DHCPv6 options and the
// vendor options meant for OPTION_VENDOR_OPTS (17) of one enterprise.
type optionLevel struct {
	opts   []cfgOption
	vendor []vendorOption
}

type cfgOption struct {
	code         uint16
	data         []byte
	always, mask bool // always-send; never-send masks the code below this level
}

type vendorOption struct {
	enterprise uint32
	cfgOption
}

func newOptionLevel(list []config.OptionData) optionLevel {
	var l optionLevel
	for _, o := range list {
		c := cfgOption{code: o.Code, data: o.Data, always: o.AlwaysSend, mask: o.NeverSend}
		switch {
		case o.Space == config.SpaceDHCP6:
			l.opts = append(l.opts, c)
		case strings.HasPrefix(o.Space, "vendor-"):
			ent, err := strconv.ParseUint(o.Space[len("vendor-"):], 10, 32)
			if err == nil {
				l.vendor = append(l.vendor, vendorOption{enterprise: uint32(ent), cfgOption: c})
			}
		}
	}
	return l
}

func (l *optionLevel) empty() bool { return len(l.opts) == 0 && len(l.vendor) == 0 }

func (l *optionLevel) get(code uint16) (cfgOption, bool) {
	for _, o := range l.opts {
		if o.code == code {
			return o, true
		}
	}
	return cfgOption{}, false
}

func (l *optionLevel) getVendor(ent uint32, code uint16) (cfgOption, bool) {
	for _, o := range l.vendor {
		if o.enterprise == ent && o.code == code {
			return o.cfgOption, true
		}
	}
	return cfgOption{}, false
}

// outOption is a top-level option of a reply taken from the configuration.
type outOption struct {
	code uint16
	data []byte
}

// buildOptionList gathers the levels that may supply options for this
// reply, in Kea's order of precedence: the client's reservation, the
// pools of the leases in the reply, the subnet, its shared network, the
// packet's classes in classification order, the global options.
func (x *exchange) buildOptionList() {
	x.levels = x.levels[:0]
	add := func(l *optionLevel) {
		if !l.empty() && !slices.Contains(x.levels, l) {
			x.levels = append(x.levels, l)
		}
	}
	if h := x.currentHost(); h != nil {
		add(&h.opts)
	}
	if sn := x.subnet; sn != nil {
		for _, r := range x.allocated {
			if r.Bits() == 128 {
				if p := sn.poolOf(r.Addr()); p != nil {
					add(&p.opts)
				}
			} else if p := sn.pdPoolHolding(r.Addr()); p != nil {
				add(&p.opts)
			}
		}
		add(&sn.opts)
		if sn.network != nil {
			add(&sn.network.opts)
		}
	}
	for _, ci := range x.classes.order {
		if ci >= 0 {
			add(&x.v.classes[ci].opts)
		}
	}
	add(&x.v.global)
}

// appendRequestedOptions picks the options the client asked for in its ORO
// and those configured with always-send, each from the first level that
// has it, as Kea's appendRequestedOptions does. The result is sorted by
// code, the order Kea packs options in.
func (x *exchange) appendRequestedOptions() {
	x.out = x.out[:0]
	if len(x.levels) == 0 {
		return
	}
	x.codes = x.codes[:0]
	if data, ok := x.msg.Options.Get(OptORO); ok {
		if oro, err := ParseORO(data); err == nil {
			for c := range oro.All() {
				x.codes = append(x.codes, uint16(c))
			}
		}
	}
	for _, l := range x.levels {
		for _, o := range l.opts {
			if o.always {
				x.codes = append(x.codes, o.code)
			}
		}
	}
	for _, code := range x.codes {
		if x.serverOwned(code) || x.hasOut(code) {
			continue
		}
		for _, l := range x.levels {
			if o, ok := l.get(code); ok {
				if !o.mask {
					x.out = append(x.out, outOption{code: code, data: o.data})
				}
				break
			}
		}
	}
	slices.SortStableFunc(x.out, func(a, b outOption) int { return int(a.code) - int(b.code) })
}

func (x *exchange) hasOut(code uint16) bool {
	for _, o := range x.out {
		if o.code == code {
			return true
		}
	}
	return false
}

// serverOwned reports whether the server writes code itself, so the
// configuration cannot supply it (Kea: "add nothing when it is already
// there").
func (x *exchange) serverOwned(code uint16) bool {
	switch OptionCode(code) {
	case OptClientID, OptServerID, OptIANA, OptIATA, OptIAPD, OptStatusCode, OptRapidCommit:
		return true
	case OptClientFQDN:
		return x.fqdnOut
	}
	return false
}

// vendorORO is the DOCSIS ORO sub-option of CableLabs' vendor options.
const (
	enterpriseCableLabs = 4491
	docsisORO           = 1
	docsisDeviceID      = 36
	docsisCMTSCMMAC     = 1026
)

// appendRequestedVendorOptions fills OPTION_VENDOR_OPTS for the client's
// vendor: the enterprise of a configured option 17 already in the reply,
// else of the client's option 17, else of its vendor-class option; the
// sub-options the client asked for (CableLabs' ORO sub-option) and those
// configured always-send, each from the first level that has it.
func (x *exchange) appendRequestedVendorOptions() {
	x.vendorSubs = x.vendorSubs[:0]
	x.vendorEnt, x.vendorIdx = 0, -1
	if x.subnet == nil || len(x.levels) == 0 {
		return
	}
	for i, o := range x.out {
		if o.code == uint16(OptVendorOpts) && len(o.data) >= 4 {
			x.vendorEnt, x.vendorIdx = binary.BigEndian.Uint32(o.data), i
			break
		}
	}
	var clientVendor []byte
	if data, ok := x.msg.Options.Get(OptVendorOpts); ok {
		if vo, err := ParseVendorOpts(data); err == nil {
			if x.vendorEnt == 0 {
				x.vendorEnt = vo.Enterprise
			}
			if vo.Enterprise == x.vendorEnt {
				clientVendor = vo.Options
			}
		}
	}
	if x.vendorEnt == 0 {
		if data, ok := x.msg.Options.Get(OptVendorClass); ok {
			if vc, err := ParseVendorClass(data); err == nil {
				x.vendorEnt = vc.Enterprise
			}
		}
	}
	if x.vendorEnt == 0 {
		return
	}
	x.codes = x.codes[:0]
	if x.vendorEnt == enterpriseCableLabs && clientVendor != nil {
		if oro, ok := Options(clientVendor).Get(docsisORO); ok {
			for i := 0; i+1 < len(oro); i += 2 {
				x.codes = append(x.codes, binary.BigEndian.Uint16(oro[i:]))
			}
		}
	}
	for _, l := range x.levels {
		for _, o := range l.vendor {
			if o.enterprise == x.vendorEnt && o.always {
				x.codes = append(x.codes, o.code)
			}
		}
	}
	for _, code := range x.codes {
		if x.hasVendorSub(code) {
			continue
		}
		for _, l := range x.levels {
			if o, ok := l.getVendor(x.vendorEnt, code); ok {
				if !o.mask {
					x.vendorSubs = append(x.vendorSubs, outOption{code: code, data: o.data})
				}
				break
			}
		}
	}
	if len(x.vendorSubs) == 0 {
		return
	}
	if x.vendorIdx < 0 {
		// A new option 17 of the vendor, slotted in code order.
		x.out = append(x.out, outOption{code: uint16(OptVendorOpts)})
		slices.SortStableFunc(x.out, func(a, b outOption) int { return int(a.code) - int(b.code) })
		for i, o := range x.out {
			if o.code == uint16(OptVendorOpts) && o.data == nil {
				x.vendorIdx = i
			}
		}
	}
}

func (x *exchange) hasVendorSub(code uint16) bool {
	for _, o := range x.vendorSubs {
		if o.code == code {
			return true
		}
	}
	return false
}

// writeOut writes configured option i of the reply; option 17 of the
// client's vendor gets its sub-options appended.
func (x *exchange) writeOut(b *Builder, i int) {
	o := x.out[i]
	if i != x.vendorIdx {
		b.AddOption(OptionCode(o.code), o.data)
		return
	}
	b.StartOption(OptVendorOpts)
	if o.data == nil {
		b.WriteUint32(x.vendorEnt)
	} else {
		b.WriteBytes(o.data)
	}
	for _, s := range x.vendorSubs {
		b.WriteUint16(s.code)
		b.WriteUint16(uint16(len(s.data)))
		b.WriteBytes(s.data)
	}
	b.EndOption()
}

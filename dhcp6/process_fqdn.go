package dhcp6

import (
	"regexp"
	"strings"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/lease"
)

// The client FQDN option (RFC 4704) is answered as Kea 2.2 answers it
// with DNS updates off (leasehold sends none): the server sets N and
// clears S, with O when that overrides the client's S; the name is the
// reservation's host name, or the client's with the labels scrubbed by
// hostname-char-set and a partial name qualified with
// ddns-qualifying-suffix, or, for a REQUEST, RENEW or REBIND that sent
// an empty name, one generated from the address. The name (with its
// trailing dot) is the lease's host name.

// sanitizer is a subnet's hostname-char-set.
type sanitizer struct {
	re   *regexp.Regexp
	repl []byte
}

func newSanitizer(d config.DDNSParams) (*sanitizer, error) {
	if d.HostnameCharSet == "" {
		return nil, nil
	}
	re, err := regexp.Compile(d.HostnameCharSet)
	if err != nil {
		return nil, err
	}
	return &sanitizer{re: re, repl: []byte(d.HostnameCharReplacement)}, nil
}

func (x *exchange) ddns() *config.DDNSParams {
	if x.subnet == nil {
		return &config.DDNSParams{}
	}
	return &x.subnet.cfg.DDNS
}

// qualify appends the qualifying suffix to a partial name and the final
// dot (Kea's qualifyName with a trailing dot).
func qualify(name, suffix string) string {
	if suffix != "" {
		if name != "" && !strings.HasSuffix(name, ".") {
			name += "."
		}
		name += suffix
	}
	if name != "" && !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// qualifyReserved is the host name a reservation gives: qualified when
// the client sent an FQDN option, as written otherwise.
func (x *exchange) qualifyReserved(name string) string {
	if x.msg.Options.Has(OptClientFQDN) {
		return qualify(name, x.ddns().QualifyingSuffix)
	}
	return name
}

// processClientFqdn decides the reply's FQDN option and the lease host
// name. ok false: the client set both N and S, which Kea treats as an
// error that drops the packet.
func (x *exchange) processClientFqdn() bool {
	data, present := x.msg.Options.Get(OptClientFQDN)
	if !present {
		if h := x.currentHost(); h != nil {
			x.hostname = h.cfg.Hostname
		}
		return true
	}
	f, err := ParseClientFQDN(data)
	if err != nil {
		return false
	}
	s, n := f.Flags&FQDNFlagS != 0, f.Flags&FQDNFlagN != 0
	if s && n {
		return false
	}
	x.fqdnFlags = FQDNFlagN
	if s {
		x.fqdnFlags |= FQDNFlagO
	}
	d := x.ddns()
	switch h := x.currentHost(); {
	case h != nil && h.cfg.Hostname != "":
		x.hostname = qualify(h.cfg.Hostname, d.QualifyingSuffix)
	case d.ReplaceClientName == "always" || d.ReplaceClientName == "when-present" || len(f.Name) == 0:
		x.hostname = ""
	default:
		name, ok := x.scrubName(f)
		if !ok {
			return false
		}
		x.hostname = name
	}
	x.fqdnOut = true
	return true
}

// scrubName turns the client's wire-format name into text, scrubbing each
// label with the subnet's sanitizer and qualifying a partial name.
func (x *exchange) scrubName(f ClientFQDN) (string, bool) {
	var san *sanitizer
	if x.subnet != nil {
		san = x.subnet.sanitizer
	}
	var sb strings.Builder
	name := f.Name
	for i := 0; i < len(name) && name[i] != 0; {
		l := int(name[i])
		if i+1+l > len(name) {
			return "", false
		}
		label := name[i+1 : i+1+l]
		if san != nil {
			label = san.re.ReplaceAll(label, san.repl)
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.Write(label)
		i += 1 + l
	}
	out := sb.String()
	if f.FullyQualified() {
		out += "."
	} else {
		out = qualify(out, x.ddns().QualifyingSuffix)
	}
	var check Builder
	check.AddClientFQDN(0, out)
	if check.Err() != nil {
		return "", false
	}
	return out, true
}

// updateReservedFqdn puts the reservation's host name in the reply when
// allocation moved the client to a subnet whose reservation has another.
func (x *exchange) updateReservedFqdn() {
	if !x.fqdnOut {
		return
	}
	if h := x.currentHost(); h != nil && h.cfg.Hostname != "" {
		x.hostname = qualify(h.cfg.Hostname, x.ddns().QualifyingSuffix)
	}
}

// generateFqdn names a client that sent an empty FQDN after the first
// address of its first IA_NA, and records the name in that lease.
func (x *exchange) generateFqdn() {
	if !x.fqdnOut || x.hostname != "" {
		return
	}
	var addr []byte
	for i := range x.ias {
		o := &x.ias[i]
		if o.code != OptIANA {
			continue
		}
		for _, sub := range x.subs[o.first : o.first+o.n] {
			if sub.kind == subAddr {
				addr = sub.pfx.Addr().AppendTo(nil)
				break
			}
		}
		break
	}
	if addr == nil {
		return
	}
	d := x.ddns()
	text := strings.ReplaceAll(string(addr), ":", "-")
	prefix := d.GeneratedPrefix
	if prefix == "" {
		prefix = "myhost"
	}
	x.hostname = qualify(prefix+"-"+text, d.QualifyingSuffix)
	if x.reply == Advertise {
		return
	}
	for i := range x.newLeases {
		l := &x.newLeases[i]
		if l.Type == lease.TypeNA && l.Addr.String() == string(addr) {
			l.Hostname = x.hostname
			if err := x.s.store.Update6(x.ctx, l); err != nil {
				x.storeErr = err
			}
			x.changed = true
			break
		}
	}
}

package dhcp6

import (
	"strings"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/hostname"
	"github.com/leasehold/leasehold/lease"
)

// The client FQDN option (RFC 4704) is answered as Kea 2.2 answers it
// with DNS updates off (leasehold sends none): the server sets N and
// clears S, with O when that overrides the client's S; the name is the
// reservation's host name, or the client's read as a domain name (ASCII
// letters lowered), its raw labels scrubbed by hostname-char-set and a
// partial name qualified with ddns-qualifying-suffix (internal/hostname),
// or, for a REQUEST, RENEW or REBIND that sent an empty name, one
// generated from the address. The name in Kea's text form (escapes, a
// trailing dot) is the lease's host name; the reply carries its labels.

// sanitizer is a subnet's hostname-char-set; nil when it is "".
type sanitizer = hostname.Sanitizer

func newSanitizer(d config.DDNSParams) (*sanitizer, error) {
	return hostname.NewSanitizer(d.HostnameCharSet, d.HostnameCharReplacement)
}

func (x *exchange) ddns() *config.DDNSParams {
	if x.subnet == nil {
		return &config.DDNSParams{}
	}
	return &x.subnet.cfg.DDNS
}

// qualify appends the qualifying suffix to a partial name and the final
// dot (Kea's qualifyName with a trailing dot).
func qualify(name, suffix string) string { return hostname.Qualify(name, suffix, true) }

// fqdnText is a configured name as Kea answers it: read as a domain name,
// letters lowered; as written if it is not one.
func fqdnText(name string) string {
	n, _, err := hostname.ParseText(name)
	if err != nil {
		return name
	}
	return n.Text()
}

// qualifyReserved is the host name a reservation gives: qualified when
// the client sent an FQDN option, as written otherwise.
func (x *exchange) qualifyReserved(name string) string {
	if x.msg.Options.Has(OptClientFQDN) {
		return fqdnText(qualify(name, x.ddns().QualifyingSuffix))
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
		x.hostname = fqdnText(qualify(h.cfg.Hostname, d.QualifyingSuffix))
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

// scrubName is Kea's adjustDomainName of the client's non-empty name: read
// as a domain name, sanitized label by label, qualified when partial; the
// result in text form. ok false: Kea drops the packet (a name sanitized to
// an empty label).
func (x *exchange) scrubName(f ClientFQDN) (string, bool) {
	var san *sanitizer
	if x.subnet != nil {
		san = x.subnet.sanitizer
	}
	n, partial, err := hostname.ParseWire(f.Name)
	if err == nil {
		n, err = hostname.Adjust(n, partial, san, x.ddns().QualifyingSuffix)
	}
	if err != nil {
		x.s.pktLog.Debug("client FQDN unusable; packet dropped", "error", err)
		return "", false
	}
	return n.Text(), true
}

// updateReservedFqdn puts the reservation's host name in the reply when
// allocation moved the client to a subnet whose reservation has another.
func (x *exchange) updateReservedFqdn() {
	if !x.fqdnOut {
		return
	}
	if h := x.currentHost(); h != nil && h.cfg.Hostname != "" {
		x.hostname = fqdnText(qualify(h.cfg.Hostname, x.ddns().QualifyingSuffix))
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

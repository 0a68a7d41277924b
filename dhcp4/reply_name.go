package dhcp4

import (
	"net/netip"
	"strings"

	"github.com/leasehold/leasehold/config"
)

// nameState is the client name decided for the reply and the lease
// (Kea's processClientName with DNS updates disabled, which is all
// leasehold supports): the Client FQDN option (81) when the client sent
// one, else the Host Name option (12).
type nameState struct {
	opt uint8 // OptClientFQDN, OptHostname, or 0 for no name option in the reply
	// value is the name for the reply and the lease; "" with opt set
	// means the server generates one from the leased address.
	value string
	// FQDN reply flags: S=0, N=1 (no updates), O when the client asked
	// for S, and the client's E (encoding).
	flags uint8
	rcode uint8 // the client's RCODE2, echoed as Kea does
}

// processClientName decides the name before allocation.
func (w *worker) processClientName() {
	x := &w.x
	x.name = nameState{}
	p := x.subnet.cfg.DDNS
	host := w.currentHost()
	if f, ok := w.m.ClientFQDN(); ok {
		x.name.opt = OptClientFQDN
		x.name.rcode = f.RCode2
		x.name.flags = FQDNNoUpdate | f.Flags&FQDNEncoded
		if f.Flags&FQDNServerUpdate != 0 {
			x.name.flags |= FQDNOverride
		}
		switch {
		case host != nil && host.hostname != "":
			x.name.value = qualifyName(host.hostname, p, true)
		case p.ReplaceClientName == "always" || p.ReplaceClientName == "when-present" || len(f.Name) == 0:
			x.name.value = ""
		default:
			text := string(f.AppendText(w.name[:0]))
			full := !f.Partial()
			text = strings.TrimSuffix(text, ".")
			text = w.scrubLabels(text)
			if full {
				x.name.value = text + "."
			} else {
				x.name.value = qualifyName(text, p, true)
			}
		}
		return
	}
	if host != nil && host.hostname != "" {
		x.name.opt = OptHostname
		x.name.value = strings.ToLower(qualifyName(host.hostname, p, false))
		return
	}
	hn, ok := w.m.Hostname()
	if !ok {
		if p.ReplaceClientName == "always" || p.ReplaceClientName == "when-not-present" {
			x.name = nameState{opt: OptHostname}
		}
		return
	}
	name := strings.TrimSpace(strings.TrimRight(string(hn), "\x00"))
	labels := labelCount(name)
	if labels == 0 {
		return // RFC 2131 3.14: at least one octet; Kea ignores the option
	}
	x.name.opt = OptHostname
	if p.ReplaceClientName == "always" || p.ReplaceClientName == "when-present" || labels < 2 {
		x.name.value = ""
		return
	}
	if san := w.sanitizer(); san != nil {
		name = san.ReplaceAllString(name, p.HostnameCharReplacement)
	}
	name = strings.ToLower(name)
	if labels == 2 {
		name = qualifyName(name, p, false)
	}
	x.name.value = name
}

// leaseHostname is the host name stored in the lease at addr: the decided
// name, or one generated from the address when the reply carries a name
// option without a name (Kea's postAllocateNameUpdate).
func (w *worker) leaseHostname(addr netip.Addr) string {
	n := &w.x.name
	if n.opt == 0 || n.value != "" {
		return n.value
	}
	return generateName(addr, w.x.subnet.cfg.DDNS, n.opt == OptClientFQDN)
}

// generateName is D2ClientMgr::generateFqdn: the generated prefix and the
// address with dashes, qualified.
func generateName(addr netip.Addr, p config.DDNSParams, trailingDot bool) string {
	prefix := p.GeneratedPrefix
	if prefix == "" {
		prefix = "myhost"
	}
	return qualifyName(prefix+"-"+strings.ReplaceAll(addr.String(), ".", "-"), p, trailingDot)
}

// qualifyName is D2ClientMgr::qualifyName: append the qualifying suffix,
// then add or strip the final dot.
func qualifyName(partial string, p config.DDNSParams, trailingDot bool) string {
	name := partial
	if p.QualifyingSuffix != "" {
		if name != "" && !strings.HasSuffix(name, ".") {
			name += "."
		}
		name += p.QualifyingSuffix
	}
	if trailingDot {
		if name != "" && !strings.HasSuffix(name, ".") {
			name += "."
		}
	} else {
		name = strings.TrimSuffix(name, ".")
	}
	return name
}

// labelCount counts labels as Kea's getLabelCount does, the root label
// included: "" is 0, "." is 1, "host" 2, "host.example" 3.
func labelCount(name string) int {
	if name == "" {
		return 0
	}
	n := strings.Count(strings.TrimSuffix(name, "."), ".")
	if name == "." {
		return 1
	}
	return n + 2
}

func (w *worker) sanitizer() interface {
	ReplaceAllString(src, repl string) string
} {
	if s := w.x.subnet; s != nil && s.sanitize != nil {
		return s.sanitize
	}
	if w.x.v.sanitizer != nil {
		return w.x.v.sanitizer
	}
	return nil
}

// scrubLabels applies hostname-char-set to each label of a domain name,
// as Kea does for the Client FQDN option.
func (w *worker) scrubLabels(name string) string {
	san := w.sanitizer()
	if san == nil || name == "" {
		return name
	}
	repl := w.x.subnet.cfg.DDNS.HostnameCharReplacement
	labels := strings.Split(name, ".")
	for i, l := range labels {
		labels[i] = san.ReplaceAllString(l, repl)
	}
	return strings.Join(labels, ".")
}

// nameForReply returns the name to put in the reply option for the lease
// the client got.
func (w *worker) nameForReply() string {
	x := &w.x
	if x.haveLease {
		return x.lease.Hostname
	}
	return x.name.value
}

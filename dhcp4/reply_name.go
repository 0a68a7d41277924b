package dhcp4

import (
	"net/netip"
	"strings"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/hostname"
)

// nameState is the client name decided for the reply and the lease
// (Kea's processClientName with DNS updates disabled, which is all
// leasehold supports): the Client FQDN option (81) when the client sent
// one, else the Host Name option (12).
type nameState struct {
	opt uint8 // OptClientFQDN, OptHostname, or 0 for no name option in the reply
	// value is the name for the reply and the lease; "" with opt set
	// means the server generates one from the leased address. A Client
	// FQDN name is in Kea's text form (internal/hostname), which the
	// builder turns back into wire format for an E=1 reply.
	value string
	// FQDN reply flags: S=0, N=1 (no updates), O when the client asked
	// for S, and the client's E (encoding).
	flags uint8
	rcode uint8 // the client's RCODE2, echoed as Kea does
}

// processClientName decides the name before allocation, as Kea 2.2 does
// (see internal/hostname for what happens to the bytes of a name).
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
			x.name.value = fqdnText(qualifyName(host.hostname, p, true))
		case p.ReplaceClientName == "always" || p.ReplaceClientName == "when-present" || len(f.Name) == 0:
			x.name.value = ""
		default:
			name, err := w.clientFQDN(f)
			if err != nil {
				// Kea gives up on the client's name (no option 81 in the
				// reply, no host name in the lease) and serves the client.
				w.s.pktLog.Debug("client FQDN unusable; no name", "error", err)
				x.name = nameState{}
				return
			}
			x.name.value = name
		}
		return
	}
	if host != nil && host.hostname != "" {
		x.name.opt = OptHostname
		x.name.value = hostname.LowerASCII(qualifyName(host.hostname, p, false))
		return
	}
	hn, ok := w.m.Hostname()
	if !ok {
		if p.ReplaceClientName == "always" || p.ReplaceClientName == "when-not-present" {
			x.name = nameState{opt: OptHostname}
		}
		return
	}
	// Kea drops trailing NULs (OptionString), trims spaces, tabs and
	// newlines, and keeps every other byte: with hostname-char-set ""
	// control bytes and spaces stay in the reply and the lease.
	name := hostname.Trim(strings.TrimRight(string(hn), "\x00"))
	labels := labelCount(name)
	if labels == 0 {
		return // RFC 2131 3.14: at least one octet; Kea ignores the option
	}
	x.name.opt = OptHostname
	if p.ReplaceClientName == "always" || p.ReplaceClientName == "when-present" || labels < 2 {
		x.name.value = ""
		return
	}
	name = hostname.LowerASCII(x.subnet.sanitize.Scrub(name))
	if labels == 2 {
		name = qualifyName(name, p, false)
	}
	x.name.value = name
}

// clientFQDN is Kea's adjustDomainName of the client's non-empty name:
// read as a domain name (ASCII letters lowered), sanitized label by label,
// qualified when partial; the result in text form.
func (w *worker) clientFQDN(f ClientFQDN) (string, error) {
	var n hostname.Name
	var partial bool
	var err error
	if f.Flags&FQDNEncoded != 0 {
		n, partial, err = hostname.ParseWire(f.Name)
	} else {
		n, partial, err = hostname.ParseText(string(f.Name))
	}
	if err != nil {
		return "", err
	}
	n, err = hostname.Adjust(n, partial, w.x.subnet.sanitize, w.x.subnet.cfg.DDNS.QualifyingSuffix)
	if err != nil {
		return "", err
	}
	return n.Text(), nil
}

// fqdnText is a configured name as Kea answers it in option 81: read as a
// domain name, letters lowered; as written if it is not one.
func fqdnText(name string) string {
	n, _, err := hostname.ParseText(name)
	if err != nil {
		return name
	}
	return n.Text()
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

// qualifyName is D2ClientMgr::qualifyName with the subnet's suffix.
func qualifyName(partial string, p config.DDNSParams, trailingDot bool) string {
	return hostname.Qualify(partial, p.QualifyingSuffix, trailingDot)
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

// nameForReply returns the name to put in the reply option for the lease
// the client got.
func (w *worker) nameForReply() string {
	x := &w.x
	if x.haveLease {
		return x.lease.Hostname
	}
	return x.name.value
}

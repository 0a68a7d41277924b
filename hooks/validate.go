package hooks

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/leasehold/leasehold/lease"
)

// snapshot keeps what a callout may change at a point, so that an invalid
// change can be undone.
type snapshot struct {
	fields   Field
	query    []byte
	response []byte
	subnet4  *Subnet4
	subnet6  *Subnet6
	lease4p  *lease.Lease4
	lease4   lease.Lease4
	lease6p  *lease.Lease6
	lease6   lease.Lease6
	ia       []byte
	idType   string
	idValue  []byte
	errText  string
	inUse    bool
}

func (s *snapshot) take(p Point, a *Args) {
	s.fields = p.Changes()
	s.query, s.response = a.Query, a.Response
	s.subnet4, s.subnet6 = a.Subnet4, a.Subnet6
	s.lease4p, s.lease6p = a.Lease4, a.Lease6
	if a.Lease4 != nil && s.fields&FieldLease != 0 {
		s.lease4 = *a.Lease4
	}
	if a.Lease6 != nil && s.fields&FieldLease != 0 {
		s.lease6 = *a.Lease6
	}
	s.ia = a.IA
	s.idType, s.idValue = a.IDType, a.IDValue
	s.errText, s.inUse = a.Error, a.OfferAddressInUse
}

// restore undoes every change, allowed or not.
func (s *snapshot) restore(a *Args) {
	a.Query, a.Response = s.query, s.response
	a.Subnet4, a.Subnet6 = s.subnet4, s.subnet6
	a.Lease4, a.Lease6 = s.lease4p, s.lease6p
	if s.lease4p != nil && s.fields&FieldLease != 0 {
		*s.lease4p = s.lease4
	}
	if s.lease6p != nil && s.fields&FieldLease != 0 {
		*s.lease6p = s.lease6
	}
	a.IA = s.ia
	a.IDType, a.IDValue = s.idType, s.idValue
	a.Error, a.OfferAddressInUse = s.errText, s.inUse
}

// check validates a's changes against the snapshot: a change of a field
// the point does not allow is an error, and so is an allowed change that
// breaks that field's rules. It also points a changed Subnet4/Subnet6 back
// at the collection's element with the chosen ID.
func (s *snapshot) check(p Point, a *Args) error {
	allowed := s.fields
	changed := func(f Field, same bool) error {
		if !same && allowed&f == 0 {
			return fmt.Errorf("%s may not change %s", p, fieldName(f))
		}
		return nil
	}
	if err := changed(FieldQuery, sameBytes(a.Query, s.query)); err != nil {
		return err
	}
	if err := changed(FieldResponse, sameBytes(a.Response, s.response)); err != nil {
		return err
	}
	if err := changed(FieldSubnet, a.Subnet4 == s.subnet4 && a.Subnet6 == s.subnet6); err != nil {
		return err
	}
	if err := changed(FieldLease, a.Lease4 == s.lease4p && a.Lease6 == s.lease6p); err != nil {
		return err
	}
	if err := changed(FieldIA, sameBytes(a.IA, s.ia)); err != nil {
		return err
	}
	if err := changed(FieldHostID, a.IDType == s.idType && sameBytes(a.IDValue, s.idValue)); err != nil {
		return err
	}
	if err := changed(FieldError, a.Error == s.errText); err != nil {
		return err
	}
	if err := changed(FieldOfferAddressInUse, a.OfferAddressInUse == s.inUse); err != nil {
		return err
	}

	if !sameBytes(a.Query, s.query) {
		if err := checkPacket(p, s.query, a.Query); err != nil {
			return fmt.Errorf("%s: changed query: %w", p, err)
		}
	}
	if !sameBytes(a.Response, s.response) {
		if err := checkPacket(p, s.response, a.Response); err != nil {
			return fmt.Errorf("%s: changed response: %w", p, err)
		}
	}
	if allowed&FieldSubnet != 0 {
		if err := selectSubnet(a); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	if allowed&FieldLease != 0 {
		if err := s.checkLeases(p, a); err != nil {
			return fmt.Errorf("%s: changed lease: %w", p, err)
		}
	}
	if !sameBytes(a.IA, s.ia) {
		if err := checkIA(s.ia, a.IA); err != nil {
			return fmt.Errorf("%s: changed IA: %w", p, err)
		}
	}
	if a.IDType != s.idType || !sameBytes(a.IDValue, s.idValue) {
		if err := checkHostID(a.IDType, a.IDValue); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

func checkPacket(p Point, old, changed []byte) error {
	if p.V6() {
		return checkPacket6(old, changed)
	}
	return checkPacket4(old, changed)
}

// selectSubnet accepts a selected subnet only by the ID of a collection
// element, so the server never sees a subnet a callout made up.
func selectSubnet(a *Args) error {
	if a.Subnet4 != nil {
		for i := range a.Subnets4 {
			if a.Subnets4[i].ID == a.Subnet4.ID {
				a.Subnet4 = &a.Subnets4[i]
				return nil
			}
		}
		return fmt.Errorf("selected subnet id %d is not in subnet4collection", a.Subnet4.ID)
	}
	if a.Subnet6 != nil {
		for i := range a.Subnets6 {
			if a.Subnets6[i].ID == a.Subnet6.ID {
				a.Subnet6 = &a.Subnets6[i]
				return nil
			}
		}
		return fmt.Errorf("selected subnet id %d is not in subnet6collection", a.Subnet6.ID)
	}
	return nil
}

func (s *snapshot) checkLeases(p Point, a *Args) error {
	if s.lease4p != nil {
		if a.Lease4 == nil {
			return errors.New("lease4 removed (return Skip instead)")
		}
		return checkLease4(p, &s.lease4, a.Lease4, a.Subnet4)
	}
	if s.lease6p != nil {
		if a.Lease6 == nil {
			return errors.New("lease6 removed (return Skip instead)")
		}
		return checkLease6(&s.lease6, a.Lease6, a.Subnet6)
	}
	if a.Lease4 != nil || a.Lease6 != nil {
		return errors.New("lease added where the server gave none")
	}
	return nil
}

// checkLease4 allows a callout to change what Kea lets it change before
// commit (address, lifetime, hostname, FQDN flags, user context) but not
// whose lease it is.
func checkLease4(p Point, old, l *lease.Lease4, subnet *Subnet4) error {
	switch {
	case !l.Addr.Is4():
		return fmt.Errorf("address %v is not IPv4", l.Addr)
	case subnet != nil && !subnet.Prefix.Contains(l.Addr):
		return fmt.Errorf("address %v is outside subnet %d (%v)", l.Addr, subnet.ID, subnet.Prefix)
	case !bytes.Equal(l.HWAddr, old.HWAddr):
		return errors.New("hardware address changed")
	case !bytes.Equal(l.ClientID, old.ClientID):
		return errors.New("client identifier changed")
	case l.SubnetID != old.SubnetID:
		return fmt.Errorf("subnet id changed from %d to %d", old.SubnetID, l.SubnetID)
	case l.State != old.State:
		return errors.New("state changed")
	case l.ValidLifetime == 0 && p != Lease4Expire:
		return errors.New("valid lifetime 0")
	}
	return nil
}

func checkLease6(old, l *lease.Lease6, subnet *Subnet6) error {
	switch {
	case !l.Addr.Is6() || l.Addr.Is4In6():
		return fmt.Errorf("address %v is not IPv6", l.Addr)
	case l.Type != old.Type:
		return errors.New("lease type changed")
	case !bytes.Equal(l.DUID, old.DUID):
		return errors.New("DUID changed")
	case l.IAID != old.IAID:
		return errors.New("IAID changed")
	case l.SubnetID != old.SubnetID:
		return fmt.Errorf("subnet id changed from %d to %d", old.SubnetID, l.SubnetID)
	case l.State != old.State:
		return errors.New("state changed")
	case l.PreferredLifetime > l.ValidLifetime:
		return fmt.Errorf("preferred lifetime %d above valid lifetime %d", l.PreferredLifetime, l.ValidLifetime)
	}
	if old.PrefixLen == 128 { // an address, not a delegated prefix
		if l.PrefixLen != 128 {
			return errors.New("prefix length of an address lease changed")
		}
		if subnet != nil && !subnet.Prefix.Contains(l.Addr) {
			return fmt.Errorf("address %v is outside subnet %d (%v)", l.Addr, subnet.ID, subnet.Prefix)
		}
		return nil
	}
	if l.PrefixLen == 0 || l.PrefixLen > 128 {
		return fmt.Errorf("delegated prefix length %d", l.PrefixLen)
	}
	if pfx, err := l.Addr.Prefix(int(l.PrefixLen)); err != nil || pfx.Addr() != l.Addr {
		return fmt.Errorf("delegated prefix %v/%d has host bits set", l.Addr, l.PrefixLen)
	}
	return nil
}

var hostIDTypes = map[string]bool{"hw-address": true, "duid": true, "circuit-id": true, "client-id": true, "flex-id": true}

func checkHostID(t string, v []byte) error {
	if t == "" && len(v) == 0 {
		return nil
	}
	if !hostIDTypes[t] {
		return fmt.Errorf("unknown identifier type %q", t)
	}
	if len(v) == 0 || len(v) > 255 {
		return fmt.Errorf("identifier of %d bytes (want 1 to 255)", len(v))
	}
	return nil
}

func sameBytes(a, b []byte) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}

func fieldName(f Field) string {
	switch f {
	case FieldQuery:
		return "query"
	case FieldResponse:
		return "response"
	case FieldSubnet:
		return "the selected subnet"
	case FieldLease:
		return "the lease"
	case FieldIA:
		return "the IA"
	case FieldHostID:
		return "the host identifier"
	case FieldError:
		return "error"
	case FieldOfferAddressInUse:
		return "offer_address_in_use"
	}
	return "?"
}

package hooks

import (
	"bytes"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"github.com/leasehold/leasehold/lease"
)

// content is a deep copy of the fields a callout may change at a point,
// taken in the plugin before the callout, so that edits made in place are
// found too and only real changes travel back.
type content struct {
	query, response []byte
	subnetID        uint32
	lease4          *lease.Lease4
	lease6          *lease.Lease6
	ia              []byte
	idType          string
	idValue         []byte
	errText         string
	inUse           bool
}

func takeContent(p Point, a *Args) *content {
	f := p.Changes()
	c := &content{idType: a.IDType, errText: a.Error, inUse: a.OfferAddressInUse, subnetID: selectedID(a)}
	if f&FieldQuery != 0 {
		c.query = cloneBytes(a.Query)
	}
	if f&FieldResponse != 0 {
		c.response = cloneBytes(a.Response)
	}
	if f&FieldLease != 0 {
		c.lease4 = clonePtr(a.Lease4, cloneLease4)
		c.lease6 = clonePtr(a.Lease6, cloneLease6)
	}
	if f&FieldIA != 0 {
		c.ia = cloneBytes(a.IA)
	}
	if f&FieldHostID != 0 {
		c.idValue = cloneBytes(a.IDValue)
	}
	return c
}

func selectedID(a *Args) uint32 {
	switch {
	case a.Subnet4 != nil:
		return a.Subnet4.ID
	case a.Subnet6 != nil:
		return a.Subnet6.ID
	}
	return 0
}

// diff returns the changes of the fields p allows, nil when there are none.
// Changes of other fields are not sent: the host would refuse them anyway.
func (c *content) diff(p Point, a *Args) *pb.Changes {
	f := p.Changes()
	ch := &pb.Changes{}
	changed := false
	if f&FieldQuery != 0 && !bytes.Equal(a.Query, c.query) {
		ch.Query, changed = nonNilBytes(a.Query), true
	}
	if f&FieldResponse != 0 && !bytes.Equal(a.Response, c.response) {
		ch.Response, changed = nonNilBytes(a.Response), true
	}
	if f&FieldSubnet != 0 {
		if id := selectedID(a); id != c.subnetID {
			ch.SubnetId, changed = &id, true
		}
	}
	if f&FieldLease != 0 {
		if a.Lease4 != nil && (c.lease4 == nil || !sameLease4(a.Lease4, c.lease4)) {
			ch.Lease4, changed = lease4ToPB(a.Lease4), true
		}
		if a.Lease6 != nil && (c.lease6 == nil || !sameLease6(a.Lease6, c.lease6)) {
			ch.Lease6, changed = lease6ToPB(a.Lease6), true
		}
	}
	if f&FieldIA != 0 && !bytes.Equal(a.IA, c.ia) {
		ch.Ia, changed = nonNilBytes(a.IA), true
	}
	if f&FieldHostID != 0 {
		if a.IDType != c.idType {
			t := a.IDType
			ch.IdType, changed = &t, true
		}
		if !bytes.Equal(a.IDValue, c.idValue) {
			ch.IdValue, changed = nonNilBytes(a.IDValue), true
		}
	}
	if f&FieldError != 0 && a.Error != c.errText {
		e := a.Error
		ch.Error, changed = &e, true
	}
	if f&FieldOfferAddressInUse != 0 && a.OfferAddressInUse != c.inUse {
		v := a.OfferAddressInUse
		ch.OfferAddressInUse, changed = &v, true
	}
	if !changed {
		return nil
	}
	return ch
}

// nonNilBytes keeps "changed to empty" distinct from "unchanged" on the
// wire, where an absent optional bytes field is nil.
func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func sameLease4(a, b *lease.Lease4) bool {
	return a.Addr == b.Addr && bytes.Equal(a.HWAddr, b.HWAddr) && bytes.Equal(a.ClientID, b.ClientID) &&
		a.ValidLifetime == b.ValidLifetime && a.CLTT == b.CLTT && a.SubnetID == b.SubnetID &&
		a.PoolID == b.PoolID && a.FQDNFwd == b.FQDNFwd && a.FQDNRev == b.FQDNRev &&
		a.Hostname == b.Hostname && a.State == b.State && a.UserContext == b.UserContext
}

func sameLease6(a, b *lease.Lease6) bool {
	return a.Type == b.Type && a.Addr == b.Addr && a.PrefixLen == b.PrefixLen && bytes.Equal(a.DUID, b.DUID) &&
		a.IAID == b.IAID && a.ValidLifetime == b.ValidLifetime && a.PreferredLifetime == b.PreferredLifetime &&
		a.CLTT == b.CLTT && a.SubnetID == b.SubnetID && a.PoolID == b.PoolID && a.FQDNFwd == b.FQDNFwd &&
		a.FQDNRev == b.FQDNRev && a.Hostname == b.Hostname && bytes.Equal(a.HWAddr, b.HWAddr) &&
		a.HWType == b.HWType && a.HWAddrSource == b.HWAddrSource && a.State == b.State &&
		a.UserContext == b.UserContext
}

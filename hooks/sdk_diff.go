package hooks

import (
	"bytes"
	"sync"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"github.com/leasehold/leasehold/lease"
)

// content is a deep copy of the fields a callout may change at a point,
// taken in the plugin before the callout, so that edits made in place are
// found too and only real changes travel back.
type content struct {
	arena           *[]byte // holds the copies of byte fields; pooled
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

// takeContent copies what p lets a callout change; release gives its
// memory back once diff has run.
func takeContent(p Point, a *Args) content {
	f := p.Changes()
	c := content{idType: a.IDType, errText: a.Error, inUse: a.OfferAddressInUse, subnetID: selectedID(a)}
	if f&(FieldQuery|FieldResponse|FieldIA|FieldHostID) != 0 {
		c.arena = contentArenas.Get().(*[]byte)
	}
	if f&FieldQuery != 0 {
		c.query = c.keep(a.Query)
	}
	if f&FieldResponse != 0 {
		c.response = c.keep(a.Response)
	}
	if f&FieldLease != 0 {
		c.lease4 = clonePtr(a.Lease4, cloneLease4)
		c.lease6 = clonePtr(a.Lease6, cloneLease6)
	}
	if f&FieldIA != 0 {
		c.ia = c.keep(a.IA)
	}
	if f&FieldHostID != 0 {
		c.idValue = c.keep(a.IDValue)
	}
	return c
}

var contentArenas = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// keep copies b into the arena (nil stays nil). Copies made before the
// arena grew stay where they are, in its old array.
func (c *content) keep(b []byte) []byte {
	if b == nil {
		return nil
	}
	ar := *c.arena
	start := len(ar)
	ar = append(ar, b...)
	*c.arena = ar
	return ar[start:len(ar):len(ar)]
}

func (c *content) release() {
	if c.arena == nil {
		return
	}
	if cap(*c.arena) <= 64<<10 { // a rare huge packet's arena is not kept
		*c.arena = (*c.arena)[:0]
		contentArenas.Put(c.arena)
	}
	*c = content{}
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
	var ch *pb.Changes // made at the first change: most callouts make none
	set := func() *pb.Changes {
		if ch == nil {
			ch = &pb.Changes{}
		}
		return ch
	}
	if f&FieldQuery != 0 && !bytes.Equal(a.Query, c.query) {
		set().Query = nonNilBytes(a.Query)
	}
	if f&FieldResponse != 0 && !bytes.Equal(a.Response, c.response) {
		set().Response = nonNilBytes(a.Response)
	}
	if f&FieldSubnet != 0 {
		if id := selectedID(a); id != c.subnetID {
			set().SubnetId = &id
		}
	}
	if f&FieldLease != 0 {
		if a.Lease4 != nil && (c.lease4 == nil || !sameLease4(a.Lease4, c.lease4)) {
			set().Lease4 = lease4ToPB(a.Lease4)
		}
		if a.Lease6 != nil && (c.lease6 == nil || !sameLease6(a.Lease6, c.lease6)) {
			set().Lease6 = lease6ToPB(a.Lease6)
		}
	}
	if f&FieldIA != 0 && !bytes.Equal(a.IA, c.ia) {
		set().Ia = nonNilBytes(a.IA)
	}
	if f&FieldHostID != 0 {
		if a.IDType != c.idType {
			t := a.IDType
			set().IdType = &t
		}
		if !bytes.Equal(a.IDValue, c.idValue) {
			set().IdValue = nonNilBytes(a.IDValue)
		}
	}
	if f&FieldError != 0 && a.Error != c.errText {
		e := a.Error
		set().Error = &e
	}
	if f&FieldOfferAddressInUse != 0 && a.OfferAddressInUse != c.inUse {
		v := a.OfferAddressInUse
		set().OfferAddressInUse = &v
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

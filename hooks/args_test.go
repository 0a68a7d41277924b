package hooks

import (
	"net/netip"
	"testing"
)

// TestCloneQueryAddr: a clone's hardware addresses are its own, so an
// observer's queued copy survives the server reusing its buffers.
func TestCloneQueryAddr(t *testing.T) {
	a := &Args{QueryAddr: Addressing{Remote: netip.MustParseAddrPort("192.0.2.9:68"), IfIndex: 2, IfName: "eth0",
		LocalHWAddr: []byte{1, 2, 3, 4, 5, 6}, LocalHWType: 1, RemoteHWAddr: []byte{2, 0, 0, 0, 0, 1}, RemoteHWType: 1}}
	c := a.Clone()
	c.QueryAddr.LocalHWAddr[0], c.QueryAddr.RemoteHWAddr[0] = 0xee, 0xee
	if a.QueryAddr.LocalHWAddr[0] == 0xee || a.QueryAddr.RemoteHWAddr[0] == 0xee {
		t.Error("Clone shares the query's hardware addresses with the original")
	}
	if c.QueryAddr.Remote != a.QueryAddr.Remote || c.QueryAddr.IfName != "eth0" || c.QueryAddr.RemoteHWType != 1 {
		t.Errorf("Clone lost the addressing: %+v", c.QueryAddr)
	}
}

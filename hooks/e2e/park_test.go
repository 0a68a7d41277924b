package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// parkFor is how long the plugin keeps a packet parked.
const parkFor = 1500 * time.Millisecond

// TestPark: a callout PARKs the reply at leases4_committed,
// leases6_committed or lease4_offer and resumes it 1.5 s later. Resumed
// with CONTINUE, the reply goes out then (pkt4_send/pkt6_send run after
// the resume) and the client binds; resumed with DROP, no reply goes out.
// The client's retransmissions are parked too, so none of them can be
// answered early.
func TestPark(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		v6     bool
		point  string
		query  string // the parked query's message type
		resume string
		send   string // the point that must wait for the resume
	}{
		{"leases4_committed continue", false, "leases4_committed", "DHCPREQUEST", "continue", "pkt4_send"},
		{"leases4_committed drop", false, "leases4_committed", "DHCPREQUEST", "drop", "pkt4_send"},
		{"lease4_offer continue", false, "lease4_offer", "DHCPDISCOVER", "continue", "pkt4_send"},
		{"leases6_committed continue", true, "leases6_committed", "REQUEST", "continue", "pkt6_send"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, 60*time.Second)
			p := params{Rules: []rule{{Point: tc.point, Query: tc.query, Step: "park",
				ResumeMS: int(parkFor / time.Millisecond), ResumeStep: tc.resume}}}
			f, bound, o := daemontest.V4, "BOUND", netlab.ClientOptions{}
			cfg := s.config4(p)
			if tc.v6 {
				f, bound, o, cfg = daemontest.V6, "BOUND6", netlab.ClientOptions{V6: true}, s.config6(p)
			}
			d := s.serve(f, cfg)
			cl := s.dhclient(s.lab.FirstClient(), o)
			parked := s.stepped(tc.point)
			var park record.Call
			for _, c := range at(parked, tc.point) {
				if c.Step == "park" {
					park = c
					break
				}
			}
			if tc.resume == "drop" {
				noEvent(t, cl, parkFor+quiet, bound)
				waitLog(t, s.ctx, d, `recorder: resumed.*step=drop`)
				for _, c := range at(s.recorded(), tc.send) {
					if c.XID == park.XID && c.Query == tc.query {
						t.Errorf("the reply of the parked %s went on to %s after a DROP: %+v", tc.query, tc.send, c)
					}
				}
				return
			}
			s.bound(cl, bound)
			cs := s.recorded()
			var sent *record.Call
			for i, c := range at(cs, tc.send) {
				if c.XID == park.XID && c.Query == tc.query {
					sent = &at(cs, tc.send)[i]
					break
				}
			}
			if sent == nil {
				t.Fatalf("no %s for the parked %s; calls:\n%s", tc.send, tc.query, dump(cs))
			}
			if held := time.Duration(sent.Time - park.Time); held < parkFor {
				t.Errorf("%s ran %v after the park; want the reply held at least %v", tc.send, held, parkFor)
			}
			waitLog(t, s.ctx, d, `recorder: resumed.*step=continue`)
		})
	}
}

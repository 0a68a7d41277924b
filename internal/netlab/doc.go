// Package netlab builds the network namespace lab that leasehold's
// end-to-end tests and demo run in: a server namespace whose bridge carries
// documentation addresses (192.0.2.1/24, 2001:db8:1::1/64), client
// namespaces plugged into that bridge by veth pairs, and optionally relay
// links (198.51.100.0/24, 2001:db8:2::/64) behind a router namespace.
//
// Topology of a lab with one relay link:
//
//	<id>-srv                       <id>-c1
//	  <id>-sbr (bridge, ServerIf) ── <id>-c1 (ClientIf, MAC 02:6c:68:00:01:01)
//	    │                          <id>-c2 ... (AddClient)
//	    └── <id>-r1u [192.0.2.254, 2001:db8:1::fe]   <id>-r1 (router, forwarding)
//	        <id>-r1b (bridge) [198.51.100.1, 2001:db8:2::1] ── <id>-cN (far clients)
//
// Every name starts with the lab's ID (Options.Prefix plus three random
// characters), so labs of several engineers or packages never collide and
// interface names stay within 15 bytes. MACs are fixed, so DUID-LL and
// link-local addresses are the same on every run. IPv6 DAD is off in every
// namespace and New waits for link-local addresses, so sockets can bind at
// once. Each namespace has its own empty /etc/netns/NS/resolv.conf, which
// ip netns exec mounts over /etc/resolv.conf: DHCP clients never touch the
// machine's.
//
// Programs run through ip netns exec (Command, Start, Run): each is tracked
// by PID, its output kept, and it dies with the test binary (Pdeathsig).
// Close stops them, kills whatever they forked inside the lab's namespaces,
// and deletes the namespaces, veths, /etc/netns directories and the lab's
// temporary directory. NewT ties that to a test's Cleanup (which runs on
// failure and panic too); a test binary killed outright leaves a state file
// under /run/leasehold-netlab from which Sweep, called by NewT, removes the
// lab on a later run. In-process servers open their sockets inside a
// namespace with InNS.
//
// The clients helpers run dhclient, udhcpc and dhcpcd with private lease,
// pid, config and script files (DeclineScript makes dhclient decline its
// first lease); StartKea runs ISC Kea as a reference server; StartCapture
// writes pcap files; RelayLink.StartAgent4 and StartAgent6 run DHCP relay
// agents in a relay link's router; OwnLink gives a client a link of its own
// to the server.
//
// A test:
//
//	func TestDORA(t *testing.T) {
//		netlab.RequireTool(t, "dhclient")
//		lab := netlab.NewT(t, netlab.Options{Prefix: "lh4"})
//		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
//		defer cancel()
//		var conn net.PacketConn
//		err := lab.InNS(lab.ServerNS, func() (err error) {
//			conn, err = net.ListenPacket("udp4", "0.0.0.0:67") // server's socket
//			return err
//		})
//		...serve on conn...
//		c, err := lab.StartDHClient(lab.FirstClient(), netlab.ClientOptions{})
//		ev, err := c.WaitEvent(ctx, "BOUND") // ev["new_ip_address"]
//	}
//
// Needs root and iproute2; NewT and RequireTool skip a test otherwise, or
// fail it where Required (CI=true or LEASEHOLD_E2E=1).
package netlab

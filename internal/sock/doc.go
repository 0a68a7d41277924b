// Package sock is the socket plumbing of leasehold's DHCP servers: UDP
// sockets per interface with the receiving interface and destination
// address of every datagram, batched reads into the caller's buffers, replies
// with a chosen source address and interface, and for DHCPv4 raw
// link-layer replies to clients that have no address yet.
//
// DHCPv4 (Listen4) follows Kea's interfaces-config: "eth0",
// "eth0/192.0.2.1", "*", and dhcp-socket-type raw (default: 0.0.0.0:67 on
// the device, so broadcasts arrive, plus a RawSender per interface) or udp
// (the interface's address only: relayed traffic only). DHCPv6 (Listen6)
// binds [::]:547 per interface, joined to ff02::1:2 (and ff05::1:3).
//
// One goroutine reads each Conn with ReadBatch (recvmmsg under the runtime
// poller); replies go out with WriteTo, WriteBatch (sendmmsg), Broadcast or
// Listener.Raw(ifindex).
// None of these allocate per packet. Close, or the end of the context given
// to ReadBatch, unblocks a reader at once.
//
//	l, err := sock.Listen4(sock.Config4{Interfaces: []string{"eth0"}})
//	if err != nil { ... }
//	defer l.Close()
//	msgs := make([]sock.Msg, 32)
//	for i := range msgs {
//		msgs[i].Buf = make([]byte, 1500) // or from a pool
//	}
//	for {
//		n, err := l.Conns[0].ReadBatch(ctx, msgs)
//		if err != nil { return err } // ctx.Err() or sock.ErrClosed
//		for _, m := range msgs[:n] {
//			// m.Payload(), m.Src, m.Dst (255.255.255.255 for a broadcast), m.IfIndex
//		}
//	}
//
// Sockets belong to the network namespace of the thread that opens them: in
// tests, call Listen4/Listen6 inside netlab.InNS.
//
// The package calls recvmmsg and sendmsg itself rather than going through
// golang.org/x/net's ipv4/ipv6 PacketConn, whose ReadBatch returns every
// source address as a newly allocated net.Addr: owning the mmsghdr,
// sockaddr and control-message buffers is what keeps the path
// allocation-free. Linux only.
package sock

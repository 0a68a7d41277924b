package sock

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// RawSender writes whole Ethernet/IPv4/UDP frames on one interface through
// an AF_PACKET socket: the way to reach a DHCPv4 client that has no address
// yet, by its MAC, without an ARP entry. gopacket builds the headers with
// lengths and checksums into a reused buffer; Send may be called from any
// goroutine.
type RawSender struct {
	iface Interface
	fd    int

	mu      sync.Mutex
	closed  bool
	eth     layers.Ethernet
	ip      layers.IPv4
	udp     layers.UDP
	payload gopacket.Payload
	src4    [4]byte
	dst4    [4]byte
	dstMAC  [6]byte
	buf     gopacket.SerializeBuffer
	stack   []gopacket.SerializableLayer
}

var serializeOpts = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

// NewRawSender opens an AF_PACKET socket bound to iface for sending only
// (protocol 0: the kernel queues nothing to it).
func NewRawSender(iface Interface) (*RawSender, error) {
	if len(iface.MAC) != 6 || iface.Index == 0 {
		return nil, fmt.Errorf("sock: raw sender on %q: needs an Ethernet interface (MAC %v, index %d)", iface.Name, iface.MAC, iface.Index)
	}
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sock: AF_PACKET socket for %s: %w", iface.Name, err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: htons(syscall.ETH_P_IP), Ifindex: iface.Index}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("sock: bind AF_PACKET socket to %s: %w", iface.Name, err)
	}
	r := &RawSender{iface: iface, fd: fd, buf: gopacket.NewSerializeBufferExpectedSize(1600, 0)}
	r.eth = layers.Ethernet{SrcMAC: iface.MAC, DstMAC: r.dstMAC[:], EthernetType: layers.EthernetTypeIPv4}
	r.ip = layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: r.src4[:], DstIP: r.dst4[:]}
	r.udp.SetNetworkLayerForChecksum(&r.ip)
	r.stack = []gopacket.SerializableLayer{&r.eth, &r.ip, &r.udp, &r.payload}
	return r, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Interface returns the interface the sender writes on.
func (r *RawSender) Interface() Interface { return r.iface }

// Send writes payload in a UDP datagram from src to dst inside an IPv4
// packet inside an Ethernet frame to dstMAC (ff:ff:ff:ff:ff:ff for a
// link-layer broadcast). It allocates nothing once the buffer has grown to
// the largest payload.
func (r *RawSender) Send(payload []byte, dstMAC net.HardwareAddr, src, dst netip.AddrPort) error {
	if !src.Addr().Is4() || !dst.Addr().Is4() {
		return fmt.Errorf("sock: raw send %s -> %s: IPv4 only", src, dst)
	}
	if len(dstMAC) != 6 {
		return fmt.Errorf("sock: raw send to %s: MAC %v is not 6 bytes", dst, dstMAC)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	copy(r.dstMAC[:], dstMAC)
	r.src4, r.dst4 = src.Addr().As4(), dst.Addr().As4()
	r.udp.SrcPort, r.udp.DstPort = layers.UDPPort(src.Port()), layers.UDPPort(dst.Port())
	r.payload = payload
	err := gopacket.SerializeLayers(r.buf, serializeOpts, r.stack...)
	r.payload = nil
	if err != nil {
		return fmt.Errorf("sock: build frame to %s: %w", dst, err)
	}
	frame := r.buf.Bytes()
	for {
		n, err := syscall.Write(r.fd, frame)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sock: raw send to %s (%s) on %s: %w", dst, net.HardwareAddr(r.dstMAC[:]), r.iface.Name, err)
		}
		if n != len(frame) {
			return fmt.Errorf("sock: raw send on %s: wrote %d of %d bytes", r.iface.Name, n, len(frame))
		}
		return nil
	}
}

// Close closes the socket.
func (r *RawSender) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	return syscall.Close(r.fd)
}

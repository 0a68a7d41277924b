package engine

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

func unsafePointer(b *byte) unsafe.Pointer { return unsafe.Pointer(b) }

// RawSender sends IPv4/UDP datagrams in Ethernet frames addressed to a
// hardware address, for clients that have no IP address yet and asked for
// unicast replies (RFC 2131 section 4.1). It uses an AF_PACKET datagram
// socket, so the kernel writes the Ethernet header; the sender writes the
// IP and UDP headers. It needs CAP_NET_RAW.
type RawSender struct {
	fd   int
	mu   sync.Mutex
	buf  []byte
	ttl  uint8
	once sync.Once
}

// NewRawSender opens the packet socket. It receives nothing (protocol 0).
func NewRawSender() (*RawSender, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("engine: opening AF_PACKET socket for raw replies: %w", err)
	}
	return &RawSender{fd: fd, buf: make([]byte, 0, 2048), ttl: 64}, nil
}

// Close closes the socket.
func (s *RawSender) Close() error {
	var err error
	s.once.Do(func() { err = unix.Close(s.fd) })
	return err
}

// Send writes p as an IPv4/UDP datagram from p.Src to p.Dst inside an
// Ethernet frame to p.HWAddr on p.IfIndex.
func (s *RawSender) Send(p *Packet) error {
	if p.HWLen != 6 || p.IfIndex <= 0 || !p.Src.Addr().Is4() || !p.Dst.Addr().Is4() {
		return ErrRawUnsupported
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = AppendIPv4UDP(s.buf[:0], p, s.ttl)
	sa := unix.SockaddrLinklayer{
		Protocol: htons(unix.ETH_P_IP),
		Ifindex:  p.IfIndex,
		Halen:    6,
	}
	copy(sa.Addr[:], p.HWAddr[:6])
	if err := unix.Sendto(s.fd, s.buf, 0, &sa); err != nil {
		return fmt.Errorf("engine: raw send to %x on ifindex %d: %w", p.HWAddr[:6], p.IfIndex, err)
	}
	return nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// AppendIPv4UDP appends an IPv4 header, a UDP header and p's data to dst:
// the payload of an Ethernet frame carrying p from p.Src to p.Dst.
func AppendIPv4UDP(dst []byte, p *Packet, ttl uint8) []byte {
	data := p.Buf[:p.N]
	udpLen := 8 + len(data)
	start := len(dst)
	dst = append(dst, make([]byte, 28)...)
	h := dst[start:]
	h[0] = 0x45 // version 4, 5-word header
	binary.BigEndian.PutUint16(h[2:], uint16(20+udpLen))
	h[8] = ttl
	h[9] = unix.IPPROTO_UDP
	src, to := p.Src.Addr().As4(), p.Dst.Addr().As4()
	copy(h[12:16], src[:])
	copy(h[16:20], to[:])
	binary.BigEndian.PutUint16(h[10:], ^foldSum(sum16(0, h[:20])))
	u := h[20:28]
	sport := p.Src.Port()
	if sport == 0 {
		sport = 67
	}
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], p.Dst.Port())
	binary.BigEndian.PutUint16(u[4:], uint16(udpLen))
	dst = append(dst, data...)
	// UDP checksum over the pseudo-header, the UDP header and the data.
	s := sum16(0, src[:])
	s = sum16(s, to[:])
	s += uint32(unix.IPPROTO_UDP) + uint32(udpLen)
	s = sum16(s, dst[start+20:])
	c := ^foldSum(s)
	if c == 0 {
		c = 0xffff // 0 means "no checksum" in UDP over IPv4
	}
	binary.BigEndian.PutUint16(dst[start+26:], c)
	return dst
}

func sum16(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func foldSum(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

package engine

import (
	"errors"
	"net/netip"
	"time"
)

// Packet is one datagram, received or to be sent, with its addressing.
// The engine owns a fixed set of them (see Config.BatchSize and
// Config.Queue) and reuses them from batch to batch.
type Packet struct {
	// Buf holds the datagram: Buf[:N]. A received packet's Buf has the
	// engine's buffer size as capacity; a handler writing a reply appends to
	// out.Buf[:0] and may replace Buf when the reply outgrows it.
	Buf []byte
	N   int

	// For a received packet: Src is the sender, Dst the destination the
	// datagram was addressed to (a broadcast address or one of ours) and
	// IfIndex the interface it arrived on.
	//
	// For a packet to send: Dst is where it goes, Src the source address
	// to send from (invalid: the routing table's choice; the port is used
	// only by raw frames) and IfIndex the interface to send on (0: routing).
	Src     netip.AddrPort
	Dst     netip.AddrPort
	IfIndex int

	// Raw asks for delivery in a link-layer frame addressed to HWAddr
	// (HWLen bytes), for a client that has no IP address yet: the frame
	// carries an IPv4/UDP datagram to Dst. A Conn that cannot send raw
	// frames, or a hardware type it does not know, gets the datagram
	// broadcast to 255.255.255.255 on IfIndex instead.
	Raw    bool
	HWLen  uint8
	HWAddr [16]byte
}

// Data returns the datagram's bytes.
func (p *Packet) Data() []byte { return p.Buf[:p.N] }

// Conn is the socket side of the engine: a UDP socket (or a test double)
// that reads and writes datagrams in batches.
//
// ReadBatch is called from one goroutine only. WriteBatch may be called
// from two goroutines at once (the reader, and the committer or a late
// sender), so an implementation must allow concurrent writes.
type Conn interface {
	// ReadBatch blocks until at least one datagram can be read, then fills
	// ps[0:n] with it and with the datagrams already queued behind it,
	// without waiting for more, up to len(ps). It reads into ps[i].Buf up
	// to its capacity and sets N, Src, Dst and IfIndex.
	ReadBatch(ps []Packet) (n int, err error)
	// WriteBatch sends ps[i].Buf[:ps[i].N] to ps[i].Dst for every i,
	// returning how many it sent before the first error.
	WriteBatch(ps []Packet) (n int, err error)
	// SetReadDeadline makes a blocked or future ReadBatch return an error
	// for which IsTimeout is true once t has passed; the zero time removes
	// the deadline. The engine uses it to stop reading.
	SetReadDeadline(t time.Time) error
}

// RawWriter is implemented by a Conn that can send link-layer frames
// (Packet.Raw).
type RawWriter interface {
	// WriteRaw sends p as a frame to p.HWAddr on p.IfIndex. It returns
	// ErrRawUnsupported when it cannot for this packet (hardware type,
	// interface), and the engine broadcasts the packet instead.
	WriteRaw(p *Packet) error
}

// ErrRawUnsupported says a raw frame cannot be sent for a packet; the
// engine falls back to a broadcast.
var ErrRawUnsupported = errors.New("engine: raw link-layer send not supported for this packet")

// IsTimeout reports whether err is a read deadline expiring.
func IsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// Broadcast4 is the IPv4 limited broadcast address.
var Broadcast4 = netip.AddrFrom4([4]byte{255, 255, 255, 255})

package dhcp4

import (
	"encoding/binary"
	"net/netip"
)

// ipUDPOverhead is what option 57 counts beyond the DHCP message: the IPv4
// and UDP headers (RFC 2132 section 9.10 gives the size of the datagram).
const ipUDPOverhead = 20 + 8

// minMaxSize is the smallest datagram every DHCP client accepts (RFC 2131
// section 2), and the smallest legal option 57 value.
const minMaxSize = 576

// Builder appends a DHCPv4 message to a caller's buffer: NewBuilder writes
// the header, the Add methods append options, Finish writes End, moves
// options into the file and sname fields if the size limit asks for it,
// and pads the message to the BOOTP minimum of 300 bytes.
//
// An option can also be composed in place, without a temporary slice:
//
//	b.StartOption(dhcp4.OptRelayAgentInfo)
//	b.AddSubOption(dhcp4.RelayCircuitID, circuit)
//	b.AddSubOption(dhcp4.RelayRemoteID, remote)
//	b.EndOption()
//
// The Builder appends with append, so it allocates only when buf runs out
// of capacity. The zero Builder is not usable; methods called out of order
// return ErrBuilderState.
type Builder struct {
	buf   []byte
	start int // where the message begins in buf
	limit int // largest message length in bytes; 0 means no limit
	state builderState
	open  int // index in buf of the open option's code byte
	block int // index in buf of the open vendor block's length byte
	code  uint8
	err   error // a header that could not be written, reported by Finish
}

type builderState uint8

const (
	stateZero    builderState = iota // not made by NewBuilder
	stateOptions                     // between options
	stateOpen                        // inside StartOption/EndOption
	stateBlock                       // inside StartVendor/EndVendor
	stateDone                        // after Finish
)

// NewBuilder starts a message with header h, appending to buf. An address
// in h that is not IPv4 is reported by Finish.
func NewBuilder(buf []byte, h Header) Builder {
	b := Builder{start: len(buf), state: stateOptions}
	b.buf, b.err = h.append(buf)
	return b
}

// SetMaxSize limits the message to what a client accepting IP datagrams of
// n bytes can receive: pass the client's option 57 (MaxMessageSize), or 576
// when it sent none. Values below 576 count as 576, as RFC 2132 allows no
// less. Finish overloads the file and sname fields (if h left them empty)
// when the options do not fit, and fails with ErrTooLarge when even that is
// not enough. Without SetMaxSize no limit applies.
func (b *Builder) SetMaxSize(n int) {
	n = max(n, minMaxSize)
	n = min(n, 65535)
	b.limit = n - ipUDPOverhead
}

// Len returns the length of the message so far.
func (b *Builder) Len() int { return len(b.buf) - b.start }

// AddOption appends option code with data. Data longer than 255 bytes is
// written as consecutive instances of the option, which the receiver joins
// again (RFC 3396). Pad, End and Overload (52) are the Builder's to write.
func (b *Builder) AddOption(code uint8, data []byte) error {
	if err := b.canStart(code); err != nil {
		return err
	}
	for {
		n := min(len(data), 255)
		b.buf = append(b.buf, code, byte(n))
		b.buf = append(b.buf, data[:n]...)
		data = data[n:]
		if len(data) == 0 {
			return nil
		}
	}
}

func (b *Builder) canStart(code uint8) error {
	if b.state != stateOptions {
		return b.stateError("add option " + itoa(int(code)))
	}
	switch code {
	case OptPad, OptEnd:
		return errAt(ErrBadOption, int(code), -1, "pad and end are written by the builder")
	case OptOverload:
		return errAt(ErrBadOption, int(code), -1, "option overload is written by Finish when the size limit needs it")
	}
	return nil
}

func (b *Builder) stateError(what string) error {
	var why string
	switch b.state {
	case stateZero:
		why = "the builder was not made by NewBuilder"
	case stateOpen:
		why = "option " + itoa(int(b.code)) + " is still open"
	case stateBlock:
		why = "a vendor block of option " + itoa(int(b.code)) + " is still open"
	case stateDone:
		why = "the message is finished"
	default:
		why = "no option is open"
	}
	return &Error{Err: ErrBuilderState, Code: -1, Offset: -1, Detail: "cannot " + what + ": " + why}
}

// StartOption opens option code, whose data the Append and AddSubOption
// methods then write in place, until EndOption.
func (b *Builder) StartOption(code uint8) error {
	if err := b.canStart(code); err != nil {
		return err
	}
	b.open, b.code = len(b.buf), code
	b.buf = append(b.buf, code, 0)
	b.state = stateOpen
	return nil
}

// EndOption closes the option opened by StartOption, splitting it into
// consecutive instances when its data exceeds 255 bytes (RFC 3396).
func (b *Builder) EndOption() error {
	if b.state != stateOpen {
		return b.stateError("end option")
	}
	b.state = stateOptions
	n := len(b.buf) - b.open - 2
	if n <= 255 {
		b.buf[b.open+1] = byte(n)
		return nil
	}
	// Make room for one more code/length pair per extra instance, then move
	// the chunks into place last first, so none is overwritten unmoved.
	k := (n + 254) / 255
	b.buf = append(b.buf, make([]byte, 2*(k-1))...)
	for i := k - 1; i >= 0; i-- {
		src := b.open + 2 + i*255
		size := min(255, n-i*255)
		dst := b.open + 2 + i*257
		copy(b.buf[dst:dst+size], b.buf[src:src+size])
		b.buf[dst-2], b.buf[dst-1] = b.code, byte(size)
	}
	return nil
}

// abort drops the open option, for adders that fail half way.
func (b *Builder) abort() {
	b.buf = b.buf[:b.open]
	b.state = stateOptions
}

func (b *Builder) canAppend(what string) error {
	if b.state != stateOpen && b.state != stateBlock {
		return b.stateError(what)
	}
	return nil
}

// AppendBytes appends p to the open option.
func (b *Builder) AppendBytes(p []byte) error {
	if err := b.canAppend("append bytes"); err != nil {
		return err
	}
	b.buf = append(b.buf, p...)
	return nil
}

// AppendString appends s to the open option.
func (b *Builder) AppendString(s string) error {
	if err := b.canAppend("append string"); err != nil {
		return err
	}
	b.buf = append(b.buf, s...)
	return nil
}

// AppendUint8 appends v to the open option.
func (b *Builder) AppendUint8(v uint8) error {
	if err := b.canAppend("append uint8"); err != nil {
		return err
	}
	b.buf = append(b.buf, v)
	return nil
}

// AppendUint16 appends v, big-endian, to the open option.
func (b *Builder) AppendUint16(v uint16) error {
	if err := b.canAppend("append uint16"); err != nil {
		return err
	}
	b.buf = binary.BigEndian.AppendUint16(b.buf, v)
	return nil
}

// AppendUint32 appends v, big-endian, to the open option.
func (b *Builder) AppendUint32(v uint32) error {
	if err := b.canAppend("append uint32"); err != nil {
		return err
	}
	b.buf = binary.BigEndian.AppendUint32(b.buf, v)
	return nil
}

// AppendIP appends the IPv4 address a to the open option.
func (b *Builder) AppendIP(a netip.Addr) error {
	if err := b.canAppend("append address"); err != nil {
		return err
	}
	a4, ok := ipv4(a)
	if !ok {
		return errAt(ErrNotIPv4, int(b.code), -1, "address "+a.String()+" is not IPv4")
	}
	b.buf = append(b.buf, a4[:]...)
	return nil
}

// AddSubOption appends a code/length/value sub-option to the open option
// or vendor block (options 43, 82, 125).
func (b *Builder) AddSubOption(code uint8, data []byte) error {
	if err := b.canAppend("add sub-option " + itoa(int(code))); err != nil {
		return err
	}
	if len(data) > 255 {
		return errAt(ErrBadOption, int(b.code), -1, "sub-option "+itoa(int(code))+" of "+itoa(len(data))+" bytes, more than 255")
	}
	b.buf = append(b.buf, code, byte(len(data)))
	b.buf = append(b.buf, data...)
	return nil
}

// StartVendor opens an RFC 3925 enterprise block inside option 124 or 125:
// the enterprise number, then data up to EndVendor.
func (b *Builder) StartVendor(enterprise uint32) error {
	if b.state != stateOpen {
		return b.stateError("start vendor block")
	}
	b.buf = binary.BigEndian.AppendUint32(b.buf, enterprise)
	b.block = len(b.buf)
	b.buf = append(b.buf, 0)
	b.state = stateBlock
	return nil
}

// EndVendor closes the enterprise block opened by StartVendor. A block
// holds at most 255 bytes; a longer one is dropped and reported.
func (b *Builder) EndVendor() error {
	if b.state != stateBlock {
		return b.stateError("end vendor block")
	}
	b.state = stateOpen
	n := len(b.buf) - b.block - 1
	if n > 255 {
		b.buf = b.buf[:b.block-4]
		return errAt(ErrBadOption, int(b.code), -1, "vendor block of "+itoa(n)+" bytes, more than 255")
	}
	b.buf[b.block] = byte(n)
	return nil
}

// Finish writes End, applies the size limit (see SetMaxSize), pads the
// message to 300 bytes and returns buf with the message appended. On error
// it returns buf as given to NewBuilder.
func (b *Builder) Finish() ([]byte, error) {
	if b.state != stateOptions {
		return b.buf[:min(b.start, len(b.buf))], b.stateError("finish")
	}
	if b.err != nil {
		return b.buf[:b.start], b.err
	}
	if b.limit > 0 && b.Len()+1 > b.limit {
		if err := b.overload(); err != nil {
			return b.buf[:b.start], err
		}
	}
	b.buf = append(b.buf, OptEnd)
	if pad := BOOTPMinLen - b.Len(); pad > 0 {
		b.buf = append(b.buf, make([]byte, pad)...)
	}
	b.state = stateDone
	return b.buf, nil
}

// overload moves the options that do not fit the options field into file
// and then sname (the order RFC 2131 section 4.1 reads them in), keeping
// their order, and adds option 52 to say so. Instances move whole; the
// pieces of a split long option may land in different fields, which RFC
// 3396 allows.
func (b *Builder) overload() error {
	msg := b.buf[b.start:]
	opts := msg[MinLen:]
	room := b.limit - MinLen - 3 - 1 // the options field keeps 52 and End
	cut := 0
	for cut < len(opts) {
		next := cut + 2 + int(opts[cut+1])
		if next > room {
			break
		}
		cut = next
	}
	rest := opts[cut:]
	var used uint8
	for _, f := range [...]struct {
		bit        uint8
		start, end int
	}{{OverloadFile, offFile, offCookie}, {OverloadSName, offSName, offFile}} {
		dst := msg[f.start:f.end]
		if len(rest) == 0 || !allZero(dst) {
			continue
		}
		if n := pack(dst, rest); n > 0 {
			used |= f.bit
			rest = rest[n:]
		}
	}
	if len(rest) > 0 {
		if used&OverloadFile != 0 {
			clear(msg[offFile:offCookie])
		}
		if used&OverloadSName != 0 {
			clear(msg[offSName:offFile])
		}
		return errAt(ErrTooLarge, -1, -1, itoa(len(opts))+" bytes of options do not fit a "+
			itoa(b.limit)+"-byte message, even overloading the empty file and sname fields")
	}
	b.buf = append(b.buf[:b.start+MinLen+cut], OptOverload, 1, used)
	return nil
}

// pack copies the leading whole option instances of src that fit into dst,
// leaving a byte for End, and returns how many bytes it took.
func pack(dst, src []byte) int {
	n := 0
	for n < len(src) {
		next := n + 2 + int(src[n+1])
		if next > len(dst)-1 {
			break
		}
		n = next
	}
	if n > 0 {
		copy(dst, src[:n])
		dst[n] = OptEnd
	}
	return n
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

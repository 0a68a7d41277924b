package expr

import "net/netip"

// fakePacket is a decoded message held in maps, enough to exercise every
// Packet method.
type fakePacket struct {
	options map[uint16][]byte
	agent   map[uint8][]byte
	relays  []fakeRelay // index 0: closest to the server
	uints   map[Field]uint32
	addrs   map[Field]netip.Addr
	chaddr  []byte
	iface   string
	classes map[string]bool
}

type fakeRelay struct {
	link, peer netip.Addr
	options    map[uint16][]byte
}

func (f *fakePacket) Option(code uint16) ([]byte, bool) {
	v, ok := f.options[code]
	return v, ok
}

func (f *fakePacket) AgentOption(code uint8) ([]byte, bool) {
	v, ok := f.agent[code]
	return v, ok
}

func (f *fakePacket) RelayCount() int { return len(f.relays) }

func (f *fakePacket) RelayOption(level int, code uint16) ([]byte, bool) {
	v, ok := f.relays[level].options[code]
	return v, ok
}

func (f *fakePacket) RelayAddrs(level int) (link, peer netip.Addr) {
	return f.relays[level].link, f.relays[level].peer
}

func (f *fakePacket) Uint(fl Field) uint32     { return f.uints[fl] }
func (f *fakePacket) Addr(fl Field) netip.Addr { return f.addrs[fl] }
func (f *fakePacket) Chaddr() []byte           { return f.chaddr }
func (f *fakePacket) Iface() string            { return f.iface }
func (f *fakePacket) Member(class string) bool { return f.classes[class] }

// v4Packet is a relayed DHCPDISCOVER with a client-id, host name, vendor
// class and relay agent information.
func v4Packet() *fakePacket {
	ch := make([]byte, 16)
	copy(ch, []byte{0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc})
	return &fakePacket{
		options: map[uint16][]byte{
			53: {1},
			61: {0x01, 0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc},
			12: []byte("laptop\x00"),
			60: []byte("PXEClient:Arch:00000:UNDI:002001"),
			80: {}, // rapid commit: present, empty
			15: {0, 0},
		},
		agent: map[uint8][]byte{
			1: []byte("eth0/1"),
			2: {0xde, 0xad, 0xbe, 0xef},
		},
		uints: map[Field]uint32{FieldHlen: 6, FieldHtype: 1, FieldMsgType: 1, FieldTransID: 0x12345678, FieldLen: 300},
		addrs: map[Field]netip.Addr{
			FieldCiaddr: netip.IPv4Unspecified(),
			FieldGiaddr: netip.MustParseAddr("192.0.2.1"),
			FieldYiaddr: netip.IPv4Unspecified(),
			FieldSiaddr: netip.MustParseAddr("192.0.2.2"),
			FieldSrc:    netip.MustParseAddr("192.0.2.1"),
			FieldDst:    netip.MustParseAddr("192.0.2.254"),
		},
		chaddr:  ch,
		iface:   "eth0",
		classes: map[string]bool{"ALL": true, "KNOWN": true, "VENDOR_CLASS_PXEClient": true},
	}
}

// v6Packet is a SOLICIT that passed two relays.
func v6Packet() *fakePacket {
	return &fakePacket{
		options: map[uint16][]byte{
			1:  {0x00, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01},
			6:  {0, 23},
			14: {},
			59: []byte("http://[2001:db8::1]/boot.efi"),
		},
		relays: []fakeRelay{
			{
				link: netip.MustParseAddr("2001:db8:1::1"), peer: netip.MustParseAddr("2001:db8:2::1"),
				options: map[uint16][]byte{18: []byte("ge-0/0/1"), 37: {0, 0, 0x0d, 0xe9, 1, 2}},
			},
			{
				link: netip.MustParseAddr("2001:db8:2::1"), peer: netip.MustParseAddr("fe80::1"),
				options: map[uint16][]byte{18: []byte("port7")},
			},
		},
		uints: map[Field]uint32{FieldMsgType: 1, FieldTransID: 0xabcdef, FieldLen: 120},
		addrs: map[Field]netip.Addr{
			FieldSrc: netip.MustParseAddr("2001:db8:1::1"),
			FieldDst: netip.MustParseAddr("2001:db8:ffff::1"),
		},
		iface:   "eth1",
		classes: map[string]bool{"ALL": true},
	}
}

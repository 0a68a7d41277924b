package dhcp6

// Options relay agents add to RELAY-FORW to describe the client.

// RemoteID is the content of a REMOTE_ID option (RFC 4649).
type RemoteID struct {
	Enterprise uint32 // IANA private enterprise number of the relay's vendor
	ID         []byte // referring into the option data
}

// ParseRemoteID decodes the data of a REMOTE_ID option.
func ParseRemoteID(data []byte) (RemoteID, error) {
	if len(data) < 4 {
		return RemoteID{}, shortOption(OptRemoteID, len(data), 4)
	}
	return RemoteID{Enterprise: be32(data), ID: data[4:]}, nil
}

// AddRemoteID writes a REMOTE_ID option.
func (b *Builder) AddRemoteID(enterprise uint32, id []byte) {
	b.StartOption(OptRemoteID)
	b.WriteUint32(enterprise)
	b.WriteBytes(id)
	b.EndOption()
}

// ParseSubscriberID decodes the data of a SUBSCRIBER_ID option (RFC 4580):
// an opaque identifier of at least one byte.
func ParseSubscriberID(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, errorf(ErrBadOption, 0, OptSubscriberID, "empty; a subscriber-id has at least one byte")
	}
	return data, nil
}

// ClientLinkLayerAddr is the content of a CLIENT_LINKLAYER_ADDR option
// (RFC 6939).
type ClientLinkLayerAddr struct {
	HardwareType uint16 // IANA hardware type, 1 for Ethernet
	Addr         []byte // referring into the option data
}

// ParseClientLinkLayerAddr decodes the data of a CLIENT_LINKLAYER_ADDR
// option.
func ParseClientLinkLayerAddr(data []byte) (ClientLinkLayerAddr, error) {
	if len(data) < 2 {
		return ClientLinkLayerAddr{}, shortOption(OptClientLinkLayerAddr, len(data), 2)
	}
	return ClientLinkLayerAddr{HardwareType: be16(data), Addr: data[2:]}, nil
}

// AddClientLinkLayerAddr writes a CLIENT_LINKLAYER_ADDR option.
func (b *Builder) AddClientLinkLayerAddr(hwType uint16, addr []byte) {
	b.StartOption(OptClientLinkLayerAddr)
	b.WriteUint16(hwType)
	b.WriteBytes(addr)
	b.EndOption()
}

// AddInterfaceID writes an INTERFACE_ID option.
func (b *Builder) AddInterfaceID(id []byte) { b.AddOption(OptInterfaceID, id) }

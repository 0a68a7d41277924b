package main

import "encoding/binary"

// The fixed replies. They carry what perfdhcp checks (the transaction,
// the client, a server identifier, an address or prefix) and nothing the
// floor would have to decide.

var (
	cookie   = []byte{99, 130, 83, 99}
	serverV4 = [4]byte{198, 18, 0, 1}
	// DUID-LL, Ethernet, 02:00:00:00:00:fe.
	serverDUID = []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, 0xfe}
)

// reply4 appends the OFFER for a DISCOVER or the ACK for a REQUEST to out;
// anything else gets no reply (out empty). ack says the reply promises a
// lease.
func reply4(out, in []byte) (reply []byte, ack bool) {
	if len(in) < 240 || in[0] != 1 || string(in[236:240]) != string(cookie) {
		return out[:0], false
	}
	var typ byte
	for i := 240; i < len(in); {
		code := in[i]
		if code == 255 {
			break
		}
		if code == 0 {
			i++
			continue
		}
		if i+1 >= len(in) || i+2+int(in[i+1]) > len(in) {
			break
		}
		if code == 53 && in[i+1] == 1 {
			typ = in[i+2]
		}
		i += 2 + int(in[i+1])
	}
	var rt byte
	switch typ {
	case 1:
		rt = 2
	case 3:
		rt = 5
	default:
		return out[:0], false
	}
	out = append(out[:0], in[:236]...)
	out[0] = 2
	// yiaddr in 198.18.0.0/15 from chaddr bytes 3-5.
	out[16], out[17], out[18], out[19] = 198, 18|(in[31]&1), in[32], in[33]
	clear(out[20:24]) // siaddr
	out = append(out, cookie...)
	out = append(out, 53, 1, rt, 54, 4)
	out = append(out, serverV4[:]...)
	out = append(out, 51, 4, 0, 0, 0x0f, 0xa0, 1, 4, 255, 254, 0, 0, 255)
	return out, rt == 5
}

// reply6 appends the ADVERTISE for a SOLICIT or the REPLY for a REQUEST,
// with an address for an IA_NA and a /56 for an IA_PD; anything else gets
// no reply. durable says the reply promises a lease.
func reply6(out, in []byte) (reply []byte, durable bool) {
	if len(in) < 4 {
		return out[:0], false
	}
	var rt byte
	switch in[0] {
	case 1:
		rt = 2
	case 3:
		rt = 7
	default:
		return out[:0], false
	}
	out = append(out[:0], rt, in[1], in[2], in[3])
	var clientID []byte
	var iaNA, iaPD []byte // the IAIDs
	for opts := in[4:]; len(opts) >= 4; {
		code, n := binary.BigEndian.Uint16(opts), int(binary.BigEndian.Uint16(opts[2:]))
		if 4+n > len(opts) {
			break
		}
		body := opts[4 : 4+n]
		switch {
		case code == 1:
			clientID = body
		case code == 3 && n >= 12:
			iaNA = body[:4]
		case code == 25 && n >= 12:
			iaPD = body[:4]
		}
		opts = opts[4+n:]
	}
	if clientID == nil {
		return out[:0], false
	}
	// A per-client value for the address and prefix, so that clients do
	// not all get the same one.
	var h uint32 = 2166136261
	for _, b := range clientID {
		h = (h ^ uint32(b)) * 16777619
	}
	out = option6(out, 1, clientID)
	out = option6(out, 2, serverDUID)
	if iaNA != nil {
		out = append(out, 0, 3, 0, 12+28)
		out = append(out, iaNA...)
		out = binary.BigEndian.AppendUint32(out, 1000)
		out = binary.BigEndian.AppendUint32(out, 2000)
		out = append(out, 0, 5, 0, 24, 0x20, 0x01, 0x0d, 0xb8, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 1)
		out = binary.BigEndian.AppendUint16(out, uint16(h))
		out = binary.BigEndian.AppendUint32(out, 3000)
		out = binary.BigEndian.AppendUint32(out, 4000)
	}
	if iaPD != nil {
		out = append(out, 0, 25, 0, 12+29)
		out = append(out, iaPD...)
		out = binary.BigEndian.AppendUint32(out, 1000)
		out = binary.BigEndian.AppendUint32(out, 2000)
		out = append(out, 0, 26, 0, 25)
		out = binary.BigEndian.AppendUint32(out, 3000)
		out = binary.BigEndian.AppendUint32(out, 4000)
		out = append(out, 56, 0x20, 0x01, 0x0d, 0xb8, 0x18, byte(h>>8), byte(h), 0, 0, 0, 0, 0, 0, 0, 0, 0)
	}
	return out, rt == 7
}

func option6(out []byte, code uint16, body []byte) []byte {
	out = binary.BigEndian.AppendUint16(out, code)
	out = binary.BigEndian.AppendUint16(out, uint16(len(body)))
	return append(out, body...)
}

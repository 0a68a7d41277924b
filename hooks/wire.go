package hooks

import (
	"bytes"
	"errors"
	"fmt"
)

// The hooks package does not import the codecs (the servers that import
// hooks do), so it checks only the few header bytes a changed packet must
// keep; the server decodes and validates the whole packet again before it
// uses a change.

const (
	v4HeaderLen    = 236 // fixed BOOTP header, before the magic cookie
	v4OptionsStart = v4HeaderLen + 4
	v4OptMsgType   = 53
	v6RelayForw    = 12
	v6RelayRepl    = 13
	v6RelayHdrLen  = 34 // msg-type, hop-count, link-address, peer-address
)

var v4Cookie = [4]byte{99, 130, 83, 99}

// checkPacket4 checks a changed DHCPv4 packet against the one it replaces:
// same op, xid and DHCP message type.
func checkPacket4(old, changed []byte) error {
	if len(changed) < v4OptionsStart || !bytes.Equal(changed[v4HeaderLen:v4OptionsStart], v4Cookie[:]) {
		return errors.New("not a DHCPv4 packet (too short or no magic cookie)")
	}
	if len(old) < v4OptionsStart {
		return nil // nothing to compare with; the server decodes it anyway
	}
	if changed[0] != old[0] {
		return fmt.Errorf("op changed from %d to %d", old[0], changed[0])
	}
	if !bytes.Equal(changed[4:8], old[4:8]) {
		return fmt.Errorf("xid changed from %x to %x", old[4:8], changed[4:8])
	}
	if o, c := msgType4(old), msgType4(changed); o != c {
		return fmt.Errorf("DHCP message type changed from %d to %d", o, c)
	}
	return nil
}

// msgType4 finds option 53 in the options field (0 if absent or malformed).
func msgType4(p []byte) byte {
	for i := v4OptionsStart; i < len(p); {
		switch code := p[i]; code {
		case 0:
			i++
			continue
		case 255:
			return 0
		default:
			if i+1 >= len(p) {
				return 0
			}
			n := int(p[i+1])
			if i+2+n > len(p) {
				return 0
			}
			if code == v4OptMsgType && n == 1 {
				return p[i+2]
			}
			i += 2 + n
		}
	}
	return 0
}

// checkPacket6 checks a changed DHCPv6 packet: same message type, and the
// same transaction id (or, for a relay message, the same relay header).
func checkPacket6(old, changed []byte) error {
	if len(changed) < 4 {
		return errors.New("not a DHCPv6 packet (shorter than 4 bytes)")
	}
	if len(old) < 4 {
		return nil
	}
	if changed[0] != old[0] {
		return fmt.Errorf("message type changed from %d to %d", old[0], changed[0])
	}
	if old[0] == v6RelayForw || old[0] == v6RelayRepl {
		if len(changed) < v6RelayHdrLen || len(old) < v6RelayHdrLen {
			return errors.New("relay message shorter than its header")
		}
		if !bytes.Equal(changed[1:v6RelayHdrLen], old[1:v6RelayHdrLen]) {
			return errors.New("relay header (hop count, link or peer address) changed")
		}
		return nil
	}
	if !bytes.Equal(changed[1:4], old[1:4]) {
		return fmt.Errorf("transaction id changed from %x to %x", old[1:4], changed[1:4])
	}
	return nil
}

// checkIA checks a changed IA_NA/IA_PD option: same code and IAID, and a
// length field that matches.
func checkIA(old, changed []byte) error {
	if len(changed) < 8 {
		return errors.New("IA option shorter than 8 bytes")
	}
	if n := int(changed[2])<<8 | int(changed[3]); n != len(changed)-4 {
		return fmt.Errorf("IA option length field %d, but %d bytes follow", n, len(changed)-4)
	}
	if len(old) >= 8 {
		if !bytes.Equal(old[0:2], changed[0:2]) {
			return errors.New("IA option code changed")
		}
		if !bytes.Equal(old[4:8], changed[4:8]) {
			return errors.New("IAID changed")
		}
	}
	return nil
}

package dhcp6

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/leasehold/leasehold/config"
)

// ServerDUIDFile is the name of the file, in the data directory, that keeps
// the server DUID across restarts (Kea's name, so a Kea installation's
// DUID carries over).
const ServerDUIDFile = "kea-dhcp6-serverid"

// duidEpoch is DUID-LLT's time origin, 2000-01-01 00:00 UTC.
var duidEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// enterpriseISC is the enterprise number a generated DUID-EN gets, as Kea.
const enterpriseISC = 2495

// linkLayer is an interface address a DUID can be built from.
type linkLayer struct {
	htype uint16
	addr  []byte
}

// loadServerDUID makes the server DUID as Kea 2.2 does from server-id: the
// configured type (DUID-LLT by default) with the configured parts, the
// missing parts taken from the DUID file when it holds a DUID of that type,
// else generated (the current time, the link-layer address of an
// interface, a random identifier). With persist on (the default) the result
// is written to <dataDir>/kea-dhcp6-serverid. It returns the DUID and the
// file it is kept in ("" when not persisted).
func loadServerDUID(cfg *config.DHCP6, dataDir string, now time.Time) ([]byte, string, error) {
	return makeServerDUID(cfg.ServerID, dataDir, now, systemLinkLayers)
}

func makeServerDUID(id config.ServerID, dataDir string, now time.Time, ifaces func() ([]linkLayer, error)) ([]byte, string, error) {
	file := ""
	var stored []byte
	if id.Persist {
		file = filepath.Join(dataDir, ServerDUIDFile)
		var err error
		if stored, err = readDUIDFile(file); err != nil {
			return nil, "", err
		}
	}
	var duid []byte
	var err error
	switch id.Type {
	case "", "LLT":
		duid, err = makeDUIDLLT(id, stored, now, ifaces)
	case "LL":
		duid, err = makeDUIDLL(id, stored, ifaces)
	case "EN":
		duid, err = makeDUIDEN(id, stored)
	default:
		return nil, "", fmt.Errorf("server-id type %q is not LLT, LL or EN", id.Type)
	}
	if err != nil {
		return nil, "", err
	}
	if len(duid) < minDUIDLen || len(duid) > maxDUIDLen {
		return nil, "", fmt.Errorf("server DUID of %d bytes; a DUID has %d to %d", len(duid), minDUIDLen, maxDUIDLen)
	}
	if file != "" && !bytes.Equal(duid, stored) {
		if err := os.WriteFile(file, []byte(DUID{Raw: duid}.String()), 0o644); err != nil {
			return nil, "", fmt.Errorf("writing the server DUID: %w", err)
		}
	}
	return duid, file, nil
}

func makeDUIDLLT(id config.ServerID, stored []byte, now time.Time, ifaces func() ([]linkLayer, error)) ([]byte, error) {
	var htypeCur uint16
	var timeCur uint32
	var idCur []byte
	if len(stored) > 8 && DUIDType(be16(stored)) == DUIDLLT {
		htypeCur, timeCur, idCur = be16(stored[2:]), be32(stored[4:]), stored[8:]
	}
	t := id.Time
	if t == 0 {
		t = timeCur
	}
	if t == 0 {
		t = uint32(now.Sub(duidEpoch) / time.Second)
	}
	htype, ll, err := linkLayerPart(id, htypeCur, idCur, ifaces)
	if err != nil {
		return nil, err
	}
	return AppendDUIDLLT(nil, htype, t, ll), nil
}

func makeDUIDLL(id config.ServerID, stored []byte, ifaces func() ([]linkLayer, error)) ([]byte, error) {
	var htypeCur uint16
	var idCur []byte
	if len(stored) > 4 && DUIDType(be16(stored)) == DUIDLL {
		htypeCur, idCur = be16(stored[2:]), stored[4:]
	}
	htype, ll, err := linkLayerPart(id, htypeCur, idCur, ifaces)
	if err != nil {
		return nil, err
	}
	return AppendDUIDLL(nil, htype, ll), nil
}

// linkLayerPart picks the hardware type and address of a DUID-LLT/LL: the
// configured identifier (with the configured type, else the stored one,
// else Ethernet), else the stored DUID's, else an interface's.
func linkLayerPart(id config.ServerID, htypeCur uint16, idCur []byte, ifaces func() ([]linkLayer, error)) (uint16, []byte, error) {
	if len(id.Identifier) > 0 {
		h := id.HType
		if h == 0 {
			h = htypeCur
		}
		if h == 0 {
			h = 1
		}
		return h, id.Identifier, nil
	}
	if len(idCur) > 0 {
		return htypeCur, idCur, nil
	}
	ll, err := pickLinkLayer(ifaces)
	if err != nil {
		return 0, nil, err
	}
	return ll.htype, ll.addr, nil
}

// pickLinkLayer chooses the interface whose address goes in a generated
// DUID as Kea does: up, not loopback, an address of 6 bytes or more that is
// not all zeros; the first Ethernet one wins, else the last found.
func pickLinkLayer(ifaces func() ([]linkLayer, error)) (linkLayer, error) {
	list, err := ifaces()
	if err != nil {
		return linkLayer{}, fmt.Errorf("listing interfaces for a DUID: %w", err)
	}
	var pick linkLayer
	for _, l := range list {
		if len(l.addr) < 6 || allZero(l.addr) {
			continue
		}
		pick = l
		if l.htype == 1 && len(l.addr) == 6 {
			break
		}
	}
	if pick.addr == nil {
		return linkLayer{}, errors.New("no interface with a link-layer address to build a DUID-LLT from; configure server-id")
	}
	return pick, nil
}

func makeDUIDEN(id config.ServerID, stored []byte) ([]byte, error) {
	var entCur uint32
	var idCur []byte
	if len(stored) > 6 && DUIDType(be16(stored)) == DUIDEN {
		entCur, idCur = be32(stored[2:]), stored[6:]
	}
	ent := id.EnterpriseID
	if ent == 0 {
		ent = entCur
	}
	if ent == 0 {
		ent = enterpriseISC
	}
	ident := id.Identifier
	if len(ident) == 0 {
		ident = idCur
	}
	if len(ident) == 0 {
		ident = make([]byte, 6)
		if _, err := rand.Read(ident); err != nil {
			return nil, fmt.Errorf("random DUID-EN identifier: %w", err)
		}
	}
	return AppendDUIDEN(nil, ent, ident), nil
}

// readDUIDFile reads a DUID written as Kea does (colon-separated hex); a
// missing file or one that does not hold a DUID gives nil.
func readDUIDFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the server DUID: %w", err)
	}
	d, ok := parseDUIDText(strings.Join(strings.Fields(string(data)), ""))
	if !ok {
		return nil, nil
	}
	return d, nil
}

// parseDUIDText reads "00:01:00:01:..." (one or two digits per byte) or a
// plain run of hex digits.
func parseDUIDText(s string) ([]byte, bool) {
	var out []byte
	if strings.Contains(s, ":") {
		for _, part := range strings.Split(s, ":") {
			if len(part) == 0 || len(part) > 2 {
				return nil, false
			}
			b, err := strconv.ParseUint(part, 16, 8)
			if err != nil {
				return nil, false
			}
			out = append(out, byte(b))
		}
	} else {
		var err error
		if out, err = hex.DecodeString(s); err != nil {
			return nil, false
		}
	}
	if len(out) < minDUIDLen || len(out) > maxDUIDLen {
		return nil, false
	}
	return out, true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// systemLinkLayers lists the interfaces that are up and not loopback, in
// index order, with their ARP hardware type from sysfs (Ethernet when it
// cannot be read).
func systemLinkLayers() ([]linkLayer, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []linkLayer
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		out = append(out, linkLayer{htype: sysHWType(ifc.Name), addr: ifc.HardwareAddr})
	}
	return out, nil
}

func sysHWType(name string) uint16 {
	data, err := os.ReadFile(filepath.Join("/sys/class/net", name, "type"))
	if err != nil {
		return 1
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 16)
	if err != nil {
		return 1
	}
	return uint16(n)
}

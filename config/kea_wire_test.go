package config_test

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/netlab"
	"github.com/leasehold/leasehold/internal/pcapfile"
)

// The options below are configured with always-send in a subnet that Kea
// 2.2 serves in a network namespace; the test captures Kea's OFFER or
// ADVERTISE and compares every option payload with the one Parse encoded
// from the same configuration. Kea's bytes are the reference.

const wireDefs4 = `[
	{ "name": "i8", "code": 221, "type": "int8" },
	{ "name": "pfx", "code": 225, "type": "ipv6-prefix" },
	{ "name": "psid", "code": 226, "type": "psid" },
	{ "name": "tup", "code": 227, "type": "tuple" },
	{ "name": "fq", "code": 228, "type": "fqdn" },
	{ "name": "recs", "code": 229, "type": "record", "record-types": "uint8, uint16", "array": true },
	{ "name": "bools", "code": 230, "type": "boolean", "array": true },
	{ "name": "e", "code": 233, "type": "empty" },
	{ "name": "rec", "code": 234, "type": "record", "record-types": "uint8, ipv4-address, string" },
	{ "name": "tups", "code": 235, "type": "tuple", "array": true },
	{ "name": "fqs", "code": 236, "type": "fqdn", "array": true },
	{ "name": "tftp", "code": 1, "space": "vendor-encapsulated-options-space", "type": "ipv4-address" },
	{ "name": "label", "code": 2, "space": "vendor-encapsulated-options-space", "type": "string" }
]`

var wireOptions4 = []string{
	`{ "name": "time-offset", "data": "-3600" }`,
	`{ "name": "time-servers", "data": "192.0.2.1, 192.0.2.2" }`,
	`{ "name": "boot-size", "data": "0x100" }`,
	`{ "name": "domain-name", "data": "example.org" }`,
	`{ "name": "ip-forwarding", "data": "true" }`,
	`{ "name": "default-ip-ttl", "data": "ff" }`,
	`{ "name": "path-mtu-plateau-table", "data": "68, 296" }`,
	`{ "name": "arp-cache-timeout", "data": "600" }`,
	`{ "name": "slp-directory-agent", "data": "true, 192.0.2.1, 192.0.2.2" }`,
	`{ "name": "slp-service-scope", "data": "false, scope" }`,
	`{ "name": "uuid-guid", "data": "0, 00112233" }`,
	`{ "name": "domain-search", "data": "example.com, foo.example.org." }`,
	`{ "name": "vivco-suboptions", "data": "4491, 03616263" }`,
	`{ "name": "vivso-suboptions", "data": "4491" }`,
	`{ "name": "v4-lost", "data": "lost.example" }`,
	`{ "name": "v4-portparams", "data": "2, 3/4" }`,
	`{ "name": "option-6rd", "data": "0, 32, 2001:db8::, 192.0.2.1" }`,
	`{ "name": "i8", "data": "-2" }`,
	`{ "name": "pfx", "data": "2001:db8:1:ff::/52" }`,
	`{ "name": "psid", "data": "0x10/8" }`,
	`{ "name": "tup", "data": "abc" }`,
	`{ "name": "fq", "data": "host.Example.COM" }`,
	`{ "name": "recs", "data": "1, 2, 3" }`,
	`{ "name": "bools", "data": "true, false, 1" }`,
	`{ "name": "e" }`,
	`{ "name": "rec", "data": "1, 192.0.2.1, x" }`,
	`{ "name": "tups", "data": "ab, c" }`,
	`{ "name": "fqs", "data": "x.y, z." }`,
	`{ "name": "vendor-encapsulated-options" }`,
	`{ "name": "tftp", "space": "vendor-encapsulated-options-space", "data": "192.0.2.9" }`,
	`{ "name": "label", "space": "vendor-encapsulated-options-space", "data": "lbl" }`,
	`{ "code": 254, "csv-format": false, "data": "0x0A0b" }`,
	`{ "name": "nwip-suboptions", "csv-format": false, "data": "a:b:0c" }`,
}

const wireDefs6 = `[
	{ "name": "tup", "code": 1001, "type": "tuple" },
	{ "name": "u16s", "code": 1002, "type": "uint16", "array": true },
	{ "name": "fqs", "code": 1003, "type": "fqdn", "array": true },
	{ "name": "pfx", "code": 1004, "type": "ipv6-prefix" },
	{ "name": "rec", "code": 1005, "type": "record", "record-types": "ipv6-address, uint8, string" }
]`

var wireOptions6 = []string{
	`{ "name": "preference", "data": "255" }`,
	`{ "name": "sip-server-dns", "data": "a.example, b.example" }`,
	`{ "name": "sip-server-addr", "data": "2001:db8::5, 2001:db8::6" }`,
	`{ "name": "new-posix-timezone", "data": "EST5EDT4\\,M3.2.0/02:00\\,M11.1.0/02:00" }`,
	`{ "name": "bootfile-url", "data": "tftp://[2001:db8::1]/boot" }`,
	`{ "name": "bootfile-param", "data": "root=/dev/sda, quiet" }`,
	`{ "name": "client-arch-type", "data": "7, 9" }`,
	`{ "name": "aftr-name", "data": "aftr.example" }`,
	`{ "name": "solmax-rt", "data": "3600" }`,
	`{ "name": "vendor-class", "data": "4491, 0003616263" }`,
	`{ "name": "vendor-opts", "data": "4491" }`,
	`{ "name": "erp-local-domain-name", "data": "example.com" }`,
	`{ "name": "geoconf-civic", "data": "1, 2, 0a0b" }`,
	`{ "name": "remote-id", "data": "4491, 0102" }`,
	`{ "name": "s46-cont-mape" }`,
	`{ "name": "s46-rule", "space": "s46-cont-mape-options", "data": "0, 0, 24, 192.0.2.0, 2001:db8::/64" }`,
	`{ "name": "s46-br", "space": "s46-cont-mape-options", "data": "2001:db8::1" }`,
	`{ "name": "s46-portparams", "space": "s46-rule-options", "data": "0, 2/4" }`,
	`{ "name": "tup", "data": "ab" }`,
	`{ "name": "u16s", "data": "1,2" }`,
	`{ "name": "fqs", "data": "x.y" }`,
	`{ "name": "pfx", "data": "2001:db8:1:80::/57" }`,
	`{ "name": "rec", "data": "2001:db8::1, 7, text" }`,
}

func wireConfig(v6 bool, l *netlab.Lab) string {
	opts := wireOptions4
	if v6 {
		opts = wireOptions6
	}
	var list []string
	for _, o := range opts {
		list = append(list, strings.Replace(o, "{", `{ "always-send": true,`, 1))
	}
	if v6 {
		return fmt.Sprintf(`{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ %q ] },
  "lease-database": { "type": "memfile", "persist": false },
  "option-def": %s,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": %q,
      "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],
      "option-data": [ %s ] } ],
  "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }`, l.ServerIf, wireDefs6, l.ServerIf, strings.Join(list, ",\n"))
	}
	return fmt.Sprintf(`{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ %q ] },
  "lease-database": { "type": "memfile", "persist": false },
  "option-def": %s,
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],
      "option-data": [ %s ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }`, l.ServerIf, wireDefs4, strings.Join(list, ",\n"))
}

func TestOptionWireAgainstKea(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		t.Run(map[bool]string{false: "DHCPv4", true: "DHCPv6"}[v6], func(t *testing.T) {
			if _, err := netlab.LookTool("kea-dhcp4"); err != nil {
				if netlab.Required() {
					t.Fatal("kea-dhcp4 is required under CI")
				}
				t.Skip("Kea is not installed")
			}
			netlab.RequireTool(t, "perfdhcp")
			netlab.RequireTool(t, "dumpcap")
			l := netlab.NewT(t, netlab.Options{Prefix: "lhD"})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			text := wireConfig(v6, l)
			cfg, err := config.Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.StartKea(ctx, l.ServerNS, v6, text); err != nil {
				t.Fatal(err)
			}
			filter := "udp port 67 or udp port 68"
			if v6 {
				filter = "udp port 546 or udp port 547"
			}
			capt, err := l.StartCapture(ctx, l.ServerNS, l.ServerIf, filepath.Join(l.Dir, "wire.pcap"), filter)
			if err != nil {
				t.Fatal(err)
			}
			c := l.FirstClient()
			var out []byte
			if v6 {
				// Relayed (-A1): Kea answers a unicast relay, not a
				// unicast SOLICIT from a client.
				if _, err := l.IP(ctx, c.NS, "addr", "add", "2001:db8:1::50/64", "dev", c.If); err != nil {
					t.Fatal(err)
				}
				out, err = l.Run(ctx, c.NS, "perfdhcp", "-6", "-A1", "-l", c.If, "-n", "1", "-r", "1", "-R", "1", "-i", "all")
			} else {
				if _, err := l.IP(ctx, c.NS, "addr", "add", "192.0.2.50/24", "dev", c.If); err != nil {
					t.Fatal(err)
				}
				out, err = l.Run(ctx, c.NS, "perfdhcp", "-4", "-l", "192.0.2.50", "-n", "1", "-r", "1", "-R", "1", "-i", "192.0.2.1")
			}
			if err != nil {
				t.Logf("perfdhcp: %v\n%s", err, out)
			}
			if err := capt.Stop(); err != nil {
				t.Fatal(err)
			}
			dgrams, err := pcapfile.ReadUDP(capt.File)
			if err != nil {
				t.Fatal(err)
			}
			var got map[uint16][]byte
			var want []config.OptionData
			if v6 {
				got, err = advertiseOptions(dgrams)
				want = cfg.DHCP6.Subnets[0].Options
			} else {
				got, err = offerOptions(dgrams)
				want = cfg.DHCP4.Subnets[0].Options
			}
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, o := range want {
				if o.Space != config.SpaceDHCP4 && o.Space != config.SpaceDHCP6 {
					continue
				}
				checked++
				kea, ok := got[o.Code]
				switch {
				case !ok:
					t.Errorf("option %d %s: Kea did not send it", o.Code, o.Name)
				case string(kea) != string(o.Data):
					t.Errorf("option %d %s:\n kea       %s\n leasehold %s", o.Code, o.Name, hex.EncodeToString(kea), hex.EncodeToString(o.Data))
				}
			}
			t.Logf("compared %d options with Kea's", checked)
		})
	}
}

// offerOptions returns the options of the first DHCPOFFER, long options
// concatenated (RFC 3396).
func offerOptions(dgrams []pcapfile.Datagram) (map[uint16][]byte, error) {
	for _, d := range dgrams {
		msg := d.Payload
		if d.SrcPort != 67 || len(msg) < 240 || msg[0] != 2 {
			continue
		}
		opts := map[uint16][]byte{}
		for b := msg[240:]; len(b) > 0 && b[0] != 255; {
			if b[0] == 0 {
				b = b[1:]
				continue
			}
			if len(b) < 2 || len(b) < 2+int(b[1]) {
				return nil, fmt.Errorf("truncated option in the OFFER")
			}
			code := uint16(b[0])
			opts[code] = append(opts[code], b[2:2+int(b[1])]...)
			b = b[2+int(b[1]):]
		}
		if t := opts[53]; len(t) == 1 && t[0] == 2 {
			return opts, nil
		}
	}
	return nil, fmt.Errorf("no DHCPOFFER captured")
}

// advertiseOptions returns the top-level options of the first ADVERTISE,
// taken out of its RELAY-REPL.
func advertiseOptions(dgrams []pcapfile.Datagram) (map[uint16][]byte, error) {
	for _, d := range dgrams {
		msg := d.Payload
		if d.SrcPort != 547 || len(msg) < 34 || msg[0] != 13 {
			continue
		}
		relay, err := options6(msg[34:])
		if err != nil {
			return nil, err
		}
		inner := relay[9]
		if len(inner) < 4 || inner[0] != 2 {
			continue
		}
		return options6(inner[4:])
	}
	return nil, fmt.Errorf("no ADVERTISE captured")
}

func options6(b []byte) (map[uint16][]byte, error) {
	opts := map[uint16][]byte{}
	for len(b) > 0 {
		if len(b) < 4 || len(b) < 4+int(binary.BigEndian.Uint16(b[2:])) {
			return nil, fmt.Errorf("truncated DHCPv6 option")
		}
		n := int(binary.BigEndian.Uint16(b[2:]))
		opts[binary.BigEndian.Uint16(b)] = b[4 : 4+n]
		b = b[4+n:]
	}
	return opts, nil
}

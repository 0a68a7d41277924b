package config

import (
	"encoding/hex"
	"strings"
	"testing"
)

// globalOptions parses a configuration with the given option-def and
// option-data lists and returns its global options.
func globalOptions(t *testing.T, v6 bool, defs, data string) ([]OptionData, *Config, error) {
	t.Helper()
	body := `"option-def": [` + defs + `], "option-data": [` + data + `]`
	text := v4(body)
	if v6 {
		text = `{ "Dhcp6": { ` + body + ` } }`
	}
	cfg, err := Parse([]byte(text))
	if err != nil {
		return nil, nil, err
	}
	if v6 {
		return cfg.DHCP6.Options, cfg, nil
	}
	return cfg.DHCP4.Options, cfg, nil
}

// Custom definitions covering every option data type.
const customDefs4 = `
	{ "name": "i8", "code": 221, "type": "int8" },
	{ "name": "i16", "code": 222, "type": "int16" },
	{ "name": "i32", "code": 223, "type": "int32" },
	{ "name": "u32s", "code": 224, "type": "uint32", "array": true },
	{ "name": "pfx", "code": 225, "type": "ipv6-prefix" },
	{ "name": "psid", "code": 226, "type": "psid" },
	{ "name": "tup", "code": 227, "type": "tuple" },
	{ "name": "fq", "code": 228, "type": "fqdn" },
	{ "name": "recs", "code": 229, "type": "record", "record-types": "uint8, uint16", "array": true },
	{ "name": "bools", "code": 230, "type": "boolean", "array": true },
	{ "name": "v6addr", "code": 231, "type": "ipv6-address" },
	{ "name": "bin", "code": 232, "type": "binary" },
	{ "name": "e", "code": 233, "type": "empty" },
	{ "name": "rec", "code": 234, "type": "record", "record-types": "uint8, ipv4-address, string" },
	{ "name": "tups", "code": 235, "type": "tuple", "array": true },
	{ "name": "fqs", "code": 236, "type": "fqdn", "array": true }`

const customDefs6 = `
	{ "name": "tup", "code": 1001, "type": "tuple" },
	{ "name": "u16s", "code": 1002, "type": "uint16", "array": true },
	{ "name": "fqs", "code": 1003, "type": "fqdn", "array": true }`

func TestOptionEncoding(t *testing.T) {
	tests := []struct {
		name   string
		v6     bool
		option string // one option-data entry
		want   string // hex of the payload
	}{
		// DHCPv4 standard options, one per type.
		{"ipv4-address", false, `{ "name": "subnet-mask", "data": "255.255.255.0" }`, "ffffff00"},
		{"ipv4-address array", false, `{ "name": "routers", "data": "192.0.2.1, 192.0.2.2" }`, "c0000201c0000202"},
		{"empty address list", false, `{ "name": "routers", "data": "" }`, ""},
		{"int32", false, `{ "name": "time-offset", "data": "-3600" }`, "fffff1f0"},
		{"uint8", false, `{ "name": "default-ip-ttl", "data": "64" }`, "40"},
		{"uint8 in hex", false, `{ "name": "default-ip-ttl", "data": "ff" }`, "ff"},
		{"uint16 0x", false, `{ "name": "boot-size", "data": "0x100" }`, "0100"},
		{"uint16 array", false, `{ "name": "path-mtu-plateau-table", "data": "68, 296" }`, "00440128"},
		{"uint32", false, `{ "name": "arp-cache-timeout", "data": "600" }`, "00000258"},
		{"boolean true", false, `{ "name": "ip-forwarding", "data": "true" }`, "01"},
		{"boolean False", false, `{ "name": "ip-forwarding", "data": "False" }`, "00"},
		{"boolean 1", false, `{ "name": "ip-forwarding", "data": "1" }`, "01"},
		{"string", false, `{ "name": "host-name", "data": "example" }`, "6578616d706c65"},
		{"string with escaped comma", false, `{ "name": "domain-name", "data": "a\\,b" }`, "612c62"},
		{"string trimmed", false, `{ "name": "domain-name", "data": "  a b  " }`, "612062"},
		{"binary", false, `{ "name": "dhcp-client-identifier", "data": "01020A0b" }`, "01020a0b"},
		{"binary with spaces", false, `{ "name": "dhcp-client-identifier", "data": "01 02" }`, "0102"},
		{"fqdn", false, `{ "name": "v4-lost", "data": "lost.example" }`, "046c6f7374076578616d706c6500"},
		{"fqdn list", false, `{ "name": "domain-search", "data": "example.com, foo.example.org." }`,
			"076578616d706c6503636f6d00" + "03666f6f076578616d706c65036f726700"},
		{"record bool ipv4 array", false, `{ "name": "slp-directory-agent", "data": "true, 192.0.2.1, 192.0.2.2" }`, "01c0000201c0000202"},
		{"record bool string", false, `{ "name": "slp-service-scope", "data": "false, scope" }`, "0073636f7065"},
		{"record fqdn", false, `{ "name": "fqdn", "data": "1, 0, 0, host.example.com" }`, "010000" + "04686f7374076578616d706c6503636f6d00"},
		{"record binary", false, `{ "name": "uuid-guid", "data": "0, 00112233" }`, "0000112233"},
		{"record psid", false, `{ "name": "v4-portparams", "data": "2, 3/4" }`, "02043000"},
		{"record ipv6 ipv4", false, `{ "name": "option-6rd", "data": "0, 32, 2001:db8::, 192.0.2.1" }`,
			"0020" + "20010db8000000000000000000000000" + "c0000201"},
		{"vivso adds data-len", false, `{ "name": "vivso-suboptions", "data": "4491" }`, "0000118b00"},
		{"vivco", false, `{ "name": "vivco-suboptions", "data": "4491, 03616263" }`, "0000118b03616263"},
		{"empty", false, `{ "name": "dhcp-agent-options" }`, ""},
		{"docsis vendor space", false, `{ "name": "tftp-servers", "space": "vendor-4491", "data": "192.0.2.1" }`, "c0000201"},
		{"by code", false, `{ "code": 6, "data": "192.0.2.53" }`, "c0000235"},

		// Custom DHCPv4 definitions.
		{"int8", false, `{ "name": "i8", "data": "-2" }`, "fe"},
		{"int16", false, `{ "name": "i16", "data": "-2" }`, "fffe"},
		{"int32 min", false, `{ "name": "i32", "data": "-2147483648" }`, "80000000"},
		{"uint32 array", false, `{ "name": "u32s", "data": "1, 0xffffffff" }`, "00000001ffffffff"},
		{"ipv6-prefix", false, `{ "name": "pfx", "data": "2001:db8:1::/48" }`, "3020010db80001"},
		{"ipv6-prefix odd bits", false, `{ "name": "pfx", "data": "2001:db8:1:ff:: / 52" }`, "3420010db8000100"},
		{"psid", false, `{ "name": "psid", "data": "0x10/8" }`, "081000"},
		{"psid zero length", false, `{ "name": "psid", "data": "0/0" }`, "000000"},
		{"tuple v4", false, `{ "name": "tup", "data": "abc" }`, "03616263"},
		{"tuple array v4", false, `{ "name": "tups", "data": "ab, c" }`, "026162" + "0163"},
		{"fqdn escape", false, `{ "name": "fq", "data": "a\\\\.b.com" }`, "03612e6203636f6d00"},
		{"fqdn decimal escape", false, `{ "name": "fq", "data": "a\\\\065.com" }`, "02614103636f6d00"},
		{"record array", false, `{ "name": "recs", "data": "1, 2, 3" }`, "0100020003"},
		{"boolean array", false, `{ "name": "bools", "data": "true, false, 1" }`, "010001"},
		{"ipv6 in a v4 option", false, `{ "name": "v6addr", "data": "2001:db8::1" }`, "20010db8000000000000000000000001"},
		{"binary custom", false, `{ "name": "bin", "data": "aabb" }`, "aabb"},
		{"empty custom", false, `{ "name": "e" }`, ""},
		{"record with empty string", false, `{ "name": "rec", "data": "1, 192.0.2.1, " }`, "01c0000201"},
		{"record string", false, `{ "name": "rec", "data": "1, 192.0.2.1, x" }`, "01c000020178"},

		// csv-format false.
		{"hex plain", false, `{ "name": "bin", "csv-format": false, "data": "0A0b" }`, "0a0b"},
		{"hex 0x", false, `{ "name": "bin", "csv-format": false, "data": "0x0A0b" }`, "0a0b"},
		{"hex odd", false, `{ "name": "bin", "csv-format": false, "data": "abc" }`, "0abc"},
		{"hex colons", false, `{ "name": "bin", "csv-format": false, "data": "a:b:0c" }`, "0a0b0c"},
		{"hex spaces", false, `{ "name": "bin", "csv-format": false, "data": "0a 0b" }`, "0a0b"},
		{"quoted text", false, `{ "name": "bin", "csv-format": false, "data": "'text'" }`, "74657874"},
		{"hex without definition", false, `{ "code": 250, "csv-format": false, "data": "0102" }`, "0102"},
		{"hex for a typed option", false, `{ "name": "routers", "csv-format": false, "data": "c0000201" }`, "c0000201"},
		{"hex record", false, `{ "name": "rec", "csv-format": false, "data": "0101020304" }`, "0101020304"},
		{"hex vivso gets data-len", false, `{ "name": "vivso-suboptions", "csv-format": false, "data": "0000118b" }`, "0000118b00"},

		// DHCPv6.
		{"v6 address list", true, `{ "name": "dns-servers", "data": "2001:db8::1, 2001:db8::2" }`,
			"20010db8000000000000000000000001" + "20010db8000000000000000000000002"},
		{"v6 uint8", true, `{ "name": "preference", "data": "255" }`, "ff"},
		{"v6 empty", true, `{ "name": "rapid-commit" }`, ""},
		{"v6 status code", true, `{ "name": "status-code", "data": "0, all fine" }`, "0000616c6c2066696e65"},
		{"v6 vendor class", true, `{ "name": "vendor-class", "data": "4491, 0003616263" }`, "0000118b0003616263"},
		{"v6 vendor opts", true, `{ "name": "vendor-opts", "data": "4491" }`, "0000118b"},
		{"v6 tuple array", true, `{ "name": "bootfile-param", "data": "root=/dev/sda, quiet" }`,
			"000d726f6f743d2f6465762f736461" + "00057175696574"},
		{"v6 tuple", true, `{ "name": "tup", "data": "ab" }`, "00026162"},
		{"v6 prefix", true, `{ "name": "pd-exclude", "data": "2001:db8:1:80::/57" }`, "3920010db800010080"},
		{"v6 client fqdn", true, `{ "name": "client-fqdn", "data": "1, host.example.com" }`, "01" + "04686f7374076578616d706c6503636f6d00"},
		{"v6 iaprefix", true, `{ "name": "iaprefix", "data": "1, 2, 64, 2001:db8::" }`, "000000010000000240" + "20010db8000000000000000000000000"},
		{"v6 fqdn list", true, `{ "name": "domain-search", "data": "example.com" }`, "076578616d706c6503636f6d00"},
		{"v6 empty fqdn list", true, `{ "name": "fqs", "data": "" }`, ""},
		{"v6 uint16 array", true, `{ "name": "u16s", "data": "1,2" }`, "00010002"},
		{"v6 docsis", true, `{ "name": "config-file", "space": "vendor-4491", "data": "cm.cfg" }`, "636d2e636667"},
		{"v6 4o6", true, `{ "name": "4o6-source-port", "space": "vendor-2495", "data": "67" }`, "0043"},
		{"v6 erp", true, `{ "code": 65, "data": "example.com" }`, "076578616d706c6503636f6d00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defs := customDefs4
			if tc.v6 {
				defs = customDefs6
			}
			opts, _, err := globalOptions(t, tc.v6, defs, tc.option)
			if err != nil {
				t.Fatal(err)
			}
			if len(opts) != 1 {
				t.Fatalf("got %d options", len(opts))
			}
			if got := hex.EncodeToString(opts[0].Data); got != tc.want {
				t.Errorf("payload %s, want %s", got, tc.want)
			}
			if opts[0].Data == nil {
				t.Errorf("payload is nil, want a non-nil slice")
			}
		})
	}
}

func TestOptionFields(t *testing.T) {
	opts, cfg, err := globalOptions(t, false, "", `
		{ "name": "domain-name", "data": "a.example, b.example", "always-send": true, "comment": "c" },
		{ "code": 42, "data": "192.0.2.123", "never-send": true, "user-context": { "k": 1 } }`)
	if err != nil {
		t.Fatal(err)
	}
	o1, o2 := opts[0], opts[1]
	if o1.Name != "domain-name" || o1.Code != 15 || o1.Space != "dhcp4" || !o1.AlwaysSend || o1.NeverSend || o1.Comment != "c" || string(o1.Data) != "a.example" {
		t.Errorf("option 1: %+v", o1)
	}
	if o2.Name != "ntp-servers" || o2.Code != 42 || !o2.NeverSend || string(o2.UserContext) != `{"k":1}` {
		t.Errorf("option 2: %+v", o2)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "Dhcp4/option-data[0]: option domain-name takes one value; 1 more") {
		t.Errorf("warnings: %q", cfg.Warnings)
	}
}

func TestOptionEncapsulation(t *testing.T) {
	t.Run("option 43 with sub-options", func(t *testing.T) {
		opts, _, err := globalOptions(t, false, `
			{ "name": "tftp", "code": 1, "space": "vendor-encapsulated-options-space", "type": "ipv4-address" },
			{ "name": "label", "code": 2, "space": "vendor-encapsulated-options-space", "type": "string" }`, `
			{ "name": "label", "space": "vendor-encapsulated-options-space", "data": "abc" },
			{ "name": "vendor-encapsulated-options" },
			{ "name": "tftp", "space": "vendor-encapsulated-options-space", "data": "192.0.2.1" }`)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(opts[1].Data); got != "0203616263"+"0104c0000201" {
			t.Errorf("option 43 payload %s", got)
		}
		if opts[0].Space != SpaceVendorEncapsulated || string(opts[0].Data) != "abc" {
			t.Errorf("sub-option kept as %+v", opts[0])
		}
	})
	t.Run("hex payload keeps its sub-options", func(t *testing.T) {
		opts, _, err := globalOptions(t, false, `
			{ "name": "tftp", "code": 1, "space": "vendor-encapsulated-options-space", "type": "ipv4-address" },
			{ "name": "label", "code": 2, "space": "vendor-encapsulated-options-space", "type": "string" }`, `
			{ "name": "vendor-encapsulated-options", "csv-format": false, "data": "0104c0000263" },
			{ "name": "tftp", "space": "vendor-encapsulated-options-space", "data": "192.0.2.1" },
			{ "name": "label", "space": "vendor-encapsulated-options-space", "data": "x" }`)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(opts[0].Data); got != "0104c0000263"+"020178" {
			t.Errorf("option 43 payload %s", got)
		}
	})
	t.Run("class redefines option 43", func(t *testing.T) {
		// Kea's kea4/vendor-specific.json.
		cfg, err := Parse([]byte(v4(`
			"option-def": [ { "name": "vlanid", "code": 2, "space": "339", "type": "uint32" },
			                { "name": "dls", "code": 3, "space": "339", "type": "string" } ],
			"client-classes": [ { "name": "VENDOR_CLASS_339",
				"option-def": [ { "name": "vendor-encapsulated-options", "code": 43, "type": "empty", "encapsulate": "339" } ],
				"option-data": [ { "name": "vendor-encapsulated-options" },
				                 { "name": "vlanid", "space": "339", "data": "123", "always-send": true },
				                 { "name": "dls", "space": "339", "data": "sdlp://192.0.2.11:18443" } ] } ]`)))
		if err != nil {
			t.Fatal(err)
		}
		got := hex.EncodeToString(cfg.DHCP4.ClientClasses[0].Options[0].Data)
		want := "02040000007b" + "0317" + hex.EncodeToString([]byte("sdlp://192.0.2.11:18443"))
		if got != want {
			t.Errorf("payload %s, want %s", got, want)
		}
	})
	t.Run("softwire containers nest", func(t *testing.T) {
		opts, _, err := globalOptions(t, true, "", `
			{ "name": "s46-cont-mape" },
			{ "name": "s46-rule", "space": "s46-cont-mape-options", "data": "0, 0, 24, 192.0.2.0, 2001:db8::/64" },
			{ "name": "s46-br", "space": "s46-cont-mape-options", "data": "2001:db8::1" },
			{ "name": "s46-portparams", "space": "s46-rule-options", "data": "0, 2/4" }`)
		if err != nil {
			t.Fatal(err)
		}
		rule := "000018c000020040" + "20010db800000000" + "005d0004" + "00042000"
		want := "00590018" + rule + "005a0010" + "20010db8000000000000000000000001"
		if got := hex.EncodeToString(opts[0].Data); got != want {
			t.Errorf("payload %s\n   want %s", got, want)
		}
	})
	t.Run("levels stay apart", func(t *testing.T) {
		cfg, err := Parse([]byte(v4(`
			"option-def": [ { "name": "tftp", "code": 1, "space": "vendor-encapsulated-options-space", "type": "ipv4-address" } ],
			"option-data": [ { "name": "tftp", "space": "vendor-encapsulated-options-space", "data": "192.0.2.1" } ],
			"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "option-data": [ { "name": "vendor-encapsulated-options" } ] } ]`)))
		if err != nil {
			t.Fatal(err)
		}
		if d := cfg.DHCP4.Subnets[0].Options[0].Data; len(d) != 0 {
			t.Errorf("subnet option 43 took a global sub-option: %x", d)
		}
	})
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		name   string
		v6     bool
		option string
		want   string
	}{
		{"psid too big", false, `{ "name": "psid", "data": "16/4" }`, "PSID 16 does not fit in 4 bits"},
		{"psid length", false, `{ "name": "psid", "data": "1/17" }`, `PSID length "17" is not in 0..16`},
		{"prefix length", false, `{ "name": "pfx", "data": "2001:db8::/129" }`, `prefix length "129" is not in 0..128`},
		{"prefix without length", false, `{ "name": "pfx", "data": "2001:db8::" }`, "is not a prefix"},
		{"tuple too long", false, `{ "name": "tup", "data": "` + strings.Repeat("x", 256) + `" }`, "tuple of 256 bytes is too long"},
		{"label too long", false, `{ "name": "fq", "data": "` + strings.Repeat("x", 64) + `.com" }`, "label of 64 bytes (over 63)"},
		{"empty label", false, `{ "name": "fq", "data": "a..b" }`, `empty label in domain name "a..b"`},
		{"root only", false, `{ "name": "fq", "data": "." }`, "empty domain name"},
		{"bad boolean", false, `{ "name": "bools", "data": "2" }`, `"2" is not a boolean`},
		{"bad integer", false, `{ "name": "i8", "data": "x1" }`, `"x1" is not an integer`},
		{"int8 range", false, `{ "name": "i8", "data": "128" }`, "128 out of the int8 range -128..127"},
		{"v4 empty name list", false, `{ "name": "domain-search", "data": "" }`, "a list of domain names needs at least one name"},
		{"empty integer array", false, `{ "name": "u32s", "data": "" }`, "an array of uint32 needs at least one value"},
		{"too few record values", false, `{ "name": "rec", "data": "1, 192.0.2.1" }`, "the record has 3 fields but 2 values are given"},
		{"empty type with data", false, `{ "name": "e", "data": "1" }`, "option of type empty takes no data"},
		{"binary not hex", false, `{ "name": "bin", "data": "0a:0b" }`, `"0a:0b" is not a string of hexadecimal digits`},
		{"binary odd", false, `{ "name": "bin", "data": "abc" }`, `"abc" is not a string of hexadecimal digits`},
		{"fqdn N and S", false, `{ "name": "fqdn", "data": "9, 0, 0, a.example" }`, "client FQDN flags set both N and S"},
		{"vivso truncated", false, `{ "name": "vivso-suboptions", "csv-format": false, "data": "000011" }`, "a uint32 value needs 4 bytes, 3 left"},
		{"vivco bad tuple", false, `{ "name": "vivco-suboptions", "data": "4491, 0a6162" }`, "vendor class data: tuple truncated"},
		{"hex too long for type", false, `{ "name": "subnet-mask", "csv-format": false, "data": "ffffff0001" }`, "1 bytes left over after the ipv4-address value"},
		{"hex too short for type", false, `{ "name": "subnet-mask", "csv-format": false, "data": "ffff" }`, "a ipv4-address value needs 4 bytes, 2 left"},
		{"hex array", false, `{ "name": "routers", "csv-format": false, "data": "c000020101" }`, "a ipv4-address value needs 4 bytes, 1 left"},
		{"hex empty string", false, `{ "name": "domain-name", "csv-format": false, "data": "" }`, "a string option must not be empty"},
		{"hex bad fqdn", false, `{ "name": "fq", "csv-format": false, "data": "0561" }`, "domain name truncated"},
		{"v6 vendor class tuple", true, `{ "name": "vendor-class", "data": "4491, 03616263" }`, "vendor class data: tuple truncated"},
		{"v6 fqdn N and S", true, `{ "name": "client-fqdn", "data": "5, a.example" }`, "client FQDN flags set both N and S"},
		{"v6 empty uint16 array", true, `{ "name": "oro", "data": "" }`, "an array of uint16 needs at least one value"},
		{"v6 ipv4 in ipv6 option", true, `{ "name": "dns-servers", "data": "192.0.2.1" }`, `"192.0.2.1" is not an IPv6 address`},
		{"v6 code 0", true, `{ "code": 0, "csv-format": false, "data": "00" }`, "invalid option code 0: reserved"},
		{"name with space", true, `{ "name": "dns servers", "data": "2001:db8::1" }`, "space character is not allowed"},
		{"bad space", true, `{ "name": "x", "space": "bad space", "data": "1" }`, `invalid option space name "bad space"`},
		{"no definition in space", true, `{ "name": "x", "space": "my-space", "data": "1" }`, "unknown option my-space.x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defs := customDefs4
			if tc.v6 {
				defs = customDefs6
			}
			_, _, err := globalOptions(t, tc.v6, defs, tc.option)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "/option-data[0]") {
				t.Fatalf("got %v, want %q with the option's path", err, tc.want)
			}
		})
	}
}

// TestStandardTables checks the standard option tables for the
// consistency Kea's definitions have.
func TestStandardTables(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		spaces := std4Spaces
		if v6 {
			spaces = std6Spaces
		}
		for space, list := range spaces {
			codes, names := map[uint16]bool{}, map[string]bool{}
			for _, s := range list {
				d := s.def(space)
				switch {
				case codes[d.Code] || names[d.Name]:
					t.Errorf("%s: %s (%d) defined twice", space, d.Name, d.Code)
				case !validName(d.Name) || !optionTypes[d.Type]:
					t.Errorf("%s: bad definition %+v", space, d)
				case checkDef(d) != "":
					t.Errorf("%s: %s: %s", space, d.Name, checkDef(d))
				case !v6 && (d.Code == 0 || d.Code == 255):
					t.Errorf("%s: %s uses code %d", space, d.Name, d.Code)
				}
				codes[d.Code], names[d.Name] = true, true
			}
		}
	}
	if n := len(StandardOptionDefs(false, SpaceDHCP4)); n < 100 {
		t.Errorf("only %d standard DHCPv4 options", n)
	}
	if n := len(StandardOptionDefs(true, SpaceDHCP6)); n < 70 {
		t.Errorf("only %d standard DHCPv6 options", n)
	}
}

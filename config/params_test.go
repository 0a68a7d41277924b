package config

import (
	"reflect"
	"testing"
)

// TestOverCoversEveryField reads a shared network that sets every
// inheritable key and checks that over copies each field of rawParams to
// a child that sets none.
func TestOverCoversEveryField(t *testing.T) {
	common := `"valid-lifetime": 10, "min-valid-lifetime": 5, "max-valid-lifetime": 20,
		"renew-timer": 1, "rebind-timer": 2, "calculate-tee-times": true, "t1-percent": 0.1, "t2-percent": 0.2,
		"reservations-global": true, "reservations-in-subnet": true, "reservations-out-of-pool": true,
		"allocator": "random", "store-extended-info": true, "cache-threshold": 0.5, "cache-max-age": 9,
		"ddns-send-updates": true, "ddns-override-no-update": true, "ddns-override-client-update": true,
		"ddns-replace-client-name": "always", "ddns-generated-prefix": "p", "ddns-qualifying-suffix": "s",
		"ddns-update-on-renew": true, "ddns-use-conflict-resolution": true,
		"hostname-char-set": "[x]", "hostname-char-replacement": "y",
		"interface": "eth0", "relay": { "ip-addresses": [] }`
	read := func(v6 bool, body string) rawParams {
		d := &dec{v6: v6}
		root, err := parseDocument(newLexer("", ".", []byte("{"+body+"}"), osReadFile))
		if err != nil {
			t.Fatal(err)
		}
		r := d.readParams(&obj{d: d, n: root}, true)
		if d.failed() {
			t.Fatal(d.err)
		}
		return rawParams{}.over(r)
	}
	r4 := read(false, common+`, "match-client-id": true, "authoritative": true, "next-server": "192.0.2.1",
		"server-hostname": "s", "boot-file-name": "f"`)
	r6 := read(true, common+`, "preferred-lifetime": 10, "min-preferred-lifetime": 5, "max-preferred-lifetime": 20,
		"pd-allocator": "random", "interface-id": "i", "rapid-commit": true`)
	v4, v6 := reflect.ValueOf(r4), reflect.ValueOf(r6)
	for i := 0; i < v4.NumField(); i++ {
		if v4.Field(i).IsNil() && v6.Field(i).IsNil() {
			t.Errorf("field %s is neither read nor inherited", v4.Type().Field(i).Name)
		}
	}
}

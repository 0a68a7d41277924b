package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func parseText(t *testing.T, text string) (*node, []string, error) {
	t.Helper()
	lex := newLexer("t.json", ".", []byte(text), osReadFile)
	n, err := parseDocument(lex)
	return n, lex.warnings, err
}

func TestJSONDialect(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // compact JSON of the result
		warnings   int
	}{
		{"hash comment", "# top\n{ \"a\": 1 # end\n}", `{"a":1}`, 0},
		{"slash comments", "// x\n{ /* in \n line */ \"a\": // y\n 2 }", `{"a":2}`, 0},
		{"comment marks inside strings", `{ "a": "x # y // z /* w */" }`, `{"a":"x # y // z /* w */"}`, 0},
		{"extra commas", `{ "a": [1, 2,], "b": {"c": 3,}, }`, `{"a":[1,2],"b":{"c":3}}`, 3},
		{"double comma", `{ "a": [1,, 2] }`, `{"a":[1,2]}`, 1},
		{"reals as Kea writes them", `{ "a": .5, "b": +1, "c": 1.5e3, "d": -2 }`, `{"a":0.5,"b":1,"c":1500,"d":-2}`, 0},
		{"escapes", `{ "a": "\u00e9\n\t\"\\\/", "b": "\ud83d\ude00" }`, `{"a":"é\n\t\"\\/","b":"😀"}`, 0},
		{"empty containers", `{ "a": {}, "b": [], "c": null, "d": true }`, `{"a":{},"b":[],"c":null,"d":true}`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, warnings, err := parseText(t, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(toJSON(n)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if len(warnings) != tc.warnings {
				t.Errorf("got %d warnings %q, want %d", len(warnings), warnings, tc.warnings)
			}
		})
	}
}

func TestJSONSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"not a map", `[1]`, "t.json:1:1: syntax error: unexpected '['"},
		{"unclosed comment", "{ /* a\n\n", "t.json:1:3: syntax error: comment not closed"},
		{"unclosed string", `{ "a": "b }`, "t.json:1:8: syntax error: string not closed"},
		{"control character", "{ \"a\": \"b\tc\" }", "t.json:1:10: syntax error: control character"},
		{"bad escape", `{ "a": "\x" }`, `t.json:1:9: syntax error: bad escape \x`},
		{"bad unicode", `{ "a": "\u12" }`, "t.json:1:9: syntax error: bad unicode escape"},
		{"duplicate key", "{ \"Dhcp4\": {\n \"valid-lifetime\": 1,\n \"valid-lifetime\": 2 } }",
			`t.json:3:2: syntax error: duplicate key "valid-lifetime" in Dhcp4 (first at t.json:2:2)`},
		{"missing colon", `{ "a" 1 }`, "t.json:1:7: syntax error: unexpected number, expecting ':'"},
		{"missing comma", "{ \"a\": 1\n \"b\": 2 }", "t.json:2:2: syntax error: unexpected string, expecting ',' or '}'"},
		{"leading comma", `{ "a": [ , 1] }`, "t.json:1:10: syntax error: unexpected ','"},
		{"trailing text", `{ } x`, `t.json:1:5: syntax error: unexpected character 'x'`},
		{"second document", `{ } { }`, "t.json:1:5: syntax error: unexpected '{', expecting end of input"},
		{"integer overflow", `{ "a": 99999999999999999999 }`, "t.json:1:8: syntax error: integer 99999999999999999999 out of range"},
		{"lone minus", `{ "a": - }`, "t.json:1:8: syntax error: malformed number"},
		{"bad keyword", `{ "a": tru }`, "t.json:1:8: syntax error: unexpected character 't'"},
		{"empty input", ``, "t.json:1:1: syntax error: unexpected end of input"},
		{"too deep", strings.Repeat(`{"a":`, 300) + "1" + strings.Repeat("}", 300), "syntax error: maps and lists nested more than 256 deep"},
		{"unknown directive", `{ <?define x?> }`, "t.json:1:3: syntax error: unknown directive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseText(t, tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("%v is not ErrSyntax", err)
			}
		})
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIncludes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.json": `{ "Dhcp4": { <?include "parts/subnets.json"?>, "valid-lifetime": 600 } }`,
		// Relative to parts/, where subnets.json lives.
		"parts/subnets.json": `"subnet4": [ <?include "one.json"?> ]`,
		"parts/one.json":     "# a comment\n{ \"id\": 7, \"subnet\": \"192.0.2.0/24\" }",
	})
	cfg, err := Load(filepath.Join(dir, "main.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.DHCP4.Subnets; len(s) != 1 || s[0].ID != 7 || s[0].ValidLifetime.Default != 600 {
		t.Fatalf("got %+v", s)
	}
	// The map as read, for json_config: the include spliced in, the
	// comment gone, no defaults added.
	if got, want := string(cfg.DHCP4.JSON), `{"subnet4":[{"id":7,"subnet":"192.0.2.0/24"}],"valid-lifetime":600}`; got != want {
		t.Errorf("DHCP4.JSON = %s, want %s", got, want)
	}

	// Parse resolves the top level against WithBaseDir.
	cfg, err = Parse([]byte(`{ "Dhcp4": { <?include "parts/subnets.json"?> } }`), WithBaseDir(dir))
	if err != nil || cfg.DHCP4.Subnets[0].ID != 7 {
		t.Fatalf("Parse with base dir: %v", err)
	}
}

func TestIncludeErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"loop-a.json":   `{ "Dhcp4": { <?include "loop-b.json"?> } }`,
		"loop-b.json":   `"x": <?include "loop-a.json"?>`,
		"self.json":     `{ <?include "self.json"?> }`,
		"missing.json":  `{ <?include "nowhere.json"?> }`,
		"unclosed.json": `{ <?include "x.json" }`,
		"bad-in-included.json": `{ "Dhcp4": {
  <?include "broken.json"?> } }`,
		"broken.json": "\"valid-lifetime\":\n   oops",
		"deep.json":   `{ "Dhcp4": <?include "d1.json"?> }`,
		"device.json": `{ "Dhcp4": <?include "/dev/zero"?> }`,
	})
	for i := 1; i <= 12; i++ {
		name := filepath.Join(dir, fmt.Sprintf("d%d.json", i))
		if err := os.WriteFile(name, fmt.Appendf(nil, `<?include "d%d.json"?>`, i+1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ file, want string }{
		{"loop-a.json", "include loop"},
		{"self.json", "include loop"},
		{"missing.json", "cannot read include file"},
		{"unclosed.json", "directive not closed"},
		{"bad-in-included.json", "broken.json:2:4: syntax error: unexpected character 'o'"},
		{"deep.json", "too many nested includes"},
		{"device.json", "is not a regular file"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(filepath.Join(dir, tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCSVTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a,b", []string{"a", "b"}},
		{"a,,b,", []string{"a", "b"}},
		{",a", []string{"a"}},
		{`a\,b,c`, []string{"a,b", "c"}},
		{`a\\,b`, []string{`a\`, "b"}},
		{`a\b`, []string{`a\b`}},
		{`a\`, []string{`a\`}},
		{"a, ", []string{"a", " "}},
		{"", nil},
	}
	for _, tc := range tests {
		got := csvTokens(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("csvTokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

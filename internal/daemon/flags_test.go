package daemon

import (
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args []string
		want flags
		err  string // the usage error's message; "" for none
	}{
		{args: []string{"-c", "k.json"}, want: flags{mode: modeRun, file: "k.json"}},
		{args: []string{"-ck.json"}, want: flags{mode: modeRun, file: "k.json"}},
		{args: []string{"-dc", "k.json"}, want: flags{mode: modeRun, file: "k.json", debug: true}},
		{args: []string{"-t", "k.json"}, want: flags{mode: modeCheck, file: "k.json"}},
		{args: []string{"-T", "k.json"}, want: flags{mode: modeDeepCheck, file: "k.json"}},
		// -c and -t share the file; the last one wins, as with Kea's getopt.
		{args: []string{"-t", "a.json", "-c", "b.json"}, want: flags{mode: modeCheck, file: "b.json"}},
		{args: []string{"-c", "k.json", "-p", "1067", "-P", "1068"}, want: flags{file: "k.json", port: 1067, clientPort: 1068}},
		{args: []string{"-p1067", "-c", "k.json"}, want: flags{file: "k.json", port: 1067}},
		{args: []string{"-v"}, want: flags{mode: modeVersion}},
		{args: []string{"-V"}, want: flags{mode: modeExtVersion}},
		{args: []string{"-dv"}, want: flags{mode: modeVersion, debug: true}},
		// -v answers as soon as it is read, even before a bad flag.
		{args: []string{"-v", "-x"}, want: flags{mode: modeVersion}},
		{args: []string{"-h"}, want: flags{mode: modeHelp}},
		{args: []string{"-x", "-v"}, err: "leasehold-dhcp4: invalid option -- 'x'"},
		{args: []string{"--help"}, err: "leasehold-dhcp4: invalid option -- '-'"},
		{args: []string{"-c"}, err: "leasehold-dhcp4: option requires an argument -- 'c'"},
		{args: []string{"-d", "-t"}, err: "leasehold-dhcp4: option requires an argument -- 't'"},
		{args: nil, err: "Configuration file not specified."},
		{args: []string{"-d"}, err: "Configuration file not specified."},
		{args: []string{"-c", "k.json", "extra"}, err: "Extraneous parameters."},
		{args: []string{"k.json"}, err: "Extraneous parameters."},
		{args: []string{"-c", "k.json", "-p", "0"}, err: "Failed to parse server port number: [0], 1-65535 allowed."},
		{args: []string{"-c", "k.json", "-p", "abc"}, err: "Failed to parse server port number: [abc], 1-65535 allowed."},
		{args: []string{"-c", "k.json", "-p", "65536"}, err: "Failed to parse server port number: [65536], 1-65535 allowed."},
		{args: []string{"-c", "k.json", "-P", "-1"}, err: "Failed to parse client port number: [-1], 1-65535 allowed."},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := parseFlags("leasehold-dhcp4", tc.args)
			if tc.err != "" {
				ue, ok := err.(*usageError)
				if !ok || ue.msg != tc.err {
					t.Fatalf("error = %v, want usage error %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if got != tc.want {
				t.Errorf("flags = %+v, want %+v", got, tc.want)
			}
		})
	}
}

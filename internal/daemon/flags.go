package daemon

import (
	"fmt"
	"io"
	"strconv"
)

// mode is what the command line asks the daemon to do.
type mode int

const (
	modeRun        mode = iota // -c: serve
	modeCheck                  // -t: check the configuration and exit
	modeDeepCheck              // -T: -t, then open the lease file and load the hook libraries
	modeVersion                // -v
	modeExtVersion             // -V
	modeHelp                   // -h
)

// flags is the parsed command line.
type flags struct {
	mode       mode
	file       string
	debug      bool
	port       int // 0: the server's default
	clientPort int
}

// usageError is a command line Kea would answer with its usage text: the
// message goes first, then the usage, and the exit code is 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseFlags reads the command line the way kea-dhcp4 does (getopt
// "dvVc:t:T:p:P:"): short flags, clustered ("-dc FILE") or with the value
// attached ("-cFILE"), processed in order so that -v and -V answer as soon
// as they are seen, -c and -t/-T share the file (the last one wins), and
// nothing may follow the flags.
func parseFlags(prog string, args []string) (flags, error) {
	var f flags
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch c {
			case 'v':
				f.mode = modeVersion
				return f, nil
			case 'V':
				f.mode = modeExtVersion
				return f, nil
			case 'h':
				f.mode = modeHelp
				return f, nil
			case 'd':
				f.debug = true
				continue
			case 'c', 't', 'T', 'p', 'P':
			default:
				return f, &usageError{fmt.Sprintf("%s: invalid option -- '%c'", prog, c)}
			}
			// A flag with a value takes the rest of this word or the next.
			val := a[j+1:]
			if val == "" {
				if i+1 >= len(args) {
					return f, &usageError{fmt.Sprintf("%s: option requires an argument -- '%c'", prog, c)}
				}
				i++
				val = args[i]
			}
			if err := f.set(c, val); err != nil {
				return f, err
			}
			break
		}
	}
	if i < len(args) {
		return f, &usageError{"Extraneous parameters."}
	}
	if f.file == "" {
		return f, &usageError{"Configuration file not specified."}
	}
	return f, nil
}

func (f *flags) set(c byte, val string) error {
	switch c {
	case 'c':
		f.file = val
	case 't':
		f.file, f.mode = val, modeCheck
	case 'T':
		f.file, f.mode = val, modeDeepCheck
	case 'p', 'P':
		which := "server"
		if c == 'P' {
			which = "client"
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 65535 {
			return &usageError{fmt.Sprintf("Failed to parse %s port number: [%s], 1-65535 allowed.", which, val)}
		}
		if c == 'p' {
			f.port = n
		} else {
			f.clientPort = n
		}
	}
	return nil
}

// printUsage writes the usage text, laid out as kea-dhcp4's.
func printUsage(w io.Writer, prog, title string) {
	fmt.Fprintf(w, `leasehold %s server, version %s

Usage: %s -[v|V] [-d] [-{c|t|T} cfgfile] [-p number] [-P number]
  -v: print version number and exit
  -V: print extended version and exit
  -d: debug mode with extra verbosity (every logger at DEBUG, debuglevel 99)
  -c file: specify configuration file
  -t file: check the configuration file syntax and exit
  -T file: check the configuration file, open the lease file and load the
     hook libraries, then exit
  -p number: specify non-standard server port number 1-65535 (useful for testing only)
  -P number: specify non-standard client port number 1-65535 (useful for testing only)
`, title, versionString(), prog)
}

// Command envdump is the hook script of the run_script capture and
// compatibility tests: it records its arguments and its whole environment,
// byte for byte and in order, in a new file under the "dumps" directory
// beside itself. It is a program rather than a shell script because every
// shell adds variables (PWD, SHLVL, _) of its own.
//
// A record is a sequence of NUL-terminated entries: "A" followed by an
// argument, then "E" followed by an environment entry. The file is written
// under a temporary name and renamed, so a reader never sees half a record.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if err := dump(); err != nil {
		fmt.Fprintln(os.Stderr, "envdump:", err)
		os.Exit(1)
	}
}

func dump() error {
	self := os.Args[0]
	if !filepath.IsAbs(self) {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		self = exe
	}
	dir := filepath.Join(filepath.Dir(self), "dumps")
	var rec []byte
	for _, a := range os.Args {
		rec = append(append(append(rec, 'A'), a...), 0)
	}
	for _, e := range os.Environ() {
		rec = append(append(append(rec, 'E'), e...), 0)
	}
	name := fmt.Sprintf("%019d-%07d", time.Now().UnixNano(), os.Getpid())
	tmp := filepath.Join(dir, "."+name)
	if err := os.WriteFile(tmp, rec, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name+".dump"))
}

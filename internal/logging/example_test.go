package logging_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/leasehold/leasehold/internal/logging"
)

// A daemon's root logger at INFO and its packet logger at DEBUG with
// debuglevel 40: each record goes to the most specific logger named by its
// LoggerKey attribute.
func Example() {
	var out bytes.Buffer
	h, closeFn, err := logging.New(logging.Config{
		Root: "kea-dhcp4",
		Loggers: []logging.Logger{
			{Name: "kea-dhcp4", Severity: "INFO"},
			{Name: "kea-dhcp4.packets", Severity: "DEBUG", DebugLevel: 40},
		},
		Stdout: &out,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeFn()
	ctx := context.Background()
	log := slog.New(h)
	log.Info("server started", "interfaces", 2)
	log.Debug("not shown: the root logger is at INFO")
	packets := log.With(logging.LoggerKey, "kea-dhcp4.packets")
	packets.Log(ctx, logging.Debug(40), "packet received", "xid", "0x1234")
	packets.Log(ctx, logging.Debug(45), "not shown: above debuglevel 40")

	// Kea's layout, less the time stamp and the process id, which vary.
	pid := "/" + strconv.Itoa(os.Getpid()) + "]"
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.SplitN(line, " ", 3)
		fmt.Println(strings.Replace(f[2], pid, "/PID]", 1))
	}
	// Output:
	// INFO  [kea-dhcp4/PID] server started interfaces=2
	// DEBUG [kea-dhcp4.packets/PID] packet received xid=0x1234
}

// Kea's severity names, with the debug level for DEBUG.
func ExampleParseSeverity() {
	for _, s := range []string{"WARN", "DEBUG", "NONE", "LOUD"} {
		lvl, off, err := logging.ParseSeverity(s, 10)
		fmt.Println(s, lvl, off, err)
	}
	// Output:
	// WARN WARN false <nil>
	// DEBUG DEBUG-10 false <nil>
	// NONE INFO true <nil>
	// LOUD INFO false unknown severity "LOUD" (FATAL, ERROR, WARN, INFO, DEBUG, NONE)
}

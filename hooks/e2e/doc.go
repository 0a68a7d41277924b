// Package e2e holds the end-to-end tests of the hooks system: the daemons
// leasehold-dhcp4 and leasehold-dhcp6, built from the tree, load a recording
// test plugin (testplugins/recorder) and serve real clients (dhclient,
// dhclient -6) in network namespaces. The tests check that every hook point
// fires with Kea's arguments in each exchange, that next steps change what
// the server does as Kea's do, that PARK holds a reply until the plugin
// resumes it, and that a plugin which panics, hangs past its deadline,
// exits at load or rejects its parameters never stops the server.
//
// The package has no code of its own; run it as root:
//
//	sudo go test ./hooks/e2e/
//
// Without root or the tools the tests skip, unless CI=true or
// LEASEHOLD_E2E=1, where they fail instead.
package e2e

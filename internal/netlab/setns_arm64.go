package netlab

// sysSetns is setns(2)'s number; the syscall package predates it.
const sysSetns = 268

package main

// main does not compile: the test of a failing build needs one.
func main() { var n int = "not a number"; _ = n }

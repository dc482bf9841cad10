// Command rollcall is Rollcall's one binary: the server (serve, migrate) and the CLI that talks
// to a running server (org, member, seats, token, audit, domain, ...).
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

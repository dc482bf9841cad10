package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// versionCommands are the CLI verbs of this file.
func versionCommands() []command {
	return []command{{"version", "", "print the version", cmdVersion}}
}

func cmdVersion(_ context.Context, e *env, _ []string) int {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok && v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	fmt.Fprintf(e.stdout, "rollcall %s\n", v)
	return exitOK
}

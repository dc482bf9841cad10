package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env is what a command may use: the environment and the standard streams.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one verb of the CLI, named by one to three words ("serve", "member list",
// "sso connection create").
type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands is the CLI's verb table, each file's verbs in turn.
func commands() []command {
	return slices.Concat(serveCommands(), versionCommands(), orgCommands(), memberCommands(), inviteCommands(), domainCommands(), scimCommands(), ssoCommands(), spKeyCommands(), tokenCommands())
}

// run dispatches args to the longest matching command and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	for _, words := range []int{3, 2, 1} {
		if len(args) < words {
			continue
		}
		name := strings.Join(args[:words], " ")
		for _, c := range commands() {
			if c.name == name {
				return c.run(ctx, e, args[words:])
			}
		}
	}
	fmt.Fprintf(stderr, "rollcall: unknown command %q (run rollcall help)\n", strings.Join(args[:min(2, len(args))], " "))
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Rollcall: identity provisioning (SCIM, SSO, domains, invitations) with roles and seats.")
	fmt.Fprintln(w, "\nUsage: rollcall <command> [flags]\n\nCommands:")
	sorted := commands()
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-44s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintln(w, "\nClient commands talk to a running server: --url / ROLLCALL_URL (default http://127.0.0.1:8080),")
	fmt.Fprintln(w, "--token / ROLLCALL_TOKEN (a member API token or the operator key), --json for raw JSON.")
	fmt.Fprintln(w, "Run rollcall serve --help for the server settings.")
}

// newFlags makes a flag set that reports errors as one line on stderr.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags and positional arguments together (flags may follow positionals).
func parse(e *env, fs *flag.FlagSet, args []string, positional int, name string) ([]string, bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			fmt.Fprintf(e.stderr, "rollcall %s: %v\n", name, err)
			return nil, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if positional >= 0 && len(pos) != positional {
		fmt.Fprintf(e.stderr, "rollcall %s: expected %d argument(s), got %d (run rollcall help)\n", name, positional, len(pos))
		return nil, false
	}
	return pos, true
}

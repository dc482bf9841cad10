// Package migrations holds Rollcall's schema as SQL files per dialect, embedded in the binary and
// applied with goose.
package migrations

import "embed"

// FS holds the migrations: postgres/*.sql and sqlite/*.sql, numbered alike.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS

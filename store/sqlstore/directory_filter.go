package sqlstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// columnKind says how a filterable attribute compares: key columns hold a lower-cased copy,
// folded columns are lower-cased in the query, exact columns compare as stored.
type columnKind int

const (
	kindKey columnKind = iota
	kindFolded
	kindExact
	kindBool
	kindTime
)

type filterColumn struct {
	col  string
	kind columnKind
}

// multiValued is a multi-valued attribute kept in its own table: a resource matches when its
// id is among the owners (owner column) of the elements matching a sub-filter, looked up in the
// org (org column), so the lookup runs on the table's (org_id, …) index, never over every
// org's rows, and both databases drive it from the matching elements.
type multiValued struct {
	id, table, alias, owner, org string
	columns                      map[string]filterColumn
}

type filterSchema struct {
	columns map[string]filterColumn
	each    map[string]multiValued
}

// userFilterSchema lists the User attributes filters may use (lower-cased SCIM paths).
var userFilterSchema = filterSchema{
	columns: map[string]filterColumn{
		"id":                {"u.id", kindExact},
		"username":          {"u.user_name_key", kindKey},
		"externalid":        {"u.external_id", kindExact},
		"displayname":       {"u.display_name", kindFolded},
		"name.givenname":    {"u.given_name", kindFolded},
		"name.familyname":   {"u.family_name", kindFolded},
		"active":            {"u.active", kindBool},
		"meta.created":      {"u.created_at", kindTime},
		"meta.lastmodified": {"u.updated_at", kindTime},
	},
	each: map[string]multiValued{
		"emails": {id: "u.id", table: "scim_user_emails", alias: "e", owner: "e.scim_user_id", org: "e.org_id", columns: map[string]filterColumn{
			"value":   {"e.value_key", kindKey},
			"type":    {"e.type", kindFolded},
			"primary": {"e.is_primary", kindBool},
		}},
	},
}

// groupFilterSchema lists the Group attributes filters may use.
var groupFilterSchema = filterSchema{
	columns: map[string]filterColumn{
		"id":                {"g.id", kindExact},
		"displayname":       {"g.display_name_key", kindKey},
		"externalid":        {"g.external_id", kindExact},
		"meta.created":      {"g.created_at", kindTime},
		"meta.lastmodified": {"g.updated_at", kindTime},
	},
	each: map[string]multiValued{
		"members": {id: "g.id", table: "scim_group_members", alias: "gm", owner: "gm.group_id", org: "gm.org_id", columns: map[string]filterColumn{
			"value": {"gm.scim_user_id", kindExact},
		}},
	},
}

// directoryWhere renders the org condition and the filter as one WHERE clause.
func directoryWhere(s filterSchema, alias string, q provisioning.DirectoryQuery) (string, []any, error) {
	b := &sqlBuilder{}
	b.org = b.arg(q.OrgID)
	where := alias + ".org_id = " + b.org
	if q.Filter == nil {
		return where, b.args, nil
	}
	clause, err := renderFilter(b, s.columns, s.each, q.Filter)
	if err != nil {
		return "", nil, err
	}
	return where + " AND (" + clause + ")", b.args, nil
}

// pageQuery selects one offset page of table in id order. The offset is walked in a subquery
// that reads ids only (an index-only scan of the org's (org_id, id) index when there is no
// filter) to find the page's first id; the page is then one ordered index range from there, so
// a page at startIndex 50,000 skips 50,000 index entries, not 50,000 rows. An offset past the
// end finds no first id and so no rows.
func pageQuery(table, alias, columns, where string, nargs int) string {
	return fmt.Sprintf(`SELECT %[3]s FROM %[1]s %[2]s WHERE %[4]s AND %[2]s.id >= (SELECT %[2]s.id FROM %[1]s %[2]s
		WHERE %[4]s ORDER BY %[2]s.id LIMIT 1 OFFSET $%[6]d) ORDER BY %[2]s.id LIMIT $%[5]d`,
		table, alias, columns, where, nargs+1, nargs+2)
}

func placeholders(start, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("$%d", start+i)
	}
	return strings.Join(p, ",")
}

func unsupported(format string, args ...any) error {
	return provisioning.Invalidf("filter", format, args...)
}

func renderFilter(b *sqlBuilder, cols map[string]filterColumn, each map[string]multiValued, f *provisioning.DirectoryFilter) (string, error) {
	switch f.Op {
	case "and", "or":
		if f.Left == nil || f.Right == nil {
			return "", unsupported("%s needs two operands", f.Op)
		}
		l, err := renderFilter(b, cols, each, f.Left)
		if err != nil {
			return "", err
		}
		r, err := renderFilter(b, cols, each, f.Right)
		if err != nil {
			return "", err
		}
		return "(" + l + ") " + strings.ToUpper(f.Op) + " (" + r + ")", nil
	case "not":
		if f.Left == nil {
			return "", unsupported("not needs an operand")
		}
		inner, err := renderFilter(b, cols, each, f.Left)
		if err != nil {
			return "", err
		}
		return "NOT (" + inner + ")", nil
	case "each":
		mv, ok := each[strings.ToLower(f.Each)]
		if !ok || f.Left == nil {
			return "", unsupported("filtering on %q is not supported", f.Each)
		}
		inner, err := renderFilter(b, mv.columns, nil, f.Left)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s IN (SELECT %s FROM %s %s WHERE %s = %s AND (%s))",
			mv.id, mv.owner, mv.table, mv.alias, mv.org, b.org, inner), nil
	case "cmp":
		c, ok := cols[strings.ToLower(f.Attr)]
		if !ok {
			return "", unsupported("filtering on %q is not supported", f.Attr)
		}
		return renderCompare(b, c, f)
	}
	return "", unsupported("unknown filter operator %q", f.Op)
}

func renderCompare(b *sqlBuilder, c filterColumn, f *provisioning.DirectoryFilter) (string, error) {
	op := strings.ToLower(f.Cmp)
	if op == "pr" {
		switch c.kind {
		case kindBool, kindTime:
			return "1 = 1", nil
		}
		return c.col + " <> ''", nil
	}
	switch c.kind {
	case kindBool:
		v, ok := f.Value.(bool)
		if !ok || (op != "eq" && op != "ne") {
			return "", unsupported("%s takes eq or ne with true or false", f.Attr)
		}
		return c.col + map[string]string{"eq": " = ", "ne": " <> "}[op] + b.arg(v), nil
	case kindTime:
		return renderTime(b, c, op, f)
	}
	s, ok := f.Value.(string)
	if !ok {
		return "", unsupported("%s compares with a string", f.Attr)
	}
	col := c.col
	switch c.kind {
	case kindKey:
		s = strings.ToLower(s)
	case kindFolded:
		col, s = "LOWER("+c.col+")", strings.ToLower(s)
	}
	switch op {
	case "eq":
		return col + " = " + b.arg(s), nil
	case "ne":
		return col + " <> " + b.arg(s), nil
	case "co":
		return col + " LIKE " + b.arg("%"+escapeLike(s)+"%") + ` ESCAPE '\'`, nil
	case "sw":
		return col + " LIKE " + b.arg(escapeLike(s)+"%") + ` ESCAPE '\'`, nil
	case "ew":
		return col + " LIKE " + b.arg("%"+escapeLike(s)) + ` ESCAPE '\'`, nil
	}
	return "", unsupported("%s does not support %s; gt, ge, lt and le work on meta.created and meta.lastModified", f.Attr, op)
}

func renderTime(b *sqlBuilder, c filterColumn, op string, f *provisioning.DirectoryFilter) (string, error) {
	s, ok := f.Value.(string)
	if !ok {
		return "", unsupported("%s compares with an RFC 3339 date-time string", f.Attr)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", unsupported("%s compares with an RFC 3339 date-time such as 2026-01-02T15:04:05Z", f.Attr)
	}
	sym, ok := map[string]string{"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
	if !ok {
		return "", unsupported("%s does not support %s", f.Attr, op)
	}
	return c.col + " " + sym + " " + b.arg(utc(t)), nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

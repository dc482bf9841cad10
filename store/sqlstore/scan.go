package sqlstore

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeValue scans a time stored as timestamptz (Postgres) or fixed-width text (SQLite).
type timeValue struct{ t *time.Time }

// Scan implements sql.Scanner.
func (v timeValue) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("sqlstore: NULL time")
	}
	*v.t = t
	return nil
}

// nullTimeValue scans a nullable time into a *time.Time that is nil for NULL.
type nullTimeValue struct{ t **time.Time }

// Scan implements sql.Scanner.
func (v nullTimeValue) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		*v.t = nil
		return nil
	}
	*v.t = &t
	return nil
}

func parseTime(src any) (time.Time, bool, error) {
	switch s := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return s.UTC(), true, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.UTC(), err == nil, err
	case []byte:
		t, err := time.Parse(time.RFC3339Nano, string(s))
		return t.UTC(), err == nil, err
	}
	return time.Time{}, false, fmt.Errorf("sqlstore: cannot scan %T as time", src)
}

// nullable turns a *time.Time into a driver value: NULL or the time.
func nullable(t *time.Time) any {
	if t == nil {
		return nil
	}
	return utc(*t)
}

// SQLiteArgs rewrites times into SQLite's fixed-width text form.
func SQLiteArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			out[i] = v.UTC().Format(TimeFormat)
		case *time.Time:
			if v == nil {
				out[i] = nil
			} else {
				out[i] = v.UTC().Format(TimeFormat)
			}
		case driver.Valuer:
			out[i] = v
		default:
			out[i] = a
		}
	}
	return out
}

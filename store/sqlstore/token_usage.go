package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// usageColumns are a token's usage of its limits, in the order usageScan reads them.
const usageColumns = `total_calls, rate_window, day_start, day_calls`

// usageScan receives usageColumns.
type usageScan struct {
	total, dayCalls int64
	window          []byte
	day             *time.Time
}

func (u *usageScan) dest() []any {
	return []any{&u.total, &u.window, nullTimeValue{&u.day}, &u.dayCalls}
}

func (u *usageScan) usage() (provisioning.TokenUsage, error) {
	out := provisioning.TokenUsage{Total: u.total, DayCalls: u.dayCalls}
	if u.day != nil {
		out.Day = *u.day
	}
	if err := out.Window.UnmarshalBinary(u.window); err != nil {
		return out, provisioning.Internal(fmt.Errorf("token usage: %w", err))
	}
	return out, nil
}

// ConsumeToken writes the usage decide returns for the token's usage as tok carries it, on the
// condition that total_calls still is what tok read (every allowed call raises it, so an equal
// count means an unchanged usage): the fast path is the one statement. When another
// transaction got there first, it reads the usage again under the row's lock (SELECT … FOR
// UPDATE; SQLite's single writer already serializes) and decides again. A token read by
// GetTokenGrant in this transaction is locked, so its usage is known to be unchanged: the write
// then goes with the transaction's commit (execLater).
func (t *Tx) ConsumeToken(ctx context.Context, tok provisioning.APIToken, now time.Time, decide func(provisioning.TokenUsage) provisioning.TokenUsage) error {
	seen := tok.Usage
	if tok.ID != "" && tok.ID == t.lockedToken {
		q, args, err := usageWrite(tok.ID, seen.Total, decide(seen), now)
		if err != nil {
			return err
		}
		return t.execLater(ctx, "token", q, args...)
	}
	n, err := t.writeUsage(ctx, tok.ID, seen.Total, decide(seen), now)
	if err != nil || n == 1 {
		return err
	}
	var u usageScan
	err = t.queryOne(ctx, "token", `SELECT `+usageColumns+` FROM api_tokens WHERE id = $1`+t.d.ForUpdate(),
		[]any{tok.ID}, func(r Rows) error { return r.Scan(u.dest()...) })
	if err != nil {
		return err
	}
	if seen, err = u.usage(); err != nil {
		return err
	}
	n, err = t.writeUsage(ctx, tok.ID, seen.Total, decide(seen), now)
	if err == nil && n != 1 {
		err = provisioning.Internal(fmt.Errorf("token %s changed under its row lock", tok.ID))
	}
	return err
}

// writeUsage stores u if the token's total_calls is still seenTotal, and reports the rows changed.
func (t *Tx) writeUsage(ctx context.Context, id string, seenTotal int64, u provisioning.TokenUsage, now time.Time) (int64, error) {
	q, args, err := usageWrite(id, seenTotal, u, now)
	if err != nil {
		return 0, err
	}
	return t.exec(ctx, "token", q, args...)
}

// usageWrite is the statement writing usage u of token id, on the condition that its
// total_calls is still seenTotal.
func usageWrite(id string, seenTotal int64, u provisioning.TokenUsage, now time.Time) (string, []any, error) {
	window, err := u.Window.MarshalBinary()
	if err != nil {
		return "", nil, provisioning.Internal(err)
	}
	var day any
	if !u.Day.IsZero() {
		day = utc(u.Day)
	}
	return `UPDATE api_tokens SET total_calls = $3, rate_window = $4, day_start = $5,
		day_calls = $6, last_used_at = $7 WHERE id = $1 AND total_calls = $2`,
		[]any{id, seenTotal, u.Total, window, day, u.DayCalls, utc(now)}, nil
}

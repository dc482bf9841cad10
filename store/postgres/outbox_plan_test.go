package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestOutboxClaimPlan: over a backlog of 20,000 pending webhooks and 20,000 sent ones, with no
// fresh statistics, the claim (the statement sqlstore.ClaimOutbox runs, ordered) reads the
// partial index of pending messages in order: no Sort node, no sequential scan of the outbox.
func TestOutboxClaimPlan(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO outbox (id, org_id, kind, topic, payload, state, next_attempt_at, created_at, sent_at)
		SELECT lpad(i::text, 8, '0'), 'org' || (i % 50), 'webhook', 't', '{}',
			CASE WHEN i % 2 = 0 THEN 'pending' ELSE 'sent' END, now() - interval '1 hour' + i * interval '1 ms',
			now() - interval '1 hour', CASE WHEN i % 2 = 1 THEN now() END
		FROM generate_series(1, 40000) AS i`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `EXPLAIN UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3
		WHERE id IN (SELECT o.id FROM outbox o WHERE o.kind = $1 AND o.state = 'pending' AND o.next_attempt_at <= $2
			AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.kind = o.kind AND p.state = 'pending'
			AND p.org_id = o.org_id AND p.id < o.id AND p.next_attempt_at > o.next_attempt_at OFFSET 0)
			ORDER BY o.next_attempt_at, o.id LIMIT $4 FOR UPDATE SKIP LOCKED)
		RETURNING id`, "webhook", "2999-01-01T00:00:00Z", "2999-01-01T00:02:00Z", 100)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	text := strings.Join(plan, "\n")
	t.Logf("plan:\n%s", text)
	if strings.Contains(text, "Sort") || strings.Contains(text, "Seq Scan") || !strings.Contains(text, "outbox_pending ") || !strings.Contains(text, "(org_id = o.org_id)") {
		t.Fatalf("the claim sorts or scans the backlog instead of reading outbox_pending in order:\n%s", text)
	}
}

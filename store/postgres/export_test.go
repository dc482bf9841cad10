package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rollcall/rollcall/store/sqlstore"
)

// PoolConfig exposes poolConfig to the tests.
var PoolConfig = poolConfig

// OpenOnPool opens a store at url and returns its pool too, so that a test can ask the very
// sessions the store used.
func OpenOnPool(ctx context.Context, url string, maxConns int) (*sqlstore.DB, *pgxpool.Pool, error) {
	pool, err := openPool(ctx, url, maxConns)
	if err != nil {
		return nil, nil, err
	}
	db, err := onPools(pool, pool, nil)
	return db, pool, err
}

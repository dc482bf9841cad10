package sqlstore

import "context"

// GetSetting reads an installation setting.
func (t *Tx) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := t.queryOne(ctx, "setting", `SELECT value FROM settings WHERE key = $1`, []any{key},
		func(r Rows) error { return r.Scan(&v) })
	return v, err
}

// PutSettingIfAbsent stores a setting unless it exists and reports whether it stored it.
func (t *Tx) PutSettingIfAbsent(ctx context.Context, key, value string) (bool, error) {
	n, err := t.exec(ctx, "setting", `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO NOTHING`, key, value)
	return n == 1, err
}

// PutSetting stores or replaces a setting.
func (t *Tx) PutSetting(ctx context.Context, key, value string) error {
	_, err := t.exec(ctx, "setting", `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

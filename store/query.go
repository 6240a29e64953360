package store

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"lineportal/internal/portal"
)

// querier is what both the read pool and a write transaction offer. Loaders
// take it so that a page's read and a transition's check inside its
// transaction load state through the same code.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows. It is an alias so that scan
// functions written against the bare interface (scanAdmin) fit too.
type scanner = interface {
	Scan(dest ...any) error
}

// findAll runs query and scans every row with scan.
func findAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	return findUpTo(ctx, q, 0, scan, query, args...)
}

// findUpTo is findAll for a query that returns at most n rows: their slice
// has room for a few, then for n, where growing it row by row allocates
// and copies it again and again (a page's rows are large structs; issue
// 15). Lists that hold a row or two, such as a channel's reviews, don't
// take room for n.
func findUpTo[T any](ctx context.Context, q querier, n int, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, err
		}
		switch {
		case items == nil && n > 0:
			items = make([]T, 0, min(n, 4))
		case len(items) == cap(items) && cap(items) < n:
			items = slices.Grow(items, n-len(items))
		}
		items = append(items, item)
	}
	return items, rows.Err()
}

// Page selects one page of a list. Lists use keyset pagination: a page
// starts right after the last row of the previous one, found through an
// index, so page 1000 costs what page 1 costs (OFFSET would read and skip
// every earlier row).
type Page struct {
	// After is the Next cursor of the previous page; empty for the first.
	After Cursor
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int
}

const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

func (p Page) size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// Cursor is where the next page of a list starts. It is opaque to callers,
// who hand back the one they were given (pages carry it in a URL); the
// empty Cursor is the start of the list.
type Cursor string

func badCursor() error {
	return portal.Refuse(portal.EINVALID, portal.RPageLinkInvalid)
}

// findPage runs a keyset query whose last placeholder is the LIMIT. It asks
// for one row more than the page holds, to learn whether a next page exists
// without counting; next makes the cursor from the page's last row.
func findPage[T any](ctx context.Context, q querier, p Page, scan func(scanner) (T, error), next func(T) Cursor, query string, args ...any) ([]T, Cursor, error) {
	n := p.size()
	items, err := findUpTo(ctx, q, n+1, scan, query, append(args, n+1)...)
	if err != nil || len(items) <= n {
		return items, "", err
	}
	return items[:n], next(items[n-1]), nil
}

// Lists newest first continue below the last row's integer ID.

func idCursor(id int64) Cursor { return Cursor(strconv.FormatInt(id, 10)) }

func (c Cursor) beforeID() (int64, error) {
	if c == "" {
		return math.MaxInt64, nil
	}
	id, err := strconv.ParseInt(string(c), 10, 64)
	if err != nil || id <= 0 {
		return 0, badCursor()
	}
	return id, nil
}

// Queues, oldest submission first, continue after the last row's
// (submission time, ID): times may tie, IDs don't.

func queueCursor(at int64, id string) Cursor {
	return Cursor(strconv.FormatInt(at, 10) + "~" + id)
}

func (c Cursor) afterQueued() (int64, string, error) {
	if c == "" {
		return math.MinInt64, "", nil
	}
	at, id, ok := strings.Cut(string(c), "~")
	ms, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" {
		return 0, "", badCursor()
	}
	return ms, id, nil
}

// guarded checks a guarded write (an UPDATE … WHERE state = …, or an
// INSERT … WHERE): no row changed means the state is no longer the one the
// rule was checked against, and nothing may change.
func guarded(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return changedMeanwhile()
	}
	return nil
}

// changedMeanwhile is the refusal of a guarded write that found the state
// changed.
func changedMeanwhile() error {
	return portal.Refuse(portal.ECONFLICT, portal.RChangedMeanwhile)
}

// where collects the optional terms of a list's WHERE clause. Terms are
// fixed SQL fragments; only their arguments come from the caller.
type where struct {
	terms []string
	args  []any
}

func (w *where) add(when bool, term string, args ...any) {
	if when {
		w.terms = append(w.terms, term)
		w.args = append(w.args, args...)
	}
}

func (w *where) empty() bool { return len(w.terms) == 0 }

// String joins the terms with AND; with no terms it is TRUE, so that a
// query can always continue with " AND …".
func (w *where) String() string {
	if w.empty() {
		return "TRUE"
	}
	return strings.Join(w.terms, " AND ")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// likeContains makes a LIKE pattern (with ESCAPE '\') matching s anywhere.
func likeContains(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// nullInt, nullString and nullTime are statement arguments that are NULL
// for the zero value. They are the value itself or nil rather than an
// sql.Null*: database/sql converts a driver.Valuer through reflection,
// and an argument boxed as a Null* struct is one allocation more. A
// webhook batch binds about 500 optional arguments on the one writer:
// plain ones made BenchmarkStore_RecordWebhookEvents 5% faster on SQLite
// (645 → 611 µs a batch; issue 15).
func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullMillis reads an optional timestamp; NULL is the zero time.
func nullMillis(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMillis(n.Int64)
}

// nullTime stores an optional time: the zero time is NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return millis(t)
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"lineportal/internal/portal"
)

// logAudit appends e, done by actor, to the audit log at the
// transaction's time. Transitions call it for each state change they make,
// in their own transaction, so the log and the state commit or roll back
// together and can't disagree. The entries of a transaction are written
// together once its body has succeeded (Tx.run): an action logs up to
// four (verifying an organization one more for each link whose review
// waited for it), and each statement costs the one writer's time (issue
// 15). Nothing reads the log inside a transaction.
func (tx *Tx) logAudit(actor portal.Admin, e portal.AuditEntry) {
	e.ActorID = actor.ID
	tx.auditEntries = append(tx.auditEntries, e)
}

// auditRowsPerInsert bounds one INSERT of writeAudit, 12 values a row,
// well within SQLite's 32,766 bound values and PostgreSQL's 65,535.
const auditRowsPerInsert = 500

// writeAudit writes the entries logAudit kept, in their order. The before
// and after columns hold the English sentences of entries logged before
// notes were kept (migration 0012); a new entry leaves them empty.
func (tx *Tx) writeAudit() error {
	for entries := range slices.Chunk(tx.auditEntries, auditRowsPerInsert) {
		const row = `(?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?)`
		var query strings.Builder
		query.WriteString(`INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, channel_id, official_account_id, org_id,
		before, after, before_code, before_params, after_code, after_params) VALUES `)
		args := make([]any, 0, 12*len(entries))
		for i, e := range entries {
			if i > 0 {
				query.WriteString(", ")
			}
			query.WriteString(row)
			args = append(args, millis(tx.now), e.ActorID, e.Action, e.SubjectKind, e.SubjectID, nullInt(e.ChannelID), nullInt(e.OfficialAccountID), nullString(e.OrgID),
				e.Before.Code, e.Before.Params, e.After.Code, e.After.Params)
		}
		if _, err := tx.ExecContext(tx.ctx, query.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// AuditFilter selects audit entries: those of a channel, of an Official
// Account, of an organization, or (more set) those concerning all of them.
// One of them is required.
type AuditFilter struct {
	ChannelID         int64
	OfficialAccountID int64
	OrgID             string
	Page              Page
}

// FindAuditEntries returns one page of audit entries, newest first.
func (db *DB) FindAuditEntries(ctx context.Context, f AuditFilter) ([]portal.AuditEntry, Cursor, error) {
	var w where
	w.add(f.ChannelID != 0, "a.channel_id = ?", f.ChannelID)
	w.add(f.OfficialAccountID != 0, "a.official_account_id = ?", f.OfficialAccountID)
	w.add(f.OrgID != "", "a.org_id = ?", f.OrgID)
	if w.empty() {
		return nil, "", errors.New("store: find audit entries: the filter needs a channel, an Official Account or an organization")
	}
	before, err := f.Page.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	entries, next, err := findPage(ctx, db.read, f.Page, scanAuditEntry, func(e portal.AuditEntry) Cursor { return idCursor(e.ID) },
		`SELECT a.id, a.at, a.actor_id, ad.name, a.action, a.subject_kind, a.subject_id, a.channel_id, a.official_account_id, a.org_id,
			a.before, a.before_code, a.before_params, a.after, a.after_code, a.after_params
		FROM audit_log a JOIN admins ad ON ad.id = a.actor_id
		WHERE `+w.String()+` AND a.id < ? ORDER BY a.id DESC LIMIT ?`, append(w.args, before)...)
	if err != nil {
		return nil, "", fmt.Errorf("store: find audit entries: %w", err)
	}
	return entries, next, nil
}

func scanAuditEntry(s scanner) (portal.AuditEntry, error) {
	var e portal.AuditEntry
	var at int64
	var channelID, officialAccountID sql.NullInt64
	var orgID sql.NullString
	err := s.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.SubjectKind, &e.SubjectID, &channelID, &officialAccountID, &orgID,
		&e.Before.Recorded, &e.Before.Code, &e.Before.Params, &e.After.Recorded, &e.After.Code, &e.After.Params)
	e.At, e.ChannelID, e.OfficialAccountID, e.OrgID = fromMillis(at), channelID.Int64, officialAccountID.Int64, orgID.String
	return e, err
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lineportal/internal/portal"
)

// CreateOrganization creates an organization with the name, region and
// (optional) business info of in, under a new random ID. The actor becomes
// its first administrator. It starts unverified.
func (db *DB) CreateOrganization(ctx context.Context, actor portal.Admin, in portal.Organization) (portal.Organization, error) {
	if err := portal.CheckNewOrganization(in); err != nil {
		return portal.Organization{}, err
	}
	var org portal.Organization
	err := db.update(ctx, func(tx *Tx) error {
		info := trimBusinessInfo(in.Info)
		id, err := insertOrganization(ctx, tx, in.ID, strings.TrimSpace(in.Name), in.Region, info, in.CompanyCountry)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO organization_admins (org_id, admin_id, added_at) VALUES (?, ?, ?)`, id, actor.ID, millis(tx.now)); err != nil {
			return err
		}
		if org, err = findOrganization(ctx, tx, id); err != nil {
			return err
		}
		tx.logAudit(actor, portal.AuditEntry{
			Action: portal.ActionOrganizationCreate, SubjectKind: portal.SubjectOrganization, SubjectID: org.ID, OrgID: org.ID,
			After: portal.Note(portal.NoteOrganization, "Name", org.Name, "Region", string(org.Region), "Company", org.Info.CompanyName,
				"Address", org.Info.Address, "Country", string(org.CompanyCountry), "Admin", actor.Name),
		})
		return nil
	})
	if err != nil {
		return portal.Organization{}, fmt.Errorf("store: create organization: %w", err)
	}
	return org, nil
}

// insertOrganization inserts an organization and returns its ID: the given
// one (Business Manager assigned it), or else a new random one. A collision
// among 10^11 random IDs is unlikely but possible; an INSERT that does
// nothing on a taken ID leaves the transaction usable (a failed statement
// would abort it on PostgreSQL), so it simply tries again.
func insertOrganization(ctx context.Context, tx *Tx, given, name string, region portal.Region, info portal.BusinessInfo, country portal.Region) (string, error) {
	insert := func(id string) (inserted bool, err error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, region, company_name, address, company_country, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			id, name, region, info.CompanyName, info.Address, country, millis(tx.now))
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	if given != "" {
		inserted, err := insert(given)
		if err == nil && !inserted {
			return "", portal.FieldRefusal("id", portal.ROrgIDTaken, "OrgID", given)
		}
		return given, err
	}
	const attempts = 5
	for range attempts {
		id := string(portal.NewOrganizationID())
		if inserted, err := insert(id); inserted || err != nil {
			return id, err
		}
	}
	return "", fmt.Errorf("no free organization ID after %d attempts", attempts)
}

// AddOrganizationAdmin makes the admin adminID an administrator of the
// organization. Only an administrator may. (EnsureAdmin registers someone
// who has not signed in yet.)
func (db *DB) AddOrganizationAdmin(ctx context.Context, actor portal.Admin, orgID string, adminID int64) error {
	return db.onOrganization(ctx, "add organization admin", actor, orgID, func(tx *Tx, org portal.Organization, orgAdmin bool) error {
		if err := portal.CanAddOrganizationAdmin(orgAdmin, org); err != nil {
			return err
		}
		target, err := findAdmin(ctx, tx, adminID)
		if err != nil {
			return err
		}
		return addOrganizationAdmin(ctx, tx, actor, org, target)
	})
}

// addOrganizationAdmin makes target an administrator of org, once the rule
// allowed it, and logs it.
func addOrganizationAdmin(ctx context.Context, tx *Tx, actor portal.Admin, org portal.Organization, target portal.Admin) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO organization_admins (org_id, admin_id, added_at) VALUES (?, ?, ?)`, org.ID, target.ID, millis(tx.now))
	if isUniqueViolation(err) {
		return portal.Refuse(portal.ECONFLICT, portal.RAlreadyOrgAdmin, "Name", target.Name, "OrgID", org.ID)
	}
	if err != nil {
		return err
	}
	tx.logAudit(actor, organizationEntry(org, portal.ActionOrganizationAdminAdd, portal.AuditNote{}, portal.Note(portal.NoteOrgAdmin, "Name", target.Name)))
	return nil
}

// UpdateOrganizationInfo replaces the organization's business info (company
// name, address and company/business owner's country or region), which is
// allowed while the organization is unverified.
func (db *DB) UpdateOrganizationInfo(ctx context.Context, actor portal.Admin, orgID string, info portal.BusinessInfo, country portal.Region) error {
	return db.onOrganization(ctx, "update organization info", actor, orgID, func(tx *Tx, org portal.Organization, orgAdmin bool) error {
		if err := portal.CanEditOrganizationInfo(orgAdmin, org); err != nil {
			return err
		}
		info := trimBusinessInfo(info)
		if err := portal.FieldRefusals(portal.CheckBusinessInfo(info), portal.CheckOrganizationCompanyCountry(country)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE organizations SET company_name = ?, address = ?, company_country = ?
			WHERE id = ? AND verification = ?`, info.CompanyName, info.Address, country, org.ID, org.Verification)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(actor, organizationEntry(org, portal.ActionOrganizationInfo,
			orgInfoNote(org.Info, org.CompanyCountry), orgInfoNote(info, country)))
		return nil
	})
}

// orgInfoNote is an organization's business info in the audit log.
func orgInfoNote(info portal.BusinessInfo, country portal.Region) portal.AuditNote {
	return portal.Note(portal.NoteOrgInfo, "Company", info.CompanyName, "Address", info.Address, "Country", string(country))
}

func verificationNote(s portal.VerificationStatus) portal.AuditNote {
	return portal.Note(portal.NoteVerification, "Verification", string(s))
}

// SubmitOrganizationForVerification puts the organization in the
// operators' verification queue.
func (db *DB) SubmitOrganizationForVerification(ctx context.Context, actor portal.Admin, orgID string) error {
	return db.onOrganization(ctx, "submit organization for verification", actor, orgID, func(tx *Tx, org portal.Organization, orgAdmin bool) error {
		if err := portal.CanSubmitForVerification(orgAdmin, org); err != nil {
			return err
		}
		return startVerification(ctx, tx, actor, org)
	})
}

// startVerification moves org into the verification queue, from whatever
// state it was read in.
func startVerification(ctx context.Context, tx *Tx, actor portal.Admin, org portal.Organization) error {
	res, err := tx.ExecContext(ctx, `UPDATE organizations SET verification = 'in_review', verification_reason = '', verification_submitted_at = ?
		WHERE id = ? AND verification = ?`, millis(tx.now), org.ID, org.Verification)
	if err := guarded(res, err); err != nil {
		return err
	}
	tx.logAudit(actor, organizationEntry(org, portal.ActionVerificationSubmit, verificationNote(org.Verification), verificationNote(portal.OrgInReview)))
	return nil
}

// VerifyOrganization completes the organization's verification review, and
// with it starts the account linking reviews that were waiting for it.
func (db *DB) VerifyOrganization(ctx context.Context, operator portal.Admin, orgID string) error {
	return db.onOrganization(ctx, "verify organization", operator, orgID, func(tx *Tx, org portal.Organization, _ bool) error {
		if err := portal.CanDecideVerification(operator, org); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE organizations SET verification = 'verified' WHERE id = ? AND verification = 'in_review'`, org.ID)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(operator, organizationEntry(org, portal.ActionVerificationVerify, verificationNote(org.Verification), verificationNote(portal.OrgVerified)))
		org.Verification = portal.OrgVerified
		if err := notify(ctx, tx, operator, portal.NoticeOrganizationVerified, map[string]string{"OrgID": org.ID, "OrgName": org.Name}, organizationAdmins, org.ID); err != nil {
			return err
		}
		return runWaitingReviews(ctx, tx, operator, org)
	})
}

// RejectOrganizationVerification rejects the organization's verification
// review with the reason its administrators are shown. Its account linking
// reviews keep waiting.
func (db *DB) RejectOrganizationVerification(ctx context.Context, operator portal.Admin, orgID, reason string) error {
	return db.onOrganization(ctx, "reject organization verification", operator, orgID, func(tx *Tx, org portal.Organization, _ bool) error {
		if err := portal.CanDecideVerification(operator, org); err != nil {
			return err
		}
		if err := portal.CheckReason(reason); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE organizations SET verification = 'rejected', verification_reason = ?
			WHERE id = ? AND verification = 'in_review'`, strings.TrimSpace(reason), org.ID)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(operator, organizationEntry(org, portal.ActionVerificationReject, verificationNote(org.Verification),
			portal.Note(portal.NoteVerificationRejected, "Verification", string(portal.OrgRejected), "Reason", strings.TrimSpace(reason))))
		return notify(ctx, tx, operator, portal.NoticeOrganizationRejected, map[string]string{"OrgID": org.ID, "OrgName": org.Name, "Reason": strings.TrimSpace(reason)},
			organizationAdmins, org.ID)
	})
}

// onOrganization runs one transition of an organization: it loads the
// organization and whether the actor administers it inside the
// transaction, and fn checks the rule and writes.
func (db *DB) onOrganization(ctx context.Context, op string, actor portal.Admin, orgID string, fn func(tx *Tx, org portal.Organization, orgAdmin bool) error) error {
	return transition(db, ctx, op, func(tx *Tx) (portal.Organization, bool, error) {
		return findOrganizationWithAdmin(ctx, tx, orgID, actor.ID)
	}, fn)
}

func organizationEntry(org portal.Organization, action portal.AuditAction, before, after portal.AuditNote) portal.AuditEntry {
	return portal.AuditEntry{
		Action: action, SubjectKind: portal.SubjectOrganization, SubjectID: org.ID, OrgID: org.ID, Before: before, After: after,
	}
}

// FindOrganizationByID returns an organization.
func (db *DB) FindOrganizationByID(ctx context.Context, id string) (portal.Organization, error) {
	org, err := findOrganization(ctx, db.read, id)
	if err != nil {
		return portal.Organization{}, fmt.Errorf("store: find organization %s: %w", id, err)
	}
	return org, nil
}

// OrganizationFilter selects organizations for a list, in ID order.
type OrganizationFilter struct {
	// Actor is whose list it is: the organizations they administer.
	Actor portal.Admin
	// All lists every organization instead; only for an operator.
	All  bool
	Page Page
}

// FindOrganizations returns one page of organizations.
func (db *DB) FindOrganizations(ctx context.Context, f OrganizationFilter) ([]portal.Organization, Cursor, error) {
	// The cursor is the last organization's ID: IDs are unique and ordered,
	// and any string is a harmless bound.
	after := string(f.Page.After)
	query := `SELECT ` + organizationColumns + ` FROM organization_admins oa JOIN organizations o ON o.id = oa.org_id
		WHERE oa.admin_id = ? AND oa.org_id > ? ORDER BY oa.org_id LIMIT ?`
	args := []any{f.Actor.ID, after}
	if f.All {
		if err := portal.CanListAll(f.Actor); err != nil {
			return nil, "", err
		}
		query = `SELECT ` + organizationColumns + ` FROM organizations o WHERE o.id > ? ORDER BY o.id LIMIT ?`
		args = []any{after}
	}
	orgs, next, err := findPage(ctx, db.read, f.Page, scanOrganization, func(o portal.Organization) Cursor { return Cursor(o.ID) }, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: find organizations: %w", err)
	}
	return orgs, next, nil
}

// FindVerificationQueue returns one page of the organizations waiting for
// an operator's verification review, oldest submission first.
func (db *DB) FindVerificationQueue(ctx context.Context, operator portal.Admin, p Page) ([]portal.Organization, Cursor, error) {
	if err := portal.CanRunReviews(operator); err != nil {
		return nil, "", err
	}
	at, id, err := p.After.afterQueued()
	if err != nil {
		return nil, "", err
	}
	orgs, next, err := findPage(ctx, db.read, p, scanOrganization,
		func(o portal.Organization) Cursor { return queueCursor(millis(o.VerificationSubmittedAt), o.ID) },
		`SELECT `+organizationColumns+` FROM organizations o
		WHERE o.verification = 'in_review' AND (o.verification_submitted_at, o.id) > (?, ?)
		ORDER BY o.verification_submitted_at, o.id LIMIT ?`, at, id)
	if err != nil {
		return nil, "", fmt.Errorf("store: find verification queue: %w", err)
	}
	return orgs, next, nil
}

// FindOrganizationAdmins returns the administrators of an organization, in
// the order they were added. Organizations have a handful, so the list is
// not paginated.
func (db *DB) FindOrganizationAdmins(ctx context.Context, orgID string) ([]portal.Admin, error) {
	admins, err := findAll(ctx, db.read, scanAdmin, `SELECT `+adminColumns+` FROM organization_admins oa JOIN admins ON admins.id = oa.admin_id
		WHERE oa.org_id = ? ORDER BY oa.added_at, oa.admin_id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: find organization admins %s: %w", orgID, err)
	}
	return admins, nil
}

const organizationColumns = `o.id, o.name, o.region, o.company_name, o.address, o.company_country, o.verification, o.verification_reason, o.verification_submitted_at, o.created_at`

func scanOrganization(s scanner) (portal.Organization, error) {
	var row organizationRow
	if err := s.Scan(row.appendDest(nil)...); err != nil {
		return portal.Organization{}, err
	}
	return *row.organization(), nil
}

// organizationRow receives organizationColumns, all NULL when outer-joined
// to no organization.
type organizationRow struct {
	id, name, region, companyName, address, companyCountry, verification, verificationReason sql.NullString
	submitted, created                                                                       sql.NullInt64
}

// appendDest appends the row's Scan destinations to dest.
func (r *organizationRow) appendDest(dest []any) []any {
	return append(dest, &r.id, &r.name, &r.region, &r.companyName, &r.address, &r.companyCountry, &r.verification, &r.verificationReason, &r.submitted, &r.created)
}

// organization is the row's organization, nil when there was none.
func (r *organizationRow) organization() *portal.Organization {
	if !r.id.Valid {
		return nil
	}
	return &portal.Organization{
		ID: r.id.String, Name: r.name.String, Region: portal.Region(r.region.String),
		Info:           portal.BusinessInfo{CompanyName: r.companyName.String, Address: r.address.String},
		CompanyCountry: portal.Region(r.companyCountry.String), Verification: portal.VerificationStatus(r.verification.String),
		VerificationReason: r.verificationReason.String, VerificationSubmittedAt: nullMillis(r.submitted), CreatedAt: nullMillis(r.created),
	}
}

// lookupOrganization returns the organization with the given ID, or nil
// when there is none: for the rules that say so in their own words.
func lookupOrganization(ctx context.Context, q querier, id string) (*portal.Organization, error) {
	org, err := scanOrganization(q.QueryRowContext(ctx, `SELECT `+organizationColumns+` FROM organizations o WHERE o.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &org, nil
}

func findOrganization(ctx context.Context, q querier, id string) (portal.Organization, error) {
	org, err := lookupOrganization(ctx, q, id)
	if err != nil {
		return portal.Organization{}, err
	}
	if org == nil {
		return portal.Organization{}, notFound(portal.RNoSuchOrganization)
	}
	return *org, nil
}

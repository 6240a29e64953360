package store

import (
	"context"
	"fmt"
	"time"

	"lineportal/internal/portal"
)

// homeListLimit bounds each list on Home: it shows what waits, not an
// archive, and each item links to the full list.
const homeListLimit = 20

// FindWaiting reads what waits for actor at now (portal.Waiting), for
// their Home.
func (db *DB) FindWaiting(ctx context.Context, actor portal.Admin, now time.Time) (portal.Waiting, error) {
	w, err := db.findWaiting(ctx, actor, now)
	if err != nil {
		return portal.Waiting{}, fmt.Errorf("store: find waiting: %w", err)
	}
	return w, nil
}

func (db *DB) findWaiting(ctx context.Context, actor portal.Admin, now time.Time) (portal.Waiting, error) {
	var w portal.Waiting
	var err error
	q := db.read
	// Link requests to organizations the actor administers, soonest to
	// expire first.
	// The requests are chosen first, so that only those shown are joined
	// with their channels and organizations.
	if w.LinkRequests, err = findUpTo(ctx, q, homeListLimit, scanLinkApprovals(), linkApprovalSelect+`
		WHERE lr.id IN (SELECT lr.id FROM link_requests lr JOIN organization_admins oa ON oa.org_id = lr.org_id AND oa.admin_id = ?
			WHERE lr.state = 'pending' AND lr.expires_at > ? ORDER BY lr.expires_at, lr.id LIMIT ?)
		ORDER BY lr.expires_at, lr.id`, actor.ID, actor.ID, millis(now), homeListLimit); err != nil {
		return w, err
	}

	// The actor's channels whose current review is Rejected, but for those
	// linked to an organization the actor administers (listed below).
	if w.Rejected, err = findUpTo(ctx, q, homeListLimit, scanRejectedReviews(), `SELECT `+channelColumns+`, `+organizationColumns+`
		FROM channel_roles cr JOIN channels c ON c.id = cr.channel_id
		JOIN providers p ON p.id = c.provider_id`+channelLink+` JOIN organizations o ON o.id = l.org_id
		WHERE cr.admin_id = ? AND r.status = ?
			AND NOT EXISTS (SELECT 1 FROM organization_admins oa WHERE oa.org_id = l.org_id AND oa.admin_id = cr.admin_id)
		ORDER BY c.name, c.id LIMIT ?`, actor.ID, portal.ReviewRejected, homeListLimit); err != nil {
		return w, err
	}
	// The channels linked to organizations the actor administers whose
	// review is Rejected, theirs too (so not listed above): the
	// organization requests the resubmission.
	if w.RejectedHere, err = findUpTo(ctx, q, homeListLimit, scanRejectedReviews(), `SELECT `+channelColumns+`, `+organizationColumns+`
		FROM organization_admins oa JOIN links l ON l.org_id = oa.org_id AND l.ended_at IS NULL
		JOIN channels c ON c.id = l.channel_id JOIN providers p ON p.id = c.provider_id`+reviewJoin+channelOAJoins+`
		JOIN organizations o ON o.id = l.org_id
		WHERE oa.admin_id = ? AND r.status = ? ORDER BY c.name, c.id LIMIT ?`, actor.ID, portal.ReviewRejected, homeListLimit); err != nil {
		return w, err
	}

	// Link request URLs the actor sent that expire within a day.
	rows, err := q.QueryContext(ctx, `SELECT `+linkRequestColumns+`, c.name`+linkRequestTables+` JOIN channels c ON c.id = lr.channel_id
		WHERE lr.sent_by = ? AND lr.state = 'pending' AND lr.expires_at > ? AND lr.expires_at <= ? ORDER BY lr.expires_at, lr.id LIMIT ?`,
		actor.ID, millis(now), millis(now.Add(portal.ExpiringSoon)), homeListLimit)
	if err != nil {
		return w, err
	}
	defer rows.Close()
	for rows.Next() {
		var e portal.ExpiringRequest
		if e.Request, err = scanLinkRequest(scanMore{rows, []any{&e.ChannelName}}); err != nil {
			return w, err
		}
		w.Expiring = append(w.Expiring, e)
	}
	if err := rows.Err(); err != nil {
		return w, err
	}

	// Invitation URLs the actor sent that expire within a day, while the
	// actor may still give their role (else they work no more).
	invs, err := findAll(ctx, q, scanInvitation, `SELECT `+invitationColumns+invitationTables+`
		WHERE i.invited_by = ? AND i.state = 'pending' AND i.expires_at > ? AND i.expires_at <= ? ORDER BY i.expires_at, i.id LIMIT ?`,
		actor.ID, millis(now), millis(now.Add(portal.ExpiringSoon)), homeListLimit)
	if err != nil {
		return w, err
	}
	for _, inv := range invs {
		var held portal.ChannelRole
		if inv.Team, held, err = loadTeam(ctx, q, inv.Team, actor.ID); err != nil {
			return w, err
		}
		if inv.Works(held, now) {
			w.ExpiringInvitations = append(w.ExpiringInvitations, inv)
		}
	}

	if actor.Operator {
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM organizations WHERE verification = 'in_review'`).Scan(&w.OrganizationQueue); err != nil {
			return w, err
		}
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM channels WHERE miniapp_review = 'pending'`).Scan(&w.MiniAppQueue); err != nil {
			return w, err
		}
	}

	// Whether the actor holds any role: a team's member is past the first
	// steps a newcomer is shown.
	var roles int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (
		SELECT 1 FROM channel_roles WHERE admin_id = ?
		UNION ALL SELECT 1 FROM official_account_roles WHERE admin_id = ?
		UNION ALL SELECT 1 FROM organization_admins WHERE admin_id = ? LIMIT 1) roles`, actor.ID, actor.ID, actor.ID).Scan(&roles); err != nil {
		return w, err
	}
	w.InTeam = roles > 0

	// Suspended bots of the module channels the actor holds a role on.
	w.SuspendedBots, err = findAll(ctx, q, func(s scanner) (portal.SuspendedBot, error) {
		var b portal.SuspendedBot
		err := s.Scan(&b.ModuleID, &b.ModuleName, &b.BotID, &b.BotName)
		return b, err
	}, `SELECT c.id, c.name, a.bot_id, coalesce(nullif(a.display_name, ''), nullif(a.basic_id, ''), a.bot_id)
		FROM channel_roles cr JOIN module_attachments a ON a.channel_id = cr.channel_id JOIN channels c ON c.id = a.channel_id
		WHERE cr.admin_id = ? AND a.state = 'attached' AND a.suspended = 1 ORDER BY c.name, a.id LIMIT ?`, actor.ID, homeListLimit)
	return w, err
}

// scanRejectedReviews scans rows of a channel whose review is Rejected and
// of the organization it is linked to (channelColumns, then
// organizationColumns), each with what its organization's administrator
// does next.
func scanRejectedReviews() func(scanner) (portal.RejectedReview, error) {
	var org organizationRow
	ch := newChannelRow(org.appendDest(nil)...)
	return func(s scanner) (portal.RejectedReview, error) {
		channel, err := ch.scan(s)
		if err != nil {
			return portal.RejectedReview{}, err
		}
		return portal.RejectedReview{Channel: channel, Guidance: portal.RejectionGuidance(channel.Link.Review, *org.organization())}, nil
	}
}

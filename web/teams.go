package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/views"
)

// The people of a team (a channel, an Official Account, an organization):
// invitations by link, changing roles, removing people and leaving; and
// the invitation URL its recipient opens.

// teamOf reads which team a request's path names.
type teamOf func(r *http.Request) (portal.Team, error)

func channelTeam(r *http.Request) (portal.Team, error) {
	id, err := pathInt64(r, "id")
	return portal.Team{ChannelID: id}, err
}

func officialAccountTeam(r *http.Request) (portal.Team, error) {
	id, err := pathInt64(r, "id")
	return portal.Team{OfficialAccountID: id}, err
}

func organizationTeam(r *http.Request) (portal.Team, error) {
	return portal.Team{OrgID: r.PathValue("org")}, nil
}

// peoplePage is a team's People page as the viewer may see it.
func (s *Server) peoplePage(r *http.Request, of teamOf) (views.TeamPeople, error) {
	team, err := of(r)
	if err != nil {
		return views.TeamPeople{}, err
	}
	p := views.TeamPeople{ViewerID: actor(r).ID, Now: s.now()}
	if p.Team, p.Standing, p.Members, err = s.db.FindTeam(r.Context(), actor(r), team); err != nil {
		return p, err
	}
	if err := portal.CanViewTeam(p.Team, p.Standing, actor(r).Operator); err != nil {
		return p, err
	}
	p.CanLeave = portal.CanLeaveTeam(p.Team, p.Members, p.Standing)
	if p.CanInvite = portal.CanInvite(p.Team, p.Standing); p.CanInvite == nil {
		pending, err := s.db.FindPendingInvitations(r.Context(), p.Team)
		if err != nil {
			return p, err
		}
		// Only those that still work: an expired one, or one whose sender
		// lost the role, can't be answered and needs no revoking.
		held := map[int64]portal.ChannelRole{}
		for _, m := range p.Members {
			held[m.Admin.ID] = m.Role
		}
		for _, inv := range pending {
			if inv.Works(held[inv.InvitedBy], p.Now) {
				p.Pending = append(p.Pending, inv)
			}
		}
	}
	return p, nil
}

// renderPeople renders the People page with status, after change (which
// fills in what a POST adds: an issued URL, a refused form) has run.
func (s *Server) renderPeople(w http.ResponseWriter, r *http.Request, of teamOf, status int, change func(p *views.TeamPeople)) {
	p, err := s.peoplePage(r, of)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if change != nil {
		change(&p)
	}
	s.render(w, r, status, views.TeamPeoplePage(s.shell(w, r, views.TeamNav(p.Team)), p))
}

// handlePeople is a team's People page; right after an invitation was
// created, it shows its URL, once (redirectRevealing).
func (s *Server) handlePeople(of teamOf) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var issued *views.IssuedInvitation
		if token, ok := s.revealed(w, r); ok {
			o, err := s.db.FindInvitationByToken(r.Context(), actor(r), token)
			if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
				s.fail(w, r, err)
				return
			}
			if err == nil && o.Invitation.StateAt(s.now()) == portal.InvitationPending {
				inv := o.Invitation
				issued = &views.IssuedInvitation{URL: s.absoluteURL(views.InvitationPath(token)), Role: inv.Role, ExpiresAt: inv.ExpiresAt, Team: inv.Team}
			}
		}
		s.renderPeople(w, r, of, http.StatusOK, func(p *views.TeamPeople) {
			// Only on the page of the invitation's own team.
			if issued != nil && views.PeoplePath(issued.Team) == views.PeoplePath(p.Team) {
				p.Issued = issued
			}
		})
	}
}

// handleInvitationCreate creates an invitation. Only its hash is kept, so
// its URL travels sealed to the People page that shows it once, and
// reloading that page sends nothing again.
func (s *Server) handleInvitationCreate(of teamOf) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		team, err := of(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		form := views.InvitationForm{Role: r.PostFormValue("role"), Note: r.PostFormValue("note")}
		inv, token, err := s.db.CreateInvitation(r.Context(), actor(r), team, portal.ChannelRole(form.Role), form.Note)
		if err != nil {
			s.refused(w, r, err, func(status int, why views.Refusal) {
				form.Why = why
				s.renderPeople(w, r, of, status, func(p *views.TeamPeople) {
					if p.CanInvite != nil {
						p.Why = why // no invite form to show it on
						return
					}
					p.Form = form
				})
			})
			return
		}
		s.redirectRevealing(w, r, views.PeoplePath(inv.Team), token, "", "")
	}
}

// handleInvitationRevoke revokes a pending invitation of the team.
func (s *Server) handleInvitationRevoke(of teamOf) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		team, err := of(r)
		var id int64
		if err == nil {
			id, err = pathInt64(r, "inv")
		}
		if err == nil {
			err = s.db.RevokeInvitation(r.Context(), actor(r), team, id)
		}
		if s.refusedOnPeople(w, r, of, err) {
			return
		}
		s.redirectWithFlash(w, r, views.PeoplePath(team), "success", "invite.revoked")
	}
}

// refusedOnPeople answers a refused change with the People page and why,
// or a failure with the error page; it tells whether it answered.
func (s *Server) refusedOnPeople(w http.ResponseWriter, r *http.Request, of teamOf, err error) bool {
	if err == nil {
		return false
	}
	s.refused(w, r, err, func(status int, why views.Refusal) {
		s.renderPeople(w, r, of, status, func(p *views.TeamPeople) { p.Why = why })
	})
	return true
}

// handleTeamRoleChange changes a person's role on a channel or an
// Official Account; the store keeps one Admin.
func (s *Server) handleTeamRoleChange(of teamOf) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		team, err := of(r)
		var target int64
		if err == nil {
			target, err = pathInt64(r, "admin")
		}
		role := portal.ChannelRole(r.PostFormValue("role"))
		if err == nil && r.PostFormValue("confirm") != "yes" {
			if asked := s.askRoleChange(w, r, of, target, role); asked {
				return
			}
		}
		if err == nil {
			err = s.db.ChangeTeamRole(r.Context(), actor(r), team, target, role)
		}
		if s.refusedOnPeople(w, r, of, err) {
			return
		}
		s.redirectWithFlash(w, r, views.PeoplePath(team), "success", "people.role_changed")
	}
}

// askRoleChange shows the confirmation of a change of role that asks
// first (portal.RoleChangeAsksFirst), and reports whether it did. Whether
// the change may be made is decided by the change itself, once confirmed:
// a change the page can't find to ask about goes on to be refused there.
func (s *Server) askRoleChange(w http.ResponseWriter, r *http.Request, of teamOf, target int64, role portal.ChannelRole) bool {
	p, err := s.peoplePage(r, of)
	if err != nil {
		return false
	}
	admins := 0
	for _, m := range p.Members {
		if m.Role == portal.RoleAdmin {
			admins++
		}
	}
	for _, m := range p.Members {
		// Asked only where the change would be made: the team's only
		// Admin is refused at once.
		if m.Admin.ID == target && portal.RoleChangeAsksFirst(m.Role, role) && portal.CanChangeTeamRole(p.Team, p.Standing, m.Role, role) == nil &&
			portal.CheckKeepsAdmin(p.Team, admins, m.Role, role) == nil {
			s.render(w, r, http.StatusOK, views.RoleChangeConfirmPage(s.shell(w, r, views.TeamNav(p.Team)),
				views.RoleChangeConfirm{Team: p.Team, Target: m, Role: role, Self: target == actor(r).ID}))
			return true
		}
	}
	return false
}

// handleRemoveConfirm asks before someone is removed or leaves, naming the
// consequence. Whether they may is decided again on the POST.
func (s *Server) handleRemoveConfirm(of teamOf) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.peoplePage(r, of)
		var target int64
		if err == nil {
			target, err = pathInt64(r, "admin")
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, m := range p.Members {
			if m.Admin.ID == target {
				if err := portal.CanRemoveFromTeam(p.Team, actor(r), p.Standing, m.Admin, m.Role); err != nil {
					s.fail(w, r, err)
					return
				}
				s.render(w, r, http.StatusOK, views.RemoveConfirmPage(s.shell(w, r, views.TeamNav(p.Team)),
					views.RemoveConfirm{Team: p.Team, Target: m, Self: target == actor(r).ID}))
				return
			}
		}
		s.fail(w, r, portal.Refuse(portal.ENOTFOUND, portal.RNoRoleHere))
	}
}

// handleRemove removes someone from the team, or lets the actor leave.
func (s *Server) handleRemove(of teamOf) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		team, err := of(r)
		var target int64
		if err == nil {
			target, err = pathInt64(r, "admin")
		}
		var removed portal.Admin
		if err == nil {
			removed, err = s.db.RemoveFromTeam(r.Context(), actor(r), team, target)
		}
		if s.refusedOnPeople(w, r, of, err) {
			return
		}
		if removed.ID == actor(r).ID {
			s.redirectWithFlash(w, r, "/", "success", "people.left")
			return
		}
		s.redirectWithFlash(w, r, views.PeoplePath(team), "success", "people.removed", "Name", removed.Name)
	}
}

// handleInvitationShow is the page of an invitation URL: who invited the
// person to what. A newcomer who is not signed in reads it first, with a
// way to sign in with LINE and come back to answer it. It only reads, as
// link-preview bots fetch URLs; expired, used, revoked and "you already
// have this role" each get the page that says so, signed in or not.
func (s *Server) handleInvitationShow(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	var who portal.Admin // nobody, before sign-in
	if a := adminFrom(r.Context()); a != nil {
		who = *a
	}
	o, err := s.db.FindInvitationByToken(r.Context(), who, token)
	if err == nil {
		err = portal.CanAnswerInvitation(who, o, s.now())
	}
	if portal.ErrorCode(err) == portal.EUNAUTHENTICATED {
		signIn := views.SignInOffer{Why: views.Sentence(r.Context(), err), URL: loginURL(r.URL.RequestURI())}
		shell := s.shell(w, r, "")
		shell.SignIn = signIn.URL // the header's sign-in comes back here too
		s.render(w, r, http.StatusOK, views.InvitationPage(shell, o, token, signIn))
		return
	}
	if err != nil {
		s.refuseInvitation(w, r, o.Invitation.Team, err)
		return
	}
	s.rememberInvitation(w, r, token)
	s.render(w, r, http.StatusOK, views.InvitationPage(s.shell(w, r, ""), o, token, views.SignInOffer{}))
}

// refuseInvitation answers an invitation that can't be answered with the
// page that says why. One that is not needed, as its opener is in the team
// already (they accepted it, hold the role, or sent it), leads on to the
// team instead, saying so: the error page's advice (reload, ask for a new
// URL) is for others.
func (s *Server) refuseInvitation(w http.ResponseWriter, r *http.Request, team portal.Team, err error) {
	switch portal.ErrorReason(err) {
	case portal.RInviteUsedByYou, portal.RInviteAlreadyHeld, portal.RInviteAlreadyOrgAdmin:
		s.redirectWithFlash(w, r, views.TeamPath(team), "info", "invitation.flash_not_needed", "Why", views.Sentence(r.Context(), err))
	case portal.RInviteOwn:
		s.redirectWithFlash(w, r, views.PeoplePath(team), "info", "invitation.flash_not_needed", "Why", views.Sentence(r.Context(), err))
	default:
		s.fail(w, r, err)
	}
}

// handleInvitationAccept grants the invitation's role and goes to the
// team's page.
func (s *Server) handleInvitationAccept(w http.ResponseWriter, r *http.Request) {
	inv, err := s.db.AcceptInvitation(r.Context(), actor(r), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, views.TeamPath(inv.Team), "success", "invitation.flash_accepted")
}

// handleInvitationDecline declines the invitation, once confirmed: the
// first press asks (DeclineConfirmPage).
func (s *Server) handleInvitationDecline(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if r.PostFormValue("confirm") != "yes" {
		o, err := s.db.FindInvitationByToken(r.Context(), actor(r), token)
		if err == nil {
			err = portal.CanAnswerInvitation(actor(r), o, s.now())
		}
		if err != nil {
			s.refuseInvitation(w, r, o.Invitation.Team, err)
			return
		}
		s.render(w, r, http.StatusOK, views.DeclineConfirmPage(s.shell(w, r, ""), o, token))
		return
	}
	if _, err := s.db.DeclineInvitation(r.Context(), actor(r), token); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/", "success", "invitation.flash_declined")
}

// peopleRoutes are the People routes of the teams under prefix, whose
// path of names the team.
func (s *Server) peopleRoutes(prefix string, of teamOf) []route {
	routes := []route{
		{"GET " + prefix + "/people", s.signedIn(s.handlePeople(of))},
		{"POST " + prefix + "/people/invitations", s.signedIn(s.handleInvitationCreate(of))},
		{"POST " + prefix + "/people/invitations/{inv}/revoke", s.signedIn(s.handleInvitationRevoke(of))},
		{"GET " + prefix + "/people/{admin}/remove", s.signedIn(s.handleRemoveConfirm(of))},
		{"POST " + prefix + "/people/{admin}/remove", s.signedIn(s.handleRemove(of))},
	}
	if prefix != "/organizations/{org}" { // an organization has one role: nothing to change to
		routes = append(routes, route{"POST " + prefix + "/people/{admin}/role", s.signedIn(s.handleTeamRoleChange(of))})
	}
	return routes
}

// handleNotifications lists the signed-in person's notifications.
func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	notices, next, err := s.db.FindNotices(r.Context(), actor(r).ID, pageOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.NotificationsPage(s.shell(w, r, ""), notices, nextHref(r, string(next))))
}

// handleMarkRead marks one notification read, or all of them, and
// returns to the notifications, or goes to next: where one opened acts.
func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request) {
	var id int64
	var err error
	if r.PathValue("id") != "" {
		id, err = pathInt64(r, "id")
	}
	if err == nil {
		err = s.db.MarkRead(r.Context(), actor(r).ID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Opening a notice reads it and goes where the person acts on it.
	to := "/notifications"
	if next := r.PostFormValue("next"); next != "" && safeNext(next) == next {
		to = next
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

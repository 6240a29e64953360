package portal

// Who holds which role on a team (a channel, an Official Account, an
// organization), and how that changes.

// CheckKeepsAdmin refuses a change that would leave team without an Admin
// (an organization without an administrator), when admins is how many it
// has now and the person changed goes from role from to role to (RoleNone:
// removed). Nobody could then give roles on it or manage it.
func CheckKeepsAdmin(team Team, admins int, from, to ChannelRole) error {
	if from != RoleAdmin || to == RoleAdmin || admins > 1 {
		return nil
	}
	reason := RLastOrgAdmin
	switch team.Kind() {
	case "channel":
		reason = RLastChannelAdmin
	case "official_account":
		reason = RLastOAAdmin
	}
	return OnField(Refuse(ECONFLICT, reason), "role")
}

// CanLeaveTeam tells whether someone holding standing on team, among its
// members, may leave it: not its only Admin (CheckKeepsAdmin).
func CanLeaveTeam(team Team, members []AdminRole, standing ChannelRole) error {
	admins := 0
	for _, m := range members {
		if m.Role == RoleAdmin {
			admins++
		}
	}
	return CheckKeepsAdmin(team, admins, standing, RoleNone)
}

// CanRemoveFromTeam tells whether actor, holding standing on team, may
// take away the role targetRole that target holds there. Anyone may leave
// (remove themselves); removing someone else takes an Admin (an
// administrator of an organization). Keeping one Admin is checked by
// CheckKeepsAdmin against the count inside the same transaction.
func CanRemoveFromTeam(team Team, actor Admin, standing ChannelRole, target Admin, targetRole ChannelRole) error {
	if targetRole == RoleNone {
		return Refuse(ECONFLICT, RTeamNoRole, "Name", target.Name, "Team", team)
	}
	if actor.ID == target.ID {
		return nil
	}
	if standing != RoleAdmin {
		if team.Kind() == "organization" {
			return Refuse(EFORBIDDEN, RTeamRemoveOrgAdminOnly, "Team", team)
		}
		return Refuse(EFORBIDDEN, RTeamRemoveAdminOnly, "Team", team)
	}
	return nil
}

// CanViewTeam tells whether someone holding standing on team may see who
// is in it: its members, and operators. The refusal does not name the
// team: anyone signed in could otherwise learn every channel's, Official
// Account's and organization's name by trying their IDs.
func CanViewTeam(team Team, standing ChannelRole, operator bool) error {
	if standing == RoleNone && !operator {
		return Refuse(EFORBIDDEN, RTeamNotIn)
	}
	return nil
}

// CanChangeTeamRole tells whether someone holding standing on team may
// change the role held (RoleNone if none) of another person there to
// role: Admins of channels and Official Accounts; an organization has one
// role only. Only a role someone holds changes: a role is given through
// an invitation the person accepts (or by their LINE user ID), never to
// just anyone in the portal.
func CanChangeTeamRole(team Team, standing, held, role ChannelRole) error {
	if team.Kind() == "organization" {
		return Refuse(EINVALID, RTeamOrgOneRole)
	}
	if err := canSetRole(standing, role, team.term()); err != nil {
		return err
	}
	if held == RoleNone {
		return Refuse(ENOTFOUND, RTeamNoRoleToChange)
	}
	return nil
}

// RoleChangeAsksFirst tells whether changing a role held to role asks
// first: taking an Admin's role away (their own included) can't be undone
// by them, only by another Admin.
func RoleChangeAsksFirst(held, role ChannelRole) bool {
	return held == RoleAdmin && role != RoleAdmin
}

package web

import (
	"net/http"
	"slices"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

func (s *Server) handleOrganizationList(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	orgs, next, err := s.db.FindOrganizations(r.Context(), store.OrganizationFilter{Actor: a, All: portal.CanListAll(a) == nil,
		Page: pageOf(r)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.OrganizationListPage(s.shell(w, r, "organizations"),
		views.OrganizationListView{Organizations: orgs, NextHref: nextHref(r, string(next))}))
}

// loadOrganization reads the organization in the path and what the actor
// may do there, answering the request itself when that fails.
func (s *Server) loadOrganization(w http.ResponseWriter, r *http.Request, tab string) (views.OrganizationHeader, bool) {
	h := views.OrganizationHeader{Tab: tab}
	var err error
	if h.Organization, h.Access, err = s.db.FindOrganizationWithAccess(r.Context(), actor(r), r.PathValue("org")); err == nil {
		if err = h.Access.CanView(); err == nil {
			return h, true
		}
	}
	s.fail(w, r, err)
	return h, false
}

// AccountsPageRows is how many channels a page of an organization's
// "Accounts & channels" lists, as LINE's own consoles page their lists: an
// organization links thousands, each row carries the channel's provider,
// review and linked Official Account, and "Next" reads the following page.
const AccountsPageRows = 25

func (s *Server) handleOrganizationAccounts(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadOrganization(w, r, "accounts")
	if !ok {
		return
	}
	q := r.URL.Query()
	f := store.AccountFilter{Review: portal.ReviewStatus(q.Get("review")), Page: pageOf(r)}
	f.Page.Limit = AccountsPageRows
	if f.Review != "" && !f.Review.Valid() {
		f.Review = ""
	}
	channels, next, err := s.db.FindOrganizationAccounts(r.Context(), h.Organization.ID, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The Official Accounts (an organization links a handful) come with
	// the first page of channels.
	var oas []portal.OfficialAccount
	if f.Page.After == "" {
		if oas, _, err = s.db.FindOfficialAccounts(r.Context(), store.OfficialAccountFilter{OrgID: h.Organization.ID, Page: store.Page{Limit: store.MaxPageSize}}); err != nil {
			s.fail(w, r, err)
			return
		}
		oas = slices.DeleteFunc(oas, func(oa portal.OfficialAccount) bool { return f.Review != "" && oa.Link.Review.Status != f.Review })
	}
	s.render(w, r, http.StatusOK, views.OrganizationAccountsPage(s.shell(w, r, "organizations"), views.AccountsTab{
		OrganizationHeader: h, Channels: channels, OfficialAccounts: oas, Review: string(f.Review), NextHref: nextHref(r, string(next)),
	}))
}

// loadAccount reads a channel linked now to the organization in the path.
func (s *Server) loadAccount(w http.ResponseWriter, r *http.Request) (views.AccountDetails, bool) {
	h, ok := s.loadOrganization(w, r, "accounts")
	if !ok {
		return views.AccountDetails{}, false
	}
	d := views.AccountDetails{OrganizationHeader: h}
	id, err := pathInt64(r, "channel")
	if err == nil {
		d.Channel, err = s.db.FindChannelByID(r.Context(), id)
	}
	if err == nil && (d.Channel.Link == nil || d.Channel.Link.OrgID != h.Organization.ID) {
		err = portal.Refuse(portal.ENOTFOUND, portal.RChannelNotLinkedToOrg, "OrgID", h.Organization.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return d, false
	}
	return d, true
}

func (s *Server) handleAccountDetails(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	s.renderAccountDetails(w, r, http.StatusOK, d)
}

func (s *Server) renderAccountDetails(w http.ResponseWriter, r *http.Request, status int, d views.AccountDetails) {
	link := *d.Channel.Link
	d.Guidance = portal.RejectionGuidance(link.Review, d.Organization)
	d.CanResubmit = portal.CanResubmit(d.Access.Admin, d.Organization, link)
	d.CanTransfer = portal.CanStartTransfer(d.Channel, d.Access.Admin)
	d.ShowOverride = d.Access.Operator
	var err error
	if d.Reviews, _, err = s.db.FindReviewHistory(r.Context(), store.ReviewFilter{LinkID: link.ID, Page: store.Page{Limit: historyRows}}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, views.AccountDetailsPage(s.shell(w, r, "organizations"), d))
}

func (s *Server) handleReviewResubmit(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	rv, err := s.db.ResubmitReview(r.Context(), actor(r), d.Channel.Link.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, views.AccountPath(d.Organization.ID, d.Channel.ID), "success", "flash.review_resubmitted",
		"Status", reviewStatus(rv.Status))
}

// handleChannelTransferConfirm asks before a transfer, naming what it does
// to the account linking review. The destination must be an organization;
// the rest of the rule is checked when the transfer is confirmed.
func (s *Server) handleChannelTransferConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	if err := portal.CanStartTransfer(d.Channel, d.Access.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	input := r.URL.Query().Get("dest_org_id")
	if input == "" {
		// No destination to confirm (the language switched on a refused
		// transfer's page, say): the transfer form is on the account's page.
		http.Redirect(w, r, views.AccountPath(d.Organization.ID, d.Channel.ID), http.StatusSeeOther)
		return
	}
	to, err := s.transferDestination(r, input, func(id portal.OrganizationID, dest *portal.Organization, toAdmin bool) error {
		return portal.CanTransfer(d.Channel, d.Access.Admin, id, dest, toAdmin)
	})
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			d.TransferTo, d.TransferRefusal = input, why
			s.renderAccountDetails(w, r, status, d)
		})
		return
	}
	s.render(w, r, http.StatusOK, views.TransferConfirmPage(s.shell(w, r, "organizations"), views.TransferConfirm{
		Subject: d.Channel.Name, From: d.Organization, To: to, Review: d.Channel.Link.Review.Status,
		Action: views.AccountPath(d.Organization.ID, d.Channel.ID) + "/transfer", Cancel: views.AccountPath(d.Organization.ID, d.Channel.ID),
	}))
}

// transferDestination is the organization whose ID someone typed to
// transfer to, where rule (the transfer's, given the destination, nil when
// there is none, and whether they administer it) allows it: the
// confirmation asks only about a transfer that can be made. The transfer
// itself checks again.
func (s *Server) transferDestination(r *http.Request, input string, rule func(id portal.OrganizationID, dest *portal.Organization, toAdmin bool) error) (portal.Organization, error) {
	id, err := portal.ParseOrganizationID(input)
	if err != nil {
		return portal.Organization{}, err
	}
	to, access, err := s.db.FindOrganizationWithAccess(r.Context(), actor(r), string(id))
	switch {
	case portal.ErrorCode(err) == portal.ENOTFOUND:
		return to, rule(id, nil, false)
	case err != nil:
		return to, err
	}
	return to, rule(id, &to, access.Admin)
}

func (s *Server) handleChannelTransfer(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	dest := r.PostFormValue("dest_org_id")
	destID, err := portal.ParseOrganizationID(dest)
	var link portal.Link
	if err == nil {
		link, err = s.db.TransferChannel(r.Context(), actor(r), d.Channel.ID, d.Organization.ID, destID)
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			d.TransferTo, d.TransferRefusal = dest, why
			s.renderAccountDetails(w, r, status, d)
		})
		return
	}
	s.redirectWithFlash(w, r, views.AccountPath(link.OrgID, link.ChannelID), "success", "flash.transferred",
		"OrgID", link.OrgID, "Status", reviewStatus(link.Review.Status))
}

func (s *Server) handleReviewOverride(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadAccount(w, r)
	if !ok {
		return
	}
	v := portal.Verdict{Status: portal.ReviewStatus(r.PostFormValue("status")), Reason: r.PostFormValue("reason")}
	if v.Status == portal.ReviewRejected {
		v.Cause = portal.RejectionCause(r.PostFormValue("cause"))
	}
	rv, err := s.db.OverrideReview(r.Context(), actor(r), d.Channel.Link.ID, v)
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			d.OverrideRefusal = why
			s.renderAccountDetails(w, r, status, d)
		})
		return
	}
	s.redirectWithFlash(w, r, views.AccountPath(d.Organization.ID, d.Channel.ID), "success", "flash.review_overridden",
		"Status", reviewStatus(rv.Status))
}

func (s *Server) handleOrganizationInfo(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadOrganization(w, r, "business-info")
	if !ok {
		return
	}
	s.renderOrganizationInfo(w, r, http.StatusOK, h, h.Organization.Info, h.Organization.CompanyCountry, views.Refusal{})
}

func (s *Server) renderOrganizationInfo(w http.ResponseWriter, r *http.Request, status int, h views.OrganizationHeader, info portal.BusinessInfo, country portal.Region, why views.Refusal) {
	s.render(w, r, status, views.OrganizationInfoPage(s.shell(w, r, "organizations"), views.OrganizationInfoTab{
		OrganizationHeader: h,
		CanEdit:            portal.CanEditOrganizationInfo(h.Access.Admin, h.Organization),
		CanSubmit:          portal.CanSubmitForVerification(h.Access.Admin, h.Organization),
		Info:               info,
		CompanyCountry:     country,
		Refusal:            why,
	}))
}

func (s *Server) handleOrganizationInfoUpdate(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadOrganization(w, r, "business-info")
	if !ok {
		return
	}
	info, country := businessInfoFrom(r), companyCountryFrom(r)
	if err := s.db.UpdateOrganizationInfo(r.Context(), actor(r), h.Organization.ID, info, country); err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			s.renderOrganizationInfo(w, r, status, h, info, country, why)
		})
		return
	}
	s.redirectWithFlash(w, r, r.URL.Path, "success", "flash.org_info_saved")
}

func (s *Server) handleVerificationSubmit(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("org")
	if err := s.db.SubmitOrganizationForVerification(r.Context(), actor(r), orgID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, views.OrganizationPath(orgID)+"/business-info", "success", "flash.verification_submitted")
}

func (s *Server) handleOrganizationMembers(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadOrganization(w, r, "members")
	if !ok {
		return
	}
	admins, err := s.db.FindOrganizationAdmins(r.Context(), h.Organization.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.OrganizationMembersPage(s.shell(w, r, "organizations"), organizationMembersTab(h, admins, views.AddAdministratorForm{})))
}

// organizationMembersTab is the Members tab with the "Add an
// administrator" form as given, offered to whoever may add administrators.
func organizationMembersTab(h views.OrganizationHeader, admins []portal.Admin, add views.AddAdministratorForm) views.OrganizationMembersTab {
	return views.OrganizationMembersTab{OrganizationHeader: h, Admins: admins, Add: add,
		CanAdd: portal.CanAddOrganizationAdmin(h.Access.Admin, h.Organization)}
}

func (s *Server) handleOrganizationHistory(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadOrganization(w, r, "history")
	if !ok {
		return
	}
	entries, next, err := s.db.FindAuditEntries(r.Context(), store.AuditFilter{OrgID: h.Organization.ID,
		Page: pageOf(r)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.OrganizationHistoryPage(s.shell(w, r, "organizations"), h,
		views.HistoryTab{Entries: entries, NextHref: nextHref(r, string(next))}))
}

func (s *Server) handleOrganizationNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.OrganizationRegisterPage(s.shell(w, r, "organizations"),
		views.OrganizationRegisterForm{Region: string(portal.RegionJapan), CompanyCountry: portal.RegionJapan}))
}

// handleOrganizationRegister registers an organization under the ID
// Business Manager gave it; the actor becomes its first administrator.
func (s *Server) handleOrganizationRegister(w http.ResponseWriter, r *http.Request) {
	f := views.OrganizationRegisterForm{
		ID:     r.PostFormValue("org_id"),
		Name:   r.PostFormValue("name"),
		Region: r.PostFormValue("region"),
		Info:   businessInfoFrom(r),

		CompanyCountry: companyCountryFrom(r),
	}
	// The portal mirrors Business Manager, so the ID is required here; the
	// store would make one up for an empty ID.
	id, err := portal.ParseOrganizationID(f.ID)
	org := portal.Organization{ID: string(id), Name: f.Name, Region: portal.Region(f.Region), Info: f.Info, CompanyCountry: f.CompanyCountry}
	if err == nil {
		org, err = s.db.CreateOrganization(r.Context(), actor(r), org)
	} else {
		// The other fields' problems are told with the ID's.
		err = portal.FieldRefusals(err, portal.CheckNewOrganization(org))
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			f.Refusal = why
			s.render(w, r, status, views.OrganizationRegisterPage(s.shell(w, r, "organizations"), f))
		})
		return
	}
	s.redirectWithFlash(w, r, views.OrganizationPath(org.ID)+"/business-info", "success", "flash.org_registered", "OrgID", org.ID)
}

// handleOrganizationAdminAdd adds an administrator by LINE user ID,
// registering them if they have never signed in.
func (s *Server) handleOrganizationAdminAdd(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadOrganization(w, r, "members")
	if !ok {
		return
	}
	f := views.AddAdministratorForm{LINEUserID: r.PostFormValue("line_user_id"), Name: r.PostFormValue("name")}
	added, err := s.db.AddOrganizationAdminByLINEUserID(r.Context(), actor(r), h.Organization.ID, f.LINEUserID, f.Name)
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			admins, err := s.db.FindOrganizationAdmins(r.Context(), h.Organization.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			f.Refusal = why
			t := organizationMembersTab(h, admins, f)
			shell := s.shell(w, r, "organizations")
			if t.CanAdd != nil { // an operator: the page has no form to show why
				shell.Flashes = append(shell.Flashes, views.Flash{Kind: "error", Message: why.Message})
			}
			s.render(w, r, status, views.OrganizationMembersPage(shell, t))
		})
		return
	}
	done := "flash.org_admin_added"
	if added.LastSignInAt.IsZero() {
		done = "flash.org_admin_added_not_signed_in"
	}
	s.redirectWithFlash(w, r, views.OrganizationPath(h.Organization.ID)+"/members", "success", done,
		"Name", added.Name, "Organization", h.Organization.Name)
}

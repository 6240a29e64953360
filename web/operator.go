package web

import (
	"net/http"
	"strconv"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// operatorOnly refuses anyone not named an operator in the configuration.
// The store checks again in every operator transition.
func (s *Server) operatorOnly(next http.HandlerFunc) http.Handler {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if err := portal.CanRunReviews(actor(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		next(w, r)
	})
}

func (s *Server) handleOperatorQueues(w http.ResponseWriter, r *http.Request) {
	s.renderOperatorQueues(w, r, http.StatusOK, views.OperatorView{})
}

// renderOperatorQueues renders the queues page with what v already holds
// (a refused reject form).
func (s *Server) renderOperatorQueues(w http.ResponseWriter, r *http.Request, status int, v views.OperatorView) {
	a, q := actor(r), r.URL.Query()
	// The two queues page on their own: each has its own cursor.
	orgs, nextOrgs, err := s.db.FindVerificationQueue(r.Context(), a, store.Page{After: store.Cursor(q.Get("orgs"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	apps, nextApps, err := s.db.FindMiniAppReviewQueue(r.Context(), a, store.Page{After: store.Cursor(q.Get("apps"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Organizations, v.MiniApps = orgs, apps
	v.NextOrganizationsHref, v.NextMiniAppsHref = queueHref(r, "orgs", string(nextOrgs)), queueHref(r, "apps", string(nextApps))
	s.render(w, r, status, views.OperatorPage(s.shell(w, r, "operator"), v))
}

// operatorReject runs one queue rejection with the form's reason. A reason
// the domain refuses (none, too long) brings the queues back with the
// reason as typed and why, next to that item's form.
func (s *Server) operatorReject(w http.ResponseWriter, r *http.Request, form string, reject func(reason string) error, done string, args ...any) {
	reason := r.PostFormValue("reason")
	if err := reject(reason); err != nil {
		if _, onReason := portal.ErrorFields(err)["reason"]; !onReason {
			// Not the reason typed: the item is decided already (the
			// form sent twice) or unknown, so no item of the queues holds
			// the form to say it next to; the error page says it.
			s.fail(w, r, err)
			return
		}
		s.refused(w, r, err, func(status int, why views.Refusal) {
			s.renderOperatorQueues(w, r, status, views.OperatorView{Rejecting: form, Reason: reason, Refusal: why})
		})
		return
	}
	s.redirectWithFlash(w, r, "/operator", "success", done, args...)
}

// operatorDecision runs one queue decision and comes back to the queues.
// done is the message (ID, then parameters as name/value pairs) saying
// what was decided.
func (s *Server) operatorDecision(w http.ResponseWriter, r *http.Request, decide func() error, done string, args ...any) {
	if err := decide(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/operator", "success", done, args...)
}

// handleVerifyOrganization verifies an organization, once the operator
// confirmed it: the first press shows its business info, which can't
// change afterwards (VerifyConfirmPage).
func (s *Server) handleVerifyOrganization(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("org")
	if r.PostFormValue("confirm") != "yes" {
		org, err := s.db.FindOrganizationByID(r.Context(), id)
		if err == nil {
			err = portal.CanDecideVerification(actor(r), org)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, views.VerifyConfirmPage(s.shell(w, r, "operator"), org))
		return
	}
	s.operatorDecision(w, r, func() error {
		return s.db.VerifyOrganization(r.Context(), actor(r), id)
	}, "flash.org_verified", "OrgID", id)
}

func (s *Server) handleRejectOrganization(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("org")
	s.operatorReject(w, r, "org:"+id, func(reason string) error {
		return s.db.RejectOrganizationVerification(r.Context(), actor(r), id, reason)
	}, "flash.org_verification_rejected", "OrgID", id)
}

func (s *Server) handleApproveMiniApp(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt64(r, "id")
	s.operatorDecision(w, r, func() error {
		if err != nil {
			return err
		}
		return s.db.ApproveMiniAppReview(r.Context(), actor(r), id)
	}, "flash.mini_app_approved")
}

func (s *Server) handleRejectMiniApp(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt64(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.operatorReject(w, r, "app:"+strconv.FormatInt(id, 10), func(reason string) error {
		return s.db.RejectMiniAppReview(r.Context(), actor(r), id, reason)
	}, "flash.mini_app_rejected")
}

package store_test

import (
	"testing"
	"time"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
	"lineportal/store"
)

func TestStore_ReviewStartsWithOrganizationVerification(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, false)
	matching, mismatching := f.miniApp(t, acme), f.miniApp(t, other)

	// Linking to an unverified organization whose verification can start
	// starts it: both reviews run together.
	mark := f.auditMark(t)
	first := f.link(t, matching, org)
	f.assertAudit(t, mark,
		"link_request.send link_request:  → link_request(RequestState=pending)",
		"link_request.approve link_request: link_request(RequestState=pending) → link_request(RequestState=approved)",
		"link.create link:  → linked_to_org(OrgID="+org.ID+")",
		"verification.submit organization: verification(Verification=unverified) → verification(Verification=in_review)",
		"review.start link:  → review(Review=unverified)")
	if first.Review.Status != portal.ReviewUnverified || locale.New("en", "UTC").Finding(first.Review.Finding) != "The account linking review starts once organization "+org.ID+" is verified." {
		t.Errorf("review while the organization is unverified = %+v", first.Review)
	}
	if got := f.reloadOrg(t, org); got.Verification != portal.OrgInReview || !got.VerificationSubmittedAt.Equal(start) {
		t.Errorf("organization after the first link = %+v", got)
	}

	// A mismatch rejects even while the organization is unverified.
	second := f.link(t, mismatching, org)
	if second.Review.Status != portal.ReviewRejected || second.Review.Cause != portal.CauseMismatch {
		t.Errorf("mismatch under an unverified organization = %+v", second.Review)
	}

	// Verifying the organization runs the waiting review only.
	f.clock.Set(start.Add(time.Hour))
	mark = f.auditMark(t)
	mustNil(t, f.db.VerifyOrganization(ctx, f.op, org.ID))
	f.assertAudit(t, mark,
		"verification.verify organization: verification(Verification=in_review) → verification(Verification=verified)",
		"review.run link: review(Review=unverified) → review(Review=verified)")
	if got := f.reload(t, matching).Link.Review; got.Status != portal.ReviewVerified || got.Event != portal.ReviewRun || got.ActorID != f.op.ID || got.ActorName != "Olivia" {
		t.Errorf("waiting review after verification = %+v", got)
	}
	if got := f.reload(t, mismatching).Link.Review; got.ID != second.Review.ID {
		t.Errorf("the rejected review ran again on verification: %+v", got)
	}
}

func TestStore_ReviewWaitsWithoutStartingVerification(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, portal.BusinessInfo{CompanyName: "Acme K.K."}, false) // no address: can't start
	link := f.link(t, f.miniApp(t, other), org)
	if link.Review.Status != portal.ReviewUnverified {
		t.Errorf("review = %+v, want Unverified: nothing to compare yet", link.Review)
	}
	if got := f.reloadOrg(t, org); got.Verification != portal.OrgUnverified {
		t.Errorf("verification = %s, want it not started without complete business info", got.Verification)
	}
}

func TestStore_ResubmitReview(t *testing.T) {
	f := newFixture(t)
	unverifiedOrg := f.org(t, portal.RegionJapan, other, false)
	exception := f.link(t, f.miniApp(t, acme), unverifiedOrg)
	org := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, other)
	link := f.link(t, ch, org)
	if link.Review.Status != portal.ReviewRejected {
		t.Fatalf("review = %+v, want Rejected", link.Review)
	}
	resubmit := func(actor portal.Admin, linkID int64) func() error {
		return func() error { _, err := f.db.ResubmitReview(ctx, actor, linkID); return err }
	}
	f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+org.ID+" can request an account linking review resubmission.", resubmit(f.dev, link.ID))
	f.refuses(t, portal.EINVALID, "Organization "+unverifiedOrg.ID+" is not verified. Complete its verification review, then request the resubmission.", resubmit(f.boss, exception.ID))
	f.refuses(t, portal.ENOTFOUND, "No such link.", resubmit(f.boss, 999))

	// The channel's information was wrong: fix the draft, pass the
	// re-review, resubmit.
	mustNil(t, f.db.UpdateChannelDraft(ctx, f.dev, ch.ID, portal.MiniAppInfo{ServiceCompany: acme, DeveloperIsServiceCompany: true, CompanyCountry: portal.RegionJapan}))
	mustNil(t, f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID))
	if got := f.reload(t, ch).Link.Review; got.Status != portal.ReviewRejected {
		t.Fatalf("the draft changed the review: %+v", got)
	}
	mustNil(t, f.db.ApproveMiniAppReview(ctx, f.op, ch.ID))
	mark := f.auditMark(t)
	rv, err := f.db.ResubmitReview(ctx, f.boss, link.ID)
	mustNil(t, err)
	f.assertAudit(t, mark, "review.resubmit link: review(Review=rejected) → review(Review=verified)")
	if rv.Status != portal.ReviewVerified || rv.Event != portal.ReviewResubmit || rv.ActorID != f.boss.ID {
		t.Errorf("resubmitted review = %+v", rv)
	}
	f.refuses(t, portal.ECONFLICT, "The account linking review is Verified. Only a Rejected review can be resubmitted.", resubmit(f.boss, link.ID))
}

func TestStore_OverrideReview(t *testing.T) {
	f := newFixture(t)
	ch := f.miniApp(t, acme)
	link := f.link(t, ch, f.org(t, portal.RegionJapan, acme, true))
	wrongOrg := portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseWrongOrganization, Reason: "  linked to the wrong organization "}
	override := func(actor portal.Admin, v portal.Verdict) func() error {
		return func() error { _, err := f.db.OverrideReview(ctx, actor, link.ID, v); return err }
	}
	f.refuses(t, portal.EFORBIDDEN, "Only an operator can override an account linking review.", override(f.boss, wrongOrg))
	f.refuses(t, portal.EINVALID, "Give the reason for the override, for example \"linked to the wrong organization\".",
		override(f.op, portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseWrongOrganization}))

	f.clock.Set(start.Add(time.Hour))
	mark := f.auditMark(t)
	rv, err := f.db.OverrideReview(ctx, f.op, link.ID, wrongOrg)
	mustNil(t, err)
	f.assertAudit(t, mark, "review.override link: review(Review=verified) → review(Review=rejected)")
	history, next, err := f.db.FindReviewHistory(ctx, store.ReviewFilter{LinkID: link.ID})
	mustNil(t, err)
	want := portal.Review{ID: rv.ID, LinkID: link.ID, OrgID: link.OrgID, Event: portal.ReviewOverride, ActorID: f.op.ID, ActorName: "Olivia", At: start.Add(time.Hour),
		Verdict: portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseWrongOrganization, Reason: "linked to the wrong organization"}}
	if len(history) != 2 || history[0] != want || rv != want || history[1].Event != portal.ReviewStart || next != "" {
		t.Errorf("history = %+v (next %q), want newest %+v", history, next, want)
	}
	if got := portal.RejectionGuidance(f.reload(t, ch).Link.Review, f.reloadOrg(t, portal.Organization{ID: link.OrgID})); len(got) != 1 || got[0].Case != portal.CaseWrongOrganization {
		t.Errorf("guidance after the override = %+v", got)
	}
	f.refuses(t, portal.EINVALID, "The review was rejected because the channel is linked to the wrong organization, which a resubmission can't change. Transfer the channel to the correct organization instead.",
		func() error { _, err := f.db.ResubmitReview(ctx, f.boss, link.ID); return err })
}

func TestStore_OrganizationVerification(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, portal.BusinessInfo{}, false)
	stranger := f.admin(t, "Ustranger", "Sam")
	f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+org.ID+" can edit its business info.",
		func() error { return f.db.UpdateOrganizationInfo(ctx, stranger, org.ID, acme, portal.RegionJapan) })
	f.refuses(t, portal.EINVALID, "Enter the company name and address in the business info of organization "+org.ID+" before submitting it for verification.",
		func() error { return f.db.SubmitOrganizationForVerification(ctx, f.boss, org.ID) })

	mark := f.auditMark(t)
	mustNil(t, f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, portal.BusinessInfo{CompanyName: " Acme K.K. ", Address: acme.Address}, portal.RegionJapan))
	mustNil(t, f.db.SubmitOrganizationForVerification(ctx, f.boss, org.ID))
	f.assertAudit(t, mark,
		"organization.info_update organization: org_info(Address=, Company=, Country=JP) → org_info(Address=1-2-3 Chiyoda, Tokyo, Company=Acme K.K., Country=JP)",
		"verification.submit organization: verification(Verification=unverified) → verification(Verification=in_review)")
	f.refuses(t, portal.ECONFLICT, "Organization "+org.ID+" is in its verification review; its business info can't change until the review is decided.",
		func() error { return f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, other, portal.RegionJapan) })

	queue, _, err := f.db.FindVerificationQueue(ctx, f.op, store.Page{})
	mustNil(t, err)
	if len(queue) != 1 || queue[0].ID != org.ID || queue[0].Info != acme {
		t.Errorf("verification queue = %+v", queue)
	}
	f.refuses(t, portal.EFORBIDDEN, "Only an operator can run reviews.", func() error { _, _, err := f.db.FindVerificationQueue(ctx, f.boss, store.Page{}); return err })
	f.refuses(t, portal.EINVALID, "Give the reason for the rejection, so that the people concerned know what to fix.",
		func() error { return f.db.RejectOrganizationVerification(ctx, f.op, org.ID, " ") })
	mark = f.auditMark(t)
	mustNil(t, f.db.RejectOrganizationVerification(ctx, f.op, org.ID, "The address is not the registered one."))
	// The history keeps the reason, not only the notice.
	f.assertAudit(t, mark, "verification.reject organization: verification(Verification=in_review) → verification_rejected(Reason=The address is not the registered one., Verification=rejected)")
	if got := f.reloadOrg(t, org); got.Verification != portal.OrgRejected || got.VerificationReason != "The address is not the registered one." {
		t.Errorf("rejected organization = %+v", got)
	}
	if queue, _, _ := f.db.FindVerificationQueue(ctx, f.op, store.Page{}); len(queue) != 0 {
		t.Errorf("queue after the decision = %+v", queue)
	}

	// Rejected: fix and resubmit, then verified info is final.
	mustNil(t, f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, acme, portal.RegionJapan))
	mustNil(t, f.db.SubmitOrganizationForVerification(ctx, f.boss, org.ID))
	mustNil(t, f.db.VerifyOrganization(ctx, f.op, org.ID))
	f.refuses(t, portal.ECONFLICT, "Organization "+org.ID+" has no verification review waiting for a decision.",
		func() error { return f.db.VerifyOrganization(ctx, f.op, org.ID) })
	f.refuses(t, portal.EINVALID, "Organization "+org.ID+" is verified, so its business info can't change. If it is wrong, create a new organization and transfer the accounts and channels to it.",
		func() error { return f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, other, portal.RegionJapan) })
}

func TestStore_MiniAppReview(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Draft: portal.MiniAppInfo{ServiceCompany: portal.BusinessInfo{CompanyName: "Acme K.K."}}})
	f.refuses(t, portal.EINVALID, "Enter the service company's name and address in the draft before submitting it for review.",
		func() error { return f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID) })
	draft := portal.MiniAppInfo{ServiceCompany: acme, ProviderIsServiceCompany: true, CompanyCountry: portal.RegionJapan}
	mark := f.auditMark(t)
	mustNil(t, f.db.UpdateChannelDraft(ctx, f.dev, ch.ID, draft))
	mustNil(t, f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID))
	f.assertAudit(t, mark,
		"channel.draft_update channel: mini_app_info(Address=, Company=Acme K.K., Country=JP, DeveloperIsService=false, ProviderIsService=false) → "+
			"mini_app_info(Address=1-2-3 Chiyoda, Tokyo, Company=Acme K.K., Country=JP, DeveloperIsService=false, ProviderIsService=true)",
		"miniapp_review.submit channel: mini_app_review(MiniAppReview=none) → mini_app_review(MiniAppReview=pending)")
	f.refuses(t, portal.ECONFLICT, "The draft is in MINI App review. Wait for the outcome before changing it.",
		func() error { return f.db.UpdateChannelDraft(ctx, f.dev, ch.ID, portal.MiniAppInfo{}) })
	f.refuses(t, portal.EFORBIDDEN, "Only an operator can run reviews.", func() error { return f.db.ApproveMiniAppReview(ctx, f.dev, ch.ID) })

	queue, _, err := f.db.FindMiniAppReviewQueue(ctx, f.op, store.Page{})
	mustNil(t, err)
	if len(queue) != 1 || queue[0].ID != ch.ID || !queue[0].MiniAppReviewSubmittedAt.Equal(start) {
		t.Errorf("MINI App review queue = %+v", queue)
	}
	mustNil(t, f.db.RejectMiniAppReview(ctx, f.op, ch.ID, "The address is incomplete."))
	if got := f.reload(t, ch); got.MiniAppReview != portal.MiniAppReviewRejected || got.MiniAppReviewReason != "The address is incomplete." || got.Verified {
		t.Errorf("after rejection = %+v", got)
	}
	mustNil(t, f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID))
	mustNil(t, f.db.ApproveMiniAppReview(ctx, f.op, ch.ID))
	if got := f.reload(t, ch); !got.Verified || got.Published != draft || got.MiniAppReview != portal.MiniAppReviewNone || got.MiniAppReviewReason != "" {
		t.Errorf("after approval = %+v", got)
	}
	f.refuses(t, portal.EINVALID, "The draft is the same as the published business information. Change it before submitting it for re-review.",
		func() error { return f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID) })

	// The company or owner's country or region changes only through a
	// re-review: a draft holds the new one until an operator approves it.
	f.refuses(t, portal.EINVALID, "Choose the company or owner's country or region.",
		func() error {
			return f.db.UpdateChannelDraft(ctx, f.dev, ch.ID, portal.MiniAppInfo{ServiceCompany: acme, CompanyCountry: "US"})
		})
	moved := draft
	moved.CompanyCountry = portal.RegionTaiwan
	mustNil(t, f.db.UpdateChannelDraft(ctx, f.dev, ch.ID, moved))
	mustNil(t, f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID))
	if got := f.reload(t, ch); got.Published.CompanyCountry != portal.RegionJapan || got.Draft.CompanyCountry != portal.RegionTaiwan {
		t.Errorf("in re-review: published %s, draft %s; want Japan, Taiwan", got.Published.CompanyCountry, got.Draft.CompanyCountry)
	}
	mustNil(t, f.db.ApproveMiniAppReview(ctx, f.op, ch.ID))
	if got := f.reload(t, ch); got.Published != moved {
		t.Errorf("published after the re-review = %+v, want %+v", got.Published, moved)
	}
}

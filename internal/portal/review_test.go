package portal_test

import (
	"slices"
	"testing"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
)

func TestReviewStatus_String(t *testing.T) {
	for status, want := range map[portal.ReviewStatus]string{
		portal.ReviewUnverified: "Unverified", portal.ReviewVerified: "Verified", portal.ReviewRejected: "Rejected",
	} {
		if got := status.String(); got != want {
			t.Errorf("%q.String() = %q, want %q", string(status), got, want)
		}
	}
}

func TestReviewOutcome(t *testing.T) {
	const (
		matches    = "The business information matches the business info of organization BM01234567890."
		waits      = "The account linking review starts once organization BM01234567890 is verified."
		badName    = "The company name in the business information (\"Acme Trading K.K.\") does not match the one in the business info of organization BM01234567890 (\"Acme K.K.\")."
		badAddress = "The address in the business information (\"9-9 Minato, Tokyo\") does not match the one in the business info of organization BM01234567890 (\"1-2-3 Chiyoda, Tokyo\")."
	)
	otherName := portal.BusinessInfo{CompanyName: "Acme Trading K.K.", Address: acme.Address}
	tests := []struct {
		name         string
		subject      portal.BusinessInfo
		verification portal.VerificationStatus
		orgInfo      portal.BusinessInfo
		want         portal.Verdict
	}{
		{"verified org, same info → Verified", acme, portal.OrgVerified, acme,
			portal.Verdict{Status: portal.ReviewVerified, Reason: matches}},
		{"verified org, same info up to case and spaces → Verified",
			portal.BusinessInfo{CompanyName: " ACME\u3000 k.k. ", Address: "1-2-3  Chiyoda,\tTokyo"}, portal.OrgVerified, acme,
			portal.Verdict{Status: portal.ReviewVerified, Reason: matches}},
		{"verified org, same info typed full-width, half-width kana, other dashes → Verified",
			portal.BusinessInfo{CompanyName: "ＡＣＭＥ Ｋ.Ｋ.", Address: "１‐２−３ Ｃｈｉｙｏｄａ, Tokyo"}, portal.OrgVerified, acme,
			portal.Verdict{Status: portal.ReviewVerified, Reason: matches}},
		{"verified org, Japanese names in half-width katakana → Verified",
			portal.BusinessInfo{CompanyName: "ｱｸﾒ株式会社", Address: "東京都千代田区１ー２ー３"}, portal.OrgVerified, portal.BusinessInfo{CompanyName: "アクメ株式会社", Address: "東京都千代田区1-2-3"},
			portal.Verdict{Status: portal.ReviewVerified, Reason: matches}},
		{"verified org, a long-vowel mark that is part of a name → Rejected",
			portal.BusinessInfo{CompanyName: "アクメコ-ポレ-ション", Address: acme.Address}, portal.OrgVerified, portal.BusinessInfo{CompanyName: "アクメコーポレーション", Address: acme.Address},
			portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseMismatch, Reason: "The company name in the business information (\"アクメコ-ポレ-ション\") does not match the one in the business info of organization BM01234567890 (\"アクメコーポレーション\")."}},
		{"verified org, company name differs → Rejected", otherName, portal.OrgVerified, acme,
			portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseMismatch, Reason: badName}},
		{"verified org, both differ → Rejected naming both",
			portal.BusinessInfo{CompanyName: "Acme Trading K.K.", Address: "9-9 Minato, Tokyo"}, portal.OrgVerified, acme,
			portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseMismatch, Reason: badName + " " + badAddress}},
		{"unverified org, mismatch → Rejected (the documented exception)", otherName, portal.OrgUnverified, acme,
			portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseMismatch, Reason: badName}},
		{"org in review, mismatch → Rejected", otherName, portal.OrgInReview, acme,
			portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseMismatch, Reason: badName}},
		{"unverified org, match → Unverified", acme, portal.OrgUnverified, acme,
			portal.Verdict{Status: portal.ReviewUnverified, Reason: waits}},
		{"org verification rejected, match → Unverified", acme, portal.OrgRejected, acme,
			portal.Verdict{Status: portal.ReviewUnverified, Reason: waits}},
		{"unverified org without info → Unverified, nothing to compare", acme, portal.OrgUnverified, portal.BusinessInfo{CompanyName: "Acme K.K."},
			portal.Verdict{Status: portal.ReviewUnverified, Reason: waits}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := verifiedOrg()
			org.Verification, org.Info = tt.verification, tt.orgInfo
			// The rules give a finding; its English sentence is the one
			// a person reads.
			got := portal.ReviewOutcome(tt.subject, org)
			if got.Status != tt.want.Status || got.Cause != tt.want.Cause || got.Reason != "" ||
				locale.New("en", "UTC").Finding(got.Finding) != tt.want.Reason {
				t.Errorf("ReviewOutcome =\n %#v (%q)\nwant\n %#v", got, locale.New("en", "UTC").Finding(got.Finding), tt.want)
			}
		})
	}
}

func TestCanResubmit(t *testing.T) {
	type in struct {
		orgAdmin bool
		org      portal.Organization
		link     portal.Link
	}
	ordered(t, func() in {
		link := *currentLink(portal.ReviewRejected)
		link.Review.Cause = portal.CauseMismatch
		return in{true, verifiedOrg(), link}
	},
		func(i in) error { return portal.CanResubmit(i.orgAdmin, i.org, i.link) }, []refusal[in]{
			{"ErrNotOrgAdmin", func(i *in) { i.orgAdmin = false }, portal.EFORBIDDEN,
				"Only an administrator of organization BM01234567890 can request an account linking review resubmission."},
			{"ErrTransferred", func(i *in) { i.link.EndedAt = issued }, portal.ECONFLICT, msgTransferred},
			{"ErrOrganizationNotVerified", func(i *in) { i.org.Verification = portal.OrgInReview }, portal.EINVALID,
				"Organization BM01234567890 is not verified. Complete its verification review, then request the resubmission."},
			{"ErrNotRejected", func(i *in) { i.link.Review.Status = portal.ReviewVerified }, portal.ECONFLICT,
				"The account linking review is Verified. Only a Rejected review can be resubmitted."},
			{"ErrWrongOrganization", func(i *in) { i.link.Review.Cause = portal.CauseWrongOrganization }, portal.EINVALID,
				"The review was rejected because the channel is linked to the wrong organization, which a resubmission can't change. Transfer the channel to the correct organization instead."},
		})
}

const msgTransferred = "This channel was transferred to another organization since, so the review of this link can't change any more. Open the channel from its current organization."

func TestCanOverrideReview(t *testing.T) {
	type in struct {
		actor portal.Admin
		link  portal.Link
		v     portal.Verdict
	}
	ok := func() in {
		return in{operator, *currentLink(portal.ReviewVerified),
			portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseWrongOrganization, Reason: "linked to the wrong organization"}}
	}
	rule := func(i in) error { return portal.CanOverrideReview(i.actor, i.link, i.v) }
	const msgCause = "Choose why the review is rejected: the channel's business information, the organization's business info, or the wrong organization."
	ordered(t, ok, rule, []refusal[in]{
		{"ErrNotOperator", func(i *in) { i.actor.Operator = false }, portal.EFORBIDDEN, "Only an operator can override an account linking review."},
		{"ErrTransferred", func(i *in) { i.link.EndedAt = issued }, portal.ECONFLICT, msgTransferred},
		{"ErrStatus", func(i *in) { i.v.Status = portal.ReviewUnverified }, portal.EINVALID, "Choose the outcome: Verified or Rejected."},
		{"ErrRejectedWithoutCause", func(i *in) { i.v.Cause = portal.CauseNone }, portal.EINVALID, msgCause},
		{"ErrNoReason", func(i *in) { i.v.Reason = " \n" }, portal.EINVALID, "Give the reason for the override, for example \"linked to the wrong organization\"."},
	})
	for _, tt := range []struct {
		name    string
		v       portal.Verdict
		code    string
		message string
	}{
		{"OK verified", portal.Verdict{Status: portal.ReviewVerified, Reason: "checked by phone"}, "", ""},
		{"ErrVerifiedWithCause", portal.Verdict{Status: portal.ReviewVerified, Cause: portal.CauseChannelInfo, Reason: "x"}, portal.EINVALID, "A Verified review has no rejection cause."},
		{"ErrMismatchIsForTheRules", portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseMismatch, Reason: "x"}, portal.EINVALID, msgCause},
	} {
		t.Run(tt.name, func(t *testing.T) {
			i := ok()
			i.v = tt.v
			check(t, rule(i), tt.code, tt.message)
		})
	}
}

func TestRejectionGuidance(t *testing.T) {
	channelInfo := portal.Guidance{Case: portal.CaseChannelInfo, OrgID: orgID, Noun: portal.TermChannel}
	orgInfoUnverified := portal.Guidance{Case: portal.CaseOrganizationInfoUnverified, OrgID: orgID, Noun: portal.TermChannel}
	orgInfoVerified := portal.Guidance{Case: portal.CaseOrganizationInfoVerified, OrgID: orgID, Noun: portal.TermChannel}
	wrongOrg := portal.Guidance{Case: portal.CaseWrongOrganization, OrgID: orgID, Noun: portal.TermChannel}
	tests := []struct {
		name         string
		status       portal.ReviewStatus
		cause        portal.RejectionCause
		verification portal.VerificationStatus
		want         []portal.Guidance
	}{
		{"channel info wrong", portal.ReviewRejected, portal.CauseChannelInfo, portal.OrgVerified, []portal.Guidance{channelInfo}},
		{"organization info wrong, unverified", portal.ReviewRejected, portal.CauseOrganizationInfo, portal.OrgUnverified, []portal.Guidance{orgInfoUnverified}},
		{"organization info wrong, verification rejected", portal.ReviewRejected, portal.CauseOrganizationInfo, portal.OrgRejected, []portal.Guidance{orgInfoUnverified}},
		{"organization info wrong, verified", portal.ReviewRejected, portal.CauseOrganizationInfo, portal.OrgVerified, []portal.Guidance{orgInfoVerified}},
		{"wrong organization", portal.ReviewRejected, portal.CauseWrongOrganization, portal.OrgVerified, []portal.Guidance{wrongOrg}},
		{"mismatch, organization verified", portal.ReviewRejected, portal.CauseMismatch, portal.OrgVerified, []portal.Guidance{channelInfo, orgInfoVerified, wrongOrg}},
		{"mismatch, organization unverified", portal.ReviewRejected, portal.CauseMismatch, portal.OrgUnverified, []portal.Guidance{channelInfo, orgInfoUnverified, wrongOrg}},
		{"not rejected", portal.ReviewVerified, portal.CauseNone, portal.OrgVerified, nil},
		{"waiting", portal.ReviewUnverified, portal.CauseNone, portal.OrgUnverified, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := verifiedOrg()
			org.Verification = tt.verification
			rv := portal.Review{Verdict: portal.Verdict{Status: tt.status, Cause: tt.cause, Reason: "r"}}
			got := portal.RejectionGuidance(rv, org)
			if !slices.Equal(got, tt.want) {
				t.Errorf("RejectionGuidance =\n %#v\nwant\n %#v", got, tt.want)
			}
		})
	}
}

package portal_test

import (
	"testing"
	"time"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
)

// issued is when the fixtures' link requests were issued.
var issued = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

var acme = portal.BusinessInfo{CompanyName: "Acme K.K.", Address: "1-2-3 Chiyoda, Tokyo"}

const orgID = "BM01234567890"

// linkableChannel is a channel that meets every linking requirement.
func linkableChannel() portal.Channel {
	return portal.Channel{
		ID: 7, Kind: portal.KindMiniApp, LINEChannelID: "1234567890", Name: "Acme Shop", Region: portal.RegionJapan, Verified: true,
		Published:     portal.MiniAppInfo{ServiceCompany: acme, DeveloperIsServiceCompany: true, CompanyCountry: portal.RegionJapan},
		Draft:         portal.MiniAppInfo{ServiceCompany: acme, DeveloperIsServiceCompany: true, CompanyCountry: portal.RegionJapan},
		MiniAppReview: portal.MiniAppReviewNone,
	}
}

// verifiedOrg is an organization in Japan with acme's business info, whose
// company is in Japan.
func verifiedOrg() portal.Organization {
	return portal.Organization{ID: orgID, Name: "Acme", Region: portal.RegionJapan, Info: acme, CompanyCountry: portal.RegionJapan, Verification: portal.OrgVerified}
}

// currentLink is a current link of linkableChannel to verifiedOrg with a
// review of the given status.
func currentLink(status portal.ReviewStatus) *portal.Link {
	return &portal.Link{ID: 3, ChannelID: 7, OrgID: orgID, LinkedAt: issued, Review: portal.Review{ID: 9, LinkID: 3, OrgID: orgID, Verdict: portal.Verdict{Status: status}}}
}

var operator = portal.Admin{ID: 100, Name: "Olivia", Operator: true}

// check asserts that err has the code and the message a person reads; a
// want of "" and "" means no error.
func check(t *testing.T, err error, code, message string) {
	t.Helper()
	if got := portal.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (err: %v)", got, code, err)
	}
	if got := english(err); got != message {
		t.Errorf("message:\n got %q\nwant %q", got, message)
	}
}

// ordered runs a table of refusals listed in the order a rule checks them,
// one case per unmet condition. Each case first breaks only its own
// condition; then it also breaks every later one, and must still be
// reported first: that is the documented order.
type refusal[In any] struct {
	name    string
	breakIt func(*In)
	code    string
	message string
}

func ordered[In any](t *testing.T, ok func() In, rule func(In) error, refusals []refusal[In]) {
	t.Helper()
	t.Run("OK", func(t *testing.T) { check(t, rule(ok()), "", "") })
	for i, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			in := ok()
			r.breakIt(&in)
			check(t, rule(in), r.code, r.message)
		})
		t.Run(r.name+"/before later conditions", func(t *testing.T) {
			in := ok()
			for _, later := range refusals[i:] {
				later.breakIt(&in)
			}
			check(t, rule(in), r.code, r.message)
		})
	}
}

// channelTeam is linkableChannel as a team people hold roles on.
var channelTeam = portal.Team{ChannelID: 7, Name: "Acme Shop"}

// english is the sentence an English reader sees for err.
func english(err error) string { return locale.New("en", "UTC").Refusal(err) }

// oaUnavailable is what every admin action on a suspended bot answers, in
// the words 001 recommends.
const oaUnavailable = "This admin screen can't be used because the LINE Official Account is unavailable"

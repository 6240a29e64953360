package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/portal"
)

// The profile chooses which kinds of notice also come by LINE, with plain
// checkboxes (no JavaScript): approval requests and expiring URLs start
// on; a box left unchecked turns its kind off.
func TestProfile_LINEChoices(t *testing.T) {
	ts := newTestServer(t)
	v := newVisitor(t)
	ts.signIn(v, "/", ts.demo.Developer.ID, false)
	profile := v.get(ts.URL + "/profile")
	checked := func(p page) []string {
		var on []string
		p.doc.Find("#line-choices input[type=checkbox][checked]").Each(func(_ int, in *goquery.Selection) {
			on = append(on, in.AttrOr("name", ""))
		})
		return on
	}
	if got := strings.Join(checked(profile), " "); got != "line_link_request line_url_expiring" {
		t.Errorf("a new admin's LINE choices: %q", got)
	}
	// Aoi is not a friend of the portal's account: the page says what it
	// takes.
	if profile.doc.Find("#line-choices-not-friend").Length() != 1 {
		t.Error("the page does not say that LINE messages need the friendship")
	}

	saved := v.follow(v.submit(profile, "#line-choices form", url.Values{"line_link_request": nil, "line_url_expiring": nil, "line_review_verified": {"on"}}, "", ""))
	if !strings.Contains(saved.doc.Find("#flash").Text(), "Your choice of LINE messages is saved.") {
		t.Errorf("flash after saving: %q", saved.doc.Find("#flash").Text())
	}
	if got := strings.Join(checked(saved), " "); got != "line_review_verified" {
		t.Errorf("saved LINE choices show as %q", got)
	}
	choices, err := ts.db.LINEChoices(t.Context(), ts.admin(t, ts.demo.Developer.ID).ID)
	if err != nil {
		t.Fatal(err)
	}
	if choices[portal.NoticeLinkRequest] || choices[portal.NoticeURLExpiring] || !choices[portal.NoticeReviewVerified] {
		t.Errorf("stored choices: %v", choices)
	}
}

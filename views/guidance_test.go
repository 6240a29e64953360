package views

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
)

// The Rejected view writes each documented case's title and steps, naming
// the organization and what is linked, in the reader's language.
func TestRejectionGuidanceWords(t *testing.T) {
	const org = "BM01234567890"
	cases := []struct {
		g     portal.Guidance
		title string
		steps []string
	}{
		{portal.Guidance{Case: portal.CaseChannelInfo, OrgID: org, Noun: portal.TermChannel}, "The channel's business information is wrong", []string{
			"Correct the business information in the channel's draft.",
			"Submit the draft for MINI App re-review and wait until it is published.",
			"Ask an administrator of organization BM01234567890 to request an account linking review resubmission.",
		}},
		{portal.Guidance{Case: portal.CaseOfficialAccountInfo, OrgID: org, Noun: portal.TermOfficialAccount}, "The LINE Official Account's business information is wrong", []string{
			"Ask an Admin of the LINE Official Account to correct its business information.",
			"Ask an administrator of organization BM01234567890 to request an account linking review resubmission.",
		}},
		{portal.Guidance{Case: portal.CaseOrganizationInfoUnverified, OrgID: org, Noun: portal.TermChannel}, "The organization's business info is wrong", []string{
			"Correct the business info of organization BM01234567890.",
			"Submit the organization for its verification review and wait until it is verified.",
			"Request an account linking review resubmission from the organization's Accounts & channels page.",
		}},
		{portal.Guidance{Case: portal.CaseOrganizationInfoVerified, OrgID: org, Noun: portal.TermOfficialAccount}, "The organization's business info is wrong", []string{
			"Organization BM01234567890 is verified, so its business info can't be changed.",
			"Create a new organization with the correct business info.",
			"Transfer the LINE Official Account to the new organization; its account linking review starts over there once that organization is verified.",
		}},
		{portal.Guidance{Case: portal.CaseWrongOrganization, OrgID: org, Noun: portal.TermChannel}, "The channel is linked to the wrong organization", []string{
			"Transfer the channel to the correct organization; you need to administer both organizations.",
			"The account linking review starts over there once that organization is verified.",
		}},
	}
	for _, c := range cases {
		doc := renderGuidance(t, "en", c.g)
		if got := doc.Find(".guidance-case h3").Text(); got != c.title {
			t.Errorf("%s title %q, want %q", c.g.Case, got, c.title)
		}
		var steps []string
		doc.Find(".guidance-case li").Each(func(_ int, s *goquery.Selection) { steps = append(steps, s.Text()) })
		if strings.Join(steps, "\n") != strings.Join(c.steps, "\n") {
			t.Errorf("%s steps:\n%s\nwant\n%s", c.g.Case, strings.Join(steps, "\n"), strings.Join(c.steps, "\n"))
		}
	}
	// In Japanese, with LINE's words (接続審査の再審査, 組織の認証審査).
	ja := renderGuidance(t, "ja", cases[2].g).Find(".guidance-case").Text()
	for _, want := range []string{"組織のビジネス情報が誤っている場合", "組織BM01234567890のビジネス情報を修正します。", "組織の認証審査", "接続審査の再審査"} {
		if !strings.Contains(ja, want) {
			t.Errorf("Japanese guidance lacks %q: %s", want, ja)
		}
	}
}

func renderGuidance(t *testing.T, lang string, g portal.Guidance) *goquery.Document {
	t.Helper()
	var b strings.Builder
	ctx := locale.With(context.Background(), locale.New(lang, ""))
	rv := portal.Review{Verdict: portal.Verdict{Status: portal.ReviewRejected}}
	if err := ReviewStatusBlock(rv, []portal.Guidance{g}).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

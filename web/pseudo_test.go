package web

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
	"lineportal/store"
)

// latinTerms are the words the glossary (spec/glossary.md) keeps in Latin
// script in every language, which pages may show outside a message: LINE's
// product and console names, Chat Control's channel names and event names.
var latinTerms = []string{
	"LINE", "MINI", "App", "Official", "Account", "Business", "Manager", "Messaging", "API", "Login", "Webhook", "URL",
	"ID", "Admin", "Member", "Active", "Standby", "Primary", "Channel", "UTC", "QR",
}

// latinWord is a word of Latin letters standing on its own, not part of
// an ID such as BM01234567890 or a name such as bot_prompt.
var latinWord = regexp.MustCompile(`\b[A-Za-z]{2,}\b`)

// No English left behind: every page of the route catalogue, rendered in
// the pseudo-language (each message between ⟦ and ⟧), shows no Latin-script
// word outside a message except data (names, IDs, addresses, what LINE
// says) and the glossary's Latin terms. A page that adds text without a
// message fails here, whatever language its author reads.
func TestRouteCatalogue_NoEnglishLeftBehind(t *testing.T) {
	cat := routeCatalogue(t)
	cat.srv.fixedLocale = locale.Pseudo()
	data := cat.dataTexts(t)
	visitors := map[string]*visitor{}
	for _, c := range cat.Routes {
		if !c.Page() && c.Refused == nil {
			continue
		}
		v := visitors[c.As]
		if v == nil {
			v = cat.visitor(t, c)
			visitors[c.As] = v
		}
		var p page
		if c.Page() {
			p = v.get(cat.URL + c.Path)
		} else { // the form, refused, with its input and why
			p = v.post(cat.URL+c.Path, c.Refused)
		}
		if left := untranslated(p.doc, data); len(left) > 0 {
			t.Errorf("%s (%s) shows text that is not a message: %q", c.Pattern, c.Path, left)
		}
		// A message given fewer parameters than it names says so.
		if strings.Contains(p.doc.Text(), "<no value>") {
			t.Errorf("%s (%s) shows a message without one of its parameters (<no value>)", c.Pattern, c.Path)
		}
	}
}

// untranslated returns the words of doc's visible text and its attributes
// people read that came from no message and are not data.
func untranslated(doc *goquery.Document, data []string) []string {
	// Technical values (IDs, scopes, URLs) are shown in <code>. What a
	// person typed, kept on a refused form, is data too.
	doc.Find("code, script, style, textarea").Remove()
	// Languages are named in their own words; time zones by their IANA
	// names.
	doc.Find(".lang-switch, #settings-lang, #settings-zone option:not([value=''])").Remove()
	var texts []string
	doc.Find("body").Each(func(_ int, s *goquery.Selection) { texts = append(texts, s.Text()) })
	doc.Find("[placeholder], [aria-label], [title], img[alt]").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"placeholder", "aria-label", "title", "alt"} {
			// A placeholder of one word is an example of the input
			// (@linedevelopers, BM01234567890), not a sentence.
			if v, ok := s.Attr(a); ok && (a != "placeholder" || strings.Contains(v, " ")) {
				texts = append(texts, v)
			}
		}
	})
	text := stripMessages(strings.Join(texts, "\n"))
	for _, d := range data {
		text = strings.ReplaceAll(text, d, " ")
	}
	var left []string
	for _, w := range latinWord.FindAllString(text, -1) {
		if !slices.Contains(latinTerms, w) && !slices.Contains(left, w) {
			left = append(left, w)
		}
	}
	return left
}

// stripMessages removes every message, nested ones included.
func stripMessages(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case string(r) == locale.PseudoOpen:
			depth++
		case string(r) == locale.PseudoClose && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dataTexts are the texts the catalogue's data puts on pages, longest
// first: names, companies, addresses and reasons people typed, from the
// store as an operator sees it, and what LINE's simulated accounts are
// called.
func (cat *catalogue) dataTexts(t *testing.T) []string {
	t.Helper()
	ctx := t.Context()
	op := portal.Admin{Operator: true}
	var data []string
	add := func(s ...string) {
		for _, d := range s {
			if d = strings.TrimSpace(d); d != "" {
				data = append(data, d)
			}
		}
	}
	all := store.Page{Limit: store.MaxPageSize}
	channels, _, err := cat.db.FindChannels(ctx, store.ChannelFilter{Actor: op, All: true, Page: all})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range channels {
		add(ch.Name, ch.Provider.Name, ch.MiniAppReviewReason)
		for _, i := range []portal.MiniAppInfo{ch.Published, ch.Draft} {
			add(i.ServiceCompany.CompanyName, i.ServiceCompany.Address)
		}
		roles, err := cat.db.FindChannelRoles(ctx, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range roles {
			add(r.Admin.Name)
		}
		reviews, _, err := cat.db.FindReviewHistory(ctx, store.ReviewFilter{ChannelID: ch.ID, Page: all})
		if err != nil {
			t.Fatal(err)
		}
		for _, rv := range reviews {
			add(rv.Reason, rv.ActorName)
		}
	}
	orgs, _, err := cat.db.FindOrganizations(ctx, store.OrganizationFilter{Actor: op, All: true, Page: all})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		add(o.Name, o.Info.CompanyName, o.Info.Address, o.VerificationReason)
		admins, err := cat.db.FindOrganizationAdmins(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range admins {
			add(a.Name)
		}
	}
	oas, _, err := cat.db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{Actor: op, All: true, Page: all})
	if err != nil {
		t.Fatal(err)
	}
	for _, oa := range oas {
		add(oa.Name, oa.BasicID, oa.Info.CompanyName, oa.Info.Address)
	}
	add(cat.mod.OfficialAccount.Name, cat.demo.OfficialAccount.Name, cat.demo.Developer.Name, cat.demo.OrganizationAdministrator.Name,
		cat.demo.DeveloperAndAdministrator.Name, cat.demo.Operator.Name)
	sort.Slice(data, func(i, j int) bool { return len(data[i]) > len(data[j]) })
	return data
}

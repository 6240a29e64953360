package views

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
)

// Business information with no service company yet (a MINI App nothing
// has been published for) says nothing of how the developer and the
// provider compare with it; once there is one, it does.
func TestMiniAppInfoFacts_CompareOnlyWithAServiceCompany(t *testing.T) {
	facts := func(i portal.MiniAppInfo) []string {
		t.Helper()
		var b strings.Builder
		if err := miniAppInfoFacts(i).Render(locale.With(context.Background(), locale.New("en", "")), &b); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		var dd []string
		doc.Find("dd").Each(func(_ int, s *goquery.Selection) { dd = append(dd, strings.TrimSpace(s.Text())) })
		return dd[len(dd)-2:] // the developer, the provider
	}
	if got := facts(portal.MiniAppInfo{CompanyCountry: portal.RegionJapan}); got[0] != "—" || got[1] != "—" {
		t.Errorf("nothing published: developer %q, provider %q; want — for both", got[0], got[1])
	}
	acme := portal.BusinessInfo{CompanyName: "Acme K.K.", Address: "1-2-3 Chiyoda, Tokyo"}
	if got := facts(portal.MiniAppInfo{ServiceCompany: acme}); got[0] != "Another company" || got[1] != "Another company" {
		t.Errorf("another developer and provider: %q", got)
	}
	if got := facts(portal.MiniAppInfo{ServiceCompany: acme, DeveloperIsServiceCompany: true, ProviderIsServiceCompany: true}); got[0] == "Another company" || got[1] == "Another company" {
		t.Errorf("the service company as developer and provider: %q", got)
	}
}

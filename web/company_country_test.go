package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lineportal/internal/demo"
	"lineportal/store"
	"lineportal/views"
)

// The demo's Sakura Foods Taiwan is in Japan, but its company is in Taiwan:
// a MINI App whose company is in Japan can be neither linked nor
// transferred to it, and the pages say why and what each side can do.
func TestLinkLifecycle_CompanyCountryRefusal(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	order := ts.channelID(t, "Sakura Order")
	want := func(orgID string) string {
		return "The channel's company or owner's country or region (Japan) does not match the company/business owner's country or region of organization " + orgID +
			" (Taiwan); they must match. If the channel's is wrong, ask for the change in the MINI App review request (enter the new country or region in the draft business information and submit it for re-review). " +
			"If the organization's is wrong, the organization is verified, so its business info can't change: create a new organization with the right country or region and transfer the accounts and channels to it."
	}

	// On the Business Manager link tab.
	tab := dev.get(ts.URL + views.ChannelPath(order))
	p := dev.submit(tab, "form[action$='/link-requests']", url.Values{"org_id": {demo.SakuraTaiwanID}}, "", "")
	if p.res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("link request answered %d: %.400s", p.res.StatusCode, p.doc.Find("main").Text())
	}
	if got := strings.TrimSpace(p.doc.Find("#org_id-error").Text()); got != want(demo.SakuraTaiwanID) {
		t.Errorf("#org_id-error:\n got %q\nwant %q", got, want(demo.SakuraTaiwanID))
	}
	if got := p.doc.Find("#org_id").AttrOr("value", ""); got != demo.SakuraTaiwanID {
		t.Errorf("the typed ID was lost: %q", got)
	}
	if p.doc.Find("#link-request-url").Length() != 0 {
		t.Error("a URL was issued")
	}
	if reqs, _, err := ts.db.FindLinkRequests(t.Context(), store.LinkRequestFilter{ChannelID: order}); err != nil || len(reqs) != 0 {
		t.Fatalf("the refused request was stored: %d %v", len(reqs), err)
	}

	// Linked to Sakura Foods, the channel can't be transferred there either.
	u := ts.sendLinkRequest(t, dev, order, demo.SakuraFoodsID)
	if done := boss.submit(boss.get(u), "#approval form", nil, "", ""); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving answered %d: %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	moved := boss.post(ts.URL+views.AccountPath(demo.SakuraFoodsID, order)+"/transfer", url.Values{"dest_org_id": {demo.SakuraTaiwanID}})
	if moved.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(moved.doc.Find("main").Text(), want(demo.SakuraTaiwanID)) {
		t.Fatalf("transfer answered %d: %.600s", moved.res.StatusCode, moved.doc.Find("main").Text())
	}
	if ch, err := ts.db.FindChannelByID(t.Context(), order); err != nil || ch.Link == nil || ch.Link.OrgID != demo.SakuraFoodsID {
		t.Fatalf("after the refused transfer the channel is linked to %+v, %v", ch.Link, err)
	}
}

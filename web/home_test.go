package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"lineportal/internal/demo"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// pendingFromHome registers a verified MINI App of dev's and sends a link
// request to Sakura Foods, which boss administers; it returns the path
// where boss approves it from Home.
func pendingFromHome(t *testing.T, ts *testServer, dev, boss, op portal.Admin, lineChannelID string) string {
	t.Helper()
	ctx := t.Context()
	ch, err := ts.db.RegisterChannel(ctx, dev, portal.Channel{Kind: portal.KindMiniApp, Name: "Sakura Home " + lineChannelID, LINEChannelID: lineChannelID,
		Region: portal.RegionJapan, Provider: portal.Provider{Name: "Home Co. " + lineChannelID},
		Draft: portal.MiniAppInfo{ServiceCompany: portal.BusinessInfo{CompanyName: "Sakura Foods K.K.", Address: "1-2-3 Marunouchi"}, DeveloperIsServiceCompany: true,
			CompanyCountry: portal.RegionJapan}})
	if err == nil {
		err = ts.db.SubmitMiniAppReview(ctx, dev, ch.ID)
	}
	if err == nil {
		op.Operator = true // decided by configuration, as the web layer does
		err = ts.db.ApproveMiniAppReview(ctx, op, ch.ID)
	}
	var req portal.LinkRequest
	if err == nil {
		req, _, err = ts.db.SendLinkRequest(ctx, dev, ch.ID, demo.SakuraFoodsID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return views.HomeApprovalPath(req)
}

// homeApprovalCatalogue is the route catalogue's fixtures of approving a
// link request from Home.
func homeApprovalCatalogue(t *testing.T, ts *testServer, dev, boss, op portal.Admin) []routeCase {
	path := pendingFromHome(t, ts, dev, boss, op, "2999123411")
	noInput := "it sends no input a person types; a refusal is the error page"
	return []routeCase{
		{Pattern: "GET /notifications", Path: "/notifications", As: boss.LINEUserID},
		{Pattern: "POST /notifications/{id}/read", Path: "/notifications/" + strconv.FormatInt(firstNotice(t, ts, boss), 10) + "/read", As: boss.LINEUserID,
			Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "POST /notifications/read", Path: "/notifications/read", As: boss.LINEUserID, Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "GET /organizations/{org}/link-requests/{id}", Path: path, As: boss.LINEUserID},
		{Pattern: "POST /organizations/{org}/link-requests/{id}", Path: path, As: boss.LINEUserID, Form: url.Values{},
			NoRefusal: noInput},
	}
}

// firstNotice is the ID of a's newest notification.
func firstNotice(t *testing.T, ts *testServer, a portal.Admin) int64 {
	t.Helper()
	notices, _, err := ts.db.FindNotices(t.Context(), a.ID, store.Page{})
	if err != nil || len(notices) == 0 {
		t.Fatalf("%s's notifications: %d, %v", a.Name, len(notices), err)
	}
	return notices[0].ID
}

// Ken sees the pending link request on Home and approves it there, on the
// approval screen with its precaution; Aoi, who sent it, does not get it
// to approve.
func TestHome_ApproveFromHome(t *testing.T) {
	ts := newTestServer(t)
	ctx := t.Context()
	admin := func(id string) portal.Admin {
		a, err := ts.db.EnsureAdmin(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	dev, boss, op := admin(ts.demo.Developer.ID), admin(ts.demo.OrganizationAdministrator.ID), admin(ts.demo.Operator.ID)
	path := pendingFromHome(t, ts, dev, boss, op, "2999123412")

	ken := ts.signedIn(t, boss.LINEUserID)
	home := ken.get(ts.URL + "/")
	item := home.doc.Find("#waiting-link-requests li.waiting-link-request")
	if item.Length() != 1 || !strings.Contains(item.Text(), "Sakura Home 2999123412") || item.Find("a").AttrOr("href", "") != path {
		t.Fatalf("Ken's Home: %q", home.doc.Find("#waiting").Text())
	}
	screen := ken.get(ts.URL + path)
	if screen.res.StatusCode != http.StatusOK || screen.doc.Find("#approval-precaution").Length() != 1 {
		t.Fatalf("approval screen from Home: %d %q", screen.res.StatusCode, screen.doc.Find("main").Text())
	}
	done := ken.submit(screen, "#approval form", nil, "", "")
	if done.res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(done.location(t), ts.URL+views.OrganizationPath(demo.SakuraFoodsID)+"/accounts/") {
		t.Fatalf("approve from Home: %d → %q", done.res.StatusCode, done.res.Header.Get("Location"))
	}
	if home := ken.get(ts.URL + "/"); home.doc.Find("#waiting-link-requests").Length() != 0 {
		t.Errorf("the approved request still waits on Home: %q", home.doc.Find("#waiting").Text())
	}
	if again := ken.post(ts.URL+path, nil); again.res.StatusCode != http.StatusConflict {
		t.Errorf("approving twice: %d", again.res.StatusCode)
	}

	aoi := ts.signedIn(t, dev.LINEUserID)
	if p := aoi.get(ts.URL + path); p.res.StatusCode != http.StatusForbidden {
		t.Errorf("the sender opened the Home approval: %d", p.res.StatusCode)
	}
	if home := aoi.get(ts.URL + "/"); home.doc.Find("#waiting").Length() != 1 || home.doc.Find("#waiting-link-requests").Length() != 0 {
		t.Errorf("Aoi's Home: %q", home.doc.Find("#waiting").Text())
	}
	if home := newVisitor(t).get(ts.URL + "/"); home.doc.Find("#waiting").Length() != 0 {
		t.Error("a signed-out visitor sees a waiting section")
	}
}

// An organization's Accounts & channels lists its LINE Official Accounts
// with their review status, as its OA linking screen does.
func TestOrganizationAccounts_ListOfficialAccounts(t *testing.T) {
	ts := newTestServer(t)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	page := ken.get(ts.URL + views.OrganizationPath(demo.MomijiFoodsID))
	oa, err := ts.db.FindOfficialAccountByID(t.Context(), ts.oaID(t, "@momijicafe"))
	if err != nil || oa.Link == nil {
		t.Fatalf("Momiji Cafe: %+v, %v", oa, err)
	}
	row := page.doc.Find(`#official-accounts tr[data-official-account-id="` + strconv.FormatInt(oa.ID, 10) + `"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "Momiji Cafe") || !strings.Contains(row.Find(".review-cell").Text(), oa.Link.Review.Status.String()) {
		t.Errorf("Momiji Cafe's row: %q", page.doc.Find("#official-accounts").Text())
	}
	other := portal.ReviewRejected
	if oa.Link.Review.Status == other {
		other = portal.ReviewVerified
	}
	filtered := ken.get(ts.URL + views.OrganizationPath(demo.MomijiFoodsID) + "?review=" + string(other))
	if filtered.doc.Find(`#official-accounts tr[data-official-account-id="`+strconv.FormatInt(oa.ID, 10)+`"]`).Length() != 0 {
		t.Errorf("the %s filter kept an account whose review is %s", other, oa.Link.Review.Status)
	}
}

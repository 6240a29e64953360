package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/demo"
	"lineportal/internal/linesim"
	"lineportal/internal/locale"
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

// demoAdmins are the demo's developer, organization administrator and
// operator as the portal knows them.
func demoAdmins(t *testing.T, ts *testServer) (dev, boss, op portal.Admin) {
	t.Helper()
	admin := func(id string) portal.Admin {
		a, err := ts.db.EnsureAdmin(t.Context(), id, "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	return admin(ts.demo.Developer.ID), admin(ts.demo.OrganizationAdministrator.ID), admin(ts.demo.Operator.ID)
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
	dev, boss, op := demoAdmins(t, ts)
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
	// The notice's link, opened once it was approved (by a colleague,
	// say), leads on to the channel the organization now has.
	if later := ken.get(ts.URL + path); later.res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(later.location(t), ts.URL+views.OrganizationPath(demo.SakuraFoodsID)+"/accounts/") ||
		!strings.Contains(ken.follow(later).doc.Find("#flash").Text(), "linked to organization "+demo.SakuraFoodsID+" already") {
		t.Errorf("the approval screen once approved: %d → %q", later.res.StatusCode, later.res.Header.Get("Location"))
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

// Signed in, Home starts with what waits. A newcomer with no role anywhere
// is told how to start; someone in a team with nothing waiting is told
// that, and where things will show, not how to start.
func TestHome_FirstStepsOrNothingWaiting(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	const newcomerID = "U7d1e2c3b4a5968778695a4b3c2d1e0f9"
	if _, err := ts.sim.AddUser(linesim.User{ID: newcomerID, Name: "Rin Aoki"}); err != nil {
		t.Fatal(err)
	}
	rin := ts.signedIn(t, newcomerID)

	home := rin.get(ts.URL + "/")
	if home.doc.Find("#home").Length() != 0 || home.doc.Find("main h1").Text() != "LINE Partner Portal" {
		t.Errorf("signed in, Home still opens with the visitors' introduction: %q", home.doc.Find("main h1").Text())
	}
	steps := home.doc.Find("#waiting #first-steps a")
	if home.doc.Find("#nothing-waiting").Length() != 1 || steps.Length() != 2 ||
		steps.Eq(0).AttrOr("href", "") != "/channels/new" || steps.Eq(1).AttrOr("href", "") != "/organizations/new" {
		t.Fatalf("a newcomer's Home: %q", home.doc.Find("#waiting").Text())
	}

	// Aoi invites Rin, who accepts: Rin is in a team now.
	shown := rin.get(ts.invite(t, dev, portal.Team{ChannelID: ts.channelID(t, "Sakura Order")}, "member"))
	if accepted := rin.submit(shown, `form[action$="/accept"]`, nil, "", ""); accepted.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", accepted.res.StatusCode)
	}
	home = rin.get(ts.URL + "/")
	if home.doc.Find("#first-steps").Length() != 0 || !strings.Contains(home.doc.Find("#nothing-waiting").Text(), "Nothing is waiting for you. When something needs you") ||
		home.doc.Find(`#waiting a[href="/notifications"]`).Length() != 1 {
		t.Errorf("a team member's Home with nothing waiting: %q", home.doc.Find("#waiting").Text())
	}

	// Aoi was told Rin accepted: unread notifications are part of what
	// waits, counted as the header counts them.
	aoi, err := ts.db.EnsureAdmin(t.Context(), ts.demo.Developer.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := ts.db.CountUnread(t.Context(), aoi.ID)
	if err != nil || n == 0 {
		t.Fatalf("Aoi's unread after Rin accepted: %d, %v", n, err)
	}
	home = dev.get(ts.URL + "/")
	if link := home.doc.Find("#waiting-unread a"); link.AttrOr("href", "") != "/notifications" || link.Text() != fmt.Sprintf("Unread notifications: %d", n) ||
		home.doc.Find("#nothing-waiting").Length() != 0 {
		t.Errorf("Aoi's Home with %d unread: %q", n, home.doc.Find("#waiting").Text())
	}

	if home := newVisitor(t).get(ts.URL + "/"); home.doc.Find("#home a[href='/login']").Length() != 1 {
		t.Error("signed out, Home has no introduction with its sign-in button")
	}
}

// Opening an unread notice reads it and goes where the person acts; a next
// path that leaves the portal goes back to the notifications instead.
func TestNotifications_OpeningReads(t *testing.T) {
	ts := newTestServer(t)
	ctx := t.Context()
	dev, boss, op := demoAdmins(t, ts)
	path := pendingFromHome(t, ts, dev, boss, op, "2999123413")
	unread := func() int {
		n, err := ts.db.CountUnread(ctx, boss.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	ken := ts.signedIn(t, boss.LINEUserID)
	list := ken.get(ts.URL + "/notifications")
	open := list.doc.Find(`li.notice-unread form.notice-text`).FilterFunction(func(_ int, f *goquery.Selection) bool {
		return f.Find(`input[name=next]`).AttrOr("value", "") == path
	})
	if open.Length() != 1 || !strings.Contains(open.Text(), "Sakura Home 2999123413") {
		t.Fatalf("Ken's notifications: %q", list.doc.Find("#notifications").Text())
	}
	before := unread()
	done := ken.submit(list, `li.notice-unread form.notice-text:has(input[value="`+path+`"])`, nil, "", "")
	if done.res.StatusCode != http.StatusSeeOther || done.location(t) != ts.URL+path {
		t.Fatalf("opening the notice: %d → %q", done.res.StatusCode, done.res.Header.Get("Location"))
	}
	if after := unread(); after != before-1 {
		t.Errorf("unread %d → %d after opening one notice", before, after)
	}
	if read := ken.get(ts.URL + "/notifications"); read.doc.Find(`li.notice:not(.notice-unread) a.notice-text[href="`+path+`"]`).Length() != 1 {
		t.Errorf("the opened notice is not listed as read, linking to %s: %q", path, read.doc.Find("#notifications").Text())
	}

	id := firstNotice(t, ts, boss)
	for _, next := range []string{"https://elsewhere.example/", "//elsewhere.example/x"} {
		p := ken.post(ts.URL+"/notifications/"+strconv.FormatInt(id, 10)+"/read", url.Values{"next": {next}})
		if p.res.StatusCode != http.StatusSeeOther || p.location(t) != ts.URL+"/notifications" {
			t.Errorf("next %q: %d → %q", next, p.res.StatusCode, p.res.Header.Get("Location"))
		}
	}
}

// A visitor's Home comes from memory (visitorHomes): it must be, byte for
// byte, the page Home renders for that visitor, in their language and
// with their response's nonce, every time.
func TestHome_VisitorsPageFromMemoryIsTheRenderedPage(t *testing.T) {
	ts := newTestServer(t)
	for _, lang := range []string{"en", "ja", "th", "zh-TW", "en"} {
		for range 2 {
			res, body := ts.do(t, "GET", "/", http.Header{"Accept-Language": {lang}})
			_, afterNonce, _ := strings.Cut(res.Header.Get("Content-Security-Policy"), "'nonce-")
			nonce, _, _ := strings.Cut(afterNonce, "'")
			if res.StatusCode != http.StatusOK || nonce == "" {
				t.Fatalf("%s: status %d, nonce %q", lang, res.StatusCode, nonce)
			}
			if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Errorf("%s: Content-Length %s for %d bytes", lang, got, len(body))
			}

			r := httptest.NewRequest("GET", "/", nil)
			r = r.WithContext(locale.With(context.WithValue(r.Context(), requestInfoKey{}, &requestInfo{nonce: nonce}), ts.srv.visitorLocales[lang]))
			rendered := httptest.NewRecorder()
			ts.srv.render(rendered, r, http.StatusOK, views.HomePage(ts.srv.shell(rendered, r, "home"), nil, ts.srv.now()))
			if want := rendered.Body.String(); body != want {
				t.Fatalf("%s: Home from memory differs from Home rendered:\n got %s\nwant %s", lang, body, want)
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) || strings.Count(body, `nonce="`+nonce+`"`) != 2 {
				t.Fatalf("%s: the page is not in its language or lacks the response's nonce: %s", lang, body)
			}
		}
	}
}

// An invitation URL about to expire is on its sender's Home, leading to
// the team's People page, where it can be sent again.
func TestHome_InvitationExpiringSoon(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	team := portal.Team{ChannelID: order}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ts.invite(t, dev, team, "member")
	ts.clock.advance(portal.InvitationValidity - time.Hour)
	dev = ts.signedIn(t, ts.demo.Developer.ID) // the earlier session ended meanwhile
	item := dev.get(ts.URL + "/").doc.Find("#waiting-expiring-invitations li")
	if item.Length() != 1 || !strings.Contains(item.Text(), "Member of channel Sakura Order") ||
		item.Find("a").AttrOr("href", "") != views.PeoplePath(team) {
		t.Fatalf("Home's expiring invitations: %d %q", item.Length(), item.Text())
	}
}

// An organization's administrator finds on Home the channels linked to it
// whose review is Rejected, leading to where they request the
// resubmission.
func TestHome_RejectedInYourOrganization(t *testing.T) {
	ts := newTestServer(t)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	reservations := ts.channelID(t, "Momiji Reservations")
	item := ken.get(ts.URL + "/").doc.Find("#waiting-rejected-here li.waiting-rejected")
	if !strings.Contains(item.Text(), "Momiji Reservations") || item.Find("a").First().AttrOr("href", "") != views.AccountPath(demo.MomijiFoodsID, reservations) {
		t.Fatalf("Ken's Home: %q", item.Text())
	}
}

package web

import (
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"lineportal/internal/dbtest"
	"lineportal/internal/demo"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// channelID finds a demo channel's portal ID by name.
func (ts *testServer) channelID(t *testing.T, name string) int64 {
	t.Helper()
	all := portal.Admin{Operator: true}
	chs, _, err := ts.db.FindChannels(t.Context(), store.ChannelFilter{Actor: all, All: true, Name: name})
	if err != nil || len(chs) != 1 {
		t.Fatalf("channel %q: %d found, %v", name, len(chs), err)
	}
	return chs[0].ID
}

// signedIn returns a visitor signed in as the LINE user.
func (ts *testServer) signedIn(t *testing.T, lineUserID string) *visitor {
	t.Helper()
	v := newVisitor(t)
	done, _ := ts.signIn(v, "/", lineUserID, false)
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d", done.res.StatusCode)
	}
	return v
}

func (v *visitor) post(target string, form url.Values) page {
	v.t.Helper()
	res, err := v.client.PostForm(target, form)
	if err != nil {
		v.t.Fatal(err)
	}
	return v.read(res)
}

// sendLinkRequest sends a link request for the channel as v and returns
// the URL the page shows.
func (ts *testServer) sendLinkRequest(t *testing.T, v *visitor, channelID int64, orgID string) string {
	t.Helper()
	p := ts.sendLinkRequestPage(t, v, channelID, orgID)
	u, ok := p.doc.Find("#link-request-url").Attr("value")
	if !ok {
		t.Fatalf("the channel's page shows no URL after sending: %.400s", p.doc.Find("main").Text())
	}
	return u
}

// sendLinkRequestPage sends a link request for the channel as v, as a
// browser without JavaScript does (POST, then the GET it is redirected
// to), and returns the page the browser shows.
func (ts *testServer) sendLinkRequestPage(t *testing.T, v *visitor, channelID int64, orgID string) page {
	t.Helper()
	p := v.post(ts.URL+views.ChannelPath(channelID)+"/link-requests", url.Values{"org_id": {orgID}})
	if p.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending a link request answered %d: %.400s", p.res.StatusCode, p.doc.Find("main").Text())
	}
	return v.follow(p)
}

func TestLinkLifecycle_SendApproveVerified(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)

	tab := dev.get(ts.URL + views.ChannelPath(order))
	if tab.res.StatusCode != 200 || tab.doc.Find("#send-link-request").Length() != 1 {
		t.Fatalf("BM link tab: %d, send form present: %d", tab.res.StatusCode, tab.doc.Find("#send-link-request").Length())
	}
	p := ts.sendLinkRequestPage(t, dev, order, demo.SakuraFoodsID)
	linkURL, _ := p.doc.Find("#link-request-url").Attr("value")
	if !strings.HasPrefix(linkURL, ts.URL+"/link/") || len(linkURL)-len(ts.URL+"/link/") < 26 {
		t.Fatalf("link request URL %q", linkURL)
	}
	if got := p.doc.Find("#time-left").Text(); got != "7 days left" {
		t.Errorf("time left %q", got)
	}
	if p.doc.Find("svg.qr path").Length() != 1 {
		t.Error("no QR code")
	}

	// The organization administrator opens the URL: sign in first, then
	// back on the same approval page.
	boss := newVisitor(t)
	first := boss.get(linkURL)
	if first.res.StatusCode != http.StatusSeeOther || !strings.Contains(first.location(t), "/login?next=%2Flink%2F") {
		t.Fatalf("signed-out approval page: %d → %q", first.res.StatusCode, first.res.Header.Get("Location"))
	}
	done, _ := ts.signIn(boss, strings.TrimPrefix(linkURL, ts.URL), ts.demo.OrganizationAdministrator.ID, false)
	if done.location(t) != linkURL {
		t.Fatalf("after sign-in went to %q, want the approval page", done.location(t))
	}
	approval := boss.get(linkURL)
	if approval.res.StatusCode != 200 || !strings.Contains(approval.doc.Find("#approval-channel").Text(), "Sakura Order") ||
		!strings.Contains(approval.doc.Find("#approval-organization").Text(), demo.SakuraFoodsID) ||
		!strings.Contains(approval.doc.Find("#approval-precaution").Text(), "can't be removed") {
		t.Fatalf("approval page: %d %.500s", approval.res.StatusCode, approval.doc.Find("main").Text())
	}

	approved := boss.submit(approval, "#approval form", nil, "", "")
	if approved.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve answered %d", approved.res.StatusCode)
	}
	details := boss.follow(approved)
	if got := details.doc.Find("#review-status").AttrOr("data-status", ""); got != "Verified" {
		t.Fatalf("review status after approval: %q", got)
	}
	if !strings.Contains(details.doc.Find("#flash").Text(), "Approved") {
		t.Error("no confirmation after approving")
	}

	// The developer sees the link and its review on the channel.
	tab = dev.get(ts.URL + views.ChannelPath(order))
	if tab.doc.Find("#linked-org-id").Text() != demo.SakuraFoodsID || tab.doc.Find("#review-status").AttrOr("data-status", "") != "Verified" {
		t.Fatalf("channel tab after approval: %q %q", tab.doc.Find("#linked-org-id").Text(), tab.doc.Find("#review-status").AttrOr("data-status", ""))
	}

	// The URL is used up: a second look, by an administrator, leads on to
	// the linked channel and says nothing waits, rather than an error page
	// advising to reload.
	again := boss.get(linkURL)
	if again.res.StatusCode != http.StatusSeeOther || again.location(t) != ts.URL+views.AccountPath(demo.SakuraFoodsID, order) {
		t.Fatalf("used URL: %d → %q", again.res.StatusCode, again.res.Header.Get("Location"))
	}
	if flash := boss.follow(again).doc.Find("#flash").Text(); !strings.Contains(flash, "nothing waits for your approval") {
		t.Errorf("used URL's flash: %q", flash)
	}
	// Someone who does not administer the organization is not led there.
	if other := dev.get(linkURL); other.res.StatusCode != http.StatusForbidden {
		t.Errorf("used URL, for the sender: %d %q", other.res.StatusCode, other.doc.Find(".error-message").Text())
	}
	replay := boss.post(linkURL, nil)
	if replay.res.StatusCode != http.StatusConflict {
		t.Fatalf("replayed approval answered %d", replay.res.StatusCode)
	}
}

// The organization ID is read at the edge, forgiving surrounding spaces
// and a lower-case "bm": the request goes to the organization with that
// ID, in its written form.
func TestLinkLifecycle_OrganizationIDAsTyped(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ts.sendLinkRequestPage(t, dev, order, "  "+strings.ToLower(demo.SakuraFoodsID)+" ")
	reqs, _, err := ts.db.FindLinkRequests(t.Context(), store.LinkRequestFilter{ChannelID: order})
	if err != nil || len(reqs) != 1 || reqs[0].OrgID != demo.SakuraFoodsID || reqs[0].State != portal.LinkRequestPending {
		t.Fatalf("requests of the channel: %+v, %v; want one pending to %s", reqs, err, demo.SakuraFoodsID)
	}
}

func TestLinkLifecycle_RefusalsKeepInputAndNameTheCondition(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	cases := []struct {
		channel, orgID string
		wantStatus     int
		want           string
	}{
		{"Sakura Order", "BM123", 422, "BM followed by 11 digits"},
		{"Sakura Order", "BM99999999999", 422, "There is no organization with the ID BM99999999999"},
		{"Sakura Order", demo.TaipeiTradingID, 422, "region"},
		{"Sakura Partner App", demo.SakuraFoodsID, 422, "Same as the service company"},
	}
	for _, c := range cases {
		t.Run(c.channel+" → "+c.orgID, func(t *testing.T) {
			p := dev.post(ts.URL+views.ChannelPath(ts.channelID(t, c.channel))+"/link-requests", url.Values{"org_id": {c.orgID}})
			msg := p.doc.Find("#link-request").Text()
			if p.res.StatusCode != c.wantStatus || !strings.Contains(msg, c.want) {
				t.Fatalf("%d %q; want %d with %q", p.res.StatusCode, msg, c.wantStatus, c.want)
			}
			if form := p.doc.Find("#org_id"); form.Length() > 0 && form.AttrOr("value", "") != c.orgID {
				t.Errorf("the typed ID was lost: %q", form.AttrOr("value", ""))
			}
			if p.doc.Find("#link-request-url").Length() != 0 {
				t.Error("a URL was issued")
			}
		})
	}
	reqs, _, err := ts.db.FindLinkRequests(t.Context(), store.LinkRequestFilter{ChannelID: ts.channelID(t, "Sakura Order")})
	if err != nil || len(reqs) != 0 {
		t.Fatalf("refused requests were stored: %d %v", len(reqs), err)
	}
}

func TestLinkLifecycle_URLRefusals(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)

	t.Run("not an administrator of the organization", func(t *testing.T) {
		u := ts.sendLinkRequest(t, dev, order, demo.SakuraFoodsID)
		p := dev.get(u)
		if p.res.StatusCode != http.StatusForbidden || !strings.Contains(p.doc.Find(".error-message").Text(), demo.SakuraFoodsID) {
			t.Fatalf("%d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
		}
	})
	t.Run("replaced by a newer URL", func(t *testing.T) {
		old := ts.sendLinkRequest(t, dev, order, demo.SakuraFoodsID)
		newer := ts.sendLinkRequest(t, dev, order, demo.SakuraFoodsID)
		p := boss.get(old)
		if p.res.StatusCode != http.StatusGone || !strings.Contains(p.doc.Find(".error-message").Text(), "replaced") {
			t.Fatalf("%d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
		}
		if p := boss.get(newer); p.res.StatusCode != 200 {
			t.Fatalf("newest URL answered %d", p.res.StatusCode)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		if p := boss.get(ts.URL + "/link/NOTATOKEN"); p.res.StatusCode != http.StatusNotFound {
			t.Fatalf("%d", p.res.StatusCode)
		}
	})
	t.Run("expired after 168 hours", func(t *testing.T) {
		u := ts.sendLinkRequest(t, dev, order, demo.SakuraFoodsID)
		ts.clock.advance(168*time.Hour - time.Second)
		// A week later the administrator's session has long ended.
		boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
		if p := boss.get(u); p.res.StatusCode != 200 {
			t.Fatalf("at 168 h − 1 s: %d", p.res.StatusCode)
		}
		ts.clock.advance(2 * time.Second)
		p := boss.get(u)
		if p.res.StatusCode != http.StatusGone || !strings.Contains(p.doc.Find(".error-message").Text(), "expired") {
			t.Fatalf("at 168 h + 1 s: %d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
		}
		if p := boss.post(u, nil); p.res.StatusCode != http.StatusGone {
			t.Fatalf("approving an expired URL answered %d", p.res.StatusCode)
		}
	})
}

func TestLinkLifecycle_SenderWhoAdministersIsApprovedAtOnce(t *testing.T) {
	ts := newTestServer(t)
	both := ts.signedIn(t, ts.demo.DeveloperAndAdministrator.ID)
	coupons := ts.channelID(t, "Hanami Coupons")
	tab := both.get(ts.URL + views.ChannelPath(coupons))

	// The link can't be removed, and no approval screen will come: the
	// sender confirms first, and nothing is sent until they do.
	confirm := both.submit(tab, "#send-link-request", url.Values{"org_id": {" ｂｍ00000000002 "}}, "", "")
	if confirm.res.StatusCode != http.StatusOK || confirm.doc.Find("#link-at-once-confirm").Length() != 1 ||
		!strings.Contains(confirm.doc.Find("h1").Text(), "Link Hanami Coupons to Hanami Retail (BM00000000002)?") ||
		!strings.Contains(confirm.doc.Find("#link-at-once-precaution").Text(), "can't be removed") {
		t.Fatalf("sending answered %d: %.400s", confirm.res.StatusCode, confirm.doc.Find("main").Text())
	}
	if ch, err := ts.db.FindChannelByID(t.Context(), coupons); err != nil || ch.Link != nil {
		t.Fatalf("linked before the sender confirmed: %+v %v", ch.Link, err)
	}
	if reqs, _, err := ts.db.FindLinkRequests(t.Context(), store.LinkRequestFilter{ChannelID: coupons}); err != nil || len(reqs) != 0 {
		t.Fatalf("%d requests sent before the sender confirmed (%v)", len(reqs), err)
	}
	if href := confirm.doc.Find("#link-at-once-confirm a.btn").AttrOr("href", ""); href != views.ChannelPath(coupons) {
		t.Errorf("Cancel leads to %q", href)
	}

	p := both.submit(confirm, "#link-at-once-confirm form", nil, "", "")
	if p.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming answered %d", p.res.StatusCode)
	}
	tab = both.follow(p)
	if tab.doc.Find("#link-request-url").Length() != 0 || tab.doc.Find("#linked-org-id").Text() != demo.HanamiRetailID {
		t.Fatal("approved-at-once request showed a URL or did not link")
	}
	if !strings.Contains(tab.doc.Find("#flash").Text(), "approved at once") {
		t.Errorf("flash: %q", tab.doc.Find("#flash").Text())
	}

	// A sender who does not administer the organization is asked nothing:
	// the request waits for its administrators' approval.
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	order := ts.channelID(t, "Sakura Order")
	if p := dev.post(ts.URL+views.ChannelPath(order)+"/link-requests", url.Values{"org_id": {demo.SakuraFoodsID}}); p.res.StatusCode != http.StatusSeeOther {
		t.Errorf("a request to approve: %d", p.res.StatusCode)
	}
}

func TestLinkLifecycle_RejectedFixResubmitThenTransfer(t *testing.T) {
	ts := newTestServer(t)
	points := ts.channelID(t, "Sakura Points")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	op := ts.signedIn(t, ts.demo.Operator.ID)

	u := ts.sendLinkRequest(t, dev, points, demo.SakuraFoodsID)
	details := boss.follow(boss.submit(boss.get(u), "#approval form", nil, "", ""))
	if got := details.doc.Find("#review-status").AttrOr("data-status", ""); got != "Rejected" {
		t.Fatalf("mismatching business info: review %q", got)
	}
	if details.doc.Find(`.guidance-case[data-case="channel_info"]`).Length() != 1 ||
		details.doc.Find(`.guidance-case[data-case="organization_info_verified"]`).Length() != 1 {
		t.Fatalf("guidance: %.500s", details.doc.Find("#rejection-guidance").Text())
	}

	// Fix the channel: draft, MINI App re-review by the operator.
	info := dev.post(ts.URL+views.ChannelPath(points)+"/business-info", url.Values{
		"company_name": {"Sakura Foods K.K."}, "address": {"1-2-3 Marunouchi, Chiyoda-ku, Tokyo"}, "developer_is_service_company": {"on"},
		"company_country": {"JP"},
	})
	if info.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the draft answered %d: %.300s", info.res.StatusCode, info.doc.Find("main").Text())
	}
	if p := dev.post(ts.URL+views.ChannelPath(points)+"/mini-app-review", nil); p.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submitting for review answered %d", p.res.StatusCode)
	}
	queue := op.get(ts.URL + "/operator")
	if queue.doc.Find("#mini-app-queue .queue-item").Length() != 1 {
		t.Fatal("the draft is not in the operator's queue")
	}
	if p := op.post(ts.URL+"/operator/channels/"+strconv.FormatInt(points, 10)+"/approve", nil); p.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving the MINI App review answered %d", p.res.StatusCode)
	}

	// Resubmit from the organization's Accounts & channels → Details.
	accounts := boss.get(ts.URL + views.OrganizationPath(demo.SakuraFoodsID) + "?review=rejected")
	if accounts.doc.Find("#accounts tbody tr").Length() != 1 {
		t.Fatalf("rejected filter lists %d rows", accounts.doc.Find("#accounts tbody tr").Length())
	}
	details = boss.get(ts.URL + views.AccountPath(demo.SakuraFoodsID, points))
	done := boss.follow(boss.submit(details, "form[action$='/resubmit']", nil, "", ""))
	if got := done.doc.Find("#review-status").AttrOr("data-status", ""); got != "Verified" {
		t.Fatalf("after resubmission: %q", got)
	}

	// A destination it can't go to is refused before any confirmation:
	// the organization it is linked to, and one whose company is in
	// another country than the channel's.
	for _, dest := range []string{demo.SakuraFoodsID, demo.SakuraTaiwanID} {
		refused := boss.submit(details, "#transfer form", url.Values{"dest_org_id": {dest}}, "", "")
		if refused.res.StatusCode != http.StatusUnprocessableEntity || refused.doc.Find("#transfer-confirm").Length() != 0 ||
			refused.doc.Find("#transfer .field-error, #transfer .alert").Length() == 0 {
			t.Errorf("a transfer to %s: %d, a confirmation: %v; want 422 with why, on the transfer form", dest, refused.res.StatusCode, refused.doc.Find("#transfer-confirm").Length() != 0)
		}
	}

	// Transfer to the other organization the administrator runs: a
	// confirmation says the review starts over, and it does (Hanami
	// Retail's info differs: Rejected).
	confirm := boss.submit(details, "#transfer form", url.Values{"dest_org_id": {demo.HanamiRetailID}}, "", "")
	if got := confirm.doc.Find("#transfer-consequence").Text(); !strings.Contains(got, "review starts over for "+demo.HanamiRetailID) || !strings.Contains(got, "Verified") {
		t.Fatalf("the transfer confirmation: %d %q", confirm.res.StatusCode, confirm.doc.Find("main").Text())
	}
	if ch, _ := ts.db.FindChannelByID(t.Context(), points); ch.Link.OrgID != demo.SakuraFoodsID {
		t.Fatal("asking for the confirmation transferred the channel")
	}
	moved := boss.submit(confirm, "#transfer-confirm form", nil, "", "")
	if moved.res.StatusCode != http.StatusSeeOther || !strings.Contains(moved.location(t), views.AccountPath(demo.HanamiRetailID, points)) {
		t.Fatalf("transfer answered %d → %q", moved.res.StatusCode, moved.res.Header.Get("Location"))
	}
	after := boss.follow(moved)
	if after.doc.Find("#org-id").Text() != demo.HanamiRetailID || after.doc.Find("#review-status").AttrOr("data-status", "") == "Verified" {
		t.Fatalf("after transfer: org %q review %q", after.doc.Find("#org-id").Text(), after.doc.Find("#review-status").AttrOr("data-status", ""))
	}
	if old := boss.get(ts.URL + views.AccountPath(demo.SakuraFoodsID, points)); old.res.StatusCode != http.StatusNotFound {
		t.Fatalf("the old organization still lists the channel: %d", old.res.StatusCode)
	}
}

func TestLinkLifecycle_Permissions(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	cases := []struct {
		name   string
		v      *visitor
		method string
		path   string
		form   url.Values
		want   int
	}{
		{"org admin cannot see a channel they have no role on", boss, "GET", views.ChannelPath(order), nil, 403},
		{"org admin cannot send its link request", boss, "POST", views.ChannelPath(order) + "/link-requests", url.Values{"org_id": {demo.SakuraFoodsID}}, 403},
		// The write is tried before the channel's page is read: someone
		// who may not see the channel is told so, whatever they typed.
		{"org admin cannot send, even a malformed ID", boss, "POST", views.ChannelPath(order) + "/link-requests", url.Values{"org_id": {"nonsense"}}, 403},
		{"nobody sends from a channel that does not exist", dev, "POST", views.ChannelPath(order+1_000_000) + "/link-requests", url.Values{"org_id": {demo.SakuraFoodsID}}, 404},
		{"developer cannot open an organization", dev, "GET", views.OrganizationPath(demo.SakuraFoodsID), nil, 403},
		{"developer cannot use the operator queues", dev, "GET", "/operator", nil, 403},
		{"developer cannot verify an organization", dev, "POST", "/operator/organizations/" + demo.HanamiRetailID + "/verify", nil, 403},
		{"developer cannot edit an organization", dev, "POST", views.OrganizationPath(demo.HanamiRetailID) + "/business-info", url.Values{"company_name": {"x"}, "address": {"y"}}, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p page
			if c.method == "GET" {
				p = c.v.get(ts.URL + c.path)
			} else {
				p = c.v.post(ts.URL+c.path, c.form)
			}
			if p.res.StatusCode != c.want {
				t.Fatalf("%s %s answered %d, want %d", c.method, c.path, p.res.StatusCode, c.want)
			}
		})
	}
	org, err := ts.db.FindOrganizationByID(t.Context(), demo.HanamiRetailID)
	if err != nil || org.Verification != portal.OrgUnverified || org.Info.CompanyName != "Hanami Retail K.K." {
		t.Fatalf("refused requests changed the organization: %+v %v", org, err)
	}
}

func TestLinkLifecycle_SendURLByLINE(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)

	// No administrator of the organization has signed in yet, so none is
	// known to be a friend of the portal's account: no button.
	p := ts.sendLinkRequestPage(t, dev, order, demo.SakuraFoodsID)
	if p.doc.Find("#notify-by-line").Length() != 0 {
		t.Fatal("the LINE button is offered with no friend to send to")
	}

	// Ken is a friend of the portal's account on LINE; signing in records it.
	ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	p = ts.sendLinkRequestPage(t, dev, order, demo.SakuraFoodsID)
	linkURL, _ := p.doc.Find("#link-request-url").Attr("value")
	if p.doc.Find("#notify-by-line").Length() != 1 {
		t.Fatal("no LINE button although an administrator is a friend")
	}
	for range 2 { // twice: the retry key makes LINE accept it once
		sent := dev.follow(dev.submit(p, "form[action$='/notify']", nil, "", ""))
		// How many got it, not who: the developer may not know them.
		if flash := sent.doc.Find("#flash").Text(); sent.res.StatusCode != 200 ||
			!strings.Contains(flash, "Sent the URL via LINE to 1 administrator of "+demo.SakuraFoodsID+".") || strings.Contains(flash, "Ken") {
			t.Fatalf("notify: %d %q", sent.res.StatusCode, flash)
		}
		if got, _ := sent.doc.Find("#link-request-url").Attr("value"); got != linkURL {
			t.Fatalf("the URL is no longer shown after sending: %q", got)
		}
	}
	var delivered []string
	for _, push := range ts.sim.Pushes() {
		if push.To == ts.demo.OrganizationAdministrator.ID && strings.Contains(push.Texts[0], linkURL) {
			delivered = append(delivered, push.RequestID)
		}
	}
	if len(delivered) != 1 {
		t.Fatalf("LINE received the URL %d times, want once: %+v", len(delivered), ts.sim.Pushes())
	}
	// That message stands for the request's notice to Ken, which LINE
	// would otherwise bring him too; in the portal it waits, unread.
	var state string
	var read sql.NullInt64
	err := rawDB(t).QueryRow(`SELECT o.state, n.read_at FROM line_outbox o JOIN notifications n ON n.id = o.notification_id
		JOIN admins a ON a.id = n.admin_id WHERE a.line_user_id = ? AND n.link_request_id = (SELECT max(id) FROM link_requests)`,
		ts.demo.OrganizationAdministrator.ID).Scan(&state, &read)
	if err != nil || state != "sent" || read.Valid {
		t.Errorf("Ken's notice of the request: outbox %q, read %v (%v); want sent by the push, unread", state, read.Valid, err)
	}

	// A LINE message goes out in its recipient's saved language and zone.
	admins, err := ts.db.FindOrganizationAdmins(t.Context(), demo.SakuraFoodsID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range admins {
		if a.LINEUserID == ts.demo.OrganizationAdministrator.ID {
			if err := ts.db.SetAdminSettings(t.Context(), a.ID, "ja", ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	p = ts.sendLinkRequestPage(t, dev, order, demo.SakuraFoodsID)
	jaURL, _ := p.doc.Find("#link-request-url").Attr("value")
	dev.submit(p, "form[action$='/notify']", nil, "", "")
	var jaText string
	for _, push := range ts.sim.Pushes() {
		if strings.Contains(push.Texts[0], jaURL) {
			jaText = push.Texts[0]
		}
	}
	for _, want := range []string{"接続リクエストが届いています", "（UTC+9）", "承認してください"} {
		if !strings.Contains(jaText, want) {
			t.Errorf("the message to a Japanese administrator lacks %q: %q", want, jaText)
		}
	}

	t.Run("a token of another channel is refused", func(t *testing.T) {
		points := ts.channelID(t, "Sakura Points")
		token := strings.TrimPrefix(linkURL, ts.URL+"/link/")
		p := dev.post(ts.URL+views.ChannelPath(points)+"/link-requests/notify", url.Values{"token": {token}})
		if p.res.StatusCode != http.StatusNotFound {
			t.Fatalf("answered %d", p.res.StatusCode)
		}
	})
}

// Sending a link request follows POST-redirect-GET: the URL is shown once,
// by the GET, from a token that travelled there sealed; reloading shows the
// page without it and sends nothing.
func TestLinkLifecycle_SendThenReloadSendsNothing(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	sent := dev.post(ts.URL+views.ChannelPath(order)+"/link-requests", url.Values{"org_id": {demo.SakuraFoodsID}})
	if sent.res.StatusCode != http.StatusSeeOther || sent.location(t) != ts.URL+views.ChannelPath(order) {
		t.Fatalf("sending answered %d, not a redirect to the channel's page", sent.res.StatusCode)
	}
	shown := dev.follow(sent)
	linkURL, ok := shown.doc.Find("#link-request-url").Attr("value")
	if shown.res.StatusCode != http.StatusOK || !ok {
		t.Fatalf("the page after sending shows no URL: %d", shown.res.StatusCode)
	}
	token := strings.TrimPrefix(linkURL, ts.URL+"/link/")
	for _, c := range sent.res.Cookies() {
		if strings.Contains(c.Value, token) {
			t.Fatalf("cookie %s carries the token in clear", c.Name)
		}
	}
	raw := rawDB(t)
	if rows := dbtest.Tables(t, raw, "link_requests", "sessions", "audit_log"); strings.Contains(rows, token) {
		t.Fatal("the token is stored in clear")
	}

	reloaded := dev.get(ts.URL + views.ChannelPath(order))
	if reloaded.doc.Find("#link-request-url").Length() != 0 || reloaded.doc.Find("#pending-request").Length() != 1 {
		t.Fatalf("a reload shows the URL again or no pending request: %.300s", reloaded.doc.Find("#link-request").Text())
	}
	reqs, _, err := ts.db.FindLinkRequests(t.Context(), store.LinkRequestFilter{ChannelID: order})
	if err != nil || len(reqs) != 1 || reqs[0].State != portal.LinkRequestPending {
		t.Fatalf("after a reload: %d requests (%v), want the one pending", len(reqs), err)
	}

	t.Run("the sealed token opens only for its page and admin", func(t *testing.T) {
		again := dev.post(ts.URL+views.ChannelPath(order)+"/link-requests", url.Values{"org_id": {demo.SakuraFoodsID}})
		points := ts.channelID(t, "Sakura Points")
		if p := dev.get(ts.URL + views.ChannelPath(points)); p.doc.Find("#link-request-url").Length() != 0 {
			t.Fatal("another channel's page showed the URL")
		}
		other := ts.signedIn(t, ts.demo.DeveloperAndAdministrator.ID)
		base, _ := url.Parse(ts.URL)
		other.client.Jar.SetCookies(base, again.res.Cookies())
		if p := other.get(ts.URL + views.ChannelPath(order)); p.doc.Find("#link-request-url").Length() != 0 {
			t.Fatal("another admin's browser showed the URL")
		}
	})
}

// At the portal's Official Account's monthly limit LINE refuses the push
// with 429: the page shows LINE's sentence, says nothing was sent, and LINE
// recorded no message.
func TestLinkLifecycle_SendURLByLINEAtMonthlyLimit(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ts.signedIn(t, ts.demo.OrganizationAdministrator.ID) // a friend of the portal's account
	if err := ts.sim.SetQuota(ts.demo.OfficialAccount.BotID, linesim.Quota{Limited: true, Limit: 200, Usage: 200}); err != nil {
		t.Fatal(err)
	}
	p := ts.sendLinkRequestPage(t, dev, order, demo.SakuraFoodsID)
	before := len(ts.sim.Pushes())
	sent := dev.follow(dev.submit(p, "form[action$='/notify']", nil, "", ""))
	flash := sent.doc.Find("#flash").Text()
	// Named by its organization, not its administrator's name.
	if sent.res.StatusCode != 200 || !strings.Contains(flash, "LINE did not deliver the message to an administrator of "+demo.SakuraFoodsID+": LINE refused the message: You have reached your monthly limit.") ||
		strings.Contains(flash, "Sent") || strings.Contains(flash, "Ken") {
		t.Fatalf("notify at the limit: %d %q", sent.res.StatusCode, flash)
	}
	if got := len(ts.sim.Pushes()); got != before {
		t.Errorf("LINE recorded %d pushes past the limit", got-before)
	}
}

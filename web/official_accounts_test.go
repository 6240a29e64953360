package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/demo"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// oaID finds a demo Official Account's portal ID by basic ID.
func (ts *testServer) oaID(t *testing.T, basicID string) int64 {
	t.Helper()
	oas, _, err := ts.db.FindOfficialAccounts(t.Context(), store.OfficialAccountFilter{Actor: portal.Admin{Operator: true}, All: true, Page: store.Page{Limit: store.MaxPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	for _, oa := range oas {
		if oa.BasicID == basicID {
			return oa.ID
		}
	}
	t.Fatalf("no Official Account %s", basicID)
	return 0
}

func TestOALinking_PickAccountSelectTargetConfirmLink(t *testing.T) {
	ts := newTestServer(t)
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	linking := ts.URL + views.OrganizationPath(demo.MomijiFoodsID) + "/oa-linking"

	p := boss.get(linking)
	bakery := p.doc.Find(`.oa-choice[data-basic-id="@momijibakery"]`)
	if bakery.Find("a").Length() != 0 || !strings.Contains(bakery.Find(".reason").Text(), "Rejected") {
		t.Fatalf("the Rejected account can be picked or says nothing: %q", bakery.Text())
	}
	cafe := p.doc.Find(`.oa-choice[data-basic-id="@momijicafe"] a`)
	if cafe.Length() != 1 {
		t.Fatal("the ready account can't be picked")
	}
	picked := boss.get(ts.URL + cafe.AttrOr("href", ""))
	targets := boss.get(ts.URL + picked.doc.Find("#select-target").AttrOr("href", ""))
	reason := func(name string) (selectable string, text string) {
		row := targets.doc.Find(`tr.link-target[data-name="` + name + `"]`)
		return row.AttrOr("data-selectable", ""), row.Find(".reason").Text()
	}
	if sel, why := reason("Momiji Points"); sel != "false" || !strings.Contains(why, "already linked to LINE Official Account @momijidelivery") {
		t.Errorf("Momiji Points: %s %q", sel, why)
	}
	if sel, why := reason("Momiji Reservations"); sel != "false" || !strings.Contains(why, "Rejected") {
		t.Errorf("Momiji Reservations: %s %q", sel, why)
	}
	if sel, _ := reason("Momiji Cafe Order"); sel != "true" {
		t.Fatalf("Momiji Cafe Order is not selectable")
	}
	selectHref := targets.doc.Find(`tr.link-target[data-name="Momiji Cafe Order"] a`).AttrOr("href", "")
	confirm := boss.get(ts.URL + selectHref)
	if !strings.Contains(confirm.doc.Find("#oa-link-precaution").Text(), "can't be removed") {
		t.Fatal("no precaution on the confirmation screen")
	}
	done := boss.submit(confirm, "#oa-link-confirm form", nil, "", "")
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Link answered %d", done.res.StatusCode)
	}
	oaPage := boss.follow(done)
	if !strings.Contains(oaPage.doc.Find("#oa-linked-channels").Text(), "Momiji Cafe Order") {
		t.Fatal("the account's page does not list the linked channel")
	}

	// The developer sees it on the channel, with no way to change it.
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	order := ts.channelID(t, "Momiji Cafe Order")
	ch := dev.get(ts.URL + views.ChannelPath(order))
	if ch.doc.Find("#linked-oa").AttrOr("data-basic-id", "") != "@momijicafe" {
		t.Fatalf("channel page: %q", ch.doc.Find("#oa-link").Text())
	}

	// A second link of the same channel is refused: at most one account.
	again := boss.post(ts.URL+strings.Replace(selectHref, "/"+strconv.FormatInt(ts.oaID(t, "@momijicafe"), 10)+"/", "/"+strconv.FormatInt(ts.oaID(t, "@momijidelivery"), 10)+"/", 1), nil)
	if again.res.StatusCode != http.StatusConflict {
		t.Fatalf("linking the channel to a second account answered %d", again.res.StatusCode)
	}
}

func TestOALinking_Access(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Momiji Cafe Order")

	// A developer who also administers the organization reaches the screen
	// from the channel's Business Manager link tab.
	both := ts.signedIn(t, ts.demo.DeveloperAndAdministrator.ID)
	tab := both.get(ts.URL + views.ChannelPath(order))
	href := tab.doc.Find("#open-oa-linking").AttrOr("href", "")
	if href != views.OrganizationPath(demo.MomijiFoodsID)+"/oa-linking" {
		t.Fatalf("shortcut: %q", href)
	}
	if p := both.get(ts.URL + href); p.res.StatusCode != 200 || p.doc.Find(".oa-choice").Length() != 3 {
		t.Fatalf("the shortcut's screen: %d, %d accounts", p.res.StatusCode, p.doc.Find(".oa-choice").Length())
	}

	// A developer who does not administer it gets neither.
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	if dev.get(ts.URL+views.ChannelPath(order)).doc.Find("#open-oa-linking").Length() != 0 {
		t.Fatal("the shortcut is offered to a developer who is no administrator")
	}
	if p := dev.get(ts.URL + href); p.res.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-administrator opened the screen: %d", p.res.StatusCode)
	}
	confirm := href + "/" + strconv.FormatInt(ts.oaID(t, "@momijicafe"), 10) + "/targets/" + strconv.FormatInt(order, 10)
	if p := dev.post(ts.URL+confirm, nil); p.res.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-administrator linked: %d", p.res.StatusCode)
	}
	ch, err := ts.db.FindChannelByID(t.Context(), order)
	if err != nil || ch.LinkedOA != nil {
		t.Fatalf("refused requests linked the channel: %+v %v", ch.LinkedOA, err)
	}
}

func TestLinkedOA_OffersSameProviderAndSetsIt(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	login := ts.channelID(t, "Momiji Members Login")
	page := dev.get(ts.URL + views.ChannelPath(login))
	var offered []string
	page.doc.Find("#oa_id option").Each(func(_ int, o *goquery.Selection) { offered = append(offered, o.Text()) })
	if len(offered) != 3 || strings.Contains(strings.Join(offered, ","), "@momijilogistics") {
		t.Fatalf("offered %q; want the provider's three accounts, not @momijilogistics", offered)
	}
	if !strings.Contains(page.doc.Find("#linked-oa-setting").Text(), "bot_prompt=normal") {
		t.Error("the page does not explain the portal's own bot_prompt")
	}

	other := strconv.FormatInt(ts.oaID(t, "@momijilogistics"), 10)
	refused := dev.post(ts.URL+views.ChannelPath(login)+"/linked-oa", url.Values{"oa_id": {other}})
	if refused.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(refused.doc.Find("#linked-oa-form .alert-error").Text(), "provider") {
		t.Fatalf("another provider's account: %d %q", refused.res.StatusCode, refused.doc.Find("#linked-oa-setting").Text())
	}
	cafe := strconv.FormatInt(ts.oaID(t, "@momijicafe"), 10)
	done := dev.post(ts.URL+views.ChannelPath(login)+"/linked-oa", url.Values{"oa_id": {cafe}})
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting the Linked OA answered %d", done.res.StatusCode)
	}
	after := dev.follow(done)
	if got := after.doc.Find("#linked-oa").AttrOr("data-basic-id", ""); got != "@momijicafe" {
		t.Fatalf("Linked OA shown: %q", got)
	}
	// The form shows the current account chosen, so pressing Update
	// unchanged doesn't switch it to another.
	if got := after.doc.Find("#oa_id option[selected]").AttrOr("value", ""); got != cafe {
		t.Fatalf("the selector shows %q chosen, want the current Linked OA %s", got, cafe)
	}
	again := dev.submit(after, "#linked-oa-form", nil, "", "")
	if ch, err := ts.db.FindChannelByID(t.Context(), login); err != nil || ch.LinkedOA == nil || ch.LinkedOA.BasicID != "@momijicafe" {
		t.Fatalf("pressing Update unchanged (%d) switched the Linked OA: %+v %v", again.res.StatusCode, ch.LinkedOA, err)
	}
	// A refused choice stays chosen with its reason.
	refused = dev.post(ts.URL+views.ChannelPath(login)+"/linked-oa", url.Values{"oa_id": {other}})
	if got := refused.doc.Find("#oa_id option[selected]").AttrOr("value", "?"); got != "" {
		t.Fatalf("after refusing an account not offered, the selector shows %q chosen, want the placeholder", got)
	}

	// A Member of the Login channel can't change it.
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	if p := boss.post(ts.URL+views.ChannelPath(login)+"/linked-oa", url.Values{"oa_id": {cafe}}); p.res.StatusCode != http.StatusForbidden {
		t.Fatalf("someone without a role set it: %d", p.res.StatusCode)
	}
}

func TestOfficialAccountPage(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	cafe := ts.oaID(t, "@momijicafe")
	p := dev.get(ts.URL + views.OfficialAccountPath(cafe))
	// Momiji Cafe is Japanese: Japan's Light plan, 5,000 messages and no
	// additional messages.
	if plan := p.doc.Find("#oa-plan-summary").Text(); p.res.StatusCode != 200 || p.doc.Find("#oa-org-id").Text() != demo.MomijiFoodsID ||
		plan != "Light (Japan): 5,000 free messages a month." || !strings.Contains(p.doc.Find("#oa-plan-additional").Text(), "No additional messages") {
		t.Fatalf("OA page: %d org %q plan %q", p.res.StatusCode, p.doc.Find("#oa-org-id").Text(), plan)
	}
	// Its review is Verified, so its business information is frozen; the
	// name can still change.
	edit := url.Values{"name": {"Momiji Cafe Tokyo"}, "picture_url": {""}, "plan": {"jp_standard"},
		"company_name": {"Momiji Foods K.K."}, "address": {"2-4-1 Shibakoen, Minato-ku, Tokyo"}}
	if r := dev.post(ts.URL+views.OfficialAccountPath(cafe), edit); r.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit answered %d: %s", r.res.StatusCode, r.doc.Find("#oa-edit").Text())
	}
	edit.Set("address", "somewhere else")
	r := dev.post(ts.URL+views.OfficialAccountPath(cafe), edit)
	if r.res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("changing verified business info answered %d", r.res.StatusCode)
	}
	oa, err := ts.db.FindOfficialAccountByID(t.Context(), cafe)
	if err != nil || oa.Name != "Momiji Cafe Tokyo" || oa.Plan != portal.PlanJPStandard || oa.Info.Address != "2-4-1 Shibakoen, Minato-ku, Tokyo" {
		t.Fatalf("stored: %+v %v", oa, err)
	}
}

func TestRegisterOfficialAccount(t *testing.T) {
	ts := newTestServer(t)
	ctx := t.Context()
	devAdmin := ts.admin(t, ts.demo.Developer.ID)
	bossAdmin := ts.admin(t, ts.demo.OrganizationAdministrator.ID)
	existing, err := ts.db.FindChannelByID(ctx, ts.channelID(t, "Momiji Cafe Messaging API"))
	if err != nil {
		t.Fatal(err)
	}
	newChannel := func(actor portal.Admin, lineID, name string) portal.Channel {
		ch, err := ts.db.CreateChannelUnderAnyProvider(ctx, actor, portal.Channel{Provider: existing.Provider, Kind: portal.KindMessagingAPI,
			LINEChannelID: lineID, Name: name, Region: portal.RegionJapan})
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	fresh := newChannel(devAdmin, "2099000001", "Fresh Messaging API")
	member := newChannel(bossAdmin, "2099000002", "Shared Messaging API")
	if err := ts.db.SetChannelRole(ctx, bossAdmin, member.ID, devAdmin.ID, portal.RoleMember); err != nil {
		t.Fatal(err)
	}
	others := newChannel(bossAdmin, "2099000003", "Boss Messaging API")

	dev := ts.signedIn(t, ts.demo.Developer.ID)
	href := dev.get(ts.URL+"/official-accounts").doc.Find("#register-official-account").AttrOr("href", "")
	if href != "/official-accounts/new" {
		t.Fatalf("the account list links to %q", href)
	}
	form := dev.get(ts.URL + href)
	var offered []string
	form.doc.Find("#channel_id option").Each(func(_ int, o *goquery.Selection) { offered = append(offered, o.Text()) })
	joined := strings.Join(offered, "|")
	// Momiji Cafe's channel has its account: a channel belongs to one, so
	// it is not offered.
	if !strings.Contains(joined, "Fresh Messaging API") || strings.Contains(joined, "Momiji Cafe Messaging API") ||
		strings.Contains(joined, "Shared Messaging API") || strings.Contains(joined, "Boss Messaging API") || strings.Contains(joined, "Login") {
		t.Fatalf("offered %q; want only Messaging API channels the developer is an Admin of that have no account yet", offered)
	}
	oaCount := func() int {
		oas, _, err := ts.db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{Actor: portal.Admin{Operator: true}, All: true, Page: store.Page{Limit: store.MaxPageSize}})
		if err != nil {
			t.Fatal(err)
		}
		return len(oas)
	}
	count := oaCount()
	values := func(channel portal.Channel, basicID string) url.Values {
		return url.Values{"basic_id": {basicID}, "name": {"Fresh Cafe"}, "plan": {"th_basic"}, "channel_id": {strconv.FormatInt(channel.ID, 10)},
			"company_name": {"Momiji Foods K.K."}, "address": {"2-4-1 Shibakoen, Minato-ku, Tokyo"}}
	}

	t.Run("refusals", func(t *testing.T) {
		for _, c := range []struct {
			name    string
			channel portal.Channel
			basicID string
			status  int
			want    string
		}{
			{"someone else's channel", others, "@freshcafe", http.StatusForbidden, "Admin"},
			{"a channel where the developer is a Member", member, "@freshcafe", http.StatusForbidden, "Admin"},
			{"a channel that has an account", existing, "@freshcafe", http.StatusUnprocessableEntity, "@momijicafe"},
			{"a malformed basic ID", fresh, "fresh cafe", http.StatusUnprocessableEntity, "basic ID"},
			{"a basic ID taken", fresh, "@momijicafe", http.StatusUnprocessableEntity, "already registered"},
		} {
			p := dev.post(ts.URL+"/official-accounts", values(c.channel, c.basicID))
			msg := p.doc.Find("#oa-register-form").Text()
			if p.res.StatusCode != c.status || !strings.Contains(msg, c.want) {
				t.Errorf("%s: %d %q; want %d with %q", c.name, p.res.StatusCode, msg, c.status, c.want)
			}
			if p.doc.Find("#basic_id").AttrOr("value", "") != c.basicID || p.doc.Find("#company_name").AttrOr("value", "") != "Momiji Foods K.K." {
				t.Errorf("%s: the input was lost", c.name)
			}
		}
		// No plan chosen: the portal does not guess the account's country.
		noPlan := values(fresh, "@freshcafe")
		noPlan.Del("plan")
		if p := dev.post(ts.URL+"/official-accounts", noPlan); p.res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(p.doc.Find("#plan-error").Text(), "plans differ by country") {
			t.Errorf("no plan: %d %q", p.res.StatusCode, p.doc.Find("#oa-register-form").Text())
		}
		// A malformed basic ID is told with the other fields' problems.
		noPlan.Set("basic_id", "fresh cafe")
		noPlan.Set("address", strings.Repeat("x", portal.MaxAddress+1))
		if p := dev.post(ts.URL+"/official-accounts", noPlan); !strings.Contains(p.doc.Find("#basic_id-error").Text(), "basic ID") ||
			!strings.Contains(p.doc.Find("#plan-error").Text(), "plans differ by country") || !strings.Contains(p.doc.Find("#address-error").Text(), "address") {
			t.Errorf("a malformed basic ID, no plan and a long address: %q; want each told", p.doc.Find("#oa-register-form").Text())
		}
		if got := oaCount(); got != count {
			t.Fatalf("refused registrations stored accounts: %d → %d", count, got)
		}
	})

	t.Run("registered on the developer's channel", func(t *testing.T) {
		done := dev.submit(form, "#oa-register-form", values(fresh, "@FreshCafe"), "", "")
		if done.res.StatusCode != http.StatusSeeOther {
			t.Fatalf("register answered %d: %q", done.res.StatusCode, done.doc.Find("#oa-register-form").Text())
		}
		p := dev.follow(done)
		if p.doc.Find("#oa-basic-id").Text() != "@freshcafe" || !strings.Contains(p.doc.Find("#oa-edit").Text(), "Admin") ||
			!strings.Contains(p.doc.Find("#flash").Text(), "registered") {
			t.Fatalf("account page: %q %q", p.doc.Find("#oa-basic-id").Text(), p.doc.Find("#flash").Text())
		}
		oa, err := ts.db.FindOfficialAccountByID(ctx, ts.oaID(t, "@freshcafe"))
		if err != nil || oa.ChannelID != fresh.ID || oa.Plan != portal.PlanTHBasic || oa.Name != "Fresh Cafe" || oa.Info.CompanyName != "Momiji Foods K.K." {
			t.Fatalf("stored: %+v %v", oa, err)
		}
	})
}

func TestOfficialAccountTransfer(t *testing.T) {
	ts := newTestServer(t)
	cafe := ts.oaID(t, "@momijicafe")
	page := ts.URL + views.OfficialAccountPath(cafe)
	linkedTo := func() string {
		oa, err := ts.db.FindOfficialAccountByID(t.Context(), cafe)
		if err != nil || oa.Link == nil {
			t.Fatalf("account: %+v %v", oa, err)
		}
		return oa.Link.OrgID
	}

	// The account's Admin who administers no organization sees no form.
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	if p := dev.get(page); p.doc.Find("#oa-transfer-form").Length() != 0 {
		t.Fatal("the transfer form is offered to someone who administers no organization")
	}
	if p := dev.post(page+"/transfer", url.Values{"dest_org_id": {demo.MomijiHoldingID}}); p.res.StatusCode != http.StatusForbidden {
		t.Fatalf("the developer's transfer answered %d", p.res.StatusCode)
	}

	// An administrator of Momiji Foods only can't move it to an
	// organization they don't administer.
	both := ts.signedIn(t, ts.demo.DeveloperAndAdministrator.ID)
	form := both.get(page)
	if form.doc.Find("#oa-transfer-form").Length() != 1 {
		t.Fatal("an administrator of the account's organization has no transfer form")
	}
	refused := transferOA(both, form, url.Values{"dest_org_id": {demo.MomijiHoldingID}})
	if refused.res.StatusCode != http.StatusForbidden || !strings.Contains(refused.doc.Find("#oa-transfer").Text(), "not an administrator of "+demo.MomijiHoldingID) ||
		refused.doc.Find("#dest_org_id").AttrOr("value", "") != demo.MomijiHoldingID {
		t.Fatalf("transfer to an organization not administered: %d %q", refused.res.StatusCode, refused.doc.Find("#oa-transfer").Text())
	}
	if got := linkedTo(); got != demo.MomijiFoodsID {
		t.Fatalf("a refused transfer moved the account to %s", got)
	}

	// The administrator of both moves it; malformed input first.
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	form = boss.get(page)
	if p := transferOA(boss, form, url.Values{"dest_org_id": {"BM1"}}); p.res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(p.doc.Find("#oa-transfer").Text(), "BM followed by 11 digits") {
		t.Fatalf("malformed destination: %d %q", p.res.StatusCode, p.doc.Find("#oa-transfer").Text())
	}
	done := transferOA(boss, form, url.Values{"dest_org_id": {demo.MomijiHoldingID}})
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer answered %d: %q", done.res.StatusCode, done.doc.Find("#oa-transfer").Text())
	}
	after := boss.follow(done)
	if after.doc.Find("#oa-org-id").Text() != demo.MomijiHoldingID || !strings.Contains(after.doc.Find("#flash").Text(), "Transferred to organization "+demo.MomijiHoldingID) {
		t.Fatalf("after transfer: org %q flash %q", after.doc.Find("#oa-org-id").Text(), after.doc.Find("#flash").Text())
	}
	if got := linkedTo(); got != demo.MomijiHoldingID {
		t.Fatalf("stored link: %s", got)
	}
}

// transferOA submits an Official Account's transfer form as v, and confirms
// the transfer when the portal asks to (a refusal comes before or after).
func transferOA(v *visitor, form page, set url.Values) page {
	v.t.Helper()
	p := v.submit(form, "#oa-transfer-form", set, "", "")
	if p.doc.Find("#transfer-confirm").Length() == 0 {
		return p
	}
	if !strings.Contains(p.doc.Find("#transfer-consequence").Text(), "review starts over") {
		v.t.Fatalf("the confirmation does not say the review starts over: %q", p.doc.Find("#transfer-confirm").Text())
	}
	return v.submit(p, "#transfer-confirm form", nil, "", "")
}

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/demo"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/static"
	"lineportal/views"
)

// routeCase is one route of the route table (routes.go) with a fixture
// that renders it: who asks, on which demo object, with which input.
// Checks that must hold on every page (refusals here; languages,
// accessibility, phone width) iterate routeCatalogue instead of a list of
// their own, so a new route is checked as soon as it has its fixture.
type routeCase struct {
	Pattern string // the route's pattern, as in routeTable
	Path    string // the pattern filled in with a demo object
	As      string // the LINE user ID of the person asking; "" signed out
	// Form is a POST's input that the portal accepts.
	Form url.Values
	// Refused is input the portal refuses on the form it came from,
	// RefusedCode the domain code of that refusal and Kept the fields the
	// form shows again with what was typed (secrets are never kept).
	Refused     url.Values
	RefusedCode string
	Kept        []string
	// NoRefusal says why a POST has no refused input: it sends nothing a
	// person types, so a refusal is the error page.
	NoRefusal string
	// NotAPage says why the route answers no HTML page a person reads:
	// an asset, LINE's server-to-server calls, a redirect to LINE.
	NotAPage string
	// Variant, on a route's second fixture, as another person (or nobody
	// signed in), says what its page shows them differently, so that every
	// check sees both.
	Variant string
}

// Method is the route's HTTP method.
func (c routeCase) Method() string {
	method, _, _ := strings.Cut(c.Pattern, " ")
	return method
}

// Page tells whether a GET of the route is an HTML page to check.
func (c routeCase) Page() bool { return c.Method() == http.MethodGet && c.NotAPage == "" }

// catalogue is a test server with the demo data, a module channel attached
// to a bot and a link request issued, and a fixture for every route.
type catalogue struct {
	*moduleTest
	Routes []routeCase
}

// visitor signs in a fresh browser as the person c asks as.
func (cat *catalogue) visitor(t *testing.T, c routeCase) *visitor {
	t.Helper()
	if c.As == "" {
		return newVisitor(t)
	}
	return cat.signedIn(t, c.As)
}

// routeCatalogue builds the catalogue on a fresh server.
func routeCatalogue(t *testing.T) *catalogue {
	t.Helper()
	mt := newModuleTest(t)
	dev, boss, both, op := mt.demo.Developer.ID, mt.demo.OrganizationAdministrator.ID, mt.demo.DeveloperAndAdministrator.ID, mt.demo.Operator.ID
	mt.attach(t, mt.signedIn(t, dev))
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	channel := func(name string) int64 { return mt.testServer.channelID(t, name) }

	orderApp := channel("Sakura Order")
	token := mt.sendLinkRequest(t, mt.signedIn(t, dev), orderApp, demo.SakuraFoodsID)
	_, token, _ = strings.Cut(token, "/link/")
	login := views.ChannelPath(channel("Momiji Members Login"))
	miniApp := views.ChannelPath(channel("Sakura Points"))
	cafeOrderID := channel("Momiji Cafe Order")
	linked := views.AccountPath(demo.MomijiFoodsID, cafeOrderID)
	holdingsPortal := views.AccountPath(demo.MomijiHoldingID, channel("Momiji Holdings Portal"))
	rejected := views.AccountPath(demo.MomijiFoodsID, channel("Momiji Reservations"))
	cafe := views.OfficialAccountPath(mt.oaID(t, "@momijicafe"))
	logistics := views.OfficialAccountPath(mt.oaID(t, "@momijilogistics"))
	momiji := views.OrganizationPath(demo.MomijiFoodsID)
	oaLinking := momiji + "/oa-linking/" + id(mt.oaID(t, "@momijicafe"))
	hanami := views.OrganizationPath(demo.HanamiRetailID)
	module := views.ModulePath(mt.channelID)
	bot := views.BotPath(mt.channelID, mt.mod.OfficialAccount.BotID)
	friend := mt.mod.Friends[0].ID
	chat := linesim.ModuleUserID(mt.mod.OfficialAccount.BotID, friend) // the friend's chat as the module sees it
	newMember := "U" + strings.Repeat("c", 32)

	// What the queue decisions, the Official Account registration and
	// linking act on: an organization and a MINI App waiting for review, a Messaging
	// API channel without an account.
	ctx := t.Context()
	admin := func(lineUserID string) portal.Admin {
		a, err := mt.db.EnsureAdmin(ctx, lineUserID, "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// Momiji Cafe is connected, with its webhook already at the portal, so
	// that its webhook pages and Verify work in any order.
	cafeAccount, cafeBot := simulatedCafe(t, mt.testServer, 0)
	err := mt.sim.SetPrimaryWebhook(cafeBot, linesim.PrimaryWebhook{Secret: cafeSecret, URL: mt.URL + "/webhooks/line/" + cafeAccount.LINEChannelID})
	var cafeToken string
	if err == nil {
		cafeToken, err = mt.sim.IssueChannelToken(cafeAccount.LINEChannelID)
	}
	if err == nil {
		err = mt.db.ConnectOfficialAccount(t.Context(), mt.srv.cfg.Secrets, admin(dev), cafeAccount.ID, cafeSecret, cafeToken, time.Time{})
	}
	if err != nil {
		t.Fatal(err)
	}
	const waitingOrg = "BM09999999998"
	_, err = mt.db.CreateOrganization(ctx, admin(boss), portal.Organization{ID: waitingOrg, Name: "Catalogue Waiting", Region: portal.RegionJapan,
		Info: portal.BusinessInfo{CompanyName: "Catalogue Waiting K.K.", Address: "1 Chome"}, CompanyCountry: portal.RegionJapan})
	if err == nil {
		err = mt.db.SubmitOrganizationForVerification(ctx, admin(boss), waitingOrg)
	}
	if err == nil { // so that the developer, an Admin of @momijilogistics, may link it
		err = mt.db.AddOrganizationAdmin(ctx, admin(boss), demo.HanamiRetailID, admin(dev).ID)
	}
	if err == nil {
		err = mt.db.SubmitMiniAppReview(ctx, admin(dev), channel("Sakura Beta"))
	}
	var messaging portal.Channel
	if err == nil {
		messaging, err = mt.db.RegisterChannel(ctx, admin(dev), portal.Channel{Kind: portal.KindMessagingAPI, Name: "Catalogue Messaging",
			LINEChannelID: "2999123400", Region: portal.RegionJapan, Provider: portal.Provider{Name: "Catalogue Co."}})
	}
	if err != nil {
		t.Fatal(err)
	}
	noInput := "it sends no input a person types; a refusal is the error page"

	routes := []routeCase{
		{Pattern: "GET /static/{hash}/{name}", Path: static.Path("app.css"), NotAPage: "an asset"},
		{Pattern: "GET /healthz", Path: "/healthz", NotAPage: "a health check for machines"},
		{Pattern: "GET /readyz", Path: "/readyz", NotAPage: "a readiness check for load balancers"},
		{Pattern: "POST /webhooks/line/{channelID}", Path: "/webhooks/line/" + mt.mod.Channel.ID, NotAPage: "LINE's signed server-to-server call (webhook_test.go)",
			NoRefusal: "LINE's call, answered in LINE's error shape"},
		{Pattern: "POST /webhooks/line/portal-oa", Path: "/webhooks/line/portal-oa", NotAPage: "LINE's signed server-to-server call (portal_oa_webhook_test.go)",
			NoRefusal: "LINE's call, answered in LINE's error shape"},

		{Pattern: "GET /login", Path: "/login?next=/channels", NotAPage: "a redirect to LINE Login"},
		{Pattern: "GET /auth/callback", Path: "/auth/callback", NotAPage: "LINE Login's redirect back (signin_test.go)"},
		{Pattern: "POST /logout", Path: "/logout", As: dev, Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "POST /language", Path: "/language", As: dev, Form: url.Values{"lang": {"ja"}, "next": {"/channels"}},
			NoRefusal: "a choice among the switcher's languages; anything else is the error page"},

		{Pattern: "GET /{$}", Path: "/", As: both},
		{Pattern: "GET /profile", Path: "/profile", As: dev},
		{Pattern: "POST /profile/settings", Path: "/profile/settings", As: dev, Form: url.Values{"lang": {"en"}, "time_zone": {"Asia/Tokyo"}},
			NoRefusal: "choices among the form's options; anything else is the error page"},
		{Pattern: "POST /profile/line-notices", Path: "/profile/line-notices", As: dev, Form: url.Values{"line_link_request": {"on"}},
			NoRefusal: "checkboxes: a box not checked is off"},

		{Pattern: "GET /channels", Path: "/channels", As: dev},
		{Pattern: "GET /channels/new", Path: "/channels/new", As: dev},
		{Pattern: "POST /channels", Path: "/channels", As: dev,
			Form:        url.Values{"kind": {string(portal.KindLogin)}, "name": {"Catalogue Login"}, "line_channel_id": {"2999123456"}, "region": {"JP"}, "provider_id": {"new"}, "new_provider": {"Catalogue Co."}},
			Refused:     url.Values{"kind": {string(portal.KindLogin)}, "name": {"Catalogue Login"}, "line_channel_id": {"12"}, "region": {"JP"}, "provider_id": {"new"}, "new_provider": {"Catalogue Co."}},
			RefusedCode: portal.EINVALID, Kept: []string{"name", "line_channel_id", "new_provider"}},
		{Pattern: "GET /channels/{id}", Path: views.ChannelPath(orderApp), As: dev},
		{Pattern: "POST /channels/{id}/link-requests", Path: miniApp + "/link-requests", As: dev,
			Form:    url.Values{"org_id": {demo.SakuraFoodsID}},
			Refused: url.Values{"org_id": {"BM123"}}, RefusedCode: portal.EINVALID, Kept: []string{"org_id"}},
		{Pattern: "POST /channels/{id}/link-requests/notify", Path: views.ChannelPath(orderApp) + "/link-requests/notify", As: dev,
			Form: url.Values{"token": {token}}, NoRefusal: "it sends the URL shown by the page, not input a person types"},
		{Pattern: "GET /channels/{id}/business-info", Path: miniApp + "/business-info", As: dev},
		{Pattern: "POST /channels/{id}/business-info", Path: miniApp + "/business-info", As: dev,
			Form:        url.Values{"company_name": {"Sakura Foods K.K."}, "address": {"1-2-3 Marunouchi, Chiyoda-ku, Tokyo"}, "developer_is_service_company": {"on"}, "company_country": {"JP"}},
			Refused:     url.Values{"company_name": {"Sakura Foods K.K."}, "address": {"1-2-3 Marunouchi, Chiyoda-ku, Tokyo"}, "developer_is_service_company": {"on"}, "company_country": {"US"}},
			RefusedCode: portal.EINVALID, Kept: []string{"company_name", "address", "developer_is_service_company"}},
		{Pattern: "POST /channels/{id}/mini-app-review", Path: miniApp + "/mini-app-review", As: dev, Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "GET /channels/{id}/history", Path: views.ChannelPath(orderApp) + "/history", As: dev},
		{Pattern: "POST /channels/{id}/linked-oa", Path: login + "/linked-oa", As: dev,
			Form:    url.Values{"oa_id": {strings.TrimPrefix(cafe, "/official-accounts/")}},
			Refused: url.Values{"oa_id": {strings.TrimPrefix(logistics, "/official-accounts/")}}, RefusedCode: portal.EINVALID},
		{Pattern: "GET /channels/{id}/members", Path: views.ChannelPath(orderApp) + "/members", As: dev},
		{Pattern: "POST /channels/{id}/members", Path: views.ChannelPath(orderApp) + "/members", As: dev,
			Form:    url.Values{"line_user_id": {newMember}, "role": {string(portal.RoleMember)}},
			Refused: url.Values{"line_user_id": {"Unot-an-id"}, "role": {string(portal.RoleMember)}}, RefusedCode: portal.EINVALID, Kept: []string{"line_user_id", "role"}},

		{Pattern: "GET /link/{token}", Path: "/link/" + token, As: boss},
		{Pattern: "POST /link/{token}", Path: "/link/" + token, As: boss, Form: url.Values{}, NoRefusal: noInput},

		{Pattern: "GET /organizations", Path: "/organizations", As: boss},
		{Pattern: "GET /organizations/new", Path: "/organizations/new", As: boss},
		{Pattern: "POST /organizations", Path: "/organizations", As: boss,
			Form:        url.Values{"org_id": {"BM09999999999"}, "name": {"Catalogue K.K."}, "region": {"JP"}, "company_name": {"Catalogue K.K."}, "address": {"1 Chome"}, "company_country": {"TW"}},
			Refused:     url.Values{"org_id": {"BM1"}, "name": {"Catalogue K.K."}, "region": {"JP"}, "company_name": {"Catalogue K.K."}, "address": {"1 Chome"}, "company_country": {"TW"}},
			RefusedCode: portal.EINVALID, Kept: []string{"org_id", "name", "region", "company_name", "address", "company_country"}},
		{Pattern: "GET /organizations/{org}", Path: momiji, As: boss},
		{Pattern: "GET /organizations/{org}/accounts/{channel}", Path: linked, As: boss},
		{Pattern: "POST /organizations/{org}/accounts/{channel}/resubmit", Path: rejected + "/resubmit", As: boss, Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "GET /organizations/{org}/accounts/{channel}/transfer", Path: holdingsPortal + "/transfer?dest_org_id=" + demo.MomijiFoodsID, As: boss},
		{Pattern: "POST /organizations/{org}/accounts/{channel}/transfer", Path: holdingsPortal + "/transfer", As: boss,
			Form:    url.Values{"dest_org_id": {demo.MomijiFoodsID}},
			Refused: url.Values{"dest_org_id": {"BM1"}}, RefusedCode: portal.EINVALID, Kept: []string{"dest_org_id"}},
		{Pattern: "POST /organizations/{org}/accounts/{channel}/override", Path: rejected + "/override", As: op,
			Form:    url.Values{"status": {string(portal.ReviewVerified)}, "reason": {"checked by phone"}},
			Refused: url.Values{"status": {"maybe"}, "reason": {"checked by phone"}}, RefusedCode: portal.EINVALID},
		{Pattern: "GET /organizations/{org}/business-info", Path: hanami + "/business-info", As: boss},
		{Pattern: "GET /organizations/{org}/business-info", Path: momiji + "/business-info", As: both,
			Variant: "a verified organization's business info, which can't change: facts, not a form"},
		{Pattern: "POST /organizations/{org}/business-info", Path: hanami + "/business-info", As: boss,
			Form:        url.Values{"company_name": {"Hanami Retail K.K."}, "address": {"4-5-6 Umeda, Kita-ku, Osaka"}, "company_country": {"JP"}},
			Refused:     url.Values{"company_name": {"Hanami Retail K.K."}, "address": {"4-5-6 Umeda, Kita-ku, Osaka"}, "company_country": {"US"}},
			RefusedCode: portal.EINVALID, Kept: []string{"company_name", "address"}},
		{Pattern: "POST /organizations/{org}/verification", Path: hanami + "/verification", As: boss, Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "GET /organizations/{org}/oa-linking", Path: momiji + "/oa-linking", As: boss},
		{Pattern: "GET /organizations/{org}/oa-linking/{oa}", Path: oaLinking, As: boss},
		{Pattern: "GET /organizations/{org}/oa-linking/{oa}/targets", Path: oaLinking + "/targets", As: boss},
		{Pattern: "GET /organizations/{org}/oa-linking/{oa}/targets/{channel}", Path: oaLinking + "/targets/" + id(cafeOrderID), As: boss},
		{Pattern: "POST /organizations/{org}/oa-linking/{oa}/targets/{channel}", Path: oaLinking + "/targets/" + id(cafeOrderID), As: boss,
			Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "GET /organizations/{org}/members", Path: momiji + "/members", As: boss},
		{Pattern: "POST /organizations/{org}/members", Path: momiji + "/members", As: boss,
			Form:    url.Values{"line_user_id": {newMember}, "name": {"New Administrator"}},
			Refused: url.Values{"line_user_id": {"Unot-an-id"}, "name": {"New Administrator"}}, RefusedCode: portal.EINVALID, Kept: []string{"line_user_id", "name"}},
		{Pattern: "GET /organizations/{org}/history", Path: momiji + "/history", As: boss},

		{Pattern: "GET /official-accounts", Path: "/official-accounts", As: dev},
		{Pattern: "GET /official-accounts/new", Path: "/official-accounts/new", As: dev},
		{Pattern: "POST /official-accounts", Path: "/official-accounts", As: dev,
			Form:        url.Values{"basic_id": {"@catalogue"}, "name": {"Catalogue"}, "plan": {string(portal.PlanTHFree)}, "channel_id": {id(messaging.ID)}},
			Refused:     url.Values{"basic_id": {"no at sign"}, "name": {"Catalogue"}, "plan": {string(portal.PlanTHFree)}},
			RefusedCode: portal.EINVALID, Kept: []string{"basic_id", "name", "plan"}},
		{Pattern: "GET /official-accounts/{id}", Path: cafe, As: dev},
		{Pattern: "POST /official-accounts/{id}", Path: cafe, As: dev,
			Form:        url.Values{"name": {"Momiji Cafe"}, "plan": {string(portal.PlanJPLight)}, "company_name": {"Momiji Foods K.K."}, "address": {"2-4-1 Shibakoen, Minato-ku, Tokyo"}},
			Refused:     url.Values{"name": {"Momiji Cafe"}, "picture_url": {"http://insecure.example/p.png"}, "plan": {string(portal.PlanJPLight)}, "company_name": {"Momiji Foods K.K."}, "address": {"2-4-1 Shibakoen, Minato-ku, Tokyo"}},
			RefusedCode: portal.EINVALID, Kept: []string{"name", "picture_url", "plan"}},
		{Pattern: "POST /official-accounts/{id}/organization-link", Path: logistics + "/organization-link", As: dev,
			Form:    url.Values{"org_id": {demo.HanamiRetailID}},
			Refused: url.Values{"org_id": {"BM1"}}, RefusedCode: portal.EINVALID, Kept: []string{"org_id"}},
		{Pattern: "GET /official-accounts/{id}/transfer", Path: cafe + "/transfer?dest_org_id=" + demo.MomijiHoldingID, As: boss},
		{Pattern: "POST /official-accounts/{id}/channel-secret", Path: cafe + "/channel-secret", As: dev,
			Form:    url.Values{"channel_secret": {cafeSecret}},
			Refused: url.Values{"channel_secret": {"not a secret"}}, RefusedCode: portal.EINVALID},
		{Pattern: "GET /official-accounts/{id}/webhook", Path: cafe + "/webhook", As: dev},
		{Pattern: "POST /official-accounts/{id}/webhook", Path: cafe + "/webhook", As: dev, Form: url.Values{},
			NoRefusal: "the confirmation's button; LINE's refusal is the error page"},
		{Pattern: "POST /official-accounts/{id}/webhook/verify", Path: cafe + "/webhook/verify", As: dev, Form: url.Values{},
			NoRefusal: "a button; LINE's verdict is shown on the account's page"},
		{Pattern: "POST /official-accounts/{id}/transfer", Path: cafe + "/transfer", As: boss,
			Form:    url.Values{"from_org_id": {demo.MomijiFoodsID}, "dest_org_id": {demo.MomijiHoldingID}},
			Refused: url.Values{"from_org_id": {demo.MomijiFoodsID}, "dest_org_id": {"BM1"}}, RefusedCode: portal.EINVALID, Kept: []string{"dest_org_id"}},

		{Pattern: "GET /modules", Path: "/modules", As: dev},
		{Pattern: "GET /modules/new", Path: "/modules/new", As: dev},
		{Pattern: "POST /modules", Path: "/modules", As: dev,
			Refused: url.Values{"name": {"Catalogue Module"}, "line_channel_id": {"2999000777"}, "provider_id": {"new"}, "new_provider": {"Catalogue Co."},
				"channel_secret": {"short"}, "access_token": {"token"}},
			RefusedCode: portal.EINVALID, Kept: []string{"name", "line_channel_id", "new_provider"}},
		{Pattern: "GET /modules/callback", Path: "/modules/callback", As: dev, NotAPage: "LINE's redirect back after attaching (modules_test.go)"},
		{Pattern: "GET /modules/{id}", Path: module, As: dev},
		{Pattern: "POST /modules/{id}/attach", Path: module + "/attach", As: dev,
			Refused: url.Values{"region": {"JP"}, "basic_search_id": {"@sakuracafe"}}, RefusedCode: portal.EINVALID, Kept: []string{"region", "basic_search_id"}},
		{Pattern: "POST /modules/{id}/credentials", Path: module + "/credentials", As: dev,
			Refused: url.Values{"channel_secret": {"short"}, "access_token": {"token"}}, RefusedCode: portal.EINVALID},
		{Pattern: "GET /modules/{id}/bots", Path: module + "/bots", As: dev},
		{Pattern: "GET /modules/{id}/bots/{bot}", Path: bot, As: dev},
		{Pattern: "GET /modules/{id}/bots/{bot}/detach", Path: bot + "/detach", As: dev},
		{Pattern: "POST /modules/{id}/bots/{bot}/chat-control/acquire", Path: bot + "/chat-control/acquire", As: dev,
			Form:    url.Values{"chat_id": {chat}, "ttl": {"600"}},
			Refused: url.Values{"chat_id": {chat}, "ttl": {"ten"}}, RefusedCode: portal.EINVALID, Kept: []string{"chat_id", "ttl"}},
		{Pattern: "POST /modules/{id}/bots/{bot}/chat-control/release", Path: bot + "/chat-control/release", As: dev,
			Form:    url.Values{"chat_id": {chat}},
			Refused: url.Values{"chat_id": {"Unot-a-chat"}}, RefusedCode: portal.EINVALID},
		{Pattern: "POST /modules/{id}/bots/{bot}/mission-sticker", Path: bot + "/mission-sticker", As: dev,
			Form:    url.Values{"user_id": {friend}, "package_id": {"10001"}},
			Refused: url.Values{"user_id": {"Ubad"}, "package_id": {"10001"}}, RefusedCode: portal.EINVALID, Kept: []string{"user_id", "package_id"}},
		{Pattern: "POST /modules/{id}/bots/{bot}/mark-as-read", Path: bot + "/mark-as-read", As: dev,
			Form:    url.Values{"user_id": {friend}},
			Refused: url.Values{"user_id": {"nope"}}, RefusedCode: portal.EINVALID, Kept: []string{"user_id"}},
		// Last: it ends the attachment the routes above act on.
		{Pattern: "POST /modules/{id}/bots/{bot}/detach", Path: bot + "/detach", As: dev, Form: url.Values{}, NoRefusal: noInput},

		{Pattern: "GET /operator", Path: "/operator", As: op},
		{Pattern: "POST /operator/organizations/{org}/verify", Path: "/operator/organizations/" + demo.HanamiRetailID + "/verify", As: op,
			Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "POST /operator/organizations/{org}/reject", Path: "/operator/organizations/" + waitingOrg + "/reject", As: op,
			Form:    url.Values{"reason": {"The address is not the registered one."}},
			Refused: url.Values{"reason": {strings.Repeat("r", portal.MaxReason+1)}}, RefusedCode: portal.EINVALID, Kept: []string{"reason"}},
		{Pattern: "POST /operator/channels/{id}/approve", Path: "/operator/channels/" + id(channel("Sakura Points")) + "/approve", As: op,
			Form: url.Values{}, NoRefusal: noInput},
		{Pattern: "POST /operator/channels/{id}/reject", Path: "/operator/channels/" + id(channel("Sakura Beta")) + "/reject", As: op,
			Form:    url.Values{"reason": {"The service company is missing."}},
			Refused: url.Values{"reason": {strings.Repeat("r", portal.MaxReason+1)}}, RefusedCode: portal.EINVALID, Kept: []string{"reason"}},
	}
	routes = append(routes, peopleCatalogue(t, mt.testServer, admin(dev), admin(boss), admin(op), admin(both),
		portal.Team{ChannelID: orderApp}, portal.Team{OfficialAccountID: mt.oaID(t, "@momijicafe")}, portal.Team{OrgID: demo.MomijiFoodsID})...)
	routes = append(routes, homeApprovalCatalogue(t, mt.testServer, admin(dev), admin(boss), admin(op))...)
	return &catalogue{moduleTest: mt, Routes: routes}
}

func TestRouteCatalogue_CoversEveryRoute(t *testing.T) {
	cat := routeCatalogue(t)
	var table []string
	for _, rt := range cat.srv.routeTable() {
		table = append(table, rt.pattern)
	}
	var fixtures []string
	as := map[string]string{} // a route's first fixture's person
	for _, c := range cat.Routes {
		first, seen := as[c.Pattern]
		switch {
		case seen && c.Variant == "":
			t.Errorf("route %q has two fixtures, the second not a variant", c.Pattern)
		case c.Variant != "" && (!seen || first == c.As):
			t.Errorf("route %q has a variant %q that follows no fixture of another person", c.Pattern, c.Variant)
		case !seen:
			as[c.Pattern] = c.As
		}
		fixtures = append(fixtures, c.Pattern)
		if c.Method() == http.MethodPost && c.Refused == nil && c.NoRefusal == "" {
			t.Errorf("form route %q has neither input the portal refuses nor a reason why not", c.Pattern)
		}
	}
	for _, p := range table {
		if p != "/" && !slices.Contains(fixtures, p) {
			t.Errorf("route %q has no fixture in routeCatalogue", p)
		}
	}
	for _, p := range fixtures {
		if !slices.Contains(table, p) {
			t.Errorf("fixture %q names no route of routes.go", p)
		}
	}
}

// Every page of the catalogue renders for its person.
func TestRouteCatalogue_PagesRender(t *testing.T) {
	routeCatalogue(t).eachPage(t, func(c routeCase, p page) {
		if p.res.StatusCode != http.StatusOK || p.doc.Find("main").Length() != 1 {
			t.Errorf("%s (%s) answered %d: %.300s", c.Pattern, c.Path, p.res.StatusCode, p.doc.Find("main").Text())
		}
	})
}

// eachPage gets every page of the catalogue as its fixture's person, one
// signed-in browser per person, and hands it to check.
func (cat *catalogue) eachPage(t *testing.T, check func(routeCase, page)) {
	t.Helper()
	visitors := map[string]*visitor{}
	for _, c := range cat.Routes {
		if !c.Page() {
			continue
		}
		v := visitors[c.As]
		if v == nil {
			v = cat.visitor(t, c)
			visitors[c.As] = v
		}
		check(c, v.get(cat.URL+c.Path))
	}
}

// Every form, refused, answers the status of the one table (errors.go),
// shows what was typed again, and shows the refusal once.
func TestRouteCatalogue_RefusedFormsKeepInputAndShowTheRefusalOnce(t *testing.T) {
	cat := routeCatalogue(t)
	visitors := map[string]*visitor{}
	for _, c := range cat.Routes {
		if c.Refused == nil {
			continue
		}
		t.Run(c.Pattern, func(t *testing.T) {
			v := visitors[c.As]
			if v == nil {
				v = cat.visitor(t, c)
				visitors[c.As] = v
			}
			p := v.post(cat.URL+c.Path, c.Refused)
			if want := errorShapes[c.RefusedCode].form; p.res.StatusCode != want {
				t.Fatalf("answered %d, want %d: %.300s", p.res.StatusCode, want, p.doc.Find("main").Text())
			}
			shown := p.doc.Find(".alert-error, .field-error")
			if shown.Length() != 1 {
				t.Errorf("the refusal is shown %d times: %q", shown.Length(), shown.Text())
			}
			for _, name := range c.Kept {
				if !keeps(p.doc, name, c.Refused.Get(name)) {
					t.Errorf("the form lost %s=%q", name, c.Refused.Get(name))
				}
			}
		})
	}
}

// keeps tells whether the page shows value again in a form field name: a
// text input's value, a chosen option or a checked box.
func keeps(doc *goquery.Document, name, value string) bool {
	kept := false
	doc.Find(`[name="` + name + `"]`).Each(func(_ int, f *goquery.Selection) {
		switch {
		case f.Is("select"):
			kept = kept || f.Find("option[selected]").AttrOr("value", "") == value
		case f.Is("[type=checkbox], [type=radio]"):
			kept = kept || f.Is("[checked]") && f.AttrOr("value", "") == value
		default:
			kept = kept || f.AttrOr("value", "") == value
		}
	})
	return kept
}

// Every form's fixture input is accepted, in the catalogue's order (detach
// last), each by a person freshly signed in (logout ends a session).
func TestRouteCatalogue_FormsAreAccepted(t *testing.T) {
	cat := routeCatalogue(t)
	for _, c := range cat.Routes {
		if c.Form == nil || c.NotAPage != "" {
			continue
		}
		p := cat.visitor(t, c).post(cat.URL+c.Path, c.Form)
		if p.res.StatusCode != http.StatusSeeOther && p.res.StatusCode != http.StatusOK {
			t.Errorf("%s (%s) answered %d: %.300s", c.Pattern, c.Path, p.res.StatusCode, p.doc.Find("main").Text())
		}
		if p.doc.Find(".alert-error, .field-error").Length() != 0 {
			t.Errorf("%s (%s) refused: %q", c.Pattern, c.Path, p.doc.Find(".alert-error, .field-error").Text())
		}
	}
}

// A refusal from LINE reaches the page as the same sentence wherever it
// occurs: a page that reads from LINE and the actions that write to it
// (line.Refusal makes it, once).
func TestRouteCatalogue_LINEErrorIsOneSentence(t *testing.T) {
	cat := routeCatalogue(t)
	dev, err := cat.db.EnsureAdmin(t.Context(), cat.demo.Developer.ID, cat.demo.Developer.Name)
	if err != nil {
		t.Fatal(err)
	}
	// A token LINE does not accept: every call of the module answers 401.
	if err := cat.db.SetChannelCredentials(t.Context(), cat.srv.cfg.Secrets, dev, cat.channelID, cat.mod.Channel.Secret, "revoked-token", time.Time{}); err != nil {
		t.Fatal(err)
	}
	v := cat.signedIn(t, cat.demo.Developer.ID)
	// The sentence, without LINE's request ID, which differs per call.
	sentence := func(shown string) string {
		before, _, _ := strings.Cut(strings.TrimSpace(shown), " (LINE request ID")
		return before
	}
	want := ""
	for _, c := range cat.Routes {
		var shown string
		switch {
		case c.Pattern == "GET /modules/{id}/bots":
			shown = v.get(cat.URL + c.Path).doc.Find(".alert-error").Text()
		case strings.HasPrefix(c.Pattern, "POST /modules/{id}/bots/") && c.Form != nil:
			shown = v.follow(v.post(cat.URL+c.Path, c.Form)).doc.Find("#flash .alert-error").Text()
		default:
			continue
		}
		got := sentence(shown)
		if !strings.Contains(got, "LINE did not accept the channel access token") {
			t.Errorf("%s shows %q", c.Pattern, shown)
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("%s says %q, elsewhere %q", c.Pattern, got, want)
		}
	}
}

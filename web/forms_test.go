package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"lineportal/internal/dbtest"
	"lineportal/internal/demo"
	"lineportal/store"
	"lineportal/views"
)

// oversized is a form with a field of size bytes in front of the real
// fields, so that the cap cuts the form before them.
func oversized(size int, fields url.Values) string {
	return "padding=" + strings.Repeat("x", size) + "&" + fields.Encode()
}

func (v *visitor) postRaw(target, body string) page {
	v.t.Helper()
	res, err := v.client.Post(target, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		v.t.Fatal(err)
	}
	return v.read(res)
}

// A form over the cap is refused with 413 before any handler reads it: it
// is never mistaken for an empty form and saved.
func TestOversizedFormIsRefusedAndChangesNothing(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	order := ts.channelID(t, "Sakura Order")
	points := ts.channelID(t, "Sakura Points")
	before, err := ts.db.FindChannelByID(t.Context(), points)
	if err != nil {
		t.Fatal(err)
	}
	orgBefore, err := ts.db.FindOrganizationByID(t.Context(), demo.HanamiRetailID)
	if err != nil {
		t.Fatal(err)
	}

	refused := func(t *testing.T, p page) {
		t.Helper()
		if p.res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("an oversized form answered %d: %.300s", p.res.StatusCode, p.doc.Find("main").Text())
		}
		if msg := p.doc.Find("#error-page .error-message").Text(); !strings.Contains(msg, "nothing was saved") {
			t.Fatalf("413 page says %q", msg)
		}
	}
	t.Run("channel business info draft", func(t *testing.T) {
		refused(t, dev.postRaw(ts.URL+views.ChannelPath(points)+"/business-info", oversized(maxFormBody,
			url.Values{"company_name": {"Changed"}, "address": {"Changed"}})))
		after, err := ts.db.FindChannelByID(t.Context(), points)
		if err != nil || after.Draft != before.Draft {
			t.Fatalf("draft changed from %+v to %+v (%v)", before.Draft, after.Draft, err)
		}
	})
	t.Run("organization business info", func(t *testing.T) {
		refused(t, boss.postRaw(ts.URL+views.OrganizationPath(demo.HanamiRetailID)+"/business-info", oversized(maxFormBody,
			url.Values{"company_name": {"Changed"}, "address": {"Changed"}})))
		after, err := ts.db.FindOrganizationByID(t.Context(), demo.HanamiRetailID)
		if err != nil || after.Info != orgBefore.Info {
			t.Fatalf("business info changed from %+v to %+v (%v)", orgBefore.Info, after.Info, err)
		}
	})
	t.Run("link request", func(t *testing.T) {
		refused(t, dev.post(ts.URL+views.ChannelPath(order)+"/link-requests", url.Values{"org_id": {demo.SakuraFoodsID + strings.Repeat(" ", 100<<10)}}))
		if reqs, _, err := ts.db.FindLinkRequests(t.Context(), store.LinkRequestFilter{ChannelID: order}); err != nil || len(reqs) != 0 {
			t.Fatalf("an oversized form stored %d requests (%v)", len(reqs), err)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		body := "--b\r\nContent-Disposition: form-data; name=\"company_name\"\r\n\r\n" + strings.Repeat("x", maxFormBody) + "\r\n--b--\r\n"
		res, err := dev.client.Post(ts.URL+views.ChannelPath(points)+"/business-info", "multipart/form-data; boundary=b", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		refused(t, dev.read(res))
	})
	t.Run("no handler runs, on any route", func(t *testing.T) {
		var ran atomic.Bool
		ts.srv.mux.HandleFunc("POST /test/form", func(http.ResponseWriter, *http.Request) { ran.Store(true) })
		refused(t, newVisitor(t).postRaw(ts.URL+"/test/form", oversized(maxFormBody, nil)))
		if ran.Load() {
			t.Fatal("the handler ran for an oversized form")
		}
		res, body := ts.do(t, "POST", "/test/form", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "HX-Request": {"true"}})
		if res.StatusCode != http.StatusOK || body != "" || !ran.Load() {
			t.Fatalf("a small form did not reach the handler: %d %q", res.StatusCode, body)
		}
	})
	t.Run("unreadable form", func(t *testing.T) {
		p := dev.postRaw(ts.URL+views.ChannelPath(points)+"/business-info", "company_name=%zz")
		if p.res.StatusCode != http.StatusBadRequest {
			t.Fatalf("an unreadable form answered %d", p.res.StatusCode)
		}
	})
}

// What people type is trimmed, then required: white space alone is no
// value, and the form comes back with the reason instead of "saved".
func TestBlankValuesAreRefusedWithTheForm(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	op := ts.signedIn(t, ts.demo.Operator.ID)
	points := ts.channelID(t, "Sakura Points")
	before, err := ts.db.FindChannelByID(t.Context(), points)
	if err != nil {
		t.Fatal(err)
	}
	blank := url.Values{"company_name": {"   "}, "address": {" \u3000 "}}

	p := dev.post(ts.URL+views.ChannelPath(points)+"/business-info", blank)
	if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#company_name-error").Text(), "Enter the company name") ||
		!strings.Contains(p.doc.Find("#address-error").Text(), "address") {
		t.Fatalf("a blank channel draft: %d %q; want both fields told", p.res.StatusCode, p.doc.Find("main").Text())
	}
	if after, _ := ts.db.FindChannelByID(t.Context(), points); after.Draft != before.Draft {
		t.Fatalf("a blank draft was saved: %+v", after.Draft)
	}

	orgBefore, err := ts.db.FindOrganizationByID(t.Context(), demo.HanamiRetailID)
	if err != nil {
		t.Fatal(err)
	}
	p = boss.post(ts.URL+views.OrganizationPath(demo.HanamiRetailID)+"/business-info", url.Values{"company_name": {"Hanami Retail K.K."}, "address": {"   "}})
	if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#address-error").Text(), "Enter the address") {
		t.Fatalf("a blank organization address: %d %q", p.res.StatusCode, p.doc.Find("main").Text())
	}
	if after, _ := ts.db.FindOrganizationByID(t.Context(), demo.HanamiRetailID); after.Info != orgBefore.Info {
		t.Fatalf("a blank address was saved: %+v", after.Info)
	}

	// An operator's blank rejection reason keeps the queues page, with the
	// reason next to the item's form.
	fixed := url.Values{"company_name": {"Sakura Foods K.K."}, "address": {"1-2-3 Marunouchi, Chiyoda-ku, Tokyo"}, "developer_is_service_company": {"on"},
		"company_country": {"JP"}}
	if r := dev.post(ts.URL+views.ChannelPath(points)+"/business-info", fixed); r.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving a draft answered %d: %q", r.res.StatusCode, r.doc.Find("main").Text())
	}
	if r := dev.post(ts.URL+views.ChannelPath(points)+"/mini-app-review", nil); r.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submitting for review answered %d", r.res.StatusCode)
	}
	p = op.post(ts.URL+"/operator/channels/"+strconv.FormatInt(points, 10)+"/reject", url.Values{"reason": {"  "}})
	item := p.doc.Find(`#mini-app-queue .queue-item[data-channel-id="` + strconv.FormatInt(points, 10) + `"]`)
	if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(item.Find("#reason-error").Text(), "Give the reason") {
		t.Fatalf("a blank rejection reason: %d, the item says %q", p.res.StatusCode, item.Text())
	}
	if ch, _ := ts.db.FindChannelByID(t.Context(), points); ch.MiniAppReview != "pending" {
		t.Fatalf("a blank reason decided the review: %q", ch.MiniAppReview)
	}
	// Sent again once decided (the back button), it is no longer in the
	// queue to hold the form: the error page says why.
	reject := ts.URL + "/operator/channels/" + strconv.FormatInt(points, 10) + "/reject"
	if r := op.post(reject, url.Values{"reason": {"the address differs"}}); r.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rejecting answered %d", r.res.StatusCode)
	}
	again := op.post(reject, url.Values{"reason": {"the address differs"}})
	if again.res.StatusCode != http.StatusConflict || again.doc.Find(".error-message").Text() == "" {
		t.Errorf("rejecting again: %d %q", again.res.StatusCode, again.doc.Find(".error-message").Text())
	}
}

// Every field has a length limit (LINE's where LINE has one), control
// characters are refused everywhere, and nothing is stored.
func TestLengthLimitsAndControlCharacters(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	raw := rawDB(t)
	tables := func() string { return dbtest.Tables(t, raw, "providers", "channels", "official_accounts", "audit_log") }
	before := tables()
	provider := ""
	if p := dev.get(ts.URL + "/channels/new"); true {
		provider = p.doc.Find(`#provider_id option`).First().AttrOr("value", "")
	}
	register := url.Values{"kind": {"login"}, "line_channel_id": {"2009999901"}, "region": {"JP"}, "provider_id": {provider}}
	cases := []struct {
		name, path string
		form       url.Values
		field      string
		want       string
	}{
		{"a 60,000-character channel name", "/channels", with(register, "name", strings.Repeat("x", 60000)), "name", "at most 100 characters"},
		{"a NUL byte in a name", "/channels", with(register, "name", "Sakura\x00Order"), "", "control character"},
		{"a line break in a name", "/channels", with(register, "name", "Sakura\nOrder"), "", "control character"},
		{"text that isn't UTF-8", "/channels", with(register, "name", "Sakura \xff"), "", "UTF-8"},
		{"a basic ID of 300 letters", "/official-accounts", url.Values{"basic_id": {"@" + strings.Repeat("a", 300)}, "name": {"x"}, "plan": {"th_free"}}, "basic_id", "up to 18"},
		{"an account name over 20 characters", "/official-accounts", url.Values{"basic_id": {"@sakuranew"}, "name": {strings.Repeat("名", 21)}, "plan": {"th_free"}}, "name", "at most 20 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := dev.post(ts.URL+c.path, c.form)
			msg := p.doc.Find("main").Text()
			if c.field != "" {
				msg = p.doc.Find("#" + c.field + "-error").Text()
			}
			if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, c.want) {
				t.Fatalf("answered %d with %q; want 422 saying %q", p.res.StatusCode, msg, c.want)
			}
			if after := tables(); after != before {
				t.Fatal("a refused form changed the database")
			}
		})
	}
}

// A tab pasted into a field (a name copied from a spreadsheet) is taken as
// a space, not refused with the whole form.
func TestTabInAFieldIsASpace(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	provider := dev.get(ts.URL+"/channels/new").doc.Find(`#provider_id option`).First().AttrOr("value", "")
	p := dev.post(ts.URL+"/channels", url.Values{"kind": {"login"}, "line_channel_id": {"2009999902"}, "region": {"JP"}, "provider_id": {provider},
		"name": {"Sakura\tTabbed\t"}})
	if p.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a name with a tab answered %d: %.200s", p.res.StatusCode, p.doc.Find("main").Text())
	}
	if got := dev.follow(p).doc.Find("h1").Text(); !strings.Contains(got, "Sakura Tabbed") {
		t.Errorf("the channel's page is titled %q, want the name with a space for its tab, the trailing one trimmed", got)
	}
}

// with is form with name set to value.
func with(form url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = v
	}
	out.Set(name, value)
	return out
}

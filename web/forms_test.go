package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

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

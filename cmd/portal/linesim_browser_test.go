package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lineportal/internal/simulated"
)

// response_mode=form_post in a real browser: the simulator's page submits
// itself (its script allowed by the page's CSP hash) and the browser posts
// the code and state to the client's callback.
func TestBrowser_FormPostResponseMode(t *testing.T) {
	posted := make(chan url.Values, 1)
	client := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/cb" && r.ParseForm() == nil {
			posted <- r.PostForm
		}
		fmt.Fprint(w, `<!DOCTYPE html><title>client</title><p id="received">received</p>`)
	}))
	t.Cleanup(client.Close)
	base := startLinesim(t, map[string]string{
		"LINESIM_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef",
		"LINESIM_REDIRECT_URIS":  client.URL + "/cb",
	})
	q := url.Values{
		"response_type": {"code"}, "client_id": {simulated.LoginChannelID}, "redirect_uri": {client.URL + "/cb"},
		"state": {"st4te"}, "scope": {"profile openid"}, "response_mode": {"form_post"}, "ui_locales": {"ja"},
	}
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(base+"/oauth2/v2.1/authorize?"+q.Encode()))
	answerLINELogin(t, b, demoDeveloperID, false)
	select {
	case form := <-posted:
		if form.Get("code") == "" || form.Get("state") != "st4te" || len(form) != 2 {
			t.Errorf("the client received %v, want code and state", form)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the browser posted nothing to the client's callback")
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("browser console errors (a CSP violation shows here): %v", errs)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// This file is the untimed setup's side of the portal: signing in through
// the simulator's LINE Login screens and sending link requests, with plain
// HTTP as a browser without JavaScript would (see web/signin_test.go).

// setupTimeout bounds each setup request, so a stuck portal fails the
// setup instead of hanging it.
const setupTimeout = 10 * time.Second

// browser is a client with a cookie jar that does not follow redirects, so
// each step of a flow can be checked.
type browser struct {
	client *http.Client
}

func newBrowser(tr http.RoundTripper) *browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &browser{client: &http.Client{
		Transport:     tr,
		Jar:           jar,
		Timeout:       setupTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a fully read response.
type page struct {
	url    *url.URL
	status int
	header http.Header
	body   []byte
}

func (b *browser) do(ctx context.Context, method, rawURL string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return page{}, fmt.Errorf("%s %s: read body: %w", method, rawURL, err)
	}
	return page{url: req.URL, status: res.StatusCode, header: res.Header, body: data}, nil
}

// redirect returns the absolute target of a redirect response.
func (p page) redirect() (string, error) {
	loc := p.header.Get("Location")
	if p.status < 300 || p.status > 399 || loc == "" {
		return "", fmt.Errorf("%s answered %d, not a redirect: %.300s", p.url, p.status, p.body)
	}
	u, err := p.url.Parse(loc)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// follow GETs the target of the redirect p.
func (b *browser) follow(ctx context.Context, p page) (page, error) {
	to, err := p.redirect()
	if err != nil {
		return page{}, err
	}
	return b.do(ctx, http.MethodGet, to, nil)
}

// submit posts the page's first form as a browser would, with set
// overriding its fields (a button's name and value included).
func (b *browser) submit(ctx context.Context, p page, set url.Values) (page, error) {
	action, values, err := formPost(p.url, p.body, set)
	if err != nil {
		return page{}, err
	}
	return b.do(ctx, http.MethodPost, action, values)
}

// formPost returns where and what a browser posts for the first form of the
// HTML page at pageURL: its inputs' values (radios and checkboxes only when
// checked) with set overriding them.
func formPost(pageURL *url.URL, html []byte, set url.Values) (string, url.Values, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
	if err != nil {
		return "", nil, err
	}
	form := doc.Find("form").First()
	if form.Length() == 0 {
		return "", nil, fmt.Errorf("no form on %s: %.300s", pageURL, html)
	}
	values := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		name := in.AttrOr("name", "")
		typ := in.AttrOr("type", "text")
		if name == "" || ((typ == "radio" || typ == "checkbox") && !in.Is("[checked]")) {
			return
		}
		values.Set(name, in.AttrOr("value", ""))
	})
	for k, v := range set {
		values[k] = v
	}
	action, err := pageURL.Parse(form.AttrOr("action", ""))
	if err != nil {
		return "", nil, err
	}
	return action.String(), values, nil
}

// signIn signs in to the portal at baseURL as the simulated LINE user
// userID, through the simulator's screens: pick the user, allow (declining
// the add-friend option), back to the portal's callback. It returns the
// Cookie header of the new session.
func signIn(ctx context.Context, tr http.RoundTripper, baseURL, userID string) (http.Header, error) {
	b := newBrowser(tr)
	start, err := b.do(ctx, http.MethodGet, baseURL+"/login?next=/", nil)
	if err != nil {
		return nil, err
	}
	pick, err := b.follow(ctx, start) // the simulator's authorize screen
	if err != nil {
		return nil, err
	}
	picked, err := b.submit(ctx, pick, url.Values{"user": {userID}, "action": {"next"}})
	if err != nil {
		return nil, err
	}
	consent, err := b.follow(ctx, picked)
	if err != nil {
		return nil, err
	}
	back, err := b.submit(ctx, consent, url.Values{"action": {"allow"}})
	if err != nil {
		return nil, err
	}
	if to, _ := back.redirect(); strings.Contains(to, "/add-friend") {
		// bot_prompt=aggressive asks on a screen of its own.
		if back, err = b.follow(ctx, back); err == nil {
			back, err = b.submit(ctx, back, url.Values{"action": {"skip"}})
		}
		if err != nil {
			return nil, err
		}
	}
	to, err := back.redirect()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(to, baseURL+"/auth/callback?") {
		return nil, fmt.Errorf("LINE Login sent the browser to %s, not the portal's callback", to)
	}
	if _, err := b.do(ctx, http.MethodGet, to, nil); err != nil {
		return nil, err
	}
	// Check the session works, on a page only a signed-in admin sees.
	if p, err := b.do(ctx, http.MethodGet, baseURL+"/profile", nil); err != nil {
		return nil, err
	} else if p.status != http.StatusOK {
		return nil, fmt.Errorf("signed in as %s, but /profile answered %d", userID, p.status)
	}
	base, _ := url.Parse(baseURL)
	var pairs []string
	for _, c := range b.client.Jar.Cookies(base) {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	return http.Header{"Cookie": {strings.Join(pairs, "; ")}}, nil
}

// sendLinkRequest sends a link request from the channel to the
// organization as the admin whose session is in cookie, and returns the
// token of the URL issued (the portal shows it this once).
func sendLinkRequest(ctx context.Context, client *http.Client, baseURL string, cookie http.Header, channelID int64, orgID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	req, err := newSendRequest(ctx, baseURL, cookie, channelID, orgID)
	if err != nil {
		return "", err
	}
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	body, err := followSend(ctx, client, cookie, res)
	if err != nil {
		return "", err
	}
	return issuedToken(body)
}

// followSend follows the answer to "Send a link request" (POST-redirect-
// GET) as a browser does: the channel's page, with the cookie that carries
// the new URL's token to it, and returns that page.
func followSend(ctx context.Context, client *http.Client, cookie http.Header, res *http.Response) ([]byte, error) {
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	loc, err := res.Location()
	if res.StatusCode != http.StatusSeeOther || err != nil {
		return nil, fmt.Errorf("POST %s: status %d: %.300s", res.Request.URL.Path, res.StatusCode, body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header = cookie.Clone()
	for _, c := range res.Cookies() {
		req.Header.Add("Cookie", c.Name+"="+c.Value)
	}
	page, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer page.Body.Close()
	body, err = io.ReadAll(page.Body)
	if err != nil {
		return nil, err
	}
	if page.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d: %.300s", loc.Path, page.StatusCode, body)
	}
	return body, nil
}

// newSendRequest is the form post of the channel page's "Send link
// request", shared by the setup and the send-link-request scenario.
func newSendRequest(ctx context.Context, baseURL string, cookie http.Header, channelID int64, orgID string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/channels/%d/link-requests", baseURL, channelID),
		strings.NewReader(url.Values{"org_id": {orgID}}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header = cookie.Clone()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// issuedToken returns the token of the link request URL (/link/{token})
// that the page shows in its #link-request-url field.
func issuedToken(html []byte) (string, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
	if err != nil {
		return "", err
	}
	raw, ok := doc.Find("#link-request-url").Attr("value")
	if !ok {
		return "", fmt.Errorf("no #link-request-url on the page: %.300s", html)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	token, ok := strings.CutPrefix(u.Path, "/link/")
	if !ok || token == "" || strings.Contains(token, "/") {
		return "", fmt.Errorf("link request URL %q is not /link/{token}", raw)
	}
	return token, nil
}

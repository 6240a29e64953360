package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"lineportal/internal/dataset"
	"lineportal/internal/simulated"
)

// fixture is what the scenarios need to build their requests. The data
// scenarios (issue 4) need, once the portal runs on the generated data
// set, its layout, the concurrency, and sessions of the demo people as
// Cookie headers; the webhook scenario (issue 6) the concurrency and its
// channel.
type fixture struct {
	webhook webhookChannel
	layout  dataset.Layout
	workers int           // the load's concurrency
	runTime time.Duration // warm-up plus measured time of one scenario
	// developer is the demo developer, Admin of every bench channel.
	developer http.Header
	// orgAdmin is the demo organization administrator (Ken Sato).
	orgAdmin http.Header
}

// newFixture signs the demo people in to the portal at baseURL.
func newFixture(ctx context.Context, tr http.RoundTripper, baseURL string, l dataset.Layout, workers int, runTime time.Duration) (fixture, error) {
	fx := fixture{layout: l, workers: workers, runTime: runTime}
	people, err := simulated.DemoPeople()
	if err != nil {
		return fx, err
	}
	if fx.developer, err = signIn(ctx, tr, baseURL, people.Developer.LINEUserID); err != nil {
		return fx, fmt.Errorf("sign in as the developer: %w", err)
	}
	if fx.orgAdmin, err = signIn(ctx, tr, baseURL, people.OrgAdmin.LINEUserID); err != nil {
		return fx, fmt.Errorf("sign in as the organization administrator: %w", err)
	}
	return fx, nil
}

// dataScenarios are issue 4's rows: the pages that list the most rows, and
// the two writes of the link lifecycle, on 100,000 channels and 1,000,000
// link requests.
func dataScenarios(fx fixture) []Scenario {
	l := fx.layout
	org := "/organizations/" + dataset.BigOrgID
	page := func(name, path string, who http.Header) Scenario {
		return Scenario{Name: name, Path: path, Header: who, Want: http.StatusOK, PortalOnly: true, Data: true, Workers: 1}
	}
	return []Scenario{
		// The Business Manager link tab of the channel with the most link
		// requests (100,009): its newest requests and reviews.
		page("channel-page", fmt.Sprintf("/channels/%d", l.DeepChannel()), fx.developer),
		// The organization's "Accounts & channels" (20,000 links): the first
		// page, a page halfway down, and Rejected ones halfway down.
		page("accounts-page", org, fx.orgAdmin),
		page("accounts-page-deep", org+"?after="+l.MidLinkCursor(), fx.orgAdmin),
		page("accounts-rejected-deep", org+"?review=rejected&after="+l.MidLinkCursor(), fx.orgAdmin),
		// The same two pages with -concurrency requests in flight: issue
		// 15's latency target, which includes the wait for a core.
		crowded(page("channel-page-crowded", fmt.Sprintf("/channels/%d", l.DeepChannel()), fx.developer)),
		crowded(page("accounts-page-crowded", org, fx.orgAdmin)),
		sendScenario(fx),
		approveScenario(fx),
	}
}

// crowded runs sc at the load's concurrency instead of one at a time.
func crowded(sc Scenario) Scenario {
	sc.Workers = 0
	return sc
}

// sendScenario sends link requests as the channels' Admin. Each issues a
// URL and replaces the channel's pending request (every send channel has
// one). Workers interleave over the channels, so every request goes to
// another channel and no row is hot. A send answers with the redirect to
// the channel's page (POST-redirect-GET); that page is not timed.
func sendScenario(fx fixture) Scenario {
	return Scenario{
		Name: "send-link-request", Want: http.StatusSeeOther, PortalOnly: true, Data: true, Unit: "link requests", Raw: &rawCommitLoop,
		Build: func(ctx context.Context, baseURL string, worker, seq int) (*http.Request, error) {
			return newSendRequest(ctx, baseURL, fx.developer, fx.layout.SendChannel(seq*fx.workers+worker), dataset.BigOrgID)
		},
	}
}

// approveScenario approves link requests as the organization
// administrator. An approval uses its URL up (a second one answers 409),
// so the setup sends one request per approve channel over HTTP, untimed,
// and each timed request approves a token no other request has.
func approveScenario(fx fixture) Scenario {
	pool := &tokenPool{}
	return Scenario{
		Name: "approve", Method: http.MethodPost, Want: http.StatusSeeOther, PortalOnly: true, Data: true, Unit: "approvals", Raw: &rawCommitLoop,
		Setup: func(ctx context.Context, client *http.Client, baseURL string) error {
			// How many URLs the run uses depends on how much faster
			// approving is than issuing (a send and the page that shows its
			// URL), which varies: on the 2-core machine this was written on,
			// approvals ran at up to seven times that rate once statements
			// kept their plans (eight times the run time ran out). Issuing
			// for sixteen times the run time, or until every approve channel
			// has its URL, leaves a margin; running out fails the run loudly
			// rather than measuring less.
			t0 := time.Now()
			tokens, err := issueTokens(ctx, client, baseURL, fx, 16*fx.runTime)
			if err != nil {
				return err
			}
			pool.tokens = tokens
			fmt.Fprintf(os.Stderr, "approve: issued %d link request URLs in %.1fs (untimed)\n", len(tokens), time.Since(t0).Seconds())
			return nil
		},
		Build: func(ctx context.Context, baseURL string, _, _ int) (*http.Request, error) {
			token, err := pool.take()
			if err != nil {
				return nil, err
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/link/"+token, nil)
			if err != nil {
				return nil, err
			}
			req.Header = fx.orgAdmin.Clone()
			return req, nil
		},
	}
}

// issueTokens sends link requests from the approve channels, in order,
// with fx.workers concurrent senders, until budget has passed or every
// approve channel has one, and returns the tokens of the URLs issued.
func issueTokens(ctx context.Context, client *http.Client, baseURL string, fx fixture, budget time.Duration) ([]string, error) {
	deadline := time.Now().Add(budget)
	var (
		next   atomic.Int64
		mu     sync.Mutex
		tokens []string
		errs   []error
		wg     sync.WaitGroup
	)
	for range fx.workers {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= fx.layout.Approve {
					return
				}
				token, err := sendLinkRequest(ctx, client, baseURL, fx.developer, fx.layout.ApproveChannel(i), dataset.BigOrgID)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					tokens = append(tokens, token)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return nil, fmt.Errorf("issue link request URLs: %w", err)
	}
	return tokens, nil
}

// tokenPool hands out each pre-issued token once, to whichever worker asks
// first. tokens is set before the workers start and never changed after.
type tokenPool struct {
	tokens []string
	next   atomic.Int64
}

func (p *tokenPool) take() (string, error) {
	i := p.next.Add(1) - 1
	if i >= int64(len(p.tokens)) {
		return "", fmt.Errorf("all %d pre-issued link request URLs are used up", len(p.tokens))
	}
	return p.tokens[i], nil
}

package linenotice_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lineportal/internal/demo"
	"lineportal/internal/line"
	"lineportal/internal/linenotice"
	"lineportal/internal/linesim"
	"lineportal/internal/locale"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/internal/simulated"
	"lineportal/store"
)

var ctx = context.Background()

// world is the demo on the simulator, with the portal's notices going by
// LINE: Aoi (en) develops Sakura Order and wants every kind by LINE; Ken
// (ja), Mika (th) and Yui (en, who turned link requests off) administer
// Sakura Foods. All four are friends of the portal's Official Account.
type world struct {
	db                        *store.DB
	path                      string
	sim                       *linesim.Server
	oa                        linesim.OfficialAccount
	token                     string // the portal Official Account's channel token
	platform                  *line.Platform
	lose                      *losingTransport
	aoi, ken, mika, yui       portal.Admin
	sakuraOrder, sakuraPoints portal.Channel
}

// losingTransport passes requests to the simulator and, when armed, loses
// the next push's answer after the simulator took it: a timeout after
// LINE accepted the message.
// It counts the reads of the quota.
type losingTransport struct {
	armed      atomic.Bool
	quotaReads atomic.Int64
}

func (l *losingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/v2/bot/message/quota") {
		l.quotaReads.Add(1)
	}
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.URL.Path == "/v2/bot/message/push" && l.armed.CompareAndSwap(true, false) {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return nil, errors.New("the answer was lost")
	}
	return res, err
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{path: filepath.Join(t.TempDir(), "portal.db"), lose: &losingTransport{}}
	db, err := store.Open(ctx, w.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	box, err := secret.New([32]byte{3})
	if err != nil {
		t.Fatal(err)
	}
	p, err := simulated.Start(ctx, db, box, simulated.Options{SimulatorURL: ts.URL, Serve: func(h http.Handler) { mux.Handle("/", h) },
		PortalURL: "https://portal.example", SimulatorClock: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Simulator.Close() })
	w.sim, w.oa, w.token = p.Simulator, p.Users.OfficialAccount, p.Users.OAChannelToken
	w.platform, err = line.NewPlatform(line.PlatformConfig{APIBaseURL: ts.URL, ManagerBaseURL: ts.URL, BotIDHeader: linesim.DefaultBotIDHeader,
		HTTPClient: &http.Client{Transport: w.lose, Timeout: 10 * time.Second}, Now: p.Now})
	if err != nil {
		t.Fatal(err)
	}
	person := func(u linesim.User, lang string) portal.Admin {
		t.Helper()
		yes := true
		if err := w.sim.SetFriendship(u.ID, w.oa.BotID, linesim.FriendshipFriend); err != nil {
			t.Fatal(err)
		}
		a, err := db.SignIn(ctx, portal.SignIn{LINEUserID: u.ID, Name: u.Name, FriendFlag: &yes})
		if err == nil {
			err = db.SetAdminSettings(ctx, a.ID, lang, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		a.Language = lang
		return a
	}
	w.aoi, w.ken = person(p.Users.Developer, "en"), person(p.Users.OrganizationAdministrator, "ja")
	w.mika, w.yui = person(p.Users.Operator, "th"), person(p.Users.DeveloperAndAdministrator, "en")
	for _, a := range []portal.Admin{w.mika, w.yui} {
		if err := db.AddOrganizationAdmin(ctx, w.ken, demo.SakuraFoodsID, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	every := portal.LINEChoices{}
	for _, k := range portal.NoticeKinds {
		every[k] = true
	}
	noRequests := portal.DefaultLINEChoices()
	noRequests[portal.NoticeLinkRequest] = false
	if err := db.SetLINEChoices(ctx, w.aoi.ID, every); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLINEChoices(ctx, w.yui.ID, noRequests); err != nil {
		t.Fatal(err)
	}
	channels, _, err := db.FindChannels(ctx, store.ChannelFilter{Actor: w.aoi, Name: "Sakura"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range channels {
		switch ch.Name {
		case "Sakura Order":
			w.sakuraOrder = ch
		case "Sakura Points":
			w.sakuraPoints = ch
		}
	}
	return w
}

func (w *world) sender(db *store.DB, holder string) *linenotice.Sender {
	base, _ := url.Parse("https://portal.example")
	return &linenotice.Sender{DB: db, LINE: w.platform, Token: w.token, BaseURL: base, Holder: holder, LeaseFor: time.Minute,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// otherInstance is the database as a second portal instance opens it, on
// the simulator's clock.
func (w *world) otherInstance(t *testing.T) *store.DB {
	t.Helper()
	other, err := store.Open(ctx, w.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	other.Now = w.sim.Now
	return other
}

// turn runs one sender's turn after the batching window.
func (w *world) turn(t *testing.T, s *linenotice.Sender) linenotice.Result {
	t.Helper()
	if err := w.sim.AdvanceClock(portal.LINEBatchWindow); err != nil {
		t.Fatal(err)
	}
	r, err := s.Turn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// pushes are the simulator's record of pushes from the portal's Official
// Account since mark, by recipient.
func (w *world) pushes(mark int) map[string][]string {
	got := map[string][]string{}
	for _, p := range w.sim.Pushes()[mark:] {
		if p.BotID == w.oa.BotID {
			got[p.To] = append(got[p.To], strings.Join(p.Texts, "|"))
		}
	}
	return got
}

// sendRequest sends Aoi's link request for ch to Sakura Foods.
func (w *world) sendRequest(t *testing.T, ch portal.Channel) (portal.LinkRequest, string) {
	t.Helper()
	req, token, err := w.db.SendLinkRequest(ctx, w.aoi, ch.ID, demo.SakuraFoodsID)
	if err != nil {
		t.Fatal(err)
	}
	return req, token
}

// expected is the message a person gets for their n newest notices (the
// demo's own are older), as their language writes it.
func (w *world) expected(t *testing.T, a portal.Admin, n int, path string) string {
	t.Helper()
	ns, _, err := w.db.FindNotices(ctx, a.ID, store.Page{})
	if err != nil || len(ns) < n {
		t.Fatalf("%s has %d notices (%v)", a.Name, len(ns), err)
	}
	ns = ns[:n]
	slices.Reverse(ns)
	return locale.New(a.Language, "").LINENotices(ns, "https://portal.example"+path)
}

// countNotices counts a person's notices in the portal.
func (w *world) countNotices(t *testing.T, a portal.Admin) int {
	t.Helper()
	ns, _, err := w.db.FindNotices(ctx, a.ID, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return len(ns)
}

// Each event's LINE message reaches exactly its people, once, in their
// language; a person who turned the kind off gets none but still sees the
// notice in the portal. A push whose answer was lost is pushed again with
// the same retry key: LINE answers 409, the portal counts it sent, and
// the simulator recorded one push.
func TestSender_EachEventReachesItsPeopleOnceInTheirLanguage(t *testing.T) {
	w := newWorld(t)
	s := w.sender(w.db, "a")
	mark := len(w.sim.Pushes())

	req, token := w.sendRequest(t, w.sakuraOrder)
	approval := "/organizations/" + demo.SakuraFoodsID + "/link-requests/" + strconv.FormatInt(req.ID, 10)
	wantKen, wantMika := w.expected(t, w.ken, 1, approval), w.expected(t, w.mika, 1, approval)
	if r := w.turn(t, s); r.Pushed != 2 || !r.Held {
		t.Errorf("turn after the link request: %+v", r)
	}
	got := w.pushes(mark)
	want := map[string][]string{w.ken.LINEUserID: {wantKen}, w.mika.LINEUserID: {wantMika}}
	if !equalPushes(got, want) {
		t.Fatalf("pushes after the link request:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(wantKen, "接続をリクエストしました") || !strings.Contains(wantMika, "ส่งคำขอลิงก์") {
		t.Errorf("not in the recipients' languages:\n%s\n%s", wantKen, wantMika)
	}
	if ns, _, _ := w.db.FindNotices(ctx, w.yui.ID, store.Page{}); len(ns) == 0 || ns[0].Kind != portal.NoticeLinkRequest || ns[0].Params["Channel"] != "Sakura Order" {
		t.Errorf("Yui, who turned link requests off, has no notice of it in the portal: %+v", ns)
	}

	// Ken approves: Aoi hears of the approval and the review's outcome in
	// one message. Its first push's answer is lost.
	mark = len(w.sim.Pushes())
	if _, err := w.db.ApproveLinkRequest(ctx, w.ken, token); err != nil {
		t.Fatal(err)
	}
	wantAoi := w.expected(t, w.aoi, 2, "/notifications")
	w.lose.armed.Store(true)
	if r := w.turn(t, s); r.Pushed != 0 || r.Kept != 1 {
		t.Errorf("turn whose answer was lost: %+v", r)
	}
	if r, err := s.Turn(ctx); err != nil || r.Pushed != 1 {
		t.Errorf("turn again: %+v, %v", r, err)
	}
	if r, err := s.Turn(ctx); err != nil || r.Pushed+r.Kept+r.Failed != 0 {
		t.Errorf("a third turn sent: %+v, %v", r, err)
	}
	got = w.pushes(mark)
	if want := map[string][]string{w.aoi.LINEUserID: {wantAoi}}; !equalPushes(got, want) {
		t.Errorf("pushes after the approval:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(wantAoi, "Notifications from the portal (2)") {
		t.Errorf("Aoi's message: %s", wantAoi)
	}
}

// Near the end of the month's quota, approval requests go by LINE and the
// rest wait in the portal.
func TestSender_NearTheQuotaApprovalRequestsFirst(t *testing.T) {
	w := newWorld(t)
	s := w.sender(w.db, "a")
	if err := w.sim.SetQuota(w.oa.BotID, linesim.Quota{Limited: true, Limit: 200, Usage: 170}); err != nil {
		t.Fatal(err)
	}
	mark, aoiBefore := len(w.sim.Pushes()), w.countNotices(t, w.aoi)
	// Aoi's news (an approved request, whose own approval requests are
	// settled), then a request that waits for Ken and Mika.
	_, token := w.sendRequest(t, w.sakuraOrder)
	if _, err := w.db.ApproveLinkRequest(ctx, w.ken, token); err != nil {
		t.Fatal(err)
	}
	w.sendRequest(t, w.sakuraPoints)
	if r := w.turn(t, s); r.Pushed != 2 {
		t.Errorf("turn: %+v", r)
	}
	got := w.pushes(mark)
	if len(got) != 2 || len(got[w.ken.LINEUserID]) != 1 || len(got[w.mika.LINEUserID]) != 1 {
		t.Errorf("pushes: %q; want Ken's and Mika's approval requests only", got)
	}
	if n := w.countNotices(t, w.aoi) - aoiBefore; n != 2 {
		t.Errorf("Aoi has %d new notices in the portal, want 2", n)
	}
	// They wait in the portal: later turns do not send them.
	if r := w.turn(t, s); r.Pushed != 0 {
		t.Errorf("a later turn pushed %d", r.Pushed)
	}
}

// Two portal instances on one database, each with its sender: one turn
// holds the lease and each message goes once.
func TestSender_OnceWithTwoInstances(t *testing.T) {
	w := newWorld(t)
	other := w.otherInstance(t)
	senders := []*linenotice.Sender{w.sender(w.db, "a"), w.sender(other, "b")}
	mark := len(w.sim.Pushes())
	w.sendRequest(t, w.sakuraOrder)
	if err := w.sim.AdvanceClock(portal.LINEBatchWindow); err != nil {
		t.Fatal(err)
	}
	results := make([]linenotice.Result, 2)
	var wg sync.WaitGroup
	for i, s := range senders {
		wg.Go(func() {
			r, err := s.Turn(ctx)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	if results[0].Held == results[1].Held || results[0].Pushed+results[1].Pushed != 2 {
		t.Errorf("turns: %+v and %+v; want one holder pushing two messages", results[0], results[1])
	}
	got := w.pushes(mark)
	if len(got) != 2 || len(got[w.ken.LINEUserID]) != 1 || len(got[w.mika.LINEUserID]) != 1 {
		t.Errorf("pushes: %q", got)
	}
}

// An instance that does not hold the sender's lease does not ask LINE
// for the quota, even with messages due.
func TestSender_OnlyTheLeaseHolderReadsTheQuota(t *testing.T) {
	w := newWorld(t)
	other := w.otherInstance(t)
	a, b := w.sender(w.db, "a"), w.sender(other, "b")
	a.LeaseFor = time.Hour
	w.sendRequest(t, w.sakuraOrder)
	if r := w.turn(t, a); !r.Held || r.Pushed != 2 || w.lose.quotaReads.Load() == 0 {
		t.Fatalf("a's turn: %+v, %d reads of the quota", r, w.lose.quotaReads.Load())
	}
	reads := w.lose.quotaReads.Load()
	w.sendRequest(t, w.sakuraPoints)
	if r := w.turn(t, b); r.Held || r.Pushed != 0 {
		t.Errorf("b's turn while a holds the lease: %+v", r)
	}
	if n := w.lose.quotaReads.Load() - reads; n != 0 {
		t.Errorf("b, without the lease, read the quota %d times", n)
	}
	if r, err := a.Turn(ctx); err != nil || r.Pushed != 2 {
		t.Errorf("a's next turn: %+v, %v", r, err)
	}
}

func equalPushes(got, want map[string][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			return false
		}
	}
	return true
}

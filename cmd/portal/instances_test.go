package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the test's own queries

	"lineportal/internal/linesim"
	"lineportal/internal/pgtest"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/internal/simulated"
	"lineportal/store"
)

// TestMain lets the test binary stand in for the portal binary: the
// multi-instance test starts it as `portal serve` and `portal linesim`
// processes.
func TestMain(m *testing.M) {
	if os.Getenv("PORTAL_TEST_RUN_AS_PORTAL") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const (
	instancesSessionKey = "instances-session-key-0123456789abcdef"
	instancesSecretKey  = "instances-secret-key-0123456789abcdef"
	instancesSimSecret  = "0123456789abcdef0123456789abcdef"
)

// Three `portal serve` processes on one PostgreSQL database and one
// `portal linesim`, behind a load balancer, behave as one portal.
func TestSeveralInstancesOnOnePostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and four processes")
	}
	cluster := pgtest.StartFor(t)
	dbURL, err := cluster.CreateDatabase(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	addrs := []string{freeAddr(t), freeAddr(t), freeAddr(t)}
	lb := newBalancer(t, addrs)
	// The simulator registers the callback URL the load balancer serves.
	sim := startProcess(t, "simulator on ", map[string]string{"LINESIM_CHANNEL_SECRET": instancesSimSecret, "LINESIM_REDIRECT_URIS": lb.URL + "/auth/callback"},
		"linesim", "-addr", "127.0.0.1:0")
	demo := linesimDemo(t)
	// The portal's side of the demo: one instance started once with the
	// built-in simulator seeds it, for the demo users portal linesim has too.
	seeder := startProcess(t, "listening on ", map[string]string{
		"PORTAL_ADDR": "127.0.0.1:0", "PORTAL_DB": dbURL, "PORTAL_LOG_LEVEL": "warn",
		"PORTAL_SESSION_KEYS": instancesSessionKey, "PORTAL_SECRET_KEY": instancesSecretKey, "PORTAL_SIMULATOR": "on",
	}, "serve")
	stopProcess(t, seeder)
	instances := make([]*process, len(addrs))
	for i, addr := range addrs {
		instances[i] = startProcess(t, "listening on ", map[string]string{
			"PORTAL_ADDR": addr, "PORTAL_DB": dbURL, "PORTAL_BASE_URL": lb.URL, "PORTAL_LOG_LEVEL": "warn",
			"PORTAL_SESSION_KEYS": instancesSessionKey, "PORTAL_SECRET_KEY": instancesSecretKey,
			"PORTAL_SIMULATOR": "off", "LINE_BOT_PROMPT": "off", "PORTAL_OPERATORS": demo.Operator.ID,
			"LINE_LOGIN_CHANNEL_ID": simulated.LoginChannelID, "LINE_LOGIN_CHANNEL_SECRET": instancesSimSecret,
			"LINE_ACCESS_URL": sim.url, "LINE_API_URL": sim.url, "LINE_MANAGER_URL": sim.url,
		}, "serve")
		waitReady(t, "http://"+addr)
	}

	// Sign in on the first instance (LINE sends the browser back to
	// another: the sign-in flow's cookie opens on any).
	dev, boss := newClient(t, lb), newClient(t, lb)
	dev.signIn(demo.Developer.ID, 0)
	boss.signIn(demo.OrganizationAdministrator.ID, 0)

	// What the demo would hold: a verified MINI App of dev's and a
	// verified organization of boss's.
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	world := seedInstancesWorld(t, db, demo)
	if channels := readAll(dev.do("GET", 2, "/channels", nil)); !strings.Contains(channels, "2007000001") {
		t.Errorf("the developer does not see the demo's channels: %.500s", channels)
	}
	raw, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	countRows := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Send a link request on the second; the page it redirects to shows the
	// URL on the third, which opens the token's sealed cookie as well.
	page := dev.postThenGet(1, 2, fmt.Sprintf("/channels/%d/link-requests", world.channel.ID), url.Values{"org_id": {world.org.ID}})
	token := regexp.MustCompile(`/link/([A-Z2-7]{26})`).FindStringSubmatch(page)
	if token == nil {
		t.Fatalf("no link request URL on the page: %.500s", page)
	}

	// 50 approvals spread over the three instances (the third first): one link.
	var approved, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			switch res := boss.do("POST", (i+2)%3, "/link/"+token[1], nil); {
			case res.StatusCode == http.StatusSeeOther:
				approved.Add(1)
			case res.StatusCode >= 400 && res.StatusCode < 500:
				refused.Add(1)
			default:
				t.Errorf("approval answered %d", res.StatusCode)
			}
		})
	}
	wg.Wait()
	t.Logf("50 approvals: %d approved, %d refused", approved.Load(), refused.Load())
	if approved.Load() != 1 || countRows(`SELECT count(*) FROM links WHERE channel_id = $1`, world.channel.ID) != 1 {
		t.Errorf("%d approvals succeeded (%d refused), %d links; want exactly one", approved.Load(), refused.Load(),
			countRows(`SELECT count(*) FROM links WHERE channel_id = $1`, world.channel.ID))
	}

	// One webhook batch delivered to all three at once: stored once.
	batch := fmt.Appendf(nil, `{"destination":"U0123456789abcdef0123456789abcdef","events":[`+
		`{"type":"message","mode":"active","timestamp":%[1]d,"source":{"type":"user","userId":"%[2]s"},"webhookEventId":"01INSTANCES1","deliveryContext":{"isRedelivery":false},"message":{"type":"text","id":"1","text":"a"}},`+
		`{"type":"message","mode":"active","timestamp":%[1]d,"source":{"type":"user","userId":"%[2]s"},"webhookEventId":"01INSTANCES2","deliveryContext":{"isRedelivery":false},"message":{"type":"text","id":"2","text":"b"}}]}`,
		time.Now().UnixMilli(), demo.Developer.ID)
	mac := hmac.New(sha256.New, []byte(world.moduleSecret))
	mac.Write(batch)
	signature := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, addr := range addrs {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", "http://"+addr+"/webhooks/line/"+world.module.LINEChannelID, bytes.NewReader(batch))
			req.Header.Set("X-Line-Signature", signature)
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != 200 {
				t.Errorf("webhook to %s: %v %v", addr, res, err)
				return
			}
			res.Body.Close()
		})
	}
	wg.Wait()
	if n := countRows(`SELECT count(*) FROM webhook_events WHERE channel_id = $1`, world.module.ID); n != 2 {
		t.Errorf("%d webhook events stored from one batch delivered three times, want 2", n)
	}

	// Stop one instance with SIGTERM while link requests are being sent
	// through the load balancer: no request fails, and every one that was
	// answered is in the database.
	var sent atomic.Int32
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res := dev.do("POST", -1, fmt.Sprintf("/channels/%d/link-requests", world.second.ID), url.Values{"org_id": {world.org.ID}})
				if res.StatusCode != http.StatusSeeOther {
					t.Errorf("a request failed during the shutdown: %d", res.StatusCode)
					return
				}
				sent.Add(1)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	before := sent.Load()
	stopProcess(t, instances[2])
	during := sent.Load() - before
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("link requests sent: %d before the SIGTERM, %d while the instance stopped, %d in all", before, during, sent.Load())
	if n := countRows(`SELECT count(*) FROM link_requests WHERE channel_id = $1`, world.second.ID); n < int(sent.Load()) || sent.Load() == 0 {
		t.Errorf("%d link requests acknowledged, %d in the database", sent.Load(), n)
	}
}

// instancesWorld is what the multi-instance test works on.
type instancesWorld struct {
	channel, second, module portal.Channel
	org                     portal.Organization
	moduleSecret            string
}

func seedInstancesWorld(t *testing.T, db *store.DB, demo linesim.DemoData) instancesWorld {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	admin := func(id string) portal.Admin {
		a, err := db.EnsureAdmin(ctx, id, id)
		must(err)
		return a
	}
	dev, boss, op := admin(demo.Developer.ID), admin(demo.OrganizationAdministrator.ID), admin(demo.Operator.ID)
	op.Operator = true
	info := portal.BusinessInfo{CompanyName: "Acme K.K.", Address: "1-2-3 Chiyoda, Tokyo"}
	provider, err := db.CreateProvider(ctx, dev, "Acme")
	must(err)
	var w instancesWorld
	for i, ch := range []*portal.Channel{&w.channel, &w.second} {
		*ch, err = db.CreateChannelUnderAnyProvider(ctx, dev, portal.Channel{Provider: provider, Kind: portal.KindMiniApp, LINEChannelID: "300000000" + strconv.Itoa(i),
			Name: "Shop " + strconv.Itoa(i), Region: portal.RegionJapan, Draft: portal.MiniAppInfo{ServiceCompany: info, DeveloperIsServiceCompany: true, CompanyCountry: portal.RegionJapan}})
		must(err)
		must(db.SubmitMiniAppReview(ctx, dev, ch.ID))
		must(db.ApproveMiniAppReview(ctx, op, ch.ID))
	}
	w.org, err = db.CreateOrganization(ctx, boss, portal.Organization{Name: "Acme Group", Region: portal.RegionJapan, Info: info, CompanyCountry: portal.RegionJapan})
	must(err)
	must(db.SubmitOrganizationForVerification(ctx, boss, w.org.ID))
	must(db.VerifyOrganization(ctx, op, w.org.ID))
	keys, err := (&Config{SessionKeys: instancesSessionKey, SecretKey: instancesSecretKey}).loadKeys(nil)
	must(err)
	box, err := secret.New(keys.secret)
	must(err)
	w.moduleSecret = "fedcba9876543210fedcba9876543210"
	w.module, err = db.RegisterModuleChannel(ctx, box, dev, portal.Channel{Provider: provider, Kind: portal.KindModule, LINEChannelID: "3000000009",
		Name: "Chat module", Region: portal.RegionJapan}, w.moduleSecret, "module-access-token-0123456789", time.Time{})

	must(err)
	return w
}

// linesimDemo is the simulator's demo data: the same users every
// simulator seeds.
func linesimDemo(t *testing.T) linesim.DemoData {
	t.Helper()
	sim, err := linesim.New(linesim.Config{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	demo, err := sim.SeedDemo(linesim.LoginChannel{ID: simulated.LoginChannelID, Secret: instancesSimSecret, RedirectURIs: []string{"http://127.0.0.1:1/auth/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	return demo
}

// process is the test binary running as the portal binary.
type process struct {
	cmd  *exec.Cmd
	url  string // what it printed after its marker
	out  *lockedBuffer
	done chan error
}

func startProcess(t *testing.T, marker string, vars map[string]string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PORTAL_TEST_RUN_AS_PORTAL=1")
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{cmd: cmd, out: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { stopProcess(t, p) })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, after, ok := strings.Cut(p.out.String(), marker); ok && strings.ContainsAny(after, " \n") {
			p.url = strings.FieldsFunc(after, func(r rune) bool { return r == ' ' || r == '\n' })[0]
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("%v exited: %v\n%s", args, err, p.out.String())
		default:
		}
	}
	t.Fatalf("%v printed no %q:\n%s", args, marker, p.out.String())
	return nil
}

// stopProcess sends SIGTERM and waits for a clean exit.
func stopProcess(t *testing.T, p *process) {
	t.Helper()
	if p.cmd.ProcessState != nil || p.cmd.Process.Signal(syscall.SIGTERM) != nil {
		return
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("%v did not exit cleanly: %v\n%s", p.cmd.Args[1:], err, p.out.String())
		}
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		t.Errorf("%v did not stop after SIGTERM", p.cmd.Args[1:])
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatalf("%s never became ready", base)
}

// balancer is the load balancer in front of the instances. A request
// names the instance it is for (X-Test-Instance) or goes round-robin; one
// an instance does not accept (it has stopped) goes to the next, as
// nginx's proxy_next_upstream error does.
type balancer struct {
	URL      string
	backends []string
	next     atomic.Uint32
}

func newBalancer(t *testing.T, backends []string) *balancer {
	t.Helper()
	b := &balancer{backends: backends}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.URL = "http://" + ln.Addr().String()
	transport := &http.Transport{DisableKeepAlives: true}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		first := int(b.next.Add(1))
		if n, err := strconv.Atoi(r.Header.Get("X-Test-Instance")); err == nil {
			first = n
		}
		for i := range b.backends {
			out := r.Clone(r.Context())
			out.RequestURI = ""
			out.URL.Scheme, out.URL.Host = "http", b.backends[(first+i)%len(b.backends)]
			out.Body = io.NopCloser(bytes.NewReader(body))
			res, err := transport.RoundTrip(out)
			if err != nil {
				continue // not accepted: the next instance
			}
			for k, v := range res.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(res.StatusCode)
			io.Copy(w, res.Body)
			res.Body.Close()
			return
		}
		w.WriteHeader(http.StatusBadGateway)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return b
}

// lbClient is a person's browser without JavaScript, going through the
// load balancer.
type lbClient struct {
	t      *testing.T
	lb     *balancer
	client *http.Client
}

func newClient(t *testing.T, lb *balancer) *lbClient {
	jar, _ := cookiejar.New(nil)
	return &lbClient{t: t, lb: lb, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request to the portal through the load balancer, to the
// given instance (-1: any), and returns the response with its body read.
func (b *lbClient) do(method string, instance int, path string, form url.Values) *http.Response {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.lb.URL+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if instance >= 0 {
		req.Header.Set("X-Test-Instance", strconv.Itoa(instance))
	}
	return b.send(req)
}

func (b *lbClient) send(req *http.Request) *http.Response {
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return &http.Response{StatusCode: 599}
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res
}

// postThenGet submits a form on one instance and follows its redirect on
// another, as a browser does after POST-redirect-GET, and returns the page.
func (b *lbClient) postThenGet(postOn, getOn int, path string, form url.Values) string {
	b.t.Helper()
	res := b.do("POST", postOn, path, form)
	loc, err := res.Location()
	if res.StatusCode != http.StatusSeeOther || err != nil {
		b.t.Fatalf("POST %s answered %d: %.500s", path, res.StatusCode, readAll(res))
	}
	page := b.do("GET", getOn, loc.RequestURI(), nil)
	if page.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s answered %d: %.500s", loc.RequestURI(), page.StatusCode, readAll(page))
	}
	return readAll(page)
}

// signIn walks LINE Login, started on the instance, through the
// simulator's screens as userID; LINE's redirect back goes to the next
// instance.
func (b *lbClient) signIn(userID string, instance int) {
	b.t.Helper()
	res := b.do("GET", instance, "/login", nil)
	for range 10 {
		loc, err := res.Location()
		if err != nil {
			b.t.Fatalf("sign-in stopped at %d: %.500s", res.StatusCode, readAll(res))
		}
		if path, ok := strings.CutPrefix(loc.String(), b.lb.URL); ok {
			res = b.do("GET", (instance+1)%len(b.lb.backends), path, nil)
			if loc, err := res.Location(); err != nil || loc.Path != "/" {
				b.t.Fatalf("the portal's callback answered %d: %.500s", res.StatusCode, readAll(res))
			}
			return
		}
		res = b.send(mustRequest(b.t, "GET", loc.String(), nil))
		if res.StatusCode == http.StatusOK {
			res = b.submitSimulatorForm(res, loc, userID)
		}
	}
	b.t.Fatal("sign-in went round in circles")
}

// submitSimulatorForm answers one of the simulator's screens: picks the
// user, then allows.
func (b *lbClient) submitSimulatorForm(page *http.Response, at *url.URL, userID string) *http.Response {
	b.t.Helper()
	doc, err := goquery.NewDocumentFromReader(page.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	form := doc.Find("form").First()
	values := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		values.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	if form.Find("input[name=user]").Length() > 0 {
		values.Set("user", userID)
		values.Set("action", "next")
	} else {
		values.Set("action", "allow")
	}
	action, _ := url.Parse(form.AttrOr("action", ""))
	req := mustRequest(b.t, "POST", at.ResolveReference(action).String(), strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func mustRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func readAll(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

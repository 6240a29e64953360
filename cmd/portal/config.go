package main

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/web"
)

// Config is the portal's configuration. Every setting has an environment
// variable and a flag of the same meaning; a flag wins over the variable.
type Config struct {
	Addr            string
	DB              string
	BaseURL         string
	SessionKeys     string
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	SecretKey       string
	Operators       string
	LogLevel        string
	LoginChannelID  string
	LoginSecret     string
	BotPrompt       string
	OABasicID       string
	OAName          string
	AccessURL       string
	APIURL          string
	ManagerURL      string
	BotIDHeader     string
	OAChannelToken  string
	OAChannelSecret string
	Simulator       string
	SimulatorAddr   string
	Demo            string
	Pprof           string
	DrainDelay      time.Duration
	MetricsAddr     string
	ClientLimit     web.ClientLimit
	TrustedProxies  string
}

// option is one setting: its variable, its flag, its default and what it
// means. The README's configuration table lists the same rows.
type option struct {
	env, flag, def, usage string
	set                   func(string) error
}

func (c *Config) options() []option {
	return []option{
		{"PORTAL_ADDR", "addr", "127.0.0.1:8080", "listen address", text(&c.Addr)},
		{"PORTAL_DB", "db", "portal.db", "SQLite database file, or a postgres:// URL", text(&c.DB)},
		{"PORTAL_BASE_URL", "base-url", "", "public base URL used in link request URLs and redirect URIs (default http:// + the listen address)", text(&c.BaseURL)},
		{"PORTAL_SESSION_KEYS", "session-keys", "", "session signing keys, newest first, comma-separated, each at least 32 characters", text(&c.SessionKeys)},
		{"PORTAL_SESSION_IDLE", "session-idle", "30m", "a session ends after this long unused", duration(&c.SessionIdle)},
		{"PORTAL_SESSION_MAX", "session-max", "12h", "a session ends this long after sign-in, used or not", duration(&c.SessionAbsolute)},
		{"PORTAL_SECRET_KEY", "secret-key", "", "key that encrypts channel secrets and tokens at rest, at least 32 characters", text(&c.SecretKey)},
		{"PORTAL_OPERATORS", "operators", "", "LINE user IDs of operators, comma-separated", text(&c.Operators)},
		{"PORTAL_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", text(&c.LogLevel)},
		{"LINE_LOGIN_CHANNEL_ID", "line-login-channel-id", "", "the portal's own LINE Login channel ID", text(&c.LoginChannelID)},
		{"LINE_LOGIN_CHANNEL_SECRET", "line-login-channel-secret", "", "the portal's own LINE Login channel secret", text(&c.LoginSecret)},
		{"LINE_BOT_PROMPT", "bot-prompt", "normal", "offer the portal's Official Account at sign-in: normal, aggressive or off", text(&c.BotPrompt)},
		{"LINE_OA_BASIC_ID", "oa-basic-id", "", "basic ID (@…) of the portal's own LINE Official Account, for its add-friend link", text(&c.OABasicID)},
		{"LINE_OA_NAME", "oa-name", "", "display name of the portal's own LINE Official Account", text(&c.OAName)},
		{"LINE_ACCESS_URL", "line-access-url", "https://access.line.me", "LINE Login's issuer and authorization host", text(&c.AccessURL)},
		{"LINE_API_URL", "line-api-url", "https://api.line.me", "LINE's API host", text(&c.APIURL)},
		{"LINE_MANAGER_URL", "line-manager-url", "https://manager.line.biz", "LINE Official Account Manager's host (module attach)", text(&c.ManagerURL)},
		{"LINE_BOT_ID_HEADER", "bot-id-header", "X-Line-Bot-Id", "name of the header that names the bot on module API calls (LINE gives it to Marketplace partners)", text(&c.BotIDHeader)},
		{"LINE_OA_CHANNEL_TOKEN", "oa-channel-token", "", "access token of the portal's Official Account's Messaging API channel, to send link request URLs and notifications via LINE", text(&c.OAChannelToken)},
		{"LINE_OA_CHANNEL_SECRET", "oa-channel-secret", "", "channel secret of the portal's Official Account's Messaging API channel, to receive its webhooks at /webhooks/line/portal-oa: who adds or blocks the account, so that notices go by LINE to its friends as of now, not as of their last sign-in", text(&c.OAChannelSecret)},
		{"PORTAL_SIMULATOR", "simulator", "auto", "auto (on when no LINE credentials are set), on or off", text(&c.Simulator)},
		{"PORTAL_SIMULATOR_ADDR", "simulator-addr", "", "the simulator's listen address (default: the portal's port + 1)", text(&c.SimulatorAddr)},
		{"PORTAL_DEMO", "demo", "on", "on the simulator, add the demo data to the database (on) or leave it empty, as a new installation (off)", text(&c.Demo)},
		{"PORTAL_DRAIN_DELAY", "drain-delay", "0s", "on SIGTERM, answer GET /readyz with 503 for this long before closing the listener, so a load balancer stops sending requests first (e.g. 5s behind one)", delay(&c.DrainDelay)},
		{"PORTAL_CLIENT_LIMIT", "client-limit", "30/1m", "requests a client that is not signed in may make, by address: N at once, earned back over the duration (N/duration), or off", clientLimit(&c.ClientLimit)},
		{"PORTAL_TRUSTED_PROXIES", "trusted-proxies", "", "load balancers and proxies in front of the portal, comma-separated addresses or CIDRs; from them X-Forwarded-For names the client (default none)", text(&c.TrustedProxies)},
		{"PORTAL_METRICS_ADDR", "metrics-addr", "", "serve Prometheus metrics at /metrics on this address; a port alone (:9464) listens on loopback (default off)", text(&c.MetricsAddr)},
		{"PORTAL_PPROF", "pprof", "", "serve Go's pprof profiles and the database's statement counts on this loopback address, e.g. 127.0.0.1:6060 (default off)", text(&c.Pprof)},
	}
}

func text(dst *string) func(string) error {
	return func(v string) error { *dst = v; return nil }
}

func duration(dst *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 30m or 12h", v)
		}
		*dst = d
		return nil
	}
}

func delay(dst *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration such as 0s or 5s", v)
		}
		*dst = d
		return nil
	}
}

func clientLimit(dst *web.ClientLimit) func(string) error {
	return func(v string) error {
		if v == "off" {
			*dst = web.ClientLimit{}
			return nil
		}
		n, per, _ := strings.Cut(v, "/")
		burst, err := strconv.Atoi(n)
		d, err2 := time.ParseDuration(per)
		if err != nil || err2 != nil || burst <= 0 || d <= 0 {
			return fmt.Errorf("%q is not a limit such as 30/1m (30 requests at once, earned back over a minute) or off", v)
		}
		*dst = web.ClientLimit{Burst: burst, Per: d}
		return nil
	}
}

// parseConfig applies the defaults, then the environment, then the flags,
// and validates the result.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	if err := parseOptions(name, c.options(), args, getenv, stderr); err != nil {
		return c, err
	}
	return c, c.validate()
}

// parseOptions sets each option from its default, then its environment
// variable, then its flag.
func parseOptions(name string, opts []option, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, o := range opts {
		v, from := o.def, "default"
		if e := getenv(o.env); e != "" {
			v, from = e, o.env
		}
		if err := o.set(v); err != nil {
			return fmt.Errorf("%s: %w", from, err)
		}
		usage := o.usage + " ($" + o.env + ")"
		if o.def != "" {
			usage += " (default " + o.def + ")"
		}
		fs.Func(o.flag, usage, o.set)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func (c *Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("PORTAL_ADDR: %q is not host:port", c.Addr))
	}
	if c.SimulatorAddr != "" {
		if _, _, err := net.SplitHostPort(c.SimulatorAddr); err != nil {
			errs = append(errs, fmt.Errorf("PORTAL_SIMULATOR_ADDR: %q is not host:port", c.SimulatorAddr))
		}
	}
	if c.Pprof != "" {
		if err := checkLoopback(c.Pprof); err != nil {
			errs = append(errs, fmt.Errorf("PORTAL_PPROF: %w", err))
		}
	}
	for name, v := range map[string]string{"LINE_ACCESS_URL": c.AccessURL, "LINE_API_URL": c.APIURL, "LINE_MANAGER_URL": c.ManagerURL} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: %q is not an http or https URL", name, v))
		}
	}
	if c.OABasicID != "" && !strings.HasPrefix(c.OABasicID, "@") {
		errs = append(errs, fmt.Errorf("LINE_OA_BASIC_ID: %q must start with @", c.OABasicID))
	}
	if c.DB == "" {
		errs = append(errs, errors.New("PORTAL_DB: a database file or a postgres:// URL is required"))
	} else if !store.IsPostgresURL(c.DB) && strings.Contains(c.DB, "://") {
		// Taken as a file name, a mistyped URL would become a new, empty
		// SQLite database, and its password part of the error.
		errs = append(errs, fmt.Errorf("PORTAL_DB: %q is a URL but not a postgres:// one: give a postgres:// URL or a SQLite file", store.Redacted(c.DB)))
	} else if !store.IsPostgresURL(c.DB) && strings.ContainsAny(c.DB, "?#") {
		// The path goes into an SQLite URI, where these start its options.
		errs = append(errs, fmt.Errorf("PORTAL_DB: %q must not contain ? or #", c.DB))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("PORTAL_BASE_URL: %q must be an http or https URL with a host and no path, e.g. https://portal.example.com", c.BaseURL))
		}
	}
	for _, k := range splitList(c.SessionKeys) {
		if len(k) < 32 {
			errs = append(errs, errors.New("PORTAL_SESSION_KEYS: each key must be at least 32 characters (try: openssl rand -base64 32)"))
			break
		}
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		errs = append(errs, errors.New("PORTAL_SECRET_KEY: the key must be at least 32 characters (try: openssl rand -base64 32)"))
	}
	if _, err := c.operatorIDs(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.trustedProxies(); err != nil {
		errs = append(errs, err)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	switch c.BotPrompt {
	case "normal", "aggressive", "off":
	default:
		errs = append(errs, fmt.Errorf("LINE_BOT_PROMPT: %q must be normal, aggressive or off", c.BotPrompt))
	}
	switch c.Simulator {
	case "auto", "on", "off":
	default:
		errs = append(errs, fmt.Errorf("PORTAL_SIMULATOR: %q must be auto, on or off", c.Simulator))
	}
	if c.Demo != "on" && c.Demo != "off" {
		errs = append(errs, fmt.Errorf("PORTAL_DEMO: %q must be on or off", c.Demo))
	}
	if (c.LoginChannelID == "") != (c.LoginSecret == "") {
		errs = append(errs, errors.New("LINE_LOGIN_CHANNEL_ID and LINE_LOGIN_CHANNEL_SECRET must be set together"))
	}
	// Said here, before anything starts, rather than by the LINE client
	// once the database is open, without naming the variable.
	for _, secret := range []struct{ name, value string }{{"LINE_LOGIN_CHANNEL_SECRET", c.LoginSecret}, {"LINE_OA_CHANNEL_SECRET", c.OAChannelSecret}} {
		if secret.value != "" && portal.CheckChannelSecret(secret.value) != nil {
			errs = append(errs, fmt.Errorf("%s: a channel secret is the 32 characters, 0–9 and a–f, on the channel's Basic settings tab in the LINE Developers Console", secret.name))
		}
	}
	if c.Simulator == "off" && c.LoginChannelID == "" {
		errs = append(errs, errors.New("PORTAL_SIMULATOR=off needs a LINE Login channel: set LINE_LOGIN_CHANNEL_ID and LINE_LOGIN_CHANNEL_SECRET"))
	}
	return errors.Join(errs...)
}

// simulated tells whether the portal runs on the built-in LINE simulator.
func (c *Config) simulated() bool {
	return c.Simulator == "on" || (c.Simulator == "auto" && c.LoginChannelID == "")
}

// operatorIDs returns the operators' LINE user IDs in the form LINE sends
// them, so PORTAL_OPERATORS may be pasted in any letter case.
func (c *Config) operatorIDs() ([]string, error) {
	var ids []string
	for _, s := range splitList(c.Operators) {
		id, err := portal.ParseLINEUserID(s)
		if err != nil {
			return nil, fmt.Errorf("PORTAL_OPERATORS: %q is not a LINE user ID (U followed by 32 hexadecimal digits)", s)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// trustedProxies reads PORTAL_TRUSTED_PROXIES: addresses (one address
// each) and CIDR blocks.
func (c *Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range splitList(c.TrustedProxies) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("PORTAL_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR block such as 10.0.0.0/8", s)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("PORTAL_LOG_LEVEL: %q must be debug, info, warn or error", s)
	}
	return l, nil
}

// keys are the secrets the portal runs with, derived from configuration.
type keys struct {
	session [][]byte
	secret  [32]byte
}

// deriveKey turns a configured string into a fixed-size key for one
// purpose, so one configured secret never serves two uses directly.
func deriveKey(purpose, secret string) [32]byte {
	return sha256.Sum256([]byte("lineportal " + purpose + "\x00" + secret))
}

// loadKeys derives the keys from configuration. With none configured it
// uses a development key kept in a file next to the database (created on
// first start), so sessions and encrypted data survive restarts, and it
// says so loudly.
func (c *Config) loadKeys(log *slog.Logger) (keys, error) {
	var k keys
	sessionKeys := splitList(c.SessionKeys)
	secret := c.SecretKey
	if (len(sessionKeys) == 0 || secret == "") && !c.simulated() {
		// A key written next to the database protects nothing once real
		// channel secrets are stored: a copy of the directory holds both.
		return k, errors.New("PORTAL_SESSION_KEYS and PORTAL_SECRET_KEY are required with real LINE credentials (try: openssl rand -base64 32)")
	}
	if (len(sessionKeys) == 0 || secret == "") && store.IsPostgresURL(c.DB) {
		// Instances on one database must share the keys: a session or a
		// secret sealed by one must open on every other.
		return k, errors.New("PORTAL_SESSION_KEYS and PORTAL_SECRET_KEY are required with PostgreSQL, the same on every instance (try: openssl rand -base64 32)")
	}
	if len(sessionKeys) == 0 || secret == "" {
		path := c.DB + ".dev-key"
		dev, err := developmentKey(path)
		if err != nil {
			return k, err
		}
		log.Warn("development mode: "+missingKeys(sessionKeys, secret)+"; using a generated key. Set both before serving real users.", "key_file", path)
		if len(sessionKeys) == 0 {
			sessionKeys = []string{dev}
		}
		if secret == "" {
			secret = dev
		}
	}
	for _, s := range sessionKeys {
		key := deriveKey("session", s)
		k.session = append(k.session, key[:])
	}
	k.secret = deriveKey("secret", secret)
	return k, nil
}

// missingKeys names the keys not configured, for the development key's
// warning.
func missingKeys(sessionKeys []string, secret string) string {
	switch {
	case len(sessionKeys) == 0 && secret == "":
		return "no PORTAL_SESSION_KEYS or PORTAL_SECRET_KEY configured"
	case len(sessionKeys) == 0:
		return "no PORTAL_SESSION_KEYS configured"
	default:
		return "no PORTAL_SECRET_KEY configured"
	}
}

// developmentKey reads the key kept at path, or makes one and keeps it
// there, so that sessions and sealed secrets survive a restart.
func developmentKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading the development key: %w", err)
	}
	key := rand.Text() + rand.Text()
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing the development key: %w", err)
	}
	return key, nil
}

// simulatorAddr is the configured simulator address, or the portal's port
// plus one on the same host.
func (c *Config) simulatorAddr() (string, error) {
	if c.SimulatorAddr != "" {
		return c.SimulatorAddr, nil
	}
	host, port, _ := net.SplitHostPort(c.Addr)
	p, err := strconv.Atoi(port)
	if err != nil {
		return "", fmt.Errorf("PORTAL_ADDR: port %q is not a number", port)
	}
	if p == 0 {
		return net.JoinHostPort(host, "0"), nil
	}
	return net.JoinHostPort(host, strconv.Itoa(p+1)), nil
}

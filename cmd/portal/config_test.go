package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"lineportal/web"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := parseConfig("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != "portal.db" || c.SessionIdle != 30*time.Minute || c.SessionAbsolute != 12*time.Hour {
		t.Fatalf("defaults: %+v", c)
	}
	if !c.simulated() {
		t.Fatal("no LINE credentials, yet the simulator is off")
	}
	if addr, _ := c.simulatorAddr(); addr != "127.0.0.1:8081" {
		t.Fatalf("simulator address %q, want the portal's port + 1", addr)
	}
}

func TestConfigFlagWinsOverEnvironment(t *testing.T) {
	c, err := parseConfig("serve", []string{"-addr", "127.0.0.1:9000", "-session-idle", "5m"},
		env(map[string]string{"PORTAL_ADDR": "127.0.0.1:7000", "PORTAL_DB": "/tmp/x.db", "PORTAL_SESSION_IDLE": "10m"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DB != "/tmp/x.db" || c.SessionIdle != 5*time.Minute {
		t.Fatalf("got %+v", c)
	}
}

func TestConfigRefusesBadValues(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"address", map[string]string{"PORTAL_ADDR": "8080"}, "PORTAL_ADDR"},
		{"base URL with a path", map[string]string{"PORTAL_BASE_URL": "https://x.example/portal"}, "PORTAL_BASE_URL"},
		{"base URL scheme", map[string]string{"PORTAL_BASE_URL": "ftp://x.example"}, "PORTAL_BASE_URL"},
		{"short session key", map[string]string{"PORTAL_SESSION_KEYS": "short"}, "at least 32 characters"},
		{"short secret key", map[string]string{"PORTAL_SECRET_KEY": "short"}, "PORTAL_SECRET_KEY"},
		{"operator ID", map[string]string{"PORTAL_OPERATORS": "Uabc"}, "not a LINE user ID"},
		{"duration", map[string]string{"PORTAL_SESSION_IDLE": "forever"}, "PORTAL_SESSION_IDLE"},
		{"negative duration", map[string]string{"PORTAL_SESSION_MAX": "-1h"}, "PORTAL_SESSION_MAX"},
		{"log level", map[string]string{"PORTAL_LOG_LEVEL": "loud"}, "PORTAL_LOG_LEVEL"},
		{"demo", map[string]string{"PORTAL_DEMO": "no"}, "PORTAL_DEMO"},
		{"bot prompt", map[string]string{"LINE_BOT_PROMPT": "always"}, "LINE_BOT_PROMPT"},
		{"simulator mode", map[string]string{"PORTAL_SIMULATOR": "maybe"}, "PORTAL_SIMULATOR"},
		{"half the credentials", map[string]string{"LINE_LOGIN_CHANNEL_ID": "1234567890"}, "must be set together"},
		{"a short LINE Login channel secret", map[string]string{"LINE_LOGIN_CHANNEL_ID": "1234567890", "LINE_LOGIN_CHANNEL_SECRET": "s3cret"}, "LINE_LOGIN_CHANNEL_SECRET: a channel secret is the 32 characters"},
		{"an Official Account channel secret with spaces", map[string]string{"LINE_OA_CHANNEL_SECRET": "0123456789abcdef 0123456789abcde"}, "LINE_OA_CHANNEL_SECRET"},
		{"simulator off without LINE", map[string]string{"PORTAL_SIMULATOR": "off"}, "needs a LINE Login channel"},
		{"database path with URI characters", map[string]string{"PORTAL_DB": "portal.db?mode=ro"}, "must not contain ? or #"},
		{"a mistyped PostgreSQL URL, its password hidden", map[string]string{"PORTAL_DB": "postgress://portal:hunter2pw@db.example/portal"}, `"postgress://portal:xxxxx@db.example/portal" is a URL but not a postgres:// one`},
		{"pprof on every interface", map[string]string{"PORTAL_PPROF": ":6060"}, "PORTAL_PPROF"},
		{"client limit", map[string]string{"PORTAL_CLIENT_LIMIT": "lots"}, "PORTAL_CLIENT_LIMIT"},
		{"client limit without a period", map[string]string{"PORTAL_CLIENT_LIMIT": "30"}, "PORTAL_CLIENT_LIMIT"},
		{"trusted proxy by name", map[string]string{"PORTAL_TRUSTED_PROXIES": "10.0.0.1, lb.example"}, "PORTAL_TRUSTED_PROXIES"},
		{"pprof on a public address", map[string]string{"PORTAL_PPROF": "192.0.2.1:6060"}, "not a loopback address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseConfig("serve", nil, env(c.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one naming %q", err, c.want)
			}
		})
	}
}

func TestConfigClientLimitAndTrustedProxies(t *testing.T) {
	c, err := parseConfig("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientLimit != (web.ClientLimit{Burst: 30, Per: time.Minute}) {
		t.Fatalf("default client limit %+v, want 30 a minute", c.ClientLimit)
	}
	if p, _ := c.trustedProxies(); len(p) != 0 {
		t.Fatalf("trusted proxies by default: %v", p)
	}
	c, err = parseConfig("serve", []string{"-client-limit", "off", "-trusted-proxies", "10.0.0.0/8, 192.0.2.7,::ffff:198.51.100.1, 2001:db8::/32"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientLimit != (web.ClientLimit{}) {
		t.Fatalf("client limit off: %+v", c.ClientLimit)
	}
	p, err := c.trustedProxies()
	if got := fmt.Sprint(p); err != nil || got != "[10.0.0.0/8 192.0.2.7/32 198.51.100.1/32 2001:db8::/32]" {
		t.Fatalf("trusted proxies %s, %v", got, err)
	}
}

func TestCredentialsTurnTheSimulatorOff(t *testing.T) {
	c, err := parseConfig("serve", nil, env(map[string]string{
		"LINE_LOGIN_CHANNEL_ID": "1234567890", "LINE_LOGIN_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.simulated() {
		t.Fatal("credentials configured, yet simulated")
	}
}

// The README's configuration table is the operator's reference: every
// variable and flag must be in it.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	var sim simulatorConfig
	for _, o := range append(c.options(), sim.options()...) {
		if !strings.Contains(string(readme), "`"+o.env+"`") || !strings.Contains(string(readme), "`--"+o.flag+"`") {
			t.Errorf("README.md does not list %s / --%s", o.env, o.flag)
		}
	}
}

func TestRealLINENeedsConfiguredKeys(t *testing.T) {
	c, err := parseConfig("serve", nil, env(map[string]string{
		"LINE_LOGIN_CHANNEL_ID": "1234567890", "LINE_LOGIN_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef",
		"PORTAL_DB": t.TempDir() + "/p.db",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.loadKeys(slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "PORTAL_SECRET_KEY") {
		t.Fatalf("real LINE without keys: %v", err)
	}
	if _, err := os.Stat(c.DB + ".dev-key"); !os.IsNotExist(err) {
		t.Fatalf("a development key was written: %v", err)
	}
}

// Instances on one PostgreSQL database must share their keys, so a key
// generated by one of them is refused, even on the simulator.
func TestPostgreSQLNeedsConfiguredKeys(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	c, err := parseConfig("serve", nil, env(map[string]string{"PORTAL_DB": "postgres://portal:pw@db.example/portal?sslmode=require"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.loadKeys(slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "required with PostgreSQL") {
		t.Fatalf("PostgreSQL without keys: %v", err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("a development key was written: %v", files)
	}
	c.SessionKeys, c.SecretKey = strings.Repeat("s", 32), strings.Repeat("k", 32)
	if _, err := c.loadKeys(slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("PostgreSQL with keys: %v", err)
	}
}

// The development key's warning names the key that is missing, not both.
func TestMissingKeysNamesWhatIsMissing(t *testing.T) {
	for _, tt := range []struct {
		session []string
		secret  string
		want    string
	}{
		{nil, "", "no PORTAL_SESSION_KEYS or PORTAL_SECRET_KEY configured"},
		{nil, "a-secret", "no PORTAL_SESSION_KEYS configured"},
		{[]string{"a-key"}, "", "no PORTAL_SECRET_KEY configured"},
	} {
		if got := missingKeys(tt.session, tt.secret); got != tt.want {
			t.Errorf("missingKeys(%v, %q) = %q, want %q", tt.session, tt.secret, got, tt.want)
		}
	}
}

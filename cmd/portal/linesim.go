package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"lineportal/internal/linesim"
	"lineportal/internal/simulated"
	"lineportal/web"
)

// simulatorConfig configures `portal linesim`, the simulator on its own for
// developing other LINE integrations against it.
type simulatorConfig struct {
	Addr, BaseURL, ChannelID, ChannelSecret, RedirectURIs, BotIDHeader string
}

func (c *simulatorConfig) options() []option {
	return []option{
		{"LINESIM_ADDR", "addr", "127.0.0.1:8081", "listen address", text(&c.Addr)},
		{"LINESIM_BASE_URL", "base-url", "", "the simulator's public base URL and ID token issuer (default http:// + the listen address)", text(&c.BaseURL)},
		{"LINESIM_CHANNEL_ID", "channel-id", simulated.LoginChannelID, "ID of the simulated LINE Login channel", text(&c.ChannelID)},
		{"LINESIM_CHANNEL_SECRET", "channel-secret", "", "secret of the simulated LINE Login channel, 32 characters or more (required)", text(&c.ChannelSecret)},
		{"LINESIM_REDIRECT_URIS", "redirect-uris", "http://127.0.0.1:8080/auth/callback", "the channel's registered callback URLs, comma-separated", text(&c.RedirectURIs)},
		{"LINESIM_BOT_ID_HEADER", "bot-id-header", "X-Line-Bot-Id", "name of the header that names the bot on module API calls", text(&c.BotIDHeader)},
	}
}

// runSimulator runs the LINE platform simulator on its own, with the demo
// users, until ctx ends.
func runSimulator(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c simulatorConfig
	if err := parseOptions("portal linesim", c.options(), args, getenv, stderr); err != nil {
		return err
	}
	if len(c.ChannelSecret) < 32 {
		return errors.New("LINESIM_CHANNEL_SECRET: set the simulated channel's secret, 32 characters or more (try: openssl rand -hex 16)")
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.Addr, err)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + ln.Addr().String()
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	sim, err := linesim.New(linesim.Config{BaseURL: c.BaseURL, BotIDHeader: c.BotIDHeader, Logger: log})
	if err != nil {
		ln.Close()
		return err
	}
	defer sim.Close()
	channel := linesim.LoginChannel{ID: c.ChannelID, Secret: c.ChannelSecret, RedirectURIs: splitList(c.RedirectURIs)}
	if _, err := sim.SeedDemo(channel); err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: web.ReadHeaderTimeout, IdleTimeout: web.IdleTimeout}
	fmt.Fprintf(stdout, "LINE platform simulator on %s (control page: %s/sim/), LINE Login channel %s\n", c.BaseURL, c.BaseURL, c.ChannelID)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

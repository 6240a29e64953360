package demo

import (
	"context"
	"fmt"
	"time"

	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/store"
)

// ModuleChannel is the simulator's demo module channel, to register in the
// portal under the demo developer.
type ModuleChannel struct {
	LINEChannelID, Name, Secret, Token string
}

// SeedModule registers the demo module channel with its credentials,
// sealed with box, the developer as its Admin.
func SeedModule(ctx context.Context, db *store.DB, box *secret.Box, developer Person, m ModuleChannel) error {
	dev, err := db.EnsureAdmin(ctx, developer.LINEUserID, developer.Name)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	in := portal.Channel{Kind: portal.KindModule, LINEChannelID: m.LINEChannelID, Name: m.Name, Region: portal.RegionJapan,
		Provider: portal.Provider{Name: "Demo Chat Co."}}
	if _, err := db.RegisterModuleChannel(ctx, box, dev, in, m.Secret, m.Token, time.Time{}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

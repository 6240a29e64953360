package portal_test

import (
	"testing"

	"lineportal/internal/portal"
)

func TestCheckChannelRegistration(t *testing.T) {
	in := portal.Channel{Kind: portal.KindLogin, LINEChannelID: "1234567890", Name: "Acme Login", Region: portal.RegionJapan, Provider: portal.Provider{ID: 3}}
	check(t, portal.CheckChannelRegistration(in), "", "")
	in.Kind = portal.KindModule
	check(t, portal.CheckChannelRegistration(in), portal.EINVALID,
		"A module channel is registered with its channel secret and access token: use Module channels → Register a module channel.")
	in.Kind, in.LINEChannelID = portal.KindMessagingAPI, "12345"
	check(t, portal.CheckChannelRegistration(in), portal.EINVALID, "Enter the channel ID shown in the LINE Developers Console: 10 digits.")

	// A MINI App needs its creator's warranty that the service company's
	// country or region is the service region.
	in.Kind, in.LINEChannelID = portal.KindMiniApp, "1234567890"
	check(t, portal.CheckChannelRegistration(in), portal.EINVALID,
		"Confirm that the service company's country or region is the region where the LINE MINI App is provided: LINE requires this of every new LINE MINI App channel.")
	in.Draft.CompanyCountry = portal.RegionJapan
	check(t, portal.CheckChannelRegistration(in), "", "")
}

func TestCheckKeepsAdmin(t *testing.T) {
	const msg = "This is the channel's only Admin. Make someone else an Admin first."
	check(t, portal.CheckKeepsAdmin(channelTeam, 1, portal.RoleAdmin, portal.RoleMember), portal.ECONFLICT, msg)
	check(t, portal.CheckKeepsAdmin(channelTeam, 2, portal.RoleAdmin, portal.RoleMember), "", "")
	check(t, portal.CheckKeepsAdmin(channelTeam, 1, portal.RoleAdmin, portal.RoleAdmin), "", "")
	check(t, portal.CheckKeepsAdmin(channelTeam, 1, portal.RoleMember, portal.RoleAdmin), "", "")
	check(t, portal.CheckKeepsAdmin(channelTeam, 1, portal.RoleNone, portal.RoleMember), "", "")
}

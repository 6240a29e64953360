package store_test

import (
	"testing"

	"lineportal/internal/portal"
)

// Organizations mirror Business Manager, which assigns their IDs: a given
// ID is kept, a taken one is refused and changes nothing. The ID comes in
// its written form (the edge reads what a person typed with
// portal.ParseOrganizationID); anything else is refused.
func TestCreateOrganization_GivenID(t *testing.T) {
	f := newFixture(t)
	org, err := f.db.CreateOrganization(ctx, f.boss, portal.Organization{ID: "BM00000000042", Name: "Given", Region: portal.RegionJapan, Info: acme, CompanyCountry: portal.RegionJapan})
	if err != nil || org.ID != "BM00000000042" {
		t.Fatalf("CreateOrganization = %q, %v; want BM00000000042", org.ID, err)
	}
	_, err = f.db.CreateOrganization(ctx, f.boss, portal.Organization{ID: "BM00000000042", Name: "Again", Region: portal.RegionJapan, CompanyCountry: portal.RegionJapan})
	if portal.ErrorCode(err) != portal.EINVALID || english(err) != "An organization with the ID BM00000000042 is already registered in the portal." {
		t.Fatalf("duplicate ID: %v", err)
	}
	var n int
	if err := f.raw.QueryRow(`SELECT count(*) FROM organizations`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("organizations after the refusal: %d, %v", n, err)
	}
	for _, id := range []string{"BM123", " bm00000000043 "} {
		if _, err := f.db.CreateOrganization(ctx, f.boss, portal.Organization{ID: id, Name: "Bad", Region: portal.RegionJapan, CompanyCountry: portal.RegionJapan}); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("malformed ID %q accepted: %v", id, err)
		}
	}
}

func TestCountChannelRoles(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.channel(t, portal.Channel{})
	}
	ch := f.channel(t, portal.Channel{})
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, f.boss.ID, portal.RoleMember))
	for who, want := range map[string]map[portal.ChannelRole]int{
		"dev":  {portal.RoleAdmin: 4},
		"boss": {portal.RoleMember: 1},
		"op":   {},
	} {
		a := map[string]portal.Admin{"dev": f.dev, "boss": f.boss, "op": f.op}[who]
		got, err := f.db.CountChannelRoles(ctx, a.ID)
		if err != nil || len(got) != len(want) || got[portal.RoleAdmin] != want[portal.RoleAdmin] || got[portal.RoleMember] != want[portal.RoleMember] {
			t.Errorf("%s: %v %v, want %v", who, got, err, want)
		}
	}
}

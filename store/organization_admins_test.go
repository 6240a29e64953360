package store_test

import (
	"strings"
	"testing"

	"lineportal/internal/portal"
)

const (
	newcomerID = "U0123456789abcdef0123456789abcdef"
	knownID    = "Ufedcba9876543210fedcba9876543210"
)

func TestStore_AddOrganizationAdminByLINEUserID_RegistersAndAdds(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, false)
	mark := f.auditMark(t)

	// Someone who never signed in, typed with slips: spaces, upper-case hex.
	added, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.boss, org.ID, "  U0123456789ABCDEF0123456789abcdef ", " Nao ")
	mustNil(t, err)
	if added.ID == 0 || added.LINEUserID != newcomerID || added.Name != "Nao" || !added.LastSignInAt.IsZero() {
		t.Fatalf("added = %+v", added)
	}
	f.assertAudit(t, mark, "organization.admin_add organization:  → org_admin(Name=Nao)")
	_, access, err := f.db.FindOrganizationWithAccess(ctx, added, org.ID)
	if err != nil || !access.Admin {
		t.Fatalf("the newcomer does not administer the organization: %+v %v", access, err)
	}

	// At first sign-in the person is the same admin, still an administrator.
	signed, err := f.db.SignIn(ctx, portal.SignIn{LINEUserID: newcomerID, Name: "Nao Kimura"})
	if err != nil || signed.ID != added.ID {
		t.Fatalf("SignIn = %+v, %v; want admin %d", signed, err, added.ID)
	}
	admins, err := f.db.FindOrganizationAdmins(ctx, org.ID)
	mustNil(t, err)
	if len(admins) != 2 || admins[1].ID != added.ID || admins[1].Name != "Nao Kimura" {
		t.Fatalf("administrators = %+v", admins)
	}

	// Someone the portal knows keeps their name; no name given shows the ID.
	known := f.admin(t, knownID, "Sam")
	got, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.boss, org.ID, knownID, "Someone Else")
	if err != nil || got.ID != known.ID || got.Name != "Sam" {
		t.Fatalf("known admin = %+v, %v", got, err)
	}
	other := f.org(t, portal.RegionJapan, acme, false)
	anon, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.boss, other.ID, "U11111111111111111111111111111111", "")
	if err != nil || anon.Name != "U11111111111111111111111111111111" {
		t.Fatalf("nameless admin = %+v, %v", anon, err)
	}
}

func TestStore_AddOrganizationAdminByLINEUserID_RefusalsRegisterNoOne(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, false)
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, f.admin(t, knownID, "Sam").ID))

	f.refuses(t, portal.EFORBIDDEN, "Only an administrator of organization "+org.ID+" can add administrators.", func() error {
		_, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.dev, org.ID, newcomerID, "Nao")
		return err
	})
	for _, bad := range []string{"", "Udev", "u0123456789abcdef0123456789abcdef", "U0123456789abcdef0123456789abcdeg", newcomerID + "0", "C0123456789abcdef0123456789abcdef"} {
		f.refuses(t, portal.EINVALID, "Enter the person's LINE user ID: U followed by 32 hexadecimal digits, for example U4af4980629f1c0b1d6d2e1c7b0e3f5a2. It is not the LINE ID people search for; once signed in, anyone sees theirs on their Profile page.", func() error {
			_, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.boss, org.ID, bad, "Nao")
			if fields := portal.ErrorFields(err); fields["line_user_id"] == "" {
				t.Errorf("%q: no message for the line_user_id field: %v", bad, err)
			}
			return err
		})
	}
	f.refuses(t, portal.ECONFLICT, "Sam is already an administrator of organization "+org.ID+".", func() error {
		_, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.boss, org.ID, knownID, "")
		return err
	})
	f.refuses(t, portal.ENOTFOUND, "No such organization.", func() error {
		_, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.boss, "BM99999999999", newcomerID, "Nao")
		return err
	})
}

// The registration and the addition are one transaction: when adding fails
// after the person was registered, the registration is rolled back too.
func TestStore_AddOrganizationAdminByLINEUserID_IsOneTransaction(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, false)
	refuseInserts(t, f.raw, "organization_admins", "", "refused by test")
	before := f.snapshot(t)
	_, err := f.db.AddOrganizationAdminByLINEUserID(ctx, f.boss, org.ID, newcomerID, "Nao")
	if err == nil || !strings.Contains(err.Error(), "refused by test") {
		t.Fatalf("err = %v; want the trigger's refusal", err)
	}
	if after := f.snapshot(t); after != before {
		t.Fatalf("a failed addition left changes:\n%s", lineDiff(before, after))
	}
	var n int
	mustNil(t, f.raw.QueryRow(`SELECT count(*) FROM admins WHERE line_user_id = ?`, newcomerID).Scan(&n))
	if n != 0 {
		t.Fatal("the person was registered although the addition failed")
	}
}

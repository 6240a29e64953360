package portal_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"lineportal/internal/portal"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode string
	}{
		{"nil", nil, ""},
		{"coded", portal.Refuse(portal.EFORBIDDEN, portal.RNoRoleHere), portal.EFORBIDDEN},
		{"wrapped", fmt.Errorf("store: approve: %w", portal.Refuse(portal.EGONE, portal.RLinkURLInvalid)), portal.EGONE},
		{"foreign error is internal", errors.New("sql: no rows in result set at /var/db"), portal.EINTERNAL},
		{"field", portal.FieldRefusal("org_id", portal.RNoSuchOrganization), portal.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := portal.ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
		})
	}
}

func TestFieldRefusalNamesTheField(t *testing.T) {
	err := portal.FieldRefusal("org_id", portal.RNoSuchOrganization)
	if got := err.Fields["org_id"]; got != string(portal.RNoSuchOrganization) {
		t.Fatalf("Fields[org_id] = %q", got)
	}
}

func TestErrorFieldsThroughWrapping(t *testing.T) {
	err := fmt.Errorf("store: send: %w", portal.FieldRefusal("org_id", portal.RNoSuchOrganization))
	if got := portal.ErrorFields(err)["org_id"]; got != string(portal.RNoSuchOrganization) {
		t.Fatalf("ErrorFields = %q", got)
	}
	if portal.ErrorFields(errors.New("plain")) != nil {
		t.Fatal("a foreign error has fields")
	}
}

func TestFieldRefusalsJoinAFormsFields(t *testing.T) {
	name := portal.FieldRefusal("name", portal.RTextRequired, "What", portal.TermChannelName)
	region := portal.FieldRefusal("region", portal.RChannelRegion)
	if err := portal.FieldRefusals(nil, nil); err != nil {
		t.Errorf("no refusal: %v", err)
	}
	if err := portal.FieldRefusals(nil, region); english(err) != english(region) || len(portal.ErrorFields(err)) != 1 {
		t.Errorf("one refusal: %v, fields %v", err, portal.ErrorFields(err))
	}
	internal := errors.New("store: disk I/O error")
	if err := portal.FieldRefusals(name, internal); err != internal {
		t.Errorf("with an internal error: %v, want it as it is", err)
	}
	err := portal.FieldRefusals(name, nil, region, portal.FieldRefusal("region", portal.RChannelKind))
	if english(err) != english(name) {
		t.Errorf("sentence %q, want the first refusal's", english(err))
	}
	want := map[string]string{"name": string(portal.RTextRequired), "region": string(portal.RChannelRegion)}
	if got := portal.ErrorFields(err); !maps.Equal(got, want) {
		t.Errorf("fields = %v, want %v: a field refused twice keeps its first refusal", got, want)
	}
	if len(name.Fields) != 1 {
		t.Errorf("joining changed the first refusal itself: %v", name.Fields)
	}
}

// TestFormChecksReportEveryField: a form with several fields wrong says so
// for each at once, in the form's order, rather than one per attempt.
func TestFormChecksReportEveryField(t *testing.T) {
	long := strings.Repeat("x", portal.MaxCompanyName+1)
	tests := []struct {
		name   string
		err    error
		fields []string
		first  string
	}{
		{"channel registration", portal.CheckChannelRegistration(portal.Channel{Kind: portal.KindMiniApp, LINEChannelID: "12", Draft: portal.MiniAppInfo{ServiceCompany: portal.BusinessInfo{CompanyName: long}}}),
			[]string{"company_country", "company_name", "line_channel_id", "name", "new_provider", "region"}, "Enter the channel's name."},
		{"module channel", portal.CheckNewModuleChannel(portal.Channel{Kind: portal.KindModule, Name: "Chat", LINEChannelID: "2000000101", Region: portal.RegionJapan, Provider: portal.Provider{ID: 3}}, "nope", "two words"),
			[]string{"access_token", "channel_secret"}, "Enter the channel secret shown on the channel's Basic settings tab in the LINE Developers Console: 32 characters, 0–9 and a–f."},
		{"organization", portal.CheckNewOrganization(portal.Organization{ID: "BM1", Info: portal.BusinessInfo{Address: strings.Repeat("x", portal.MaxAddress+1)}}),
			[]string{"address", "company_country", "name", "org_id", "region"}, english(portal.FieldRefusal("org_id", portal.ROrgIDFormat))},
		{"business info", portal.CheckBusinessInfo(portal.BusinessInfo{}), []string{"address", "company_name"}, "Enter the company name."},
		{"Official Account", portal.CheckNewOfficialAccount(portal.OfficialAccount{BasicID: "sakura", PictureURL: "http://x", Plan: "gold"}),
			[]string{"basic_id", "name", "picture_url", "plan"}, english(portal.FieldRefusal("basic_id", portal.RBasicIDFormat))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := slices.Sorted(maps.Keys(portal.ErrorFields(tt.err)))
			if !slices.Equal(fields, tt.fields) {
				t.Errorf("fields = %v, want %v", fields, tt.fields)
			}
			if got := english(tt.err); got != tt.first {
				t.Errorf("sentence %q, want the form's first field's %q", got, tt.first)
			}
		})
	}
}

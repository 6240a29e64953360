package views

import (
	"testing"

	"lineportal/internal/portal"
)

// Each notice links where its reader acts on it.
func TestNoticePath(t *testing.T) {
	for _, c := range []struct {
		kind   portal.NoticeKind
		params map[string]string
		want   string
	}{
		{portal.NoticeLinkRequest, map[string]string{"RequestID": "7", "OrgID": "BM00000000001"}, "/organizations/BM00000000001/link-requests/7"},
		{portal.NoticeMiniAppVerified, map[string]string{"ChannelID": "3"}, "/channels/3"},
		{portal.NoticeMiniAppRejected, map[string]string{"ChannelID": "3", "Reason": "why"}, "/channels/3/business-info"},
		{portal.NoticeOrganizationVerified, map[string]string{"OrgID": "BM00000000001", "OrgName": "Sakura Foods"}, "/organizations/BM00000000001"},
		{portal.NoticeOrganizationRejected, map[string]string{"OrgID": "BM00000000001", "Reason": "why"}, "/organizations/BM00000000001/business-info"},
		{portal.NoticeInvitationAccepted, map[string]string{"ChannelID": "3"}, "/channels/3/people"},
	} {
		if got := NoticePath(portal.Notice{Kind: c.kind, Params: c.params}); got != c.want {
			t.Errorf("%s: %q, want %q", c.kind, got, c.want)
		}
	}
}

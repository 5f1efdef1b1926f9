package queries

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// TestPagedCampaigns pages the five campaigns of buildCampaignFixture
// (T3, T1, T4, T5, T2 by date sent): every page holds exactly those rows
// of the whole list, with the total, and the summary stays the whole
// list's.
func TestPagedCampaigns(t *testing.T) {
	s := buildCampaignFixture(t).store()
	all, err := s.CampaignEffect(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	sent := func(cs []Campaign) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.DateSent)
		}
		return out
	}
	for _, tc := range []struct {
		page ListPage
		want []string
	}{
		{ListPage{Limit: 2}, []string{"2025-10-20", "2026-02-01"}},
		{ListPage{Limit: 2, Offset: 2}, []string{"2026-03-01", "2026-04-10"}},
		{ListPage{Limit: 2, Offset: 4}, []string{"2026-06-01"}},
		{ListPage{Limit: 2, Offset: 5}, []string{}},
		{ListPage{Limit: 2, Offset: 99}, []string{}},
		{ListPage{Offset: 3}, []string{"2026-04-10", "2026-06-01"}},
		{ListPage{}, []string{"2025-10-20", "2026-02-01", "2026-03-01", "2026-04-10", "2026-06-01"}},
	} {
		got := all.Paged(tc.page)
		if !reflect.DeepEqual(sent(got.Campaigns), tc.want) {
			t.Errorf("%+v: campaigns sent %v, want %v", tc.page, sent(got.Campaigns), tc.want)
		}
		want := tc.page
		want.Total = 5
		if got.CampaignsPage == nil || *got.CampaignsPage != want {
			t.Errorf("%+v: page %+v, want %+v", tc.page, got.CampaignsPage, want)
		}
		if !reflect.DeepEqual(got.Summary, all.Summary) || got.Disclosure != all.Disclosure {
			t.Errorf("%+v: summary or disclosure changed by paging", tc.page)
		}
	}
	// Paging copies: the cached whole answer keeps every campaign and no
	// page.
	if len(all.Campaigns) != 5 || all.CampaignsPage != nil {
		t.Errorf("the whole answer changed: %d campaigns, page %+v", len(all.Campaigns), all.CampaignsPage)
	}
	again, _ := s.CampaignEffect(context.Background(), Filter{})
	if len(again.Campaigns) != 5 || again.CampaignsPage != nil {
		t.Errorf("the cached answer changed: %d campaigns, page %+v", len(again.Campaigns), again.CampaignsPage)
	}
}

// TestPagedPractices pages the three practices of the follow-up fixture
// (Archway F83010, Bounds Green F83020, Hanley Road F83004, by name): the
// page's rows are the whole list's at those places, counts included.
func TestPagedPractices(t *testing.T) {
	s := buildFollowUpFixture(t).store()
	all, err := s.FollowUp(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	got := all.Paged(ListPage{Limit: 1, Offset: 1})
	if len(got.Practices) != 1 || got.Practices[0].Code != "F83020" || *got.PracticesPage != (ListPage{Limit: 1, Offset: 1, Total: 3}) {
		t.Fatalf("page 2 of 1: %+v, %+v", got.Practices, got.PracticesPage)
	}
	checkProportion(t, "F83020 rate", got.Practices[0].Rate, num(1), num(2), 50.0, 9.4531, 90.5469)
	if !reflect.DeepEqual(got.Rate, all.Rate) || !reflect.DeepEqual(got.Quarters, all.Quarters) {
		t.Error("paging changed the borough or the quarters")
	}
	got = all.Paged(ListPage{Limit: 2, Offset: 2})
	if len(got.Practices) != 1 || got.Practices[0].Code != "F83004" || got.PracticesPage.Total != 3 {
		t.Errorf("last page: %+v, %+v", got.Practices, got.PracticesPage)
	}

	cs := CodingCompleteness{Practices: []CodingGroup{{Key: "A"}, {Key: "B"}, {Key: "C"}}}
	if p := cs.Paged(ListPage{Limit: 2, Offset: 1}); len(p.Practices) != 2 || p.Practices[0].Key != "B" || p.Practices[1].Key != "C" || p.PracticesPage.Total != 3 {
		t.Errorf("coding page: %+v, %+v", p.Practices, p.PracticesPage)
	}
}

func TestListPageCheck(t *testing.T) {
	for _, p := range []ListPage{{Limit: -1}, {Limit: MaxListLimit + 1}, {Limit: 10, Offset: -1}} {
		var fe *FilterError
		if err := p.Check(); !errors.As(err, &fe) {
			t.Errorf("%+v: %v, want a *FilterError", p, err)
		}
	}
	for _, p := range []ListPage{{}, {Limit: 1}, {Limit: MaxListLimit, Offset: 1 << 20}} {
		if err := p.Check(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

package dashboard

import (
	"context"
	"net/url"
	"strconv"

	"github.com/uptake-nhs/uptake/queries"
)

// tile is one headline number on the overview, with its change from the
// previous quarter in words.
type tile struct {
	Label   string
	Value   string
	Quarter string // which quarter the figure describes, in words
	Change  string // e.g. "up 3.1 points on 2026Q1"; empty when not comparable
	Trend   string // "up", "down" or "" for styling; Change says it in words
	Note    string
	// Provisional figures may still change; the tile says so in words.
	Provisional bool
}

// overviewTiles adds the headline tiles to the overview page.
func overviewTiles(ctx context.Context, s *Server, f queries.Filter, q url.Values, p *pageData) error {
	h, err := s.store.Headline(ctx, f)
	if err != nil {
		return err
	}
	p.Tiles = append(p.Tiles, countTile(h.Referrals))
	for _, t := range []queries.HeadlineTile{h.Conversion, h.Completion, h.FollowUp, h.Coding} {
		p.Tiles = append(p.Tiles, rateTile(t))
	}
	return nil
}

func countTile(h queries.HeadlineTile) tile {
	t := tile{Label: h.Title, Value: "–", Provisional: h.Provisional, Note: h.Note}
	if h.Quarter != "" {
		t.Quarter = "Referred in " + h.Quarter
	}
	if h.Count != nil {
		t.Value = CountCell(*h.Count).Display()
	}
	if h.CountChange != nil && h.PreviousQuarter != "" {
		n := *h.CountChange
		t.Change, t.Trend = changeWords(n > 0, n < 0, groupThousands(strconv.FormatInt(abs(n), 10)), h.PreviousQuarter)
	}
	return t
}

func rateTile(h queries.HeadlineTile) tile {
	t := tile{Label: h.Title, Value: "–", Provisional: h.Provisional, Note: h.Note}
	if h.Quarter != "" {
		t.Quarter = "Cohort referred in " + h.Quarter
	}
	if h.Rate != nil && h.Rate.Percent != nil {
		t.Value = Percent(h.Rate.Percent).Display() + "%"
	}
	if h.ChangePoints != nil && h.PreviousQuarter != "" {
		d := *h.ChangePoints
		mag := strconv.FormatFloat(absf(d), 'f', 1, 64)
		unit := " points"
		if mag == "1.0" {
			unit = " point"
		}
		t.Change, t.Trend = changeWords(mag != "0.0" && d > 0, mag != "0.0" && d < 0, mag+unit, h.PreviousQuarter)
	}
	return t
}

// changeWords says a change in words: "up 12 on 2026Q1", "down 3.1
// points on 2026Q1" or "the same as 2026Q1".
func changeWords(up, down bool, magnitude, prev string) (words, trend string) {
	switch {
	case up:
		return "up " + magnitude + " on " + prev, "up"
	case down:
		return "down " + magnitude + " on " + prev, "down"
	}
	return "the same as " + prev, ""
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func absf(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

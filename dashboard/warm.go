package dashboard

import (
	"context"
	"net/url"

	"github.com/uptake-nhs/uptake/queries"
)

// Warm works out every page's panels for the unfiltered view, the one most
// visitors open first, so that the store's result cache holds them. serve
// calls it in the background at start and after each load: at England
// scale a page's first view after a load otherwise takes up to a second
// while later ones take milliseconds. It asks exactly what a page request
// with no query asks, so the cached answers are the ones pages use.
func (s *Server) Warm(ctx context.Context) error {
	f, err := queries.ParseFilter(url.Values{})
	if err != nil {
		return err
	}
	for _, p := range s.site.pages {
		if _, err := s.panels(ctx, f, url.Values{}, p.Views); err != nil {
			return err
		}
		if p.extra != nil {
			if err := p.extra(ctx, s, f, url.Values{}, &pageData{}); err != nil {
				return err
			}
		}
	}
	return nil
}

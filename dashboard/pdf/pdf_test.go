package pdf

import (
	"errors"
	"strings"
	"testing"
)

// The footer carries Chromium's page number fields and the text, escaped:
// a practice name with markup in it stays text.
func TestFooterTemplate(t *testing.T) {
	got := FooterTemplate(`F83004 · 2026Q2 <b>&`)
	for _, want := range []string{`Page <span class="pageNumber"></span> of <span class="totalPages"></span>`, "F83004 · 2026Q2 &lt;b&gt;&amp;", "font-size"} {
		if !strings.Contains(got, want) {
			t.Errorf("footer %q lacks %q", got, want)
		}
	}
}

// Without Chromium on PATH, Find and NewLazy say how to install it.
func TestNoChromium(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := Find(); !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Errorf("Find: %v", err)
	}
	if _, err := NewLazy(); !errors.Is(err, ErrNoChromium) {
		t.Errorf("NewLazy: %v", err)
	}
	if _, err := New(); !errors.Is(err, ErrNoChromium) {
		t.Errorf("New: %v", err)
	}
}

package charts

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// golden compares c's JSON with testdata/NAME.golden.json.
func golden(t *testing.T, name string, c Chart) {
	t.Helper()
	got, err := c.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./dashboard/charts -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s; if the change is intended, run with -update.\ngot:\n%s", name, path, got)
	}
}

func quarters(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%dQ%d", 2023+i/4, 1+i%4)
	}
	return out
}

func TestBarsGolden(t *testing.T) {
	c := Bars([]string{"18-39", "40-59", "60-79", "80+"}, []Series{
		{Name: "Conversion", Values: []Number{Num(21.25), Num(30), Gap(), Num(12.345)}},
	}, Axis{Name: "Conversion (%)", Percent: true}, false)
	golden(t, "bars", c)
}

func TestHorizontalBarsGolden(t *testing.T) {
	c := Bars([]string{"White British", "Turkish"}, []Series{
		{Name: "Booked", Values: []Number{Num(40), Num(10)}, Stack: "s"},
		{Name: "Attended", Values: []Number{Num(20), Gap()}, Stack: "s"},
	}, Axis{Name: "People"}, true)
	golden(t, "bars_horizontal", c)
}

func TestLinesGolden(t *testing.T) {
	q := quarters(14)
	a := make([]Number, len(q))
	b := make([]Number, len(q))
	for i := range q {
		a[i] = Num(float64(10 + i))
		b[i] = Num(float64(20 - i))
	}
	b[3] = Gap()
	golden(t, "lines", Lines(q, []Series{{Name: "Practice", Values: a}, {Name: "Borough", Values: b}}, Axis{Name: "%", Percent: true}))
}

func TestFunnelGolden(t *testing.T) {
	golden(t, "funnel", Funnel([]Stage{
		{"Referred", Num(1000)}, {"Eligible", Num(950)}, {"Booked", Num(400)},
		{"Attended first session", Num(300)}, {"Completed", Gap()},
	}))
}

func TestHeatmapGolden(t *testing.T) {
	golden(t, "heatmap", Heatmap(Grid{
		X:      []string{"Mon", "Tue"},
		Y:      []string{"Morning", "Evening"},
		Values: [][]Number{{Num(1), Num(2)}, {Gap(), Num(4)}},
		Name:   "Referrals",
	}))
}

func TestFunnelPlotGolden(t *testing.T) {
	c := FunnelPlot(FunnelPlotData{
		Units: []Unit{
			{Name: "Alpha (A00001)", Href: "/practices/A00001", Denominator: 50, Value: Num(40), Label: "High (0.025)"},
			{Name: "Beta (B00002)", Href: "/practices/B00002", Denominator: 120, Value: Num(20), Label: "Not significant"},
			{Name: "Gamma (C00003)", Denominator: 10, Value: Gap(), Label: "Not significant"},
		},
		Limits: []Limit{
			{Denominator: 10, Lower95: 2, Upper95: 50, Lower998: 0, Upper998: 65},
			{Denominator: 200, Lower95: 15, Upper95: 30, Lower998: 12, Upper998: 34},
		},
		Baseline: 22.5, XName: "Eligible referrals", YName: "Conversion (%)",
	})
	b, _ := c.MarshalIndent()
	if !c.Clickable || !strings.Contains(string(b), `"url": "/practices/A00001"`) {
		t.Errorf("Alpha's point does not link to Alpha's page:\n%s", b)
	}
	if strings.Contains(string(b), "Gamma") {
		t.Error("a point without a value must not be drawn")
	}
	golden(t, "funnelplot", c)
}

// TestNoJavaScriptInOptions guards the rule that options are pure data:
// go-echarts marks JavaScript functions with __f__, which uptake.js would
// never evaluate.
func TestNoJavaScriptInOptions(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.golden.json")
	if len(files) == 0 {
		t.Skip("no golden files yet")
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "__f__") || strings.Contains(string(b), "function") {
			t.Errorf("%s contains JavaScript", f)
		}
	}
}

func TestNumberJSON(t *testing.T) {
	b, _ := json.Marshal([]Number{Num(1.005), Num(33.333333), Gap(), FromPtr(nil)})
	if got, want := string(b), `[1,33.33,"-","-"]`; got != want && string(b) != `[1.01,33.33,"-","-"]` {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestBarsCIGolden(t *testing.T) {
	c := BarsCI([]string{"2025Q4", "2026Q1", "2026Q2 (provisional)"}, []CISeries{
		{Name: "Conversion", Values: []Number{Num(30), Num(25.5), Num(10)}, Low: []Number{Num(25), Num(20.1), Num(6)}, High: []Number{Num(35), Num(31), Num(15)}, Provisional: []bool{false, false, true}},
		{Name: "Completion", Values: []Number{Num(20), Gap(), Num(5)}, Low: []Number{Num(15), Gap(), Num(2)}, High: []Number{Num(25), Gap(), Num(9)}, Provisional: []bool{false, false, true}},
	}, Axis{Name: "Share of eligible referrals (%)", Percent: true, Full: true}, false, nil)
	golden(t, "bars_ci", c)
}

func TestHorizontalBarsCIWithReferenceGolden(t *testing.T) {
	c := BarsCI([]string{"White British", "Turkish"}, []CISeries{
		{Name: "Conversion", Values: []Number{Num(30), Num(12)}, Low: []Number{Num(25), Num(5)}, High: []Number{Num(35), Num(20)}},
	}, Axis{Name: "Conversion (%)", Percent: true}, true, &Reference{Name: "Everyone", Value: Num(24.44)})
	golden(t, "bars_ci_horizontal", c)
	b, _ := c.MarshalIndent()
	if !strings.Contains(string(b), `"renderItem": "ciWhiskerH"`) || !strings.Contains(string(b), "Everyone: 24.4%") {
		t.Errorf("horizontal whiskers or the labelled reference line missing:\n%s", b)
	}
}

func TestTrendLinesAlwaysZoomAndMarkProvisional(t *testing.T) {
	c := TrendLines(quarters(4), []Series{{Name: "Conversion", Values: []Number{Num(20), Num(22), Num(18), Num(9)}, Provisional: []bool{false, false, true, true}}},
		Axis{Name: "%", Percent: true, Full: true})
	golden(t, "trend_lines", c)
	b, _ := c.MarshalIndent()
	if !strings.Contains(string(b), `"dataZoom"`) || !strings.Contains(string(b), `"type": "dashed"`) ||
		!strings.Contains(string(b), `"formatter": "provisional"`) || !strings.Contains(string(b), `"symbol": "none"`) {
		t.Errorf("want a zoom slider, a dashed provisional segment joined to the last final point, and a band labelled provisional:\n%s", b)
	}
	// The solid line stops at the last final quarter; the dashed one
	// starts there.
	var got struct {
		Option struct {
			Series []struct {
				Name string
				Data []struct{ Value any }
			}
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Option.Series) != 2 || got.Option.Series[0].Name != got.Option.Series[1].Name {
		t.Fatalf("want a solid and a dashed series of one name, got %+v", got.Option.Series)
	}
	solid, dashed := got.Option.Series[0].Data, got.Option.Series[1].Data
	if strings.TrimSpace(fmt.Sprintln(solid[1].Value, solid[2].Value, dashed[0].Value, dashed[1].Value, dashed[3].Value)) != "22 - - 22 9" {
		t.Errorf("solid %v, dashed %v", solid, dashed)
	}
}

// TestWithheldIsDrawnAsWithheld checks that a withheld value gets a
// labelled marker, where a missing one is only a gap.
func TestWithheldIsDrawnAsWithheld(t *testing.T) {
	c := Bars([]string{"Daytime", "Evening", "Weekend"}, []Series{{Name: "Referrals", Values: []Number{Num(40), Withheld(), Gap()}}}, Axis{Name: "People"}, false)
	b, _ := c.MarshalIndent()
	if strings.Count(string(b), `"formatter": "withheld"`) != 1 || !strings.Contains(string(b), withheldName) ||
		!strings.Contains(string(b), "Referrals: withheld") {
		t.Errorf("want one withheld marker, for Evening:\n%s", b)
	}
	if !strings.Contains(c.Description, "1 withheld") {
		t.Errorf("description %q does not say a value is withheld", c.Description)
	}
}

// TestEveryCategoryLabelIsDrawn checks that no category axis lets ECharts
// drop labels.
func TestEveryCategoryLabelIsDrawn(t *testing.T) {
	for name, c := range map[string]Chart{
		"bars":   Bars(quarters(20), []Series{{Name: "A", Values: make([]Number, 20)}}, Axis{}, false),
		"hbars":  Bars(quarters(35), []Series{{Name: "A", Values: make([]Number, 35)}}, Axis{}, true),
		"lines":  TrendLines(quarters(20), []Series{{Name: "A", Values: make([]Number, 20)}}, Axis{}),
		"dotsCI": DotsCI([]string{"a", "b"}, []CISeries{{Name: "A", Values: []Number{Num(1), Num(2)}}}, Axis{Percent: true}, nil),
	} {
		for _, key := range []string{"xAxis", "yAxis"} {
			for _, a := range list(c.Option, key) {
				if a["type"] != "category" {
					continue
				}
				label, _ := a["axisLabel"].(obj)
				if label == nil || label["interval"] != 0 {
					t.Errorf("%s: %s drops labels: %v", name, key, a["axisLabel"])
				}
			}
		}
	}
	if c := Bars(quarters(35), []Series{{Name: "A", Values: make([]Number, 35)}}, Axis{}, true); c.Rows != 35 {
		t.Errorf("35 horizontal bars ask for %d rows", c.Rows)
	}
}

// TestFunnelPlotFitsItsAxisAndSpeaksInWords checks the value axis fits a
// referral rate of a few percent, and the legend is in words.
func TestFunnelPlotFitsItsAxisAndSpeaksInWords(t *testing.T) {
	c := FunnelPlot(FunnelPlotData{
		Units: []Unit{
			{Name: "A (A00001)", Code: "A00001", Denominator: 500, Value: Num(9.5), Low: Num(7), High: Num(12.4), Numerator: "45", Label: "High (0.001)"},
			{Name: "B (B00002)", Code: "B00002", Denominator: 400, Value: Num(4.5), Label: "Not significant"},
		},
		Limits:   []Limit{{Denominator: 10, Upper95: 30, Upper998: 40}, {Denominator: 500, Lower95: 3, Upper95: 7, Lower998: 2, Upper998: 8}},
		Baseline: 5, Measure: "Referral rate", Noun: "practices",
	})
	y := list(c.Option, "yAxis")[0]
	if y["min"] != 0.0 || y["max"] != 15.0 {
		t.Errorf("value axis %v to %v, want 0 to 15", y["min"], y["max"])
	}
	b, _ := c.MarshalIndent()
	for _, want := range []string{"Higher than the borough, beyond the 99.8% limit", "Within the limits", `"filter": "A00001"`, `"k": "45"`, `"uptakeTooltip": "funnelPoint"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("funnel plot lacks %s:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "(0.001)\"") {
		t.Error("the legend speaks in p-values")
	}
	if want := "2 practices against the borough's 5.0%: 1 higher and 0 lower beyond the 99.8% limits"; !strings.HasPrefix(c.Description, want) {
		t.Errorf("description %q", c.Description)
	}
}

// TestXmRGolden draws a series with everything an XmR chart can show: a
// withheld month (a gap, not zero), a rebase that breaks the mean and
// limit lines, special causes of both kinds, provisional months at the
// end joined on by a dashed line, and a target.
func TestXmRGolden(t *testing.T) {
	seg := func(i, segment int, v float64, cause string) XmRPoint {
		mean, lo, hi := 40.0, 30.0, 50.0
		if segment == 1 {
			mean, lo, hi = 60, 52, 68
		}
		p := XmRPoint{Period: fmt.Sprintf("2025-%02d", i+1), Value: Num(v), Segment: segment,
			Mean: Num(mean), Lower: Num(lo), Upper: Num(hi), Cause: cause, Tooltip: fmt.Sprintf("2025-%02d: %v%%", i+1, v)}
		return p
	}
	points := []XmRPoint{
		seg(0, 0, 41, ""), seg(1, 0, 38, ""), seg(2, 0, 55, CauseImprovement), seg(3, 0, 0, ""),
		seg(4, 1, 61, ""), seg(5, 1, 50, CauseConcern), seg(6, 1, 63, ""), seg(7, 1, 58, ""),
	}
	points[3].Value = Withheld()
	points[6].Provisional = true
	points[7].Provisional = true
	c := XmR(XmRData{Points: points, Target: Num(65), YName: "Conversion (%)", Percent: true})
	b, err := c.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	var option struct {
		Series []struct {
			Name string `json:"name"`
			Data []struct {
				Value  any    `json:"value"`
				Symbol string `json:"symbol"`
			} `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(b, &struct {
		Option any `json:"option"`
	}{&option}); err != nil {
		t.Fatal(err)
	}
	byName := map[string][][]any{}
	for _, s := range option.Series {
		var vals []any
		for _, d := range s.Data {
			vals = append(vals, d.Value)
		}
		byName[s.Name] = append(byName[s.Name], vals)
	}
	if v := byName["Monthly value"][0]; v[3] != "-" || v[6] != "-" || v[5] != 50.0 {
		t.Errorf("monthly values %v: the withheld and provisional months must be gaps in the solid line", v)
	}
	if v := byName["Provisional (may still change)"][0]; v[5] != 50.0 || v[6] != 63.0 || v[4] != "-" {
		t.Errorf("provisional line %v: must join on from the last final month", v)
	}
	if len(byName["Mean"]) != 2 || len(byName["Process limits"]) != 4 {
		t.Errorf("%d mean lines and %d limit lines, want 2 and 4 (broken at the rebase)", len(byName["Mean"]), len(byName["Process limits"]))
	}
	if m := byName["Mean"]; m[0][4] != "-" || m[0][3] != 40.0 || m[1][3] != "-" || m[1][4] != 60.0 {
		t.Errorf("mean lines %v: the rebase must break them between April and May", m)
	}
	if v := byName["Special cause: improvement"][0]; v[2] != 55.0 || v[0] != "-" {
		t.Errorf("improvement points %v", v)
	}
	if _, ok := byName["Target"]; !ok {
		t.Error("no target line")
	}
	// The withheld month is a marker of its own, on the hidden axis, never
	// a value on the measure's axis.
	if w := byName[withheldName]; len(w) != 1 || len(w[0]) != 1 || !strings.Contains(string(b), `"formatter": "withheld"`) {
		t.Errorf("withheld markers %v: want one, labelled", w)
	}
	if !strings.Contains(c.Description, "1 improvement, 1 concern") || !strings.Contains(c.Description, "1 withheld") {
		t.Errorf("description %q", c.Description)
	}
	golden(t, "xmr", c)
}

// TestReferenceLines: a reference value is a dashed, silent line series
// named in the legend, across the quarters given (one point for one
// quarter), and a funnel plot's value axis makes room for it.
func TestReferenceLines(t *testing.T) {
	c := TrendLines([]string{"2025Q1", "2025Q2"}, []Series{{Name: "Conversion", Values: []Number{Num(20), Num(22)}}}, Axis{Name: "Share (%)", Percent: true})
	c = WithReferenceLines(c, []ReferenceLine{{Name: "Conversion: England", Points: [][2]any{{"2025Q1", Num(8.7)}, {"2025Q2", Num(8.7)}}}, {Name: "Region (2025Q2)", Points: [][2]any{{"2025Q2", Num(30)}}}})
	series := list(c.Option, "series")
	last, one := series[len(series)-2], series[len(series)-1]
	style, _ := last["lineStyle"].(obj)
	if last["name"] != "Conversion: England" || style["type"] != "dashed" || last["silent"] != true || len(last["data"].([][2]any)) != 2 {
		t.Errorf("reference series %v", last)
	}
	if one["symbol"] == "none" {
		t.Errorf("a one-quarter reference draws no marker: %v", one)
	}
	legend, _ := c.Option["legend"].(obj)
	if data, _ := legend["data"].([]any); len(data) == 0 || data[len(data)-1] != "Region (2025Q2)" {
		t.Errorf("legend %v", legend)
	}

	f := FunnelPlot(FunnelPlotData{Units: []Unit{{Name: "A", Denominator: 100, Value: Num(50), Label: "Not significant"}}, Baseline: 50,
		Limits: []Limit{{Denominator: 1, Lower95: 0, Upper95: 100}, {Denominator: 100, Lower95: 40, Upper95: 60}}, References: []Reference{{Name: "England", Value: Num(8.7)}}})
	y := list(f.Option, "yAxis")[0]
	if min, _ := y["min"].(float64); min > 8.7 {
		t.Errorf("value axis from %v hides the reference at 8.7", y["min"])
	}
	if s := list(f.Option, "series"); s[len(s)-1]["name"] != "England" {
		t.Errorf("funnel plot's last series %v, want the reference", s[len(s)-1]["name"])
	}
}

// TestFunnelPlotDensity: above DensityAbove units, those within the limits
// are a density (silent, counting each once) and the rest, with the
// selected unit, are points; the description still counts every unit.
func TestFunnelPlotDensity(t *testing.T) {
	var units []Unit
	for i := range 700 {
		label := "Not significant"
		if i < 10 {
			label = "High (0.025)"
		}
		units = append(units, Unit{Name: fmt.Sprint(i), Code: fmt.Sprint("P", i), Denominator: float64(10 + i), Value: Num(float64(i % 50)), Label: label})
	}
	c := FunnelPlot(FunnelPlotData{Units: units, Baseline: 25, Noun: "practices", Selected: "P500",
		Limits: []Limit{{Denominator: 1, Lower95: 0, Upper95: 100}, {Denominator: 709, Lower95: 20, Upper95: 30}}})
	points, dense := 0, 0
	for _, s := range list(c.Option, "series") {
		if s["type"] != "scatter" {
			continue
		}
		data, _ := s["data"].([]any)
		if s["silent"] == true {
			for _, d := range data {
				dense += d.(obj)["n"].(int)
			}
			continue
		}
		points += len(data)
	}
	if points != 11 || dense != 689 {
		t.Errorf("%d points and a density of %d units; want 11 (10 beyond a limit and the selected) and 689", points, dense)
	}
	if !strings.Contains(c.Description, "689 within the limits") && !strings.Contains(c.Description, "690 within the limits") {
		t.Errorf("description %q", c.Description)
	}
	bins := Density([]DensityPoint{{1, 0}, {1000, 100}, {1000, 100}, {0, 5}})
	n := 0
	for _, b := range bins {
		n += b.N
	}
	if n != 3 || bins[0].XLow != 1 || bins[len(bins)-1].XHigh != 1000 || bins[len(bins)-1].N != 2 {
		t.Errorf("bins %+v", bins)
	}
}

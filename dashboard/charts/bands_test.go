package charts

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestPercentBandsCountsEachUnitOnce(t *testing.T) {
	values := []Number{Num(0), Num(9.99), Num(10), Num(55), Num(99.9), Num(115.4), Gap()}
	b, err := json.Marshal(PercentBands(values, "Practices", "Follow-up rate (%)"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Option struct {
			XAxis []struct {
				Name string
				Data []string
			}
			Series []struct {
				Name string
				Data []struct{ Value float64 }
			}
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	x, s := got.Option.XAxis[0], got.Option.Series[0]
	if x.Name != "Follow-up rate (%)" || len(x.Data) != 10 || x.Data[0] != "0–<10%" || x.Data[9] != "90% or more" {
		t.Errorf("bands axis %q %q", x.Name, x.Data)
	}
	var counts []float64
	for _, d := range s.Data {
		counts = append(counts, d.Value)
	}
	// 0 and 9.99 are under 10; 10 starts the next band; 99.9 and 115.4
	// share the last; the gap is not counted.
	if want := []float64{2, 1, 0, 0, 0, 1, 0, 0, 0, 2}; !reflect.DeepEqual(counts, want) || s.Name != "Practices" {
		t.Errorf("%s counts %v, want %v", s.Name, counts, want)
	}
}

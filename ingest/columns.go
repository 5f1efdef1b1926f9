package ingest

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Aliases maps, table by table, the column names another system writes to
// the contract's, so that an extract from that system loads without being
// edited: {"referrals": {"Date of referral": "referral_date"}}. Names are
// matched as header names are, without regard to case, surrounding spaces
// or runs of spaces inside. They come from the configuration file
// (docs/configuration.md).
type Aliases map[string]map[string]string

// Check reports the first alias that cannot work: one for a table or
// column the contract does not have, one that is itself a column of its
// table's contract (a header naming it would be ambiguous), or two that
// differ only in case or spacing.
func (a Aliases) Check() error {
	tables := make([]string, 0, len(a))
	for name := range a {
		tables = append(tables, name)
	}
	sort.Strings(tables)
	for _, name := range tables {
		t, ok := TableByName(name)
		if !ok {
			return fmt.Errorf("aliases: %q is not a table of the data contract (%s)", name, strings.Join(tableNames(), ", "))
		}
		seen := map[string]string{}
		aliases := make([]string, 0, len(a[name]))
		for alias := range a[name] {
			aliases = append(aliases, alias)
		}
		sort.Strings(aliases)
		for _, alias := range aliases {
			column := a[name][alias]
			key := headerKey(alias)
			switch _, ci := t.Column(column); {
			case key == "":
				return fmt.Errorf("aliases: %s: an alias for %s is empty", name, column)
			case ci < 0:
				return fmt.Errorf("aliases: %s: %q is not a column of %s (%s)", name, column, name, strings.Join(t.ColumnNames(), ", "))
			}
			if _, ci := t.Column(key); ci >= 0 {
				return fmt.Errorf("aliases: %s: %q is already a column of %s; only names the contract does not use can be aliases", name, alias, name)
			}
			if prev, dup := seen[key]; dup {
				return fmt.Errorf("aliases: %s: %q and %q are the same name", name, prev, alias)
			}
			seen[key] = alias
		}
	}
	return nil
}

// forTable returns the table's aliases keyed as headerKey writes header
// names, each mapped to its contract column; nil when it has none.
func (a Aliases) forTable(table string) map[string]string {
	if len(a[table]) == 0 {
		return nil
	}
	m := make(map[string]string, len(a[table]))
	for alias, column := range a[table] {
		m[headerKey(alias)] = column
	}
	return m
}

// headerKey is a header cell as it is matched: without a byte-order mark,
// in lower case, with surrounding spaces removed and runs of spaces inside
// made one.
func headerKey(raw string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.TrimPrefix(raw, "\ufeff"))), " ")
}

// closestColumn suggests the contract column a header name not in the
// contract was probably meant to be, or "" when none is close. A name is
// close when it has the same words in any order, perhaps with a few more
// ("Date of referral" for referral_date), or when it is a small typing
// slip away (referal_date).
func closestColumn(t Table, name string) string {
	words := nameWords(name)
	if len(words) == 0 {
		return ""
	}
	joined := strings.Join(words, "_")
	best, bestScore := "", -1
	for _, c := range t.Columns {
		cw := nameWords(c.Name)
		score := -1
		if containsAll(words, cw) && len(words) <= len(cw)+2 {
			score = 100 - (len(words) - len(cw)) // the fewer extra words, the closer
		} else if d := editDistance(joined, c.Name); d <= max(1, len(c.Name)/5) {
			score = 50 - d
		}
		if score > bestScore {
			best, bestScore = c.Name, score
		}
	}
	return best
}

// nameWords splits a column name into lower-case words at anything that is
// not a letter or digit: "Date of referral", "date_of_referral" and
// "DateOfReferral" are not all alike, but the first two are.
func nameWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// containsAll reports whether every word of want is in words.
func containsAll(words, want []string) bool {
	for _, w := range want {
		found := false
		for _, x := range words {
			if x == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// editDistance is the Levenshtein distance between two short names.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// unknownColumnsReason says which header names are not in the contract,
// with the contract column each probably means where one is close and
// still missing, and how to map the names of another system.
func unknownColumnsReason(t Table, unknown, missing []string) string {
	named := make([]string, len(unknown))
	for i, name := range unknown {
		named[i] = truncateValue(name)
		if c := closestColumn(t, name); c != "" && containsAll(missing, []string{c}) {
			named[i] += fmt.Sprintf(" (did you mean %s?)", c)
		}
	}
	return fmt.Sprintf("The header has column(s) not in the contract: %s; %s needs exactly: %s. Rename the columns, or, if another system names them so, map its names to the contract's in the configuration file's \"aliases\".",
		strings.Join(named, ", "), t.Name, strings.Join(t.ColumnNames(), ", "))
}

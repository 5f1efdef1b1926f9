package uptake

import _ "embed"

// IndicatorsDoc is docs/indicators.md, the definition of every indicator:
// the quarterly pack prints its definitions as an appendix, so the pack
// and the documentation cannot disagree.
//
//go:embed docs/indicators.md
var IndicatorsDoc string

package generate

// Names for the fictional borough (the first area) and for the generic areas
// that make up England-scale runs. None of them is meant to be a real practice.

// boroughPlaces name the first area's practices; they read like north
// London streets and neighbourhoods without being a list of real surgeries.
var boroughPlaces = []string{
	"Archway Hill", "Hillside Road", "Tollgate", "Parkside", "Highfield Grove", "Canal Street",
	"Mildmay Road", "Holloway Vale", "Barnsford", "Clerkwell", "Market Row", "Junction Road",
	"Caledon", "Pentonvale", "Tufton Park", "Hornsey Rise", "Elthorne", "Whitley Square",
	"Amwell Gardens", "Goodwin Street", "Ritchie Road", "Andover Terrace", "Sobell Green",
	"Roman Way", "Brecknock", "Newington Green", "Blackstock", "Gillespie Road", "Halliford",
	"Cross Street", "Liverpool Place", "Copenhagen Row", "Thornhill Square", "Lough Road",
	"Dartmouth Park", "Crouch Vale", "St Paul's Road", "Compton Terrace", "Offord Road",
	"Beacon Hill", "Arsenal Row", "Seven Sisters Way", "Mountgrove", "Aberdeen Park",
	"Calabria Road", "Ashburnham", "Leigh Road", "Elmore Street", "Wray Crescent", "Ronalds Road",
}

var practiceSuffixes = []string{
	"Medical Practice", "Group Practice", "Surgery", "Medical Centre", "Health Centre",
	"Family Practice", "Practice",
}

// Special borough practice names: commas (quoted in CSV) and characters that
// exist in Windows-1252 but not in ASCII. They replace the generated names
// at these positions in the first area.
var specialPracticeNames = map[int]string{
	3:  "St Mary’s Road Surgery",
	7:  "Dr Amélie Laurent & Partners",
	11: "Drs Mensah, Patel and Osei",
	19: "The Goodwin Street Practice, Hornsey Rise branch",
}

var boroughPCNs = []string{
	"Archway & Hillside PCN", "Holloway Vale PCN", "Highfield, Canal & Mildmay PCN",
	"Parkside & Tollgate PCN", "Barnsford & Caledon PCN", "Clerkwell & Market Row PCN",
	"Junction & Tufton PCN", "Newington PCN",
}

// boroughVenue is one of the first area's venues.
type boroughVenue struct {
	name, postcode, ward string
	stepFree             bool
}

var boroughVenues = []boroughVenue{
	{"Mildmay Community Centre", "N1 4RS", "Mildmay", true},
	{"Hornsey Road Health Centre", "N7 6PA", "Tollgate", true},
	{"Central Library, Meeting Room 2", "N5 1PF", "Highfield", true},
	{"Archway Community Hub", "N19 5SE", "Junction", true},
	{"Finsbury Vale Wellbeing Centre", "N4 3JP", "Parkside", false},
	{"Caledon Health Centre", "N7 8LU", "Caledon", true},
	{"Barnsford Baptist Church Hall", "N1 1QN", "Barnsford", true},
	{"Hillside Youth and Community Centre", "N19 3NQ", "Hillside", true},
}

// Syllables for generic place names in other areas.
var placeHeads = []string{
	"Ash", "Oak", "Mill", "Brook", "Church", "Kings", "Queens", "North", "South", "East", "West",
	"High", "Nether", "Upper", "Green", "Park", "Bridge", "Castle", "Station", "Market", "Elm",
	"Holly", "Thorn", "Stone", "Marsh", "Fair", "Long", "Broad", "Red", "White", "Black", "Wood",
	"Hazel", "Lark", "Wil", "Bar", "Stan", "Chal", "Sel", "Hart",
}

var placeTails = []string{
	"field", "ford", "wood", "gate", "ley", "ton", "bury", "well", "side", "hill", "croft",
	"dale", "moor", "worth", "ham", "stead", "borough", "bridge", "combe", "wick",
}

var venueKinds = []string{
	"Community Centre", "Health Centre", "Library", "Leisure Centre", "Methodist Church Hall",
	"Neighbourhood Centre", "Wellbeing Hub", "Town Hall, Committee Room",
}

// Second course languages by area; the first area (the borough) has Turkish.
var secondLanguages = []string{
	"Turkish", "Bengali", "Urdu", "Punjabi", "Polish", "Somali", "Gujarati", "Arabic",
	"Portuguese", "Tamil",
}

// ethnicMixFor gives the ethnic-group weights (order of ethnicValues) of
// people whose preferred language is lang.
func ethnicMixFor(lang string) []float64 {
	switch lang {
	case "English":
		return []float64{17, 22, 5, 45, 5, 6}
	case "Turkish", "Polish", "Portuguese":
		return []float64{0, 0, 1, 58, 31, 10}
	case "Bengali", "Urdu", "Punjabi", "Gujarati", "Tamil":
		return []float64{90, 0, 1, 0, 2, 7}
	case "Somali":
		return []float64{0, 90, 2, 0, 2, 6}
	default: // Arabic and anything else
		return []float64{10, 5, 2, 8, 68, 7}
	}
}

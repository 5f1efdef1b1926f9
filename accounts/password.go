package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2Params are the cost parameters of an argon2id hash, as the PHC
// string records them.
type argon2Params struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
	keyLen  uint32 // bytes
	saltLen int    // bytes
}

// hashParams are the parameters new hashes get: 64 MiB, three passes, two
// lanes, RFC 9106's recommendation for memory-constrained servers with
// the lanes cut to the two cores uptake runs on. One hash then takes about
// 60 ms on such a server (BenchmarkHashPassword), slow enough to make
// guessing from a stolen database expensive and quick enough for a
// sign-in. Existing hashes keep the parameters they were made with and are
// upgraded at the owner's next sign-in (NeedsRehash), so these can be
// raised later.
var hashParams = argon2Params{memory: 64 * 1024, time: 3, threads: 2, keyLen: 32, saltLen: 16}

// hashSlots bounds how many hashes run at once: each takes 64 MiB and both
// cores, so a burst of sign-in attempts queues here instead of exhausting
// the server's memory.
var hashSlots = make(chan struct{}, 2)

func acquireHashSlot(ctx context.Context) (release func(), err error) {
	select {
	case hashSlots <- struct{}{}:
		return func() { <-hashSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string of password under hashParams with
// a fresh random salt, e.g. $argon2id$v=19$m=65536,t=3,p=2$salt$hash.
func hashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, hashParams.saltLen)
	rand.Read(salt) // never fails (crypto/rand since Go 1.24)
	release, err := acquireHashSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return encodePHC(hashParams, salt, []byte(password)), nil
}

// encodePHC hashes password with p and salt and encodes the result.
func encodePHC(p argon2Params, salt, password []byte) string {
	key := argon2.IDKey(password, salt, p.time, p.memory, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("stored password hash is not an argon2id PHC string")

// decodePHC parses a PHC string made by encodePHC (or by any argon2id
// implementation: the reference one writes the same format). It refuses
// parameters outside sane bounds, so a damaged row cannot make a sign-in
// allocate gigabytes.
func decodePHC(phc string) (p argon2Params, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errBadHash
	}
	var m, t, par uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, errBadHash
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			par = n
		default:
			return p, nil, nil, errBadHash
		}
	}
	if par < 1 || par > 64 || t < 1 || t > 64 || m < 8*par || m > 4*1024*1024 {
		return p, nil, nil, errBadHash
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, errBadHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, errBadHash
	}
	p = argon2Params{memory: uint32(m), time: uint32(t), threads: uint8(par), keyLen: uint32(len(key)), saltLen: len(salt)}
	return p, salt, key, nil
}

// verifications counts the argon2id verifications done, by the cost of
// their parameters (KiB times passes), so that a test can check that an
// unknown username costs exactly what a wrong password does.
var verifications atomic.Int64

// verifyPassword reports whether password matches the PHC string, using
// the parameters recorded in it. The comparison takes the same time
// wherever the first difference is.
func verifyPassword(ctx context.Context, phc, password string) (bool, error) {
	p, salt, want, err := decodePHC(phc)
	if err != nil {
		return false, err
	}
	release, err := acquireHashSlot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	verifications.Add(int64(p.memory) * int64(p.time))
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether a stored hash was made with other parameters
// than new hashes get, so it should be replaced at the next sign-in, when
// the password is at hand.
func NeedsRehash(phc string) bool {
	p, _, _, err := decodePHC(phc)
	return err != nil || p != hashParams
}

// dummyHash is a hash of a random password nobody knows. Signing in as an
// unknown user verifies against it, so that the answer takes as long as
// for a real user with a wrong password.
var dummyHash = sync.OnceValue(func() string {
	return encodePHC(hashParams, []byte("uptake-dummy-salt"), []byte(rand.Text()))
})

// CheckPassword tells whether password may be chosen by the user with
// username, returning a *ValidationError that says why not. AddUser,
// ResetPassword and ChangePassword check it themselves; the dashboard may
// call it to answer a form early.
//
// The rules follow NCSC password guidance: length over complexity, and a
// deny list instead of composition rules. A password must have at least
// MinPasswordLength characters, must not be or contain the username, and
// must not be a well-known password, a keyboard or digit run, or one short
// piece repeated.
func CheckPassword(username, password string) error {
	if !utf8.ValidString(password) {
		return invalid("password", "The password contains characters that are not text.")
	}
	for _, r := range password {
		if unicode.IsControl(r) {
			return invalid("password", "The password must not contain control characters such as tabs or line breaks.")
		}
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return invalid("password", "The password must be at least %d characters long; a few unrelated words make a good one.", MinPasswordLength)
	}
	if n > MaxPasswordLength {
		return invalid("password", "The password must be at most %d characters long.", MaxPasswordLength)
	}
	lower := strings.ToLower(password)
	user := normaliseUsername(username)
	if user != "" && (lower == user || (len(user) >= 4 && strings.Contains(lower, user))) {
		return invalid("password", "The password must not contain the username.")
	}
	if commonPassword(lower) {
		return invalid("password", "That password is too easy to guess: it is a well-known password or pattern. A few unrelated words make a good one.")
	}
	return nil
}

// commonPassword reports whether lower (a lower-cased password) is one an
// attacker tries first.
func commonPassword(lower string) bool {
	// One short piece repeated: "abcabcabcabc", "123123123123".
	runes := []rune(lower)
	for k := 1; k <= len(runes)/2; k++ {
		if len(runes)%k == 0 && strings.Repeat(string(runes[:k]), len(runes)/k) == lower {
			return true
		}
	}
	distinct := map[rune]bool{}
	for _, r := range runes {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return true
	}
	// Runs along the digits, the alphabet or the keyboard, either way.
	for _, run := range []string{"01234567890123456789", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "1q2w3e4r5t6y7u8i9o0p"} {
		if strings.Contains(run, lower) || strings.Contains(reverse(run), lower) {
			return true
		}
	}
	// A common word dressed up with digits and symbols: "Password123!",
	// "Welcome@2026", "Diabetes2026".
	var letters strings.Builder
	for _, r := range lower {
		if unicode.IsLetter(r) {
			letters.WriteRune(r)
		}
	}
	if commonWords[letters.String()] {
		return true
	}
	return commonPasswords[lower]
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// commonWords are the letters of passwords attackers try first, once the
// digits and symbols around them are stripped; with the words of this
// service that a user might reach for.
var commonWords = setOf(
	"password", "passw", "passwd", "pass", "pword", "qwerty", "qwertyuiop", "asdf", "zxcvbnm",
	"letmein", "welcome", "iloveyou", "admin", "administrator", "changeme", "secret", "login",
	"monkey", "dragon", "football", "baseball", "sunshine", "princess", "shadow", "master",
	"superman", "trustno", "hello", "default", "guest", "test", "qazwsx", "abc",
	"spring", "summer", "autumn", "winter", "january", "february", "march", "april", "may",
	"june", "july", "august", "september", "october", "november", "december",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"london", "england", "nhs", "nhsengland", "diabetes", "uptake", "desmond", "practice",
	"surgery", "doctor", "nurse", "health", "medical", "commissioner", "service", "servicelead",
)

// commonPasswords are whole passwords of twelve or more characters from
// published breach lists that the rules above do not already catch.
var commonPasswords = setOf(
	"1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "q1w2e3r4t5y6", "a1b2c3d4e5f6",
	"123qweasdzxc", "qweasdzxc123", "1234qwerasdf", "qwer1234asdf", "abcd1234efgh",
	"correcthorsebatterystaple", "correct horse battery staple", "iloveyouforever",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

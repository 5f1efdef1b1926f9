package accounts

import (
	"strings"
	"testing"
)

// TestPHCKnownAnswer checks the hashing and its encoding against the
// reference implementation of Argon2 (phc-winner-argon2, src/test.c):
// argon2id, v=19, m=256 KiB, t=2, p=2, password "password", salt "somesalt".
func TestPHCKnownAnswer(t *testing.T) {
	const want = "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"
	p := argon2Params{memory: 256, time: 2, threads: 2, keyLen: 32, saltLen: 8}
	if got := encodePHC(p, []byte("somesalt"), []byte("password")); got != want {
		t.Errorf("encodePHC = %s\nwant        %s", got, want)
	}
	gotP, salt, key, err := decodePHC(want)
	if err != nil {
		t.Fatal(err)
	}
	if gotP != p || string(salt) != "somesalt" || len(key) != 32 {
		t.Errorf("decodePHC = %+v, %q, %d-byte key", gotP, salt, len(key))
	}
	for pw, wantOK := range map[string]bool{"password": true, "differentpassword": false, "Password": false, "": false} {
		ok, err := verifyPassword(ctx, want, pw)
		if err != nil || ok != wantOK {
			t.Errorf("verify %q against the reference hash = %v, %v; want %v", pw, ok, err, wantOK)
		}
	}
}

// TestProductionParameters pins what new hashes cost in production (the
// tests otherwise hash with tiny parameters), and round-trips one.
func TestProductionParameters(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with 64 MiB")
	}
	saved := hashParams
	hashParams = productionParams
	defer func() { hashParams = saved }()
	phc, err := hashPassword(ctx, "tangerine lantern river")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("production hash %s: want argon2id with m=65536,t=3,p=2", phc)
	}
	if _, salt, key, err := decodePHC(phc); err != nil || len(salt) != 16 || len(key) != 32 {
		t.Errorf("production hash has %d-byte salt, %d-byte key, err %v; want 16 and 32", len(salt), len(key), err)
	}
	if ok, err := verifyPassword(ctx, phc, "tangerine lantern river"); !ok || err != nil {
		t.Errorf("the right password does not verify: %v %v", ok, err)
	}
	if ok, _ := verifyPassword(ctx, phc, "tangerine lantern rivers"); ok {
		t.Error("a wrong password verifies")
	}
	if NeedsRehash(phc) {
		t.Error("a fresh hash needs rehashing")
	}
}

func TestHashRoundTrip(t *testing.T) {
	a, err := hashPassword(ctx, "tangerine lantern river")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := hashPassword(ctx, "tangerine lantern river")
	if a == b {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, phc := range []string{a, b} {
		if ok, err := verifyPassword(ctx, phc, "tangerine lantern river"); !ok || err != nil {
			t.Errorf("%s: right password = %v, %v", phc, ok, err)
		}
		if ok, _ := verifyPassword(ctx, phc, "Tangerine lantern river"); ok {
			t.Errorf("%s: wrong password verifies", phc)
		}
	}
}

func TestDecodePHCRefusesDamagedHashes(t *testing.T) {
	good := encodePHC(argon2Params{memory: 64, time: 1, threads: 1, keyLen: 32}, []byte("0123456789abcdef"), []byte("pw"))
	parts := strings.Split(good, "$") // "", argon2id, v=19, params, salt, hash
	join := func(p ...string) string { return strings.Join(p, "$") }
	for name, phc := range map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":          join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"version 16":       join("", "argon2id", "v=16", parts[3], parts[4], parts[5]),
		"4 TiB of memory":  join("", "argon2id", parts[2], "m=4294967295,t=1,p=1", parts[4], parts[5]),
		"no passes":        join("", "argon2id", parts[2], "m=64,t=0,p=1", parts[4], parts[5]),
		"unknown param":    join("", "argon2id", parts[2], "m=64,t=1,p=1,x=2", parts[4], parts[5]),
		"short salt":       join("", "argon2id", parts[2], parts[3], "c2FsdA", parts[5]),
		"padded base64":    join("", "argon2id", parts[2], parts[3], parts[4]+"=", parts[5]),
		"missing hash":     join("", "argon2id", parts[2], parts[3], parts[4]),
		"trailing segment": good + "$x",
	} {
		if _, _, _, err := decodePHC(phc); err == nil {
			t.Errorf("%s: decodePHC(%q) accepted it", name, phc)
		}
		if ok, err := verifyPassword(ctx, phc, "pw"); ok || err == nil {
			t.Errorf("%s: verify = %v, %v; want an error", name, ok, err)
		}
	}
	if ok, err := verifyPassword(ctx, good, "pw"); !ok || err != nil {
		t.Errorf("the undamaged hash: %v %v", ok, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	current, _ := hashPassword(ctx, "tangerine lantern river")
	older := encodePHC(argon2Params{memory: 32, time: 1, threads: 1, keyLen: 32}, []byte("0123456789abcdef"), []byte("x"))
	shortSalt := encodePHC(argon2Params{memory: hashParams.memory, time: hashParams.time, threads: hashParams.threads, keyLen: 32}, []byte("somesalt"), []byte("x"))
	for phc, want := range map[string]bool{current: false, older: true, shortSalt: true, "garbage": true} {
		if got := NeedsRehash(phc); got != want {
			t.Errorf("NeedsRehash(%s) = %v, want %v", phc, got, want)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	ok := []string{
		"kettle orbit meadow",      // three words
		"correct-horse-battery-9",  // words and a digit
		"Tr0ub4dor&3xyz",           // the classic, long enough
		"passwordless quiet river", // contains a common word, but more
		"é ü ß ø å æ œ ñ ç",        // 17 characters, not ASCII
		"483920174625",             // twelve random digits
	}
	for _, pw := range ok {
		if err := CheckPassword("alice", pw); err != nil {
			t.Errorf("CheckPassword(%q) = %v, want nil", pw, err)
		}
	}
	refused := []struct{ password, why string }{
		{"short one", "at least 12"},
		{"elevenchars", "at least 12"},           // 11
		{"ünïcödé", "at least 12"},               // 7 characters, 11 bytes
		{strings.Repeat("abcde", 52), "at most"}, // 260
		{"alice.smith1", "username"},             // equal to the username
		{"ALICE.SMITH1", "username"},             // in any case
		{"my name is alice.smith1", "username"},  // containing it
		{"Password123!", "easy to guess"},        // word dressed up
		{"Welcome@2026", "easy to guess"},
		{"Diabetes2026", "easy to guess"},
		{"123456789012", "easy to guess"}, // digit run
		{"210987654321", "easy to guess"}, // backwards
		{"qwertyuiopas", "easy to guess"}, // keyboard run
		{"abcabcabcabc", "easy to guess"}, // repeated piece
		{"aaaaaaaaaaaa", "easy to guess"},
		{"aabbccddaabb", "easy to guess"}, // four distinct characters
		{"1q2w3e4r5t6y", "easy to guess"}, // breach list
		{"tab\tinside password", "control"},
		{"bad\xffutf8 password", "not text"},
	}
	for _, c := range refused {
		wantValidation(t, CheckPassword("alice.smith1", c.password), "password", c.why)
	}
}

// BenchmarkHashPassword measures one production hash, the cost of a
// sign-in: go test -run XXX -bench HashPassword ./accounts/
func BenchmarkHashPassword(b *testing.B) {
	saved := hashParams
	hashParams = productionParams
	defer func() { hashParams = saved }()
	for b.Loop() {
		if _, err := hashPassword(ctx, "tangerine lantern river"); err != nil {
			b.Fatal(err)
		}
	}
}

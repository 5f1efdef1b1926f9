package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/db"
)

// userCommand manages the people who may sign in: the command-line way in
// for the first administrator, and the way back in when every
// administrator has lost their password. It changes the database itself, or through
// the server that holds it.
type userCommand struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	dbPath string
	req    userRequest

	db *sql.DB
}

// userRequest is one `uptake user` operation, as the command runs it
// itself or sends it to the server over the control socket (POST /user).
type userRequest struct {
	Op       string `json:"op"` // add, list, disable, enable or reset
	Username string `json:"username,omitempty"`
	Role     string `json:"role,omitempty"`
	Practice string `json:"practice,omitempty"`
	Name     string `json:"name,omitempty"`
	Password string `json:"password,omitempty"`
}

// userResponse is the outcome of a userRequest.
type userResponse struct {
	Users   []accounts.User `json:"users,omitempty"` // for list
	Message string          `json:"message,omitempty"`
	Error   string          `json:"error,omitempty"`
}

const userSynopsis = `uptake user add --db FILE --username NAME --role ROLE [--practice CODE] [--name "FULL NAME"]
       uptake user list --db FILE
       uptake user disable|enable|reset --db FILE USERNAME

Roles: commissioner, service_lead, practice (needs --practice, the ODS code), admin.
add and reset read the new password from standard input: typed twice at a
terminal, or the first line of a pipe.`

func (c *userCommand) parse(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(c.stdout, "usage: %s\n", userSynopsis)
			return flag.ErrHelp
		}
		fmt.Fprintf(c.stderr, "uptake user: say what to do: add, list, disable, enable or reset\n\nusage: %s\n", userSynopsis)
		return errUsage
	}
	c.req.Op, args = args[0], args[1:]
	switch c.req.Op {
	case "add", "list", "disable", "enable", "reset":
	default:
		fmt.Fprintf(c.stderr, "uptake user: unknown operation %q: use add, list, disable, enable or reset\n", c.req.Op)
		return errUsage
	}
	fs := newFlagSet("user "+c.req.Op, userSynopsis, c.stderr)
	fs.StringVar(&c.dbPath, "db", "", "DuckDB database `file` whose users to manage")
	fs.StringVar(&c.req.Username, "username", "", "the user's `name` for signing in")
	if c.req.Op == "add" {
		fs.StringVar(&c.req.Role, "role", "", "`role`: commissioner, service_lead, practice or admin")
		fs.StringVar(&c.req.Practice, "practice", "", "ODS `code` of a practice user's practice, e.g. F83004")
		fs.StringVar(&c.req.Name, "name", "", "the user's full `name`, as pages show it (default: the username)")
	}
	// Flags may come before or after the username.
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fail := func(format string, a ...any) error {
		fmt.Fprintf(c.stderr, "uptake user %s: "+format+"\n", append([]any{c.req.Op}, a...)...)
		return errUsage
	}
	if c.dbPath == "" {
		return fail("--db is required: the database file whose users to manage")
	}
	switch {
	case c.req.Op == "list" && (len(positional) > 0 || c.req.Username != ""):
		return fail("takes no username")
	case c.req.Op != "list" && len(positional) == 1 && c.req.Username == "":
		c.req.Username = positional[0]
	case len(positional) > 0:
		return fail("unexpected argument %q", positional[len(positional)-1])
	}
	if c.req.Op != "list" && c.req.Username == "" {
		return fail("name the user, e.g. uptake user %s --db FILE alice", c.req.Op)
	}
	if c.req.Op == "add" {
		if c.req.Role == "" {
			return fail("--role is required: commissioner, service_lead, practice or admin")
		}
		role, err := accounts.ParseRole(c.req.Role)
		if err != nil {
			return fail("%v", err)
		}
		c.req.Role = string(role)
		if role == accounts.RolePractice && c.req.Practice == "" {
			return fail("a practice user needs --practice, the ODS code of their practice (e.g. F83004)")
		}
	}
	return nil
}

// Run reads the new password if the operation needs one, then changes the
// database itself or, when a server holds it, through that server.
func (c *userCommand) Run(ctx context.Context) error {
	if _, err := os.Stat(c.dbPath); err != nil {
		return fmt.Errorf("no database at %s (load data into it first with uptake ingest): %w", c.dbPath, err)
	}
	if c.req.Op == "add" || c.req.Op == "reset" {
		pw, err := readNewPassword(ctx, c.stdin, c.stderr, c.req.Username)
		if err != nil {
			return err
		}
		// Checked here too, so that a weak password is refused before
		// anything is opened or sent.
		if err := accounts.CheckPassword(c.req.Username, pw); err != nil {
			return err
		}
		c.req.Password = pw
	}

	var resp userResponse
	conn, err := db.Open(ctx, c.dbPath)
	switch {
	case db.IsLockConflict(err):
		fmt.Fprintf(c.stderr, "%s is open in a running uptake server: handing the change to it.\n", c.dbPath)
		if resp, err = handOffUser(ctx, c.dbPath+".sock", c.req); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		c.db = conn
		if resp, err = runUserOp(ctx, accounts.New(conn), cliActor("cli"), c.req); err != nil {
			return err
		}
	}
	if c.req.Op == "list" {
		printUsers(c.stdout, resp.Users)
		return nil
	}
	fmt.Fprintln(c.stdout, resp.Message)
	return nil
}

// Close closes the database if this process opened it.
func (c *userCommand) Close() error {
	if c.db == nil {
		return nil
	}
	err := c.db.Close()
	c.db = nil
	return err
}

// runUserOp carries out req on store as actor by. The CLI calls it on its
// own database; the server calls it for requests on its control socket.
func runUserOp(ctx context.Context, store *accounts.Store, by accounts.Actor, req userRequest) (userResponse, error) {
	name := strings.ToLower(strings.TrimSpace(req.Username))
	var err error
	var resp userResponse
	switch req.Op {
	case "list":
		resp.Users, err = store.ListUsers(ctx)
	case "add":
		var u accounts.User
		u, err = store.AddUser(ctx, by, accounts.NewUser{
			Username: req.Username, DisplayName: req.Name, Role: accounts.Role(req.Role),
			PracticeCode: req.Practice, Password: req.Password,
		})
		resp.Message = fmt.Sprintf("Added %s: %s", u.Username, strings.ToLower(u.Role.Label()))
		if u.PracticeCode != "" {
			resp.Message += " of " + u.PracticeCode
		}
		resp.Message += "."
	case "disable":
		err = store.DisableUser(ctx, by, name)
		resp.Message = fmt.Sprintf("Disabled %s; any sessions they had have ended.", name)
	case "enable":
		err = store.EnableUser(ctx, by, name)
		resp.Message = fmt.Sprintf("Enabled %s.", name)
	case "reset":
		err = store.ResetPassword(ctx, by, name, req.Password)
		resp.Message = fmt.Sprintf("Reset the password of %s; they must choose their own when they next sign in.", name)
	default:
		return userResponse{}, fmt.Errorf("unknown user operation %q", req.Op)
	}
	switch {
	case errors.Is(err, accounts.ErrNoSuchUser):
		return userResponse{}, &accounts.ValidationError{Field: "username", Msg: fmt.Sprintf("no user %q (uptake user list --db FILE shows them)", name)}
	case errors.Is(err, accounts.ErrUsernameTaken):
		return userResponse{}, &accounts.ValidationError{Field: "username", Msg: fmt.Sprintf("there is already a user %q", name)}
	case err != nil:
		return userResponse{}, err
	}
	return resp, nil
}

// printUsers writes users as a table.
func printUsers(w io.Writer, users []accounts.User) {
	if len(users) == 0 {
		fmt.Fprintln(w, "No users yet. Add the first administrator with: uptake user add --db FILE --username NAME --role admin")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tPRACTICE\tSTATUS\tLAST SIGN-IN\tNAME")
	for _, u := range users {
		var status []string
		switch {
		case u.Disabled:
			status = append(status, "disabled")
		default:
			status = append(status, "active")
		}
		if u.MustChangePassword {
			status = append(status, "must change password")
		}
		if u.Demo {
			status = append(status, "DEMO")
		}
		last := "never"
		if !u.LastSignInAt.IsZero() {
			last = u.LastSignInAt.Local().Format("2006-01-02 15:04")
		}
		practice := u.PracticeCode
		if practice == "" {
			practice = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, practice, strings.Join(status, ", "), last, u.DisplayName)
	}
	tw.Flush()
}

// cliActor is the command line as the actor of audit events:
// "cli:" and the operating-system user, who can read the database file
// anyway. remoteAddr says how the change arrived: "cli" or "control socket".
func cliActor(remoteAddr string) accounts.Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = fmt.Sprintf("uid %d", os.Getuid())
	}
	return accounts.Actor{Username: "cli:" + name, RemoteAddr: remoteAddr}
}

// readNewPassword reads a new password for username. At a terminal it asks
// twice without echo; otherwise it reads the first line of stdin, so that
// scripts and password managers can pipe one in.
func readNewPassword(ctx context.Context, stdin io.Reader, stderr io.Writer, username string) (string, error) {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	f, isFile := stdin.(*os.File)
	if !isFile || !isTerminal(f) {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the password from standard input: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", errors.New("no password on standard input: type it at a terminal, or pipe one line")
		}
		return pw, nil
	}

	// The standard library cannot turn off a terminal's echo, and uptake
	// adds no module for it: stty can, on Linux and macOS.
	if err := stty(f, "-echo"); err != nil {
		fmt.Fprintln(stderr, "warning: could not hide your typing (no stty): the password will show as you type it.")
	} else {
		defer stty(f, "echo")
	}
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		r := bufio.NewReader(f)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				errc <- err
				return
			}
			lines <- strings.TrimRight(line, "\r\n")
		}
	}()
	ask := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		defer fmt.Fprintln(stderr)
		select {
		case l := <-lines:
			return l, nil
		case err := <-errc:
			return "", fmt.Errorf("reading the password: %w", err)
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	first, err := ask(fmt.Sprintf("New password for %s (at least %d characters; a few unrelated words make a good one): ", username, accounts.MinPasswordLength))
	if err != nil {
		return "", err
	}
	if err := accounts.CheckPassword(username, first); err != nil {
		return "", err
	}
	second, err := ask("The same password again: ")
	if err != nil {
		return "", err
	}
	if first != second {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return first, nil
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// stty runs stty with arg on the terminal f.
func stty(f *os.File, arg string) error {
	cmd := exec.Command("stty", arg)
	cmd.Stdin = f
	return cmd.Run()
}

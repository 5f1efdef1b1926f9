package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/uptake-nhs/uptake/accounts"
	"github.com/uptake-nhs/uptake/ingest"
)

// The control socket lets `uptake ingest` hand a load to the server that
// owns the database file (DuckDB allows one writing process per file). It is
// a Unix socket beside the database, FILE.sock, with mode 0600: only the
// operating-system user who runs the server can use it, so it needs no
// password of its own. The protocol is HTTP: POST /load with a loadRequest,
// {"dir": PATH, "accept_rejections": false}, answers with one JSON message
// per line (progress, then the result);
// POST /user with a userRequest (`uptake user`) answers with one
// userResponse. Changes arriving here are audited as "cli:" and the
// server's operating-system user, the only one who can reach the socket.

// loadRequest asks the server to load the quarter folder Dir, an absolute
// path; AcceptRejections is `uptake ingest --accept-rejections`.
type loadRequest struct {
	Dir              string `json:"dir"`
	AcceptRejections bool   `json:"accept_rejections,omitempty"`
}

// controlMessage is one line of the /load answer.
type controlMessage struct {
	Progress *ingest.Progress `json:"progress,omitempty"`
	Summary  string           `json:"summary,omitempty"` // the load's terminal summary, when it finished
	Action   string           `json:"action,omitempty"`
	Error    string           `json:"error,omitempty"`
}

type controlServer struct {
	path string
	ln   net.Listener
	srv  *http.Server
}

// startControl listens on path and hands loads to loads, the server's
// single writer, which refreshes the store's derived tables inside each
// load's transaction, so that the dashboard shows the new quarter as soon
// as the load commits.
func startControl(ctx context.Context, path string, loads *quarterLoads, log *slog.Logger) (*controlServer, error) {
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	users := loads.users
	actor := cliActor("control socket")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /load", func(w http.ResponseWriter, r *http.Request) {
		var req loadRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || !filepath.IsAbs(req.Dir) {
			http.Error(w, "want {\"dir\": absolute path}", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		flusher, _ := w.(http.Flusher)
		send := func(m controlMessage) {
			enc.Encode(m)
			if flusher != nil {
				flusher.Flush()
			}
		}
		res, err := loads.load(r.Context(), req.Dir, req.AcceptRejections, actor, func(p ingest.Progress) { send(controlMessage{Progress: &p}) })
		if err != nil {
			send(controlMessage{Error: err.Error()})
			return
		}
		var sum bytes.Buffer
		res.Summary(&sum)
		send(controlMessage{Summary: sum.String(), Action: string(res.Action)})
	})
	mux.HandleFunc("POST /user", func(w http.ResponseWriter, r *http.Request) {
		var req userRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		dec.DisallowUnknownFields()
		w.Header().Set("Content-Type", "application/json")
		if err := dec.Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(userResponse{Error: "want a JSON user request: " + err.Error()})
			return
		}
		resp, err := runUserOp(r.Context(), users, actor, req)
		if err != nil {
			// The password is never logged; the username is no secret.
			log.Warn("user change refused", "op", req.Op, "username", req.Username, "err", err)
			status := http.StatusInternalServerError
			var ve *accounts.ValidationError
			if errors.As(err, &ve) {
				status = http.StatusBadRequest
			}
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(userResponse{Error: err.Error()})
			return
		}
		if req.Op != "list" {
			log.Info("user change", "op", req.Op, "username", req.Username)
		}
		json.NewEncoder(w).Encode(resp)
	})
	c := &controlServer{path: path, ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go c.srv.Serve(ln)
	return c, nil
}

// Close stops accepting loads and removes the socket file. A load in
// progress is cancelled and rolled back.
func (c *controlServer) Close() error {
	err := c.srv.Close()
	os.Remove(c.path)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// removeStaleSocket deletes a socket file left by a server that died. A
// socket someone still answers on is left alone.
func removeStaleSocket(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("another uptake server is answering on %s", path)
	}
	return os.Remove(path)
}

// controlClient is an HTTP client that reaches the control socket at
// sockPath whatever the URL's host.
func controlClient(sockPath string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sockPath)
		},
	}}
}

// handOffUser asks the server owning the database to carry out req.
func handOffUser(ctx context.Context, sockPath string, req userRequest) (userResponse, error) {
	body, _ := json.Marshal(req)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://uptake/user", bytes.NewReader(body))
	if err != nil {
		return userResponse{}, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := controlClient(sockPath).Do(hreq)
	if err != nil {
		return userResponse{}, noAnswer(sockPath, err, "manage users on the dashboard's admin page, or stop the server and run this command again")
	}
	defer resp.Body.Close()
	var out userResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<24)).Decode(&out); err != nil {
		return userResponse{}, fmt.Errorf("garbled answer from server (%s): %w", resp.Status, err)
	}
	if out.Error != "" {
		return userResponse{}, errors.New(out.Error)
	}
	if resp.StatusCode != http.StatusOK {
		return userResponse{}, fmt.Errorf("server answered %s", resp.Status)
	}
	return out, nil
}

// handOff asks the server owning the database to load req.Dir, showing
// its progress and printing its summary. The folder must be readable by
// the server, which runs as the same user.
func handOff(ctx context.Context, sockPath string, req loadRequest, progress func(ingest.Progress), out io.Writer) (action string, err error) {
	abs, err := filepath.Abs(req.Dir)
	if err != nil {
		return "", err
	}
	client := controlClient(sockPath)
	req.Dir = abs
	body, _ := json.Marshal(req)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://uptake/load", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return "", noAnswer(sockPath, err, "upload the quarter on the dashboard's Data page, or stop the server and run this command again")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return "", fmt.Errorf("server refused the load: %s", bytes.TrimSpace(msg))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	for sc.Scan() {
		var m controlMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return "", fmt.Errorf("garbled answer from server: %w", err)
		}
		switch {
		case m.Progress != nil:
			if progress != nil {
				progress(*m.Progress)
			}
		case m.Error != "":
			return "", errors.New(m.Error)
		default:
			io.WriteString(out, m.Summary)
			return m.Action, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New("the server closed the connection before the load finished; the quarter was not loaded")
}

// noAnswer explains a running server that cannot be reached through its
// control socket (it may have started without one: see serveCommand.Run),
// and what to do instead.
func noAnswer(sockPath string, err error, instead string) error {
	return fmt.Errorf("a running uptake server holds the database, but its control socket %s does not answer (%v); %s", sockPath, err, instead)
}

package platform

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// DefaultHubEndpoint is the Hugging Face hub; HF_ENDPOINT or a mirror URL
// replaces it.
const DefaultHubEndpoint = "https://huggingface.co"

// Hub reads model repositories from the Hugging Face hub or a mirror that
// speaks its API: GET /api/models/ORG/NAME/revision/REV?blobs=true for the
// file list, GET /ORG/NAME/resolve/REV/FILE for the bytes.
type Hub struct {
	Endpoint string       // e.g. https://huggingface.co
	Client   *http.Client // NewHTTPClient(pool): trust pool and proxy
	Token    string       // optional bearer token for gated repositories
}

// HubFile is one file of a repository revision with what verifies it.
type HubFile struct {
	Name   string
	Size   int64
	SHA256 string // LFS files: the hub's lfs.oid / lfs.sha256
	BlobID string // other files: the git blob SHA-1
}

// ErrChecksum marks a downloaded file whose hash differs from the hub's
// metadata; the bytes are discarded.
var ErrChecksum = errors.New("checksum mismatch")

var repoRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ParseRepoRef splits ORG/NAME[@REVISION] (revision default "main").
func ParseRepoRef(ref string) (repo, rev string, err error) {
	repo, rev, _ = strings.Cut(ref, "@")
	if rev == "" {
		rev = "main"
	}
	if !repoRE.MatchString(repo) || strings.Contains(repo, "..") {
		return "", "", fmt.Errorf("model %q: want ORG/NAME or ORG/NAME@REVISION, e.g. cross-encoder/ms-marco-MiniLM-L6-v2", ref)
	}
	if strings.ContainsAny(rev, "/\\ ") && !regexp.MustCompile(`^refs/pr/\d+$`).MatchString(rev) {
		return "", "", fmt.Errorf("model %q: revision %q is not a branch, tag or commit", ref, rev)
	}
	return repo, rev, nil
}

// Files lists a revision's files with their sizes and checksums, and the
// commit the revision resolved to.
func (h Hub) Files(ctx context.Context, repo, rev string) (commit string, files []HubFile, err error) {
	u := strings.TrimRight(h.Endpoint, "/") + "/api/models/" + repo + "/revision/" + url.PathEscape(rev) + "?blobs=true"
	resp, err := h.get(ctx, u, "")
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("%s@%s: %s", repo, rev, statusHint(resp))
	}
	var meta struct {
		SHA      string `json:"sha"`
		Siblings []struct {
			Name   string `json:"rfilename"`
			Size   int64  `json:"size"`
			BlobID string `json:"blobId"`
			LFS    *struct {
				OID    string `json:"oid"`
				SHA256 string `json:"sha256"`
				Size   int64  `json:"size"`
			} `json:"lfs"`
		} `json:"siblings"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(&meta); err != nil {
		return "", nil, fmt.Errorf("%s@%s: hub metadata: %w", repo, rev, err)
	}
	for _, s := range meta.Siblings {
		f := HubFile{Name: s.Name, Size: s.Size, BlobID: s.BlobID}
		if s.LFS != nil {
			f.SHA256 = strings.TrimPrefix(firstNonEmptyStr(s.LFS.SHA256, s.LFS.OID), "sha256:")
			if s.LFS.Size > 0 {
				f.Size = s.LFS.Size
			}
		}
		files = append(files, f)
	}
	return meta.SHA, files, nil
}

func firstNonEmptyStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// maxResumes bounds how often one download resumes after a broken connection.
const maxResumes = 5

// Download fetches f into dst. Bytes arrive in dst+".partial", which a
// later call resumes with an HTTP Range request; the file is renamed to dst
// only after its size and checksum match the metadata (ErrChecksum
// otherwise, and the partial file is removed). A file the metadata gives
// no checksum for fails rather than being trusted.
func (h Hub) Download(ctx context.Context, repo, rev string, f HubFile, dst string, progress func(done, total int64)) error {
	if f.SHA256 == "" && f.BlobID == "" {
		return fmt.Errorf("%s: the hub gave no checksum for this file; refusing to use it unverified", f.Name)
	}
	if _, err := os.Stat(dst); err == nil && verifyFile(dst, f) == nil {
		return nil // an earlier pull finished this one
	}
	part := dst + ".partial"
	u := strings.TrimRight(h.Endpoint, "/") + "/" + repo + "/resolve/" + url.PathEscape(rev) + "/" + f.Name
	var lastErr error
	for attempt := 0; attempt <= maxResumes; attempt++ {
		done, err := h.fetch(ctx, u, part, f, progress)
		if err == nil {
			break
		}
		if ctx.Err() != nil || done < 0 {
			return err
		}
		lastErr = err // a broken transfer: resume from what arrived
		if attempt == maxResumes {
			return fmt.Errorf("%s: gave up after %d resumed attempts: %w", f.Name, maxResumes, lastErr)
		}
	}
	if err := verifyFile(part, f); err != nil {
		os.Remove(part)
		return err
	}
	return os.Rename(part, dst)
}

// fetch appends to part from its current size; done < 0 means a failure
// that resuming cannot fix.
func (h Hub) fetch(ctx context.Context, u, part string, f HubFile, progress func(done, total int64)) (int64, error) {
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
	}
	if f.Size > 0 && have > f.Size {
		if err := os.Remove(part); err != nil {
			return -1, err
		}
		have = 0
	}
	if f.Size > 0 && have == f.Size {
		return have, nil
	}
	rng := ""
	if have > 0 {
		rng = "bytes=" + strconv.FormatInt(have, 10) + "-"
	}
	resp, err := h.get(ctx, u, rng)
	if err != nil {
		return -1, err
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if !strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes "+strconv.FormatInt(have, 10)+"-") {
			return -1, fmt.Errorf("%s: the server resumed at the wrong offset (%q)", f.Name, resp.Header.Get("Content-Range"))
		}
		flags |= os.O_APPEND
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC // no range support: start over
		have = 0
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		os.Remove(part)
		return 0, fmt.Errorf("%s: the server refused to resume; starting over", f.Name)
	default:
		return -1, fmt.Errorf("%s: %s", f.Name, statusHint(resp))
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return -1, err
	}
	w := io.Writer(out)
	if progress != nil {
		w = &progressWriter{w: out, done: have, total: f.Size, fn: progress}
	}
	n, err := io.Copy(w, resp.Body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return have + n, fmt.Errorf("%s: transfer broke after %d bytes: %w", f.Name, have+n, err)
	}
	if f.Size > 0 && have+n != f.Size {
		return have + n, fmt.Errorf("%s: got %d of %d bytes", f.Name, have+n, f.Size)
	}
	return have + n, nil
}

func (h Hub) get(ctx context.Context, u, rng string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	req.Header.Set("User-Agent", "precedent")
	c := h.Client
	if c == nil {
		c = NewHTTPClient(nil)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, ExplainTLS(err)
	}
	return resp, nil
}

func statusHint(resp *http.Response) string {
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return resp.Status + ": a gated or private repository; set HF_TOKEN"
	case http.StatusNotFound:
		return resp.Status + ": no such repository, revision or file"
	case http.StatusProxyAuthRequired:
		return resp.Status + ": the proxy wants credentials (HTTPS_PROXY=http://user:pass@host:port)"
	}
	return resp.Status
}

// verifyFile checks size and checksum against the hub's metadata.
func verifyFile(path string, f HubFile) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if f.Size > 0 && st.Size() != f.Size {
		return fmt.Errorf("%s: %d bytes, the hub says %d: %w", f.Name, st.Size(), f.Size, ErrChecksum)
	}
	var h hash.Hash
	want := f.SHA256
	if want != "" {
		h = sha256.New()
	} else {
		h = sha1.New() // git's blob ID: sha1("blob <size>\x00" + content)
		fmt.Fprintf(h, "blob %d\x00", st.Size())
		want = f.BlobID
	}
	if _, err := io.Copy(h, in); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
		return fmt.Errorf("%s: hash %s, the hub says %s (a mirror or proxy changed the file; nothing was kept): %w", f.Name, got, want, ErrChecksum)
	}
	return nil
}

type progressWriter struct {
	w           io.Writer
	done, total int64
	fn          func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.fn(p.done, p.total)
	return n, err
}

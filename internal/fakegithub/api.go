package fakegithub

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// routes registers the endpoints the fake serves. Anything else, including
// a known path with another method, gets GitHub's 404, as on GitHub.
func (s *Server) routes() {
	s.handle("GET /user", core, s.getUser)
	s.handle("GET /rate_limit", free, s.getRateLimit)
	s.handleRepo("GET", "", s.getRepo)
	s.handleRepo("GET", "/pulls/{number}", s.getPull)
	s.handleRepo("GET", "/pulls/{number}/files", s.listPullFiles)
	s.handleRepo("GET", "/contents/{path...}", s.getContent)
	// One pattern for a commit and its combined status: a ref may hold
	// slashes (feature/x), sent as they are or as %2F.
	s.handleRepo("GET", "/commits/{ref...}", s.commitGet)
	s.handleRepo("GET", "/branches/{branch...}", s.branchGet)
	s.handleRepo("POST", "/statuses/{sha}", s.createStatus)
	s.handleRepo("POST", "/check-runs", s.createCheckRun)
	s.handleRepo("GET", "/check-runs/{id}", s.getCheckRun)
	s.handleRepo("PATCH", "/check-runs/{id}", s.updateCheckRun)
	// One pattern for both GETs: ServeMux refuses .../issues/{number}/comments
	// beside .../issues/comments/{id}, which overlap.
	s.handleRepo("GET", "/issues/{a}/{b}", s.issueGet)
	s.handleRepo("POST", "/issues/{number}/comments", s.createComment)
	s.handleRepo("PATCH", "/issues/comments/{id}", s.editComment)
	s.handleRepo("DELETE", "/issues/comments/{id}", s.deleteComment)
	// An account's repositories, by login and in the by-ID forms their
	// Link headers page in.
	s.handle("GET /users/{username}/repos", core, s.listUserRepos)
	s.handle("GET /user/{account_id}/repos", core, s.listUserRepos)
	s.handle("GET /orgs/{org}/repos", core, s.listOrgRepos)
	s.handle("GET /organizations/{organization_id}/repos", core, s.listOrgRepos)
	s.handle("POST /graphql", graphql, s.graphql)
	if s.prefix == "/api/v3" {
		// GitHub Enterprise Server serves GraphQL beside the REST prefix.
		s.mux.HandleFunc("POST /api/graphql", func(w http.ResponseWriter, r *http.Request) {
			s.respond(w, r, graphql, s.graphql)
		})
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.respond(w, r, core, s.unrouted)
	})
}

type repoHandler func(r *http.Request, body []byte, rp *repo) reply

// handleRepo registers a repository endpoint in both of GitHub's forms:
// by name, /repos/{owner}/{repo}/…, and by id, /repositories/{id}/…,
// which GitHub's own Link headers and redirects use. Both answer the same.
func (s *Server) handleRepo(method, rest string, h repoHandler) {
	s.handle(method+" /repos/{owner}/{repo}"+rest, core, s.withRepo(h))
	s.handle(method+" /repositories/{repository_id}"+rest, core, s.withRepo(h))
}

// withRepo finds the request's repository, by id or by name, for h; a
// former name answers its redirect, and an unknown repository GitHub's 404.
func (s *Server) withRepo(h repoHandler) handler {
	return func(r *http.Request, body []byte) reply {
		if v := r.PathValue("repository_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			rp := s.repoByID(id)
			if err != nil || rp == nil {
				return notFound(r, body)
			}
			return h(r, body, rp)
		}
		rp := s.repo(r.PathValue("owner"), r.PathValue("repo"))
		if rp == nil {
			return s.unrouted(r, body)
		}
		return h(r, body, rp)
	}
}

// unrouted answers what no endpoint serves: a redirect for a path under a
// repository's former name, else GitHub's 404.
func (s *Server) unrouted(r *http.Request, body []byte) reply {
	path := strings.TrimPrefix(r.URL.EscapedPath(), s.prefix)
	segs := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 4)
	if len(segs) < 3 || segs[0] != "repos" {
		return notFound(r, body)
	}
	rp := s.oldNames[segs[1]+"/"+segs[2]]
	if rp == nil || s.repo(segs[1], segs[2]) != nil {
		return notFound(r, body)
	}
	loc := s.api("/repositories/%d", rp.id)
	if len(segs) == 4 {
		loc += "/" + segs[3]
	}
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	// GitHub's answer to a renamed repository's old URL: 301 for a read,
	// 307 for a write, with the same body.
	status := http.StatusTemporaryRedirect
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		status = http.StatusMovedPermanently
	}
	return reply{
		status: status,
		header: http.Header{"Location": {loc}},
		body: map[string]any{
			"message":           "Moved Permanently",
			"url":               loc,
			"documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects",
		},
	}
}

func (s *Server) api(format string, args ...any) string {
	return s.srv.URL + s.prefix + fmt.Sprintf(format, args...)
}

func (s *Server) html(format string, args ...any) string {
	return s.srv.URL + fmt.Sprintf(format, args...)
}

// accountID is the numeric id of a user or organization: what its JSON's
// id and the /user/{id} and /organizations/{id} forms of its URLs hold.
func accountID(login string) int64 {
	if login == Login || login == "" {
		return 1
	}
	return int64(len(login))*1000 + int64(login[0])
}

func (s *Server) userJSON(login string) map[string]any {
	id := accountID(login)
	return map[string]any{
		"login": login, "id": id, "node_id": "MDQ6VXNlcj" + strconv.FormatInt(id, 10),
		"type": "User", "site_admin": false,
		"url": s.api("/users/%s", login), "html_url": s.html("/%s", login),
	}
}

func (s *Server) repoJSON(rp *repo) map[string]any {
	return map[string]any{
		"id": rp.id, "node_id": "R_kgDO" + strconv.FormatInt(rp.id, 10),
		"name": rp.name, "full_name": rp.owner + "/" + rp.name,
		"owner": s.userJSON(rp.owner), "private": false, "default_branch": BaseRef,
		"url": s.api("/repos/%s/%s", rp.owner, rp.name), "html_url": s.html("/%s/%s", rp.owner, rp.name),
	}
}

func (s *Server) getUser(r *http.Request, _ []byte) reply {
	return reply{status: http.StatusOK, body: s.userJSON(s.login(r))}
}

func (s *Server) getRateLimit(*http.Request, []byte) reply {
	rate := func(resource string) map[string]any {
		used := min(s.used[resource], s.opts.RateLimit)
		return map[string]any{"limit": s.opts.RateLimit, "used": used, "remaining": s.opts.RateLimit - used, "reset": s.reset, "resource": resource}
	}
	resources := map[string]any{}
	for _, r := range []string{"core", "search", "graphql", "code_search"} {
		resources[r] = rate(r)
	}
	return reply{status: http.StatusOK, body: map[string]any{"resources": resources, "rate": rate("core")}}
}

func (s *Server) getRepo(_ *http.Request, _ []byte, rp *repo) reply {
	return reply{status: http.StatusOK, body: s.repoJSON(rp)}
}

// listUserRepos answers GET /users/{username}/repos and its by-ID form,
// /user/{account_id}/repos; listOrgRepos the same for /orgs/{org}/repos
// and /organizations/{organization_id}/repos. The fake does not tell users
// from organizations: both list the repositories an account owns, by name.
func (s *Server) listUserRepos(r *http.Request, body []byte) reply {
	return s.listAccountRepos(r, body, r.PathValue("username"), r.PathValue("account_id"), "/user/%d/repos")
}

func (s *Server) listOrgRepos(r *http.Request, body []byte) reply {
	return s.listAccountRepos(r, body, r.PathValue("org"), r.PathValue("organization_id"), "/organizations/%d/repos")
}

func (s *Server) listAccountRepos(r *http.Request, body []byte, login, id, byID string) reply {
	var owned []*repo
	for _, rp := range s.repos {
		if (login != "" && rp.owner == login) || (id != "" && strconv.FormatInt(accountID(rp.owner), 10) == id) {
			owned = append(owned, rp)
		}
	}
	if len(owned) == 0 {
		// An account with no repositories is one the fake does not know.
		return notFound(r, body)
	}
	slices.SortFunc(owned, func(a, b *repo) int { return strings.Compare(a.owner+"/"+a.name, b.owner+"/"+b.name) })
	if id != "" {
		// Two logins may share an id (accountID is not a registry): the
		// first by name answers.
		login = owned[0].owner
		owned = slices.DeleteFunc(owned, func(rp *repo) bool { return rp.owner != login })
	}
	lo, hi, hdr := s.page(r, len(owned), fmt.Sprintf(byID, accountID(owned[0].owner)))
	list := make([]any, 0, hi-lo)
	for _, rp := range owned[lo:hi] {
		list = append(list, s.repoJSON(rp))
	}
	return reply{status: http.StatusOK, body: list, header: hdr}
}

func (s *Server) pull(r *http.Request, rp *repo) *PullRequest {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return nil
	}
	return rp.pulls[n]
}

func (s *Server) getPull(r *http.Request, body []byte, rp *repo) reply {
	pr := s.pull(r, rp)
	if pr == nil {
		return notFound(r, body)
	}
	branch := func(ref, sha string) map[string]any {
		return map[string]any{"label": rp.owner + ":" + ref, "ref": ref, "sha": sha, "user": s.userJSON(rp.owner), "repo": s.repoJSON(rp)}
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"id": int64(pr.Number) + rp.id*100, "node_id": "PR_kwDO" + strconv.Itoa(pr.Number),
		"number": pr.Number, "state": "open", "locked": rp.locked[pr.Number], "title": pr.Title, "body": "",
		"user": s.userJSON(pr.User), "draft": false, "merged": false,
		"head": branch(pr.HeadRef, pr.HeadSHA), "base": branch(pr.BaseRef, pr.BaseSHA),
		"changed_files": len(pr.Files), "created_at": fixedTime, "updated_at": fixedTime,
		"url":          s.api("/repos/%s/%s/pulls/%d", rp.owner, rp.name, pr.Number),
		"html_url":     s.html("/%s/%s/pull/%d", rp.owner, rp.name, pr.Number),
		"issue_url":    s.api("/repos/%s/%s/issues/%d", rp.owner, rp.name, pr.Number),
		"comments_url": s.api("/repos/%s/%s/issues/%d/comments", rp.owner, rp.name, pr.Number),
		"commits_url":  s.api("/repos/%s/%s/pulls/%d/commits", rp.owner, rp.name, pr.Number),
		"statuses_url": s.api("/repos/%s/%s/statuses/%s", rp.owner, rp.name, pr.HeadSHA),
	}}
}

func (s *Server) listPullFiles(r *http.Request, body []byte, rp *repo) reply {
	pr := s.pull(r, rp)
	if pr == nil {
		return notFound(r, body)
	}
	lo, hi, hdr := s.page(r, len(pr.Files), fmt.Sprintf("/repositories/%d/pulls/%d/files", rp.id, pr.Number))
	files := make([]any, 0, hi-lo)
	for _, name := range pr.Files[lo:hi] {
		files = append(files, map[string]any{
			"sha": gitBlobSHA(name), "filename": name, "status": "modified",
			"additions": 1, "deletions": 1, "changes": 2,
			"patch":        "@@ -1 +1 @@\n-old\n+new",
			"blob_url":     s.html("/%s/%s/blob/%s/%s", rp.owner, rp.name, pr.HeadSHA, name),
			"raw_url":      s.html("/%s/%s/raw/%s/%s", rp.owner, rp.name, pr.HeadSHA, name),
			"contents_url": s.api("/repos/%s/%s/contents/%s?ref=%s", rp.owner, rp.name, name, pr.HeadSHA),
		})
	}
	return reply{status: http.StatusOK, body: files, header: hdr}
}

func (s *Server) getContent(r *http.Request, body []byte, rp *repo) reply {
	path := r.PathValue("path")
	ref := r.URL.Query().Get("ref")
	if ref == "" {
		ref = BaseRef
	}
	content, ok := rp.contents[fileKey{ref, path}]
	if !ok {
		return notFound(r, body)
	}
	name := path[strings.LastIndex(path, "/")+1:]
	sha := gitBlobSHA(content)
	self := s.api("/repos/%s/%s/contents/%s?ref=%s", rp.owner, rp.name, path, ref)
	return reply{status: http.StatusOK, body: map[string]any{
		"type": "file", "encoding": "base64", "size": len(content),
		"name": name, "path": path, "sha": sha, "content": wrapBase64(content),
		"url": self, "git_url": s.api("/repos/%s/%s/git/blobs/%s", rp.owner, rp.name, sha),
		"html_url":     s.html("/%s/%s/blob/%s/%s", rp.owner, rp.name, ref, path),
		"download_url": s.html("/%s/%s/raw/%s/%s", rp.owner, rp.name, ref, path),
	}}
}

// wrapBase64 encodes like GitHub's contents API: base64 in lines of 60.
func wrapBase64(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}

func gitBlobSHA(content string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00%s", len(content), content)
	return hex.EncodeToString(h.Sum(nil))
}

var statusStates = map[string]bool{"error": true, "failure": true, "pending": true, "success": true}

// commitGet answers GET .../commits/{ref} and .../commits/{ref}/status.
func (s *Server) commitGet(r *http.Request, body []byte, rp *repo) reply {
	ref := r.PathValue("ref")
	if ref, ok := strings.CutSuffix(ref, "/status"); ok {
		r.SetPathValue("ref", ref)
		return s.getCombinedStatus(r, body, rp)
	}
	return s.getCommit(r, body, rp)
}

// resolveRef is the commit ref names: a pull request's head or base
// branch, or one of their commits by SHA. ok is false for any other.
func resolveRef(rp *repo, ref string) (sha string, ok bool) {
	for _, pr := range rp.pulls {
		switch ref {
		case pr.HeadRef, pr.HeadSHA:
			return pr.HeadSHA, true
		case pr.BaseRef, pr.BaseSHA:
			return pr.BaseSHA, true
		}
	}
	return "", false
}

// unknownCommit is GitHub's 422 for a ref that names no commit.
func unknownCommit(ref, docs string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
		"message":           "No commit found for SHA: " + ref,
		"documentation_url": docs,
	}}
}

// getCommit answers for a pull request's head or base commit (what ogr
// reads before it sets a commit status), by SHA or by branch; any other is
// GitHub's 422 for an unknown commit.
func (s *Server) getCommit(r *http.Request, _ []byte, rp *repo) reply {
	ref := r.PathValue("ref")
	sha, ok := resolveRef(rp, ref)
	if !ok {
		return unknownCommit(ref, "https://docs.github.com/rest/commits/commits#get-a-commit")
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"sha": sha, "node_id": "C_kwDO" + sha[:min(len(sha), 12)],
		"commit":   map[string]any{"message": "commit " + sha, "author": map[string]any{"name": Login, "date": fixedTime}},
		"author":   s.userJSON(Login),
		"url":      s.api("/repos/%s/%s/commits/%s", rp.owner, rp.name, sha),
		"html_url": "https://github.com/" + rp.owner + "/" + rp.name + "/commit/" + sha,
		"parents":  []any{},
		"files":    []any{},
	}}
}

// getCombinedStatus answers GitHub's combined status of a ref: the latest
// status of each context set on its commit, and their overall state.
func (s *Server) getCombinedStatus(r *http.Request, _ []byte, rp *repo) reply {
	ref := r.PathValue("ref")
	sha, ok := resolveRef(rp, ref)
	if !ok {
		return unknownCommit(ref, "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference")
	}
	seen := map[string]bool{} // contexts
	list := []map[string]any{}
	state := "success"
	for _, st := range slices.Backward(rp.statuses) {
		if seen[st.Context] || st.SHA != sha {
			continue
		}
		seen[st.Context] = true
		list = append(list, s.statusJSON(rp, st))
		switch {
		case st.State == "error" || st.State == "failure":
			state = "failure"
		case st.State == "pending" && state == "success":
			state = "pending"
		}
	}
	if len(list) == 0 {
		state = "pending" // GitHub's state for a commit with no status
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"state": state, "sha": sha, "total_count": len(list), "statuses": list,
		"repository": s.repoJSON(rp),
		"commit_url": s.api("/repos/%s/%s/commits/%s", rp.owner, rp.name, sha),
		"url":        s.api("/repos/%s/%s/commits/%s/status", rp.owner, rp.name, sha),
	}}
}

// branchGet answers GET .../branches/{branch} and
// .../branches/{branch}/protection.
func (s *Server) branchGet(r *http.Request, body []byte, rp *repo) reply {
	branch := r.PathValue("branch")
	if branch, ok := strings.CutSuffix(branch, "/protection"); ok {
		return s.getBranchProtection(rp, branch)
	}
	return s.getBranch(rp, branch)
}

// branchSHA is the head commit of a branch: a pull request's head or base
// ref.
func branchSHA(rp *repo, branch string) (string, bool) {
	for _, pr := range rp.pulls {
		switch branch {
		case pr.HeadRef:
			return pr.HeadSHA, true
		case pr.BaseRef:
			return pr.BaseSHA, true
		}
	}
	return "", false
}

func branchNotFound() reply {
	return errorReply(http.StatusNotFound, "Branch not found", "https://docs.github.com/rest/branches/branches#get-a-branch")
}

func (s *Server) getBranch(rp *repo, branch string) reply {
	sha, ok := branchSHA(rp, branch)
	if !ok {
		return branchNotFound()
	}
	esc := url.PathEscape(branch)
	_, protected := rp.protected[branch]
	return reply{status: http.StatusOK, body: map[string]any{
		"name": branch, "protected": protected,
		"commit": map[string]any{"sha": sha, "url": s.api("/repos/%s/%s/commits/%s", rp.owner, rp.name, sha)},
		"_links": map[string]any{
			"self": s.api("/repos/%s/%s/branches/%s", rp.owner, rp.name, esc),
			"html": s.html("/%s/%s/tree/%s", rp.owner, rp.name, branch),
		},
		"protection_url": s.api("/repos/%s/%s/branches/%s/protection", rp.owner, rp.name, esc),
	}}
}

// getBranchProtection answers a protected branch's rules (a required
// status check per context given to ProtectBranch), or GitHub's 404s for a
// branch that is not protected or does not exist.
func (s *Server) getBranchProtection(rp *repo, branch string) reply {
	if _, ok := branchSHA(rp, branch); !ok {
		return branchNotFound()
	}
	contexts, ok := rp.protected[branch]
	if !ok {
		return errorReply(http.StatusNotFound, "Branch not protected", "https://docs.github.com/rest/branches/branch-protection#get-branch-protection")
	}
	self := s.api("/repos/%s/%s/branches/%s/protection", rp.owner, rp.name, url.PathEscape(branch))
	checks := make([]any, 0, len(contexts))
	for _, c := range contexts {
		checks = append(checks, map[string]any{"context": c, "app_id": nil})
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"url": self,
		"required_status_checks": map[string]any{
			"url": self + "/required_status_checks", "strict": true,
			"contexts": append([]string{}, contexts...), "checks": checks,
			"contexts_url": self + "/required_status_checks/contexts",
		},
		"enforce_admins":          map[string]any{"url": self + "/enforce_admins", "enabled": false},
		"required_linear_history": map[string]any{"enabled": false},
		"allow_force_pushes":      map[string]any{"enabled": false},
		"allow_deletions":         map[string]any{"enabled": false},
	}}
}

func (s *Server) statusJSON(rp *repo, st Status) map[string]any {
	return map[string]any{
		"id": st.ID, "node_id": "SC_kwDO" + strconv.FormatInt(st.ID, 10),
		"state": st.State, "context": st.Context, "description": st.Description, "target_url": st.TargetURL,
		"creator": s.userJSON(Login), "created_at": fixedTime, "updated_at": fixedTime,
		"url": s.api("/repos/%s/%s/statuses/%s", rp.owner, rp.name, st.SHA),
	}
}

func (s *Server) createStatus(r *http.Request, body []byte, rp *repo) reply {
	var in struct {
		State       string `json:"state"`
		TargetURL   string `json:"target_url"`
		Description string `json:"description"`
		Context     string `json:"context"`
	}
	if rep, ok := decodeJSON(body, &in); !ok {
		return rep
	}
	if !statusStates[in.State] {
		return validationFailed("Status", "state", "custom")
	}
	if in.Context == "" {
		in.Context = "default"
	}
	st := Status{ID: s.nextID(), SHA: r.PathValue("sha"), State: in.State, Context: in.Context, Description: in.Description, TargetURL: in.TargetURL}
	rp.statuses = append(rp.statuses, st)
	return reply{status: http.StatusCreated, body: s.statusJSON(rp, st)}
}

var checkStatuses = map[string]bool{"queued": true, "in_progress": true, "completed": true}

func (s *Server) checkRunJSON(rp *repo, c *CheckRun) map[string]any {
	var conclusion any
	if c.Conclusion != "" {
		conclusion = c.Conclusion
	}
	return map[string]any{
		"id": c.ID, "node_id": "CR_kwDO" + strconv.FormatInt(c.ID, 10),
		"name": c.Name, "head_sha": c.HeadSHA, "status": c.Status, "conclusion": conclusion,
		"started_at": fixedTime, "check_suite": map[string]any{"id": rp.id * 10},
		"url":      s.api("/repos/%s/%s/check-runs/%d", rp.owner, rp.name, c.ID),
		"html_url": s.html("/%s/%s/runs/%d", rp.owner, rp.name, c.ID),
	}
}

type checkRunInput struct {
	Name       *string `json:"name"`
	HeadSHA    *string `json:"head_sha"`
	Status     *string `json:"status"`
	Conclusion *string `json:"conclusion"`
}

func (s *Server) createCheckRun(_ *http.Request, body []byte, rp *repo) reply {
	var in checkRunInput
	if rep, ok := decodeJSON(body, &in); !ok {
		return rep
	}
	switch {
	case in.Name == nil || *in.Name == "":
		return validationFailed("CheckRun", "name", "missing_field")
	case in.HeadSHA == nil || *in.HeadSHA == "":
		return validationFailed("CheckRun", "head_sha", "missing_field")
	}
	c := &CheckRun{ID: s.nextID(), Name: *in.Name, HeadSHA: *in.HeadSHA, Status: "queued"}
	if rep, ok := applyCheckRun(c, in); !ok {
		return rep
	}
	rp.checkRuns = append(rp.checkRuns, c)
	return reply{status: http.StatusCreated, body: s.checkRunJSON(rp, c)}
}

func applyCheckRun(c *CheckRun, in checkRunInput) (reply, bool) {
	if in.Name != nil && *in.Name != "" {
		c.Name = *in.Name
	}
	if in.Status != nil {
		if !checkStatuses[*in.Status] {
			return validationFailed("CheckRun", "status", "invalid"), false
		}
		c.Status = *in.Status
	}
	if in.Conclusion != nil {
		c.Conclusion = *in.Conclusion
		c.Status = "completed"
	}
	return reply{}, true
}

func (s *Server) checkRun(r *http.Request, rp *repo) *CheckRun {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil
	}
	for _, c := range rp.checkRuns {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (s *Server) getCheckRun(r *http.Request, body []byte, rp *repo) reply {
	c := s.checkRun(r, rp)
	if c == nil {
		return notFound(r, body)
	}
	return reply{status: http.StatusOK, body: s.checkRunJSON(rp, c)}
}

func (s *Server) updateCheckRun(r *http.Request, body []byte, rp *repo) reply {
	c := s.checkRun(r, rp)
	if c == nil {
		return notFound(r, body)
	}
	var in checkRunInput
	if rep, ok := decodeJSON(body, &in); !ok {
		return rep
	}
	next := *c
	if rep, ok := applyCheckRun(&next, in); !ok {
		return rep
	}
	*c = next
	return reply{status: http.StatusOK, body: s.checkRunJSON(rp, c)}
}

func (s *Server) commentJSON(rp *repo, c *Comment) map[string]any {
	return map[string]any{
		"id": c.ID, "node_id": "IC_kwDO" + strconv.FormatInt(c.ID, 10),
		"body": c.Body, "user": s.userJSON(c.User), "author_association": "OWNER",
		"created_at": fixedTime, "updated_at": fixedTime,
		"url":       s.api("/repos/%s/%s/issues/comments/%d", rp.owner, rp.name, c.ID),
		"issue_url": s.api("/repos/%s/%s/issues/%d", rp.owner, rp.name, c.Issue),
		"html_url":  s.html("/%s/%s/issues/%d#issuecomment-%d", rp.owner, rp.name, c.Issue, c.ID),
	}
}

// issueGet answers GET .../issues/comments/{id} and
// .../issues/{number}/comments.
func (s *Server) issueGet(r *http.Request, body []byte, rp *repo) reply {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "comments":
		r.SetPathValue("id", b)
		return s.getComment(r, body, rp)
	case b == "comments":
		r.SetPathValue("number", a)
		return s.listComments(r, body, rp)
	}
	return notFound(r, body)
}

func (s *Server) listComments(r *http.Request, body []byte, rp *repo) reply {
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return notFound(r, body)
	}
	var on []*Comment
	for _, c := range rp.comments {
		if c.Issue == issue {
			on = append(on, c)
		}
	}
	lo, hi, hdr := s.page(r, len(on), fmt.Sprintf("/repositories/%d/issues/%d/comments", rp.id, issue))
	list := make([]any, 0, hi-lo)
	for _, c := range on[lo:hi] {
		list = append(list, s.commentJSON(rp, c))
	}
	return reply{status: http.StatusOK, body: list, header: hdr}
}

func (s *Server) createComment(r *http.Request, body []byte, rp *repo) reply {
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return notFound(r, body)
	}
	var in struct {
		Body *string `json:"body"`
	}
	if rep, ok := decodeJSON(body, &in); !ok {
		return rep
	}
	if in.Body == nil || *in.Body == "" {
		return validationFailed("IssueComment", "body", "missing_field")
	}
	if rep, ok := s.checkCommentBody(*in.Body, "create-an-issue-comment"); !ok {
		return rep
	}
	if rp.locked[issue] {
		return errorReply(http.StatusForbidden, "Unable to create comment because issue is locked.", "https://docs.github.com/articles/locking-conversations/")
	}
	c := &Comment{ID: s.nextID(), Issue: issue, Body: *in.Body, User: s.login(r)}
	rp.comments = append(rp.comments, c)
	return reply{status: http.StatusCreated, body: s.commentJSON(rp, c)}
}

// checkCommentBody answers GitHub's 422 for a body over the size limit,
// which GitHub counts in characters.
func (s *Server) checkCommentBody(body, docsAnchor string) (reply, bool) {
	if utf8.RuneCountInString(body) <= s.opts.MaxCommentBody {
		return reply{}, true
	}
	rep := errorReply(http.StatusUnprocessableEntity, "Validation Failed", "https://docs.github.com/rest/issues/comments#"+docsAnchor)
	rep.body.(map[string]any)["errors"] = []FieldError{{
		Resource: "IssueComment", Code: "unprocessable", Field: "data",
		Message: fmt.Sprintf("Body is too long (maximum is %d characters)", s.opts.MaxCommentBody),
	}}
	return rep, false
}

func (s *Server) comment(r *http.Request, rp *repo) (int, *Comment) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return -1, nil
	}
	for i, c := range rp.comments {
		if c.ID == id {
			return i, c
		}
	}
	return -1, nil
}

func (s *Server) getComment(r *http.Request, body []byte, rp *repo) reply {
	_, c := s.comment(r, rp)
	if c == nil {
		return notFound(r, body)
	}
	return reply{status: http.StatusOK, body: s.commentJSON(rp, c)}
}

func (s *Server) editComment(r *http.Request, body []byte, rp *repo) reply {
	_, c := s.comment(r, rp)
	if c == nil {
		return notFound(r, body)
	}
	var in struct {
		Body *string `json:"body"`
	}
	if rep, ok := decodeJSON(body, &in); !ok {
		return rep
	}
	if in.Body == nil || *in.Body == "" {
		return validationFailed("IssueComment", "body", "missing_field")
	}
	if rep, ok := s.checkCommentBody(*in.Body, "update-an-issue-comment"); !ok {
		return rep
	}
	c.Body = *in.Body
	return reply{status: http.StatusOK, body: s.commentJSON(rp, c)}
}

func (s *Server) deleteComment(r *http.Request, body []byte, rp *repo) reply {
	i, c := s.comment(r, rp)
	if c == nil {
		return notFound(r, body)
	}
	rp.comments = append(rp.comments[:i], rp.comments[i+1:]...)
	return reply{status: http.StatusNoContent}
}

// graphql answers any well-formed query with data echoing its
// operationName and the viewer; it does not execute GraphQL.
func (s *Server) graphql(_ *http.Request, body []byte) reply {
	var in struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	if rep, ok := decodeJSON(body, &in); !ok {
		return rep
	}
	if strings.TrimSpace(in.Query) == "" {
		return reply{status: http.StatusOK, body: map[string]any{
			"errors": []any{map[string]any{"message": "A query attribute must be specified and must be a string."}},
		}}
	}
	var op any
	if in.OperationName != "" {
		op = in.OperationName
	}
	return reply{status: http.StatusOK, body: map[string]any{"data": map[string]any{
		"operationName": op,
		"viewer":        map[string]any{"login": Login},
	}}}
}

package fakegithub

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// routes registers the endpoints the fake serves. Anything else, including
// a known path with another method, gets GitHub's 404, as on GitHub.
func (s *Server) routes() {
	s.handle("GET /user", core, s.getUser)
	s.handle("GET /rate_limit", free, s.getRateLimit)
	s.handle("GET /repos/{owner}/{repo}", core, s.withRepo(s.getRepo))
	s.handle("GET /repos/{owner}/{repo}/pulls/{number}", core, s.withRepo(s.getPull))
	s.handle("GET /repos/{owner}/{repo}/pulls/{number}/files", core, s.withRepo(s.listPullFiles))
	s.handle("GET /repos/{owner}/{repo}/contents/{path...}", core, s.withRepo(s.getContent))
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}", core, s.withRepo(s.getCommit))
	s.handle("POST /repos/{owner}/{repo}/statuses/{sha}", core, s.withRepo(s.createStatus))
	s.handle("POST /repos/{owner}/{repo}/check-runs", core, s.withRepo(s.createCheckRun))
	s.handle("GET /repos/{owner}/{repo}/check-runs/{id}", core, s.withRepo(s.getCheckRun))
	s.handle("PATCH /repos/{owner}/{repo}/check-runs/{id}", core, s.withRepo(s.updateCheckRun))
	// One pattern for both GETs: ServeMux refuses .../issues/{number}/comments
	// beside .../issues/comments/{id}, which overlap.
	s.handle("GET /repos/{owner}/{repo}/issues/{a}/{b}", core, s.withRepo(s.issueGet))
	s.handle("POST /repos/{owner}/{repo}/issues/{number}/comments", core, s.withRepo(s.createComment))
	s.handle("PATCH /repos/{owner}/{repo}/issues/comments/{id}", core, s.withRepo(s.editComment))
	s.handle("DELETE /repos/{owner}/{repo}/issues/comments/{id}", core, s.withRepo(s.deleteComment))
	s.handle("POST /graphql", graphql, s.graphql)
	if s.prefix == "/api/v3" {
		// GitHub Enterprise Server serves GraphQL beside the REST prefix.
		s.mux.HandleFunc("POST /api/graphql", func(w http.ResponseWriter, r *http.Request) {
			s.respond(w, r, graphql, s.graphql)
		})
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.respond(w, r, core, notFound)
	})
}

type repoHandler func(r *http.Request, body []byte, rp *repo) reply

func (s *Server) withRepo(h repoHandler) handler {
	return func(r *http.Request, body []byte) reply {
		rp := s.repo(r.PathValue("owner"), r.PathValue("repo"))
		if rp == nil {
			return notFound(r, body)
		}
		return h(r, body, rp)
	}
}

func (s *Server) api(format string, args ...any) string {
	return s.srv.URL + s.prefix + fmt.Sprintf(format, args...)
}

func (s *Server) html(format string, args ...any) string {
	return s.srv.URL + fmt.Sprintf(format, args...)
}

func (s *Server) userJSON(login string) map[string]any {
	id := int64(1)
	if login != Login {
		id = int64(len(login))*1000 + int64(login[0])
	}
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
	lo, hi, hdr := s.page(r, len(pr.Files))
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

// getCommit answers for a pull request's head or base commit (what ogr
// reads before it sets a commit status); any other is GitHub's 422 for an
// unknown commit.
func (s *Server) getCommit(r *http.Request, body []byte, rp *repo) reply {
	ref := r.PathValue("ref")
	known := false
	for _, pr := range rp.pulls {
		known = known || ref == pr.HeadSHA || ref == pr.BaseSHA
	}
	if !known {
		return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
			"message":           "No commit found for SHA: " + ref,
			"documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit",
		}}
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"sha": ref, "node_id": "C_kwDO" + ref[:min(len(ref), 12)],
		"commit":   map[string]any{"message": "commit " + ref, "author": map[string]any{"name": Login, "date": fixedTime}},
		"author":   s.userJSON(Login),
		"url":      s.api("/repos/%s/%s/commits/%s", rp.owner, rp.name, ref),
		"html_url": "https://github.com/" + rp.owner + "/" + rp.name + "/commit/" + ref,
		"parents":  []any{},
		"files":    []any{},
	}}
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
	return reply{status: http.StatusCreated, body: map[string]any{
		"id": st.ID, "node_id": "SC_kwDO" + strconv.FormatInt(st.ID, 10),
		"state": st.State, "context": st.Context, "description": st.Description, "target_url": st.TargetURL,
		"creator": s.userJSON(Login), "created_at": fixedTime, "updated_at": fixedTime,
		"url": s.api("/repos/%s/%s/statuses/%s", rp.owner, rp.name, st.SHA),
	}}
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
	lo, hi, hdr := s.page(r, len(on))
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

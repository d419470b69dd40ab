package fakegithub

import (
	"fmt"
	"slices"
)

// PullRequest seeds a pull request with AddPullRequest.
type PullRequest struct {
	Number           int
	Title            string
	User             string // the author's login; Login when empty
	HeadRef, HeadSHA string
	BaseRef, BaseSHA string
	Files            []string // changed files, in the order they are listed
}

// Status is a commit status created through the API.
type Status struct {
	ID                                     int64
	SHA                                    string
	State, Context, Description, TargetURL string
}

// CheckRun is a check run created (and maybe updated) through the API.
type CheckRun struct {
	ID                                int64
	Name, HeadSHA, Status, Conclusion string
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID    int64
	Issue int
	Body  string
	User  string
}

type repo struct {
	id          int64
	owner, name string
	pulls       map[int]*PullRequest
	contents    map[fileKey]string
	statuses    []Status
	checkRuns   []*CheckRun
	comments    []*Comment
	locked      map[int]bool        // issue and pull request numbers
	protected   map[string][]string // protected branch → required status check contexts
}

type fileKey struct{ ref, path string }

// fixedTime is every created_at and updated_at, so bodies, and so ETags,
// do not depend on when a test runs.
const fixedTime = "2024-05-01T12:00:00Z"

func (s *Server) seed() {
	files := make([]string, s.opts.Files)
	for i := range files {
		files[i] = fmt.Sprintf("src/file%03d.go", i+1)
	}
	s.addPullRequest(Owner, Repo, PullRequest{
		Number: PullNumber, Title: "Add Packit config", User: Login,
		HeadRef: HeadRef, HeadSHA: HeadSHA, BaseRef: BaseRef, BaseSHA: BaseSHA,
		Files: files,
	})
	s.setFile(Owner, Repo, HeadSHA, ConfigPath, ConfigContent)
	s.setFile(Owner, Repo, BaseRef, ConfigPath, ConfigContent)
}

func (s *Server) repo(owner, name string) *repo {
	return s.repos[owner+"/"+name]
}

// repoByID is the repository whose id is id, nil when there is none.
func (s *Server) repoByID(id int64) *repo {
	for _, rp := range s.repos {
		if rp.id == id {
			return rp
		}
	}
	return nil
}

// ensureRepo returns the repository, created if needed. Its id comes from
// the one counter every created thing draws from, so it is the same in
// every run that creates the same things in the same order: the default
// repository, created first, is 1001.
func (s *Server) ensureRepo(owner, name string) *repo {
	rp := s.repo(owner, name)
	if rp == nil {
		s.lastID++
		rp = &repo{id: s.lastID, owner: owner, name: name, pulls: map[int]*PullRequest{}, contents: map[fileKey]string{}, locked: map[int]bool{}, protected: map[string][]string{}}
		s.repos[owner+"/"+name] = rp
	}
	return rp
}

// AddRepo creates a repository with no pull requests nor files (it is
// listed for its owner) and returns its id; for an existing one it only
// returns the id.
func (s *Server) AddRepo(owner, repo string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ensureRepo(owner, repo).id
}

// RepoID is the numeric id of a repository (what the /repositories/{id}
// form of its URLs holds), 0 when there is no such repository.
func (s *Server) RepoID(owner, repo string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rp := s.repo(owner, repo); rp != nil {
		return rp.id
	}
	return 0
}

// AddOldName makes oldOwner/oldName a former name of the repository
// owner/repo (created if needed), as a rename or a transfer leaves it on
// GitHub: every request under /repos/oldOwner/oldName answers a redirect
// to the same path under /repositories/{id}, with the query, and GitHub's
// "Moved Permanently" body: 301 for GET and HEAD, 307 for any other method,
// so that a client repeats a write with its body. An old name that is a
// repository's current name is not redirected.
func (s *Server) AddOldName(owner, repo, oldOwner, oldName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oldNames[oldOwner+"/"+oldName] = s.ensureRepo(owner, repo)
}

func (s *Server) nextID() int64 {
	s.lastID++
	return s.lastID
}

// AddPullRequest adds (or replaces) a pull request, creating the
// repository if needed. Empty fields take the defaults' values.
func (s *Server) AddPullRequest(owner, repo string, pr PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addPullRequest(owner, repo, pr)
}

func (s *Server) addPullRequest(owner, name string, pr PullRequest) {
	if pr.User == "" {
		pr.User = Login
	}
	if pr.HeadRef == "" {
		pr.HeadRef = HeadRef
	}
	if pr.HeadSHA == "" {
		pr.HeadSHA = HeadSHA
	}
	if pr.BaseRef == "" {
		pr.BaseRef = BaseRef
	}
	if pr.BaseSHA == "" {
		pr.BaseSHA = BaseSHA
	}
	pr.Files = slices.Clone(pr.Files)
	s.ensureRepo(owner, name).pulls[pr.Number] = &pr
}

// SetFile sets the content of path at ref (a branch name or a commit SHA;
// the contents endpoint looks it up exactly as the client sends ref, and
// uses BaseRef when it sends none).
func (s *Server) SetFile(owner, repo, ref, path, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setFile(owner, repo, ref, path, content)
}

func (s *Server) setFile(owner, name, ref, path, content string) {
	s.ensureRepo(owner, name).contents[fileKey{ref, path}] = content
}

// AddComment adds a comment on an issue or pull request, as if someone had
// posted it, and returns its id.
func (s *Server) AddComment(owner, repo string, issue int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: s.nextID(), Issue: issue, Body: body, User: user}
	rp := s.ensureRepo(owner, repo)
	rp.comments = append(rp.comments, c)
	return c.ID
}

// SetLocked locks or unlocks the conversation of an issue or pull request:
// creating a comment on a locked one answers GitHub's 403 "Unable to create
// comment because issue is locked.", and the pull request says "locked".
// Editing and deleting comments still work.
func (s *Server) SetLocked(owner, repo string, issue int, locked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureRepo(owner, repo).locked[issue] = locked
}

// ProtectBranch protects a branch (a pull request's head or base ref) with
// a required status check for each of contexts: its branch protection
// then answers them, where an unprotected branch's answers GitHub's 404
// "Branch not protected".
func (s *Server) ProtectBranch(owner, repo, branch string, contexts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureRepo(owner, repo).protected[branch] = slices.Clone(contexts)
}

// SetHeadSHA moves a pull request's head to sha, as a push to its branch
// does.
func (s *Server) SetHeadSHA(owner, repo string, number int, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rp := s.repo(owner, repo); rp != nil && rp.pulls[number] != nil {
		rp.pulls[number].HeadSHA = sha
	}
}

// Statuses returns the commit statuses created in a repository, oldest
// first.
func (s *Server) Statuses(owner, repo string) []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rp := s.repo(owner, repo); rp != nil {
		return slices.Clone(rp.statuses)
	}
	return nil
}

// CheckRuns returns the check runs of a repository in their current state,
// oldest first.
func (s *Server) CheckRuns(owner, repo string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	if rp := s.repo(owner, repo); rp != nil {
		for _, c := range rp.checkRuns {
			out = append(out, *c)
		}
	}
	return out
}

// Comments returns the comments on one issue or pull request, oldest
// first.
func (s *Server) Comments(owner, repo string, issue int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	if rp := s.repo(owner, repo); rp != nil {
		for _, c := range rp.comments {
			if c.Issue == issue {
				out = append(out, *c)
			}
		}
	}
	return out
}

package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/actionrun"
)

// TestActionInstall runs the action's install step (scripts/action-install.sh)
// against a release server on file:// (what CALLBUDGET_RELEASE_SERVER
// points at): a git repository with the tags v1.2.3 and v1 on one commit,
// and v1.2.3's release: GoReleaser's archive and checksums.txt.
func TestActionInstall(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	server := t.TempDir()
	repo := filepath.Join(server, "callbudget", "callbudget.git")
	git(t, server, "init", "-q", "--bare", repo)
	work := t.TempDir()
	git(t, work, "init", "-q", "-b", "main")
	writeTestFile(t, filepath.Join(work, "f"), "1\n")
	git(t, work, "add", "f")
	git(t, work, "commit", "-q", "-m", "v1.2.3")
	git(t, work, "tag", "-a", "-m", "v1.2.3", "v1.2.3") // annotated, as releases are: ls-remote peels it
	git(t, work, "tag", "v1")
	git(t, work, "tag", "v1.1.0", "HEAD") // an older release on the same commit
	git(t, work, "push", "-q", repo, "main", "v1.2.3", "v1", "v1.1.0")

	// The release: an archive holding a callbudget that says its version.
	release := filepath.Join(server, "callbudget", "callbudget", "releases", "download", "v1.2.3")
	archive := "callbudget_1.2.3_linux_amd64.tar.gz"
	sum := writeReleaseArchive(t, filepath.Join(release, archive), "#!/bin/sh\necho 'callbudget v1.2.3 (commit 0123abc)'\n")
	writeTestFile(t, filepath.Join(release, "checksums.txt"), sum+"  "+archive+"\n"+strings.Repeat("0", 64)+"  callbudget_1.2.3_darwin_arm64.tar.gz\n")

	install := func(t *testing.T, ref, version string) (code int, outputs map[string]string, log string) {
		t.Helper()
		temp := t.TempDir()
		out := filepath.Join(temp, "output")
		cmd := exec.Command("bash", filepath.Join(root, "scripts", "action-install.sh"))
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
			"RUNNER_TEMP=" + temp, "RUNNER_OS=Linux", "RUNNER_ARCH=X64", "GITHUB_OUTPUT=" + out,
			"CALLBUDGET_ACTION_PATH=" + root, "CALLBUDGET_ACTION_REF=" + ref,
			"CALLBUDGET_ACTION_REPOSITORY=callbudget/callbudget", "CALLBUDGET_INSTALL_VERSION=" + version,
			"CALLBUDGET_RELEASE_SERVER=file://" + server,
		}
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		outputs, err = actionrun.ReadCommandFile(out)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return code, outputs, string(b)
	}

	for _, tc := range []struct {
		name, ref, version string
		build              string // the build output; "" for a failed step
		log                string
	}{
		{name: "major tag", ref: "v1", build: "false", log: "installed the v1.2.3 release"},
		{name: "release tag", ref: "v1.2.3", build: "false", log: "callbudget v1.2.3 (commit 0123abc)"},
		{name: "version input", ref: "main", version: "1.2.3", build: "false", log: "SHA-256 verified"},
		{name: "branch", ref: "main", build: "true", log: "building from source"},
		{name: "unknown major tag", ref: "v9", build: "true", log: "building from source"},
		{name: "release without binaries", ref: "v1.1.0", build: "true", log: "::notice title=callbudget install::no release binary for v1.1.0"},
		{name: "missing version", ref: "v1", version: "v7.0.0", log: "::error title=callbudget install::no release v7.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, log := install(t, tc.ref, tc.version)
			if !strings.Contains(log, tc.log) {
				t.Errorf("log misses %q:\n%s", tc.log, log)
			}
			if tc.build == "" {
				if code == 0 {
					t.Errorf("exit 0, want a failed step\n%s", log)
				}
				return
			}
			if code != 0 || out["build"] != tc.build || !strings.HasSuffix(out["bin"], "/callbudget-bin/callbudget") {
				t.Errorf("exit %d, outputs %v\n%s", code, out, log)
			}
		})
	}

	t.Run("tampered archive", func(t *testing.T) {
		server2 := t.TempDir()
		if err := os.CopyFS(server2, os.DirFS(server)); err != nil {
			t.Fatal(err)
		}
		writeReleaseArchive(t, filepath.Join(server2, "callbudget", "callbudget", "releases", "download", "v1.2.3", archive), "#!/bin/sh\necho evil\n")
		server = server2
		code, out, log := install(t, "v1.2.3", "")
		if code == 0 || out["bin"] != "" || !strings.Contains(log, "checksums.txt says "+sum+": not installed") || strings.Contains(log, "evil") {
			t.Errorf("exit %d, outputs %v\n%s", code, out, log)
		}
	})
}

// writeReleaseArchive writes a tar.gz holding callbudget (script) and
// returns its SHA-256.
func writeReleaseArchive(t *testing.T, path, script string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for _, e := range []struct{ name, body string }{{"callbudget", script}, {"README.md", "# callbudget\n"}} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o755, Size: int64(len(e.body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

package routes

import (
	"slices"
	"strings"
)

// Rate-limit resources, as named in the "resources" object of
// GET /rate_limit and in the X-RateLimit-Resource response header. The
// route decides: every call is named by the resource its endpoint belongs
// to, even where GitHub now counts that resource in core's pool, so a
// report can still show what went where.
//
// What the descriptions (@octokit/openapi 23.0.2, api.github.com, ghec and
// ghes-3.19 alike) say, and where the rest comes from:
//   - GET /rate_limit's description names core ("all non-search-related
//     resources"), search ("searching (excluding code searches)"),
//     code_search ("searching code"), graphql, integration_manifest ("the
//     POST /app-manifests/{code}/conversions operation"),
//     dependency_snapshots ("submitting snapshots to the dependency
//     graph"), dependency_sbom ("requesting SBOMs from the dependency
//     graph"), actions_runner_registration ("registering self-hosted
//     runners") and source_import, which it says "is no longer in use for
//     any API endpoints, and it will be removed in the next API version";
//     the source imports endpoints (/repos/{owner}/{repo}/import…) are the
//     ones it was for, and are named source_import.
//   - Its response schema (rate-limit-overview) also lists scim,
//     code_scanning_autofix and copilot_usage_records (ghes-3.19 lacks
//     dependency_snapshots there), with no words on which endpoints they
//     cover: the SCIM endpoints (/scim/v2/…), the code scanning autofix
//     endpoints (…/code-scanning/alerts/{alert_number}/autofix…) and
//     …/copilot/usage-records, the endpoints they are named after.
//   - audit_log: GitHub Enterprise Cloud's GET /enterprises/{enterprise}/
//     audit-log and GET /orgs/{org}/audit-log say "This endpoint has a rate
//     limit of 1,750 queries per hour per user and IP address", a limit of
//     their own.
//   - audit_log_streaming: the audit log streaming configuration endpoints
//     (/enterprises/{enterprise}/audit-log/stream-key and …/streams…, ghec
//     and ghes). No description names the resource or a limit for them;
//     they are the endpoints it is named after (issue 13).
//   - code_scanning_upload: POST /repos/{owner}/{repo}/code-scanning/sarifs.
//     GitHub's earlier rate-limit docs said the object was "for uploading
//     SARIF results to code scanning"; the descriptions no longer list it,
//     and GitHub's changelog of 2026-05-05 says it shares core's pool and
//     leaves GET /rate_limit on 2026-05-19. Whoever compares counts with
//     GitHub's core should add it to core.
//
// GET /rate_limit itself is named core, though GitHub documents that
// calling it does not count against the primary rate limit; callers that
// charge calls to a budget may want to skip it.
const (
	resourceCore                      = "core"
	resourceSearch                    = "search"
	resourceCodeSearch                = "code_search"
	resourceGraphQL                   = "graphql"
	resourceIntegrationManifest       = "integration_manifest"
	resourceDependencySnapshots       = "dependency_snapshots"
	resourceDependencySBOM            = "dependency_sbom"
	resourceCodeScanningUpload        = "code_scanning_upload"
	resourceCodeScanningAutofix       = "code_scanning_autofix"
	resourceActionsRunnerRegistration = "actions_runner_registration"
	resourceSourceImport              = "source_import"
	resourceAuditLog                  = "audit_log"
	resourceAuditLogStreaming         = "audit_log_streaming"
	resourceSCIM                      = "scim"
	resourceCopilotUsageRecords       = "copilot_usage_records"
)

// resourceNames is every resource, sorted.
var resourceNames = []string{
	resourceActionsRunnerRegistration,
	resourceAuditLog,
	resourceAuditLogStreaming,
	resourceCodeScanningAutofix,
	resourceCodeScanningUpload,
	resourceCodeSearch,
	resourceCopilotUsageRecords,
	resourceCore,
	resourceDependencySBOM,
	resourceDependencySnapshots,
	resourceGraphQL,
	resourceIntegrationManifest,
	resourceSCIM,
	resourceSearch,
	resourceSourceImport,
}

// Resources returns the name of every rate-limit resource a Route can
// carry, sorted: the one list for packages that label or total by
// resource. The caller owns the slice.
func Resources() []string {
	return slices.Clone(resourceNames)
}

// repoPrefix starts every repository template, and every fallback template
// of a /repos path.
const repoPrefix = "/repos/{owner}/{repo}/"

// resource names the rate-limit resource a call is counted against, from its
// method and template (a table template or a fallback one); see the
// constants above for the evidence.
func resource(method, template string) string {
	switch {
	case template == "/graphql":
		return resourceGraphQL
	case under(template, "/search/code"):
		return resourceCodeSearch
	case strings.HasPrefix(template, "/search/"):
		return resourceSearch
	case method == "POST" && strings.HasPrefix(template, "/app-manifests/") &&
		strings.HasSuffix(template, "/conversions"):
		return resourceIntegrationManifest
	case method == "POST" && strings.HasSuffix(template, "/actions/runners/registration-token"):
		return resourceActionsRunnerRegistration
	case strings.HasPrefix(template, "/scim/"):
		return resourceSCIM
	case method == "POST" && template == repoPrefix+"dependency-graph/snapshots":
		return resourceDependencySnapshots
	case under(template, repoPrefix+"dependency-graph/sbom"):
		return resourceDependencySBOM
	case method == "POST" && template == repoPrefix+"code-scanning/sarifs":
		return resourceCodeScanningUpload
	case strings.HasPrefix(template, repoPrefix+"code-scanning/alerts/") &&
		(strings.HasSuffix(template, "/autofix") || strings.Contains(template, "/autofix/")):
		return resourceCodeScanningAutofix
	case under(template, repoPrefix+"import"):
		return resourceSourceImport
	case strings.Contains(template, "/audit-log/stream"):
		return resourceAuditLogStreaming
	case strings.HasSuffix(template, "/audit-log"):
		return resourceAuditLog
	case strings.HasSuffix(template, "/copilot/usage-records"):
		return resourceCopilotUsageRecords
	default:
		return resourceCore
	}
}

// under reports whether template is prefix or a path below it.
func under(template, prefix string) bool {
	return strings.HasPrefix(template, prefix) &&
		(len(template) == len(prefix) || template[len(prefix)] == '/')
}

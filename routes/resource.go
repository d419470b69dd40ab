package routes

import "strings"

// Rate-limit resources, as named in the "resources" object of
// GET /rate_limit and in the X-RateLimit-Resource response header.
//
// Two names the REST API used to report are never returned, because calls
// once counted there are now counted against core:
//   - source_import: the description of GET /rate_limit in @octokit/openapi
//     23.0.2 says it "is no longer in use for any API endpoints"
//     (the source imports endpoints, /repos/{owner}/{repo}/import..., are
//     counted as core);
//   - code_scanning_upload: GitHub's changelog of 2026-05-19 ("Removal of
//     code_scanning_upload field from rate_limit API endpoint") says SARIF
//     uploads are governed by the core limit.
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
	resourceActionsRunnerRegistration = "actions_runner_registration"
	resourceSCIM                      = "scim"
	resourceDependencySnapshots       = "dependency_snapshots"
	resourceDependencySBOM            = "dependency_sbom"
	resourceAuditLog                  = "audit_log"
	resourceCodeScanningAutofix       = "code_scanning_autofix"
	resourceCopilotUsageRecords       = "copilot_usage_records"
)

// resource names the rate-limit resource a call is counted against, from its
// method and template (a table template or a fallback one). The rules follow
// the description of GET /rate_limit and, where that is silent (audit_log,
// code_scanning_autofix, copilot_usage_records), the endpoint the resource is
// named after.
func resource(method, template string) string {
	switch {
	case template == "/graphql":
		return resourceGraphQL
	case template == "/search/code" || strings.HasPrefix(template, "/search/code/"):
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
	case method == "POST" && strings.HasPrefix(template, "/repos/") &&
		strings.HasSuffix(template, "/dependency-graph/snapshots"):
		return resourceDependencySnapshots
	case strings.HasPrefix(template, "/repos/") &&
		(strings.HasSuffix(template, "/dependency-graph/sbom") ||
			strings.Contains(template, "/dependency-graph/sbom/")):
		return resourceDependencySBOM
	case strings.HasSuffix(template, "/audit-log"):
		return resourceAuditLog
	case strings.HasPrefix(template, "/repos/") && strings.Contains(template, "/code-scanning/alerts/") &&
		(strings.HasSuffix(template, "/autofix") || strings.Contains(template, "/autofix/")):
		return resourceCodeScanningAutofix
	case strings.HasSuffix(template, "/copilot/usage-records"):
		return resourceCopilotUsageRecords
	default:
		return resourceCore
	}
}

package routes

// Operations returns every generated operation as a Route, in table order,
// so the external tests can check each one is found again.
func Operations() []Route {
	return append([]Route(nil), loadTable().routes...)
}

// OpenAPIVersion is the @octokit/openapi release the table comes from.
const OpenAPIVersion = openapiVersion

// EnterpriseServerRelease is the GitHub Enterprise Server release whose
// description the table's EnterpriseServer rows come from.
const EnterpriseServerRelease = enterpriseServerRelease

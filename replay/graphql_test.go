package replay

import "testing"

func TestGraphQLOp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
		mutation         bool
	}{
		{"operationName wins", `{"query":"query A { viewer { login } }","operationName":"B"}`, "B", false},
		{"name from the document", `{"query":"query Viewer { viewer { login } }"}`, "Viewer", false},
		{"mutation", `{"query":"mutation AddLabel($id: ID!) { addLabelsToLabelable(input: {labelableId: $id}) { clientMutationId } }"}`, "AddLabel", true},
		{"comments and fragments first", "{\"query\":\"# a comment with query Fake\\nfragment F on User { login }\\nquery Real { viewer { ...F } }\"}", "Real", false},
		{"string literal with braces", `{"query":"query Q { search(query: \"{ query X }\") { issueCount } }"}`, "Q", false},
		{"anonymous shorthand is hashed", `{"query":"{ viewer { login } }"}`, "anonymous-", false},
		{"anonymous mutation", `{"query":"mutation { x }"}`, "anonymous-", true},
		{"not JSON", `query { x }`, "", false},
		{"empty", ``, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, mut := graphQLOp([]byte(tt.body))
			if tt.want == "anonymous-" {
				if len(got) != len("anonymous-")+8 || got[:len(tt.want)] != tt.want {
					t.Errorf("graphQLOp = %q, want anonymous-<8 hex>", got)
				}
			} else if got != tt.want {
				t.Errorf("graphQLOp = %q, want %q", got, tt.want)
			}
			if mut != tt.mutation {
				t.Errorf("mutation = %v, want %v", mut, tt.mutation)
			}
		})
	}
	a, _ := graphQLOp([]byte(`{"query":"{ viewer  {\n login } }"}`))
	b, _ := graphQLOp([]byte(`{"query":"{ viewer { login } }"}`))
	c, _ := graphQLOp([]byte(`{"query":"{ viewer { name } }"}`))
	if a != b || a == c {
		t.Errorf("anonymous hashes: whitespace variants %q, %q must match; other query %q must differ", a, b, c)
	}
}

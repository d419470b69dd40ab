package prcomment_test

import (
	"fmt"

	"github.com/callbudget/callbudget/prcomment"
	"github.com/callbudget/callbudget/report"
)

// The body's first two lines find the comment again and say which head
// it is for; Post reads them back with ParseMeta.
func ExampleParseMeta() {
	body := prcomment.Render(report.New("callbudget v1.0.0"), prcomment.RenderOptions{
		Key:     "callbudget.yaml",
		HeadSHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
	})
	m, ok := prcomment.ParseMeta(body)
	fmt.Println(prcomment.Marker("callbudget.yaml"))
	fmt.Println(ok, m.KeyHash, m.HeadSHA, m.Changed)
	// Output:
	// <!-- callbudget:comment key=9d433165db28 -->
	// true 9d433165db28 6dcb09b5b57875f334f61aebed695e2e4193db5e false
}

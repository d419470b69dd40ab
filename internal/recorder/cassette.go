package recorder

import (
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// Encode renders interactions as a go-vcr v3 cassette file, the bytes
// go-vcr's own Save writes (its types, yaml.v3, version 2), numbering the
// interactions from 0 in the order given.
func Encode(interactions []*cassette.Interaction) ([]byte, error) {
	c := cassette.New("")
	for i, in := range interactions {
		in.ID = i
	}
	c.Interactions = interactions
	return yaml.Marshal(c)
}

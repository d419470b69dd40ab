package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxPRFileSize bounds pr.json: two small fields.
const MaxPRFileSize = 4 << 10

// PRFile is pr.json, the artifact file a fork's read-only run writes next
// to the report so that the workflow_run job knows which pull request and
// which head commit the report is about:
//
//	{"number": 42, "head_sha": "590abaace41bdb1047b7713b47b0a4c3489ca80f"}
//
// It comes from a run of the pull request's code, so it is checked before
// use: here its shape, and by the comment command the head commit against
// the workflow run's and the pull request's.
type PRFile struct {
	Number  int    `json:"number"`
	HeadSHA string `json:"head_sha"`
}

// ErrBadPRFile is wrapped by the errors of [ReadPRFile].
var ErrBadPRFile = errors.New("invalid pr file")

// ReadPRFile reads and checks pr.json: at most [MaxPRFileSize] bytes, one
// JSON object with exactly the fields of [PRFile], a positive number and a
// full commit id.
func ReadPRFile(r io.Reader) (PRFile, error) {
	var p PRFile
	data, err := io.ReadAll(io.LimitReader(r, MaxPRFileSize+1))
	if err != nil {
		return p, fmt.Errorf("read pr file: %w", err)
	}
	if len(data) > MaxPRFileSize {
		return p, fmt.Errorf("%w: larger than %d bytes", ErrBadPRFile, MaxPRFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return PRFile{}, fmt.Errorf("%w: %v", ErrBadPRFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return PRFile{}, fmt.Errorf("%w: data after the object", ErrBadPRFile)
	}
	if err := p.Validate(); err != nil {
		return PRFile{}, err
	}
	return p, nil
}

// Validate checks the number and the commit id.
func (p PRFile) Validate() error {
	if p.Number <= 0 {
		return fmt.Errorf("%w: number %d is not a pull request number", ErrBadPRFile, p.Number)
	}
	if !IsSHA(p.HeadSHA) {
		return fmt.Errorf("%w: head_sha %q is not a full commit id", ErrBadPRFile, p.HeadSHA)
	}
	return nil
}

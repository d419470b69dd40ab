package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/callbudget/callbudget/importer"
	"github.com/callbudget/callbudget/internal/atomicfile"
	"github.com/callbudget/callbudget/replay"
	"github.com/spf13/cobra"
)

func (a *app) importCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import [--from FORMAT] IN... --out DIR",
		Short: "Convert requre, vcrpy, HAR and nock recordings to go-vcr v3 cassettes",
		Long: `Convert recordings made by other test stacks to go-vcr v3 cassettes, one per
input: DIR/<input name without its extension>.yaml.

--from names the inputs' format (requre, vcrpy, har, nock, or govcr); without
it each input's format is detected from its content. Every input is converted,
scrubbed and scanned for secrets like a recording before anything is written:
if one cannot be, callbudget names the file and the entry, writes nothing and
exits 2. What an input could not carry over (a request body requre did not
keep, the order between URLs) is listed on stderr.

run, count and check read these formats directly too; import is for
committing the converted cassettes.`,
		Example: `  callbudget import --from requre tests/integration/test_data/*.yaml --out testdata/cassettes
  callbudget import session.har --out testdata/cassettes`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{errors.New("import: name at least one recording to convert")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return a.importFiles(cmd.Context(), args) },
	}
	f := cmd.Flags()
	fromFlag(f.String)
	f.String("out", "", "the folder to write the cassettes to (required; created if missing)")
	return cmd
}

// fromFlag adds --from, the format of the cassettes a command reads.
func fromFlag(str func(name, value, usage string) *string) {
	str("from", "", "the cassettes' `FORMAT`: govcr, requre, vcrpy, har or nock (default: detected from the content)")
}

// fromFormat is the --from flag, checked.
func (a *app) fromFormat() (importer.Format, error) {
	s := a.v.GetString("from")
	f, err := importer.ParseFormat(s)
	if err != nil {
		return "", &usageError{fmt.Errorf("--from %q: %w", s, err)}
	}
	return f, nil
}

// loader loads a cassette of format f (detected when ""), converting it to
// a go-vcr cassette as import does: what run, count and check replay. Its
// loads return as soon as ctx is done (an interrupt), with an error that
// says so and isLoadError accepts.
func loader(ctx context.Context, f importer.Format) func(path string) (*replay.Cassette, error) {
	return func(path string) (*replay.Cassette, error) {
		c, _, err := importer.LoadContext(ctx, path, f, replay.LoadOptions{})
		if err != nil && !isLoadError(err) {
			// A file that cannot be read at all (missing, unreadable) is
			// reported as replay reports it, whatever its format.
			if _, lerr := replay.LoadContext(ctx, path, replay.LoadOptions{}); isLoadError(lerr) {
				return nil, lerr
			}
		}
		return c, err
	}
}

// isLoadError reports whether err says a cassette could not be read or
// converted: nothing was run.
func isLoadError(err error) bool {
	var le *replay.LoadError
	var ie *importer.Error
	return errors.As(err, &le) || errors.As(err, &ie)
}

// imported is one input converted, ready to be written.
type imported struct {
	in, out string
	data    []byte
	notes   []importer.Note // what the input could not carry over
}

// importFiles converts every input, then writes them all; an interrupt
// (ctx done) while reading them stops it at once, with nothing written.
func (a *app) importFiles(ctx context.Context, inputs []string) error {
	from, err := a.fromFormat()
	if err != nil {
		return err
	}
	dir := a.v.GetString("out")
	if dir == "" {
		return &usageError{errors.New("import: --out is required: the folder to write the cassettes to")}
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return &usageError{fmt.Errorf("import: --out %s is not a folder", dir)}
	}
	// Two inputs of one name would write one cassette: refuse before
	// reading anything.
	outFor := map[string]string{}
	for _, in := range inputs {
		out := filepath.Join(dir, importName(in))
		if first, dup := outFor[out]; dup {
			return &usageError{fmt.Errorf("import: %s and %s would both be written to %s; import them to different folders", first, in, out)}
		}
		outFor[out] = in
	}
	// Converted as run converts them, and scrubbed as record scrubs: the
	// config's redact: patterns and the known tokens are replaced before
	// the scan judges what is left.
	so, err := a.scrubOptions()
	if err != nil {
		return err
	}
	scan, err := a.secretScan(ctx)
	if err != nil {
		return err
	}
	var done []imported
	var errs []error
	for _, in := range inputs {
		c, notes, err := importer.LoadScrubbed(ctx, in, from, replay.LoadOptions{}, so)
		if err == nil {
			err = scan(c)
		}
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("import: nothing written: %w", errors.Join(append(errs, err)...))
		}
		var data []byte
		if err == nil {
			data, err = importer.Encode(c.Cassette)
			if err != nil {
				err = fmt.Errorf("%s: encode the cassette: %w", in, err)
			}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, imported{in: in, out: filepath.Join(dir, importName(in)), data: data, notes: notes})
	}
	if len(errs) > 0 {
		return fmt.Errorf("import: nothing written: %w", errors.Join(errs...))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("import: create %s: %w", dir, err)
	}
	for _, d := range done {
		for _, n := range d.notes {
			fmt.Fprintf(a.stderr, "%s: %s\n", d.in, n)
		}
		if err := atomicfile.Write(d.out, d.data); err != nil {
			return fmt.Errorf("import: write %s: %w", d.out, err)
		}
		fmt.Fprintf(a.stdout, "%s → %s\n", d.in, d.out)
	}
	return nil
}

// importName is the cassette file an input is written to: its base name
// without its extension, as .yaml. "CheckRun.test_change_url.yaml" keeps
// its dots: only the last extension is dropped.
func importName(in string) string {
	base := filepath.Base(in)
	return strings.TrimSuffix(base, filepath.Ext(base)) + ".yaml"
}

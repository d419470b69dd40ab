package intercept

import "context"

// Shutdown stops serving the decrypted connections gracefully: idle ones
// are closed, requests in flight finish, until ctx ends.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.start()
	err := p.srv.Shutdown(ctx)
	<-p.serve // Serve returns once the listener is closed, first thing
	return err
}

// Run as a child process by tests/e2e/start.test.ts: writes through the portal's process logger one
// message, one successful read and one write, so the test sees the format the process chooses for
// its stdout (a terminal, or a pipe) and for PORTICO_LOG_FORMAT.
import { log } from '../../src/lib/observability/log.ts';

log.info('hello from the portal');
log.request({ method: 'GET', path: '/', status: 200, durationMs: 1, requestId: 'req-read' });
log.request({ method: 'POST', path: '/api/v1/applications', status: 201, durationMs: 2, requestId: 'req-write' });

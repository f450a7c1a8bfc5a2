// The background flusher: one thread per process that adds every database's new counts and slow
// statements to its shared store every stats_share_ms (sidecar.h, FlushDb), so other processes
// see them live and a killed process loses at most that interval. Statement-time work never
// touches the file system: the trace callback only adds to memory; this thread does the I/O, on
// its own store connections with busy timeout 0 (a process holding the store's lock delays only
// the store's updates, never an application statement).
//
// Lifetime: the first connection that installs timing starts the thread; the last one to close
// stops it (a final flush, then join) from its close, i.e. before SQLite can dlclose the library
// that connection loaded; process exit stops it too (an atexit handler registered by the first
// start); a child of fork() starts its own (pthread_atfork). The thread never touches an
// application connection.
//
// Example: TimingState::Install() calls AcquireStoreFlusher(); ~TimingState ReleaseStoreFlusher().
#ifndef DOCTOR_TIMING_STORE_FLUSHER_H_
#define DOCTOR_TIMING_STORE_FLUSHER_H_

namespace doctor::timing {

void AcquireStoreFlusher();
void ReleaseStoreFlusher();
// True while the flusher thread runs (for tests and query_stats_info).
bool StoreFlusherRunning();

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STORE_FLUSHER_H_

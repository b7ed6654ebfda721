/**
 * Preloaded (`node --import`) into every child the soak starts: when the soak runner's end of
 * stdin closes, the runner is gone (even killed with SIGKILL, which it cannot clean up after),
 * so this process ends too instead of lingering on a loopback port.
 */

/** Time a SIGTERM handler gets to close cleanly before the process exits anyway. */
const FORCED_EXIT_MS = 5_000;

function orphaned() {
  setTimeout(() => process.exit(1), FORCED_EXIT_MS).unref();
  // SIGTERM, not exit: the hub and the worker each close their sockets cleanly on it.
  process.kill(process.pid, 'SIGTERM');
}

process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();
// Reading stdin must not keep a child alive that would otherwise have exited.
process.stdin.unref?.();

/**
 * The help texts of `mycel` and its commands, and the exit codes it uses.
 */

/** Exit codes of `mycel`. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** The hub answered with an error (no such service, the call failed or timed out, ...). */
  FAILED: 1,
  /** Bad command line. */
  USAGE: 2,
  /** The hub could not be reached, or refused the connection. */
  UNREACHABLE: 3,
  /** The hub does not offer what the command needs. */
  UNSUPPORTED: 4,
} as const;

const CONNECTION_FLAGS = `Connection:
  -s, --server-url URL   hub address (env MYCEL_SERVER_URL, default http://127.0.0.1:9527)
  -w, --workspace WS     workspace (env MYCEL_WORKSPACE, default public)
  -t, --token TOKEN      access token (env MYCEL_TOKEN)
      --json             print JSON instead of text
  -h, --help             show help`;

const EXIT_CODES = `Exit codes: 0 done, 1 the hub answered with an error, 2 bad command line,
3 hub unreachable or connection refused, 4 the hub lacks the feature.`;

/** Help per command; `main` is `mycel --help`. */
export const HELP: Record<string, string> = {
  main: `Usage: mycel COMMAND [OPTIONS]

Commands:
  services                          list the services of the workspace
  call SERVICE.FN [ARGS...]         call a function (ARGS are JSON, else strings)
  status [SERVICE]                  in flight, calls, errors and latency per instance
  watch [SERVICE]                   the status as a live table
  explain SERVICE --mode MODE       why a selection picks the instance it picks

Run "mycel COMMAND --help" for a command's options.

${CONNECTION_FLAGS}

${EXIT_CODES}`,
  services: `Usage: mycel services [--all] [OPTIONS]

Lists the services of the workspace: id, type, visibility, description.
  --all   include each client's built-in service

${CONNECTION_FLAGS}`,
  call: `Usage: mycel call SERVICE.FN [ARGS...] [--mode MODE] [--timeout SECONDS] [OPTIONS]

Calls FN of SERVICE and prints the result. SERVICE is "svc", "client:svc" or "ws/client:svc";
FN may be dotted ("math.add"). Each ARG is parsed as JSON when it is valid JSON ("2", "true",
'{"a":1}'), else passed as a string. Put "--" before arguments that start with "-".
  --mode MODE         how to pick the instance: exact, random, first, last,
                      select:min:FN, select:max:FN, select:first_success:FN
  --timeout SECONDS   longest wait for the answer (default 30)

Examples:
  mycel call math.add 1 2
  mycel call math.add 1 2 --mode select:min:get_load

${CONNECTION_FLAGS}`,
  status: `Usage: mycel status [SERVICE] [OPTIONS]

Prints, per service instance: state, calls in flight, calls, errors, success rate and latency
p50/p95/p99 over the hub's recent window, and its share of the service's recent calls.

${CONNECTION_FLAGS}`,
  watch: `Usage: mycel watch [SERVICE] [--interval SECONDS] [--count N] [OPTIONS]

Shows the status table and redraws it until interrupted (Ctrl-C).
  --interval SECONDS   time between refreshes (default 1)
  --count N            stop after N refreshes

${CONNECTION_FLAGS}`,
  explain: `Usage: mycel explain SERVICE --mode MODE [OPTIONS]

Asks the hub why MODE picks the instance it picks: candidates, their values and ages, who was
skipped and why. Needs a hub that offers explain_selection; otherwise lists the candidates and
exits 4.

${CONNECTION_FLAGS}`,
};

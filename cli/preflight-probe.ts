// The probe `ledgerfleet preflight --run` starts in each cluster: can a pod there reach every peer?

/**
 * Run as `/bin/bash -c PROBE_SCRIPT preflight <timeout-seconds> <ip> <port> <name> [<ip> <port> <name> ...]`
 * inside the ledger's own Besu image (Ubuntu 24.04: bash, coreutils, getent; no curl, wget or nc), so
 * it needs nothing the cluster does not already pull. For each `ip port name` triple it:
 * - opens a TCP connection with bash's `/dev/tcp/<ip>/<port>` (an IPv6 address goes in plain, no
 *   brackets) under coreutils `timeout`, and prints one of
 *     `tcp ok <ip> <port>`
 *     `tcp fail <ip> <port> timeout|refused|unreachable|invalid-target`
 *     `tcp fail <ip> <port> error <last words of bash's message>`
 *   (`timeout` exits 124 when the connect did not finish: a firewall dropping the SYN, or no route
 *   answering; bash's messages are read under LC_ALL=C);
 * - resolves the name with `getent ahosts` (the resolver the pod uses, /etc/hosts included) and
 *   prints `dns ok <name> <address>[,<address>...]` or `dns fail <name> not-found|timeout|invalid-name`.
 * It ends with `probe done <number of triples>`, so a truncated run is told apart from a finished
 * one, and `probe error <message>` (exit 2) when its arguments are malformed. Every line is one
 * printf, so the checks run in parallel without interleaving: a cluster with nothing open waits one
 * timeout, not one per peer.
 * Values reach the script as arguments, never spliced into it, and are checked (address, port,
 * DNS name shape) before use; a rejected value is echoed with anything unexpected replaced by '?'.
 * The script never reads stdin and writes no file (the pod's root filesystem is read-only).
 */
export const PROBE_SCRIPT = [
    "set -u -f",
    "export LC_ALL=C",
    "say() { printf '%s\\n' \"$*\"; }",
    "clean() { local v=\"${1//[^0-9A-Za-z.:_-]/?}\"; printf '%s' \"${v:-?}\"; }",
    "is_ip() { [[ \"$1\" =~ ^([0-9]{1,3}\\.){3}[0-9]{1,3}$ ]] || [[ \"$1\" == *:* && \"$1\" =~ ^[0-9A-Fa-f:.]+$ ]]; }",
    "is_port() { [[ \"$1\" =~ ^[1-9][0-9]{0,4}$ ]] && [ \"$1\" -le 65535 ]; }",
    "is_name() { [[ \"$1\" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]]; }",
    "if [ \"$#\" -lt 1 ] || ! [[ \"$1\" =~ ^[1-9][0-9]{0,2}$ ]]; then",
    "  say 'probe error expected the timeout in seconds (1-999) as the first argument'",
    "  exit 2",
    "fi",
    't="$1"',
    "shift",
    "if [ $(( $# % 3 )) -ne 0 ]; then",
    '  say "probe error expected ip port name triples after the timeout, found $# arguments"',
    "  exit 2",
    "fi",
    "tcp() {",
    '  local ip="$1" port="$2" err rc',
    "  if ! is_ip \"$ip\" || ! is_port \"$port\"; then",
    '    say "tcp fail $(clean "$ip") $(clean "$port") invalid-target"',
    "    return",
    "  fi",
    "  err=$(timeout \"$t\" /bin/bash -c 'exec 3<>\"/dev/tcp/$1/$2\"' tcp \"$ip\" \"$port\" 2>&1 >/dev/null)",
    "  rc=$?",
    '  if [ "$rc" -eq 0 ]; then say "tcp ok $ip $port"; return; fi',
    '  case "$rc:$err" in',
    '    124:*) say "tcp fail $ip $port timeout" ;;',
    '    *[Rr]efused*) say "tcp fail $ip $port refused" ;;',
    '    *"No route"*|*[Uu]nreachable*) say "tcp fail $ip $port unreachable" ;;',
    '    *) err="${err##*: }"; say "tcp fail $ip $port error ${err//[[:cntrl:]]/ } (exit $rc)" ;;',
    "  esac",
    "}",
    "dns() {",
    '  local name="$1" out rc w list=""',
    '  if ! is_name "$name"; then say "dns fail $(clean "$name") invalid-name"; return; fi',
    '  out=$(timeout "$t" getent ahosts "$name" 2>/dev/null)',
    "  rc=$?",
    '  if [ "$rc" -eq 124 ]; then say "dns fail $name timeout"; return; fi',
    '  if [ "$rc" -ne 0 ]; then say "dns fail $name not-found"; return; fi',
    // getent prints `<address> STREAM <name>` lines: keep the words that are addresses, once each.
    "  for w in $out; do",
    '    if [[ "$w" =~ ^[0-9.]+$ || ( "$w" == *:* && "$w" =~ ^[0-9A-Fa-f:.]+$ ) ]]; then',
    '      case ",$list," in *",$w,"*) ;; *) list="${list:+$list,}$w" ;; esac',
    "    fi",
    "  done",
    '  say "dns ok $name ${list:-?}"',
    "}",
    "n=0",
    'while [ "$#" -ge 3 ]; do',
    '  tcp "$1" "$2" &',
    '  dns "$3" &',
    "  shift 3",
    "  n=$((n + 1))",
    "done",
    "wait",
    'say "probe done $n"',
].join("\n");

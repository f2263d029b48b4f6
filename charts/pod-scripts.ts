// Scripts the ledger pods run, in the Besu image itself (ubuntu with bash and coreutils, no curl:
// see test/fixtures/besu/options.json, "rules.image"), so no second image has to be trusted.
// Values reach the scripts as environment variables, never spliced into them.

/**
 * Writes Besu's permissions file (PATHS.permissions) from the shared allowlist and, for every peer in
 * the same cluster, the address its pod has now: Besu identifies an inbound peer by the connection's
 * source address, and inside a cluster that is the peer's pod address, which changes when the pod
 * does. MODE=once runs one pass (the init container, before Besu reads the file at start). MODE=watch
 * (the validators' sidecar) re-renders every INTERVAL seconds and, when the file changed, asks Besu to
 * reload it with perm_reloadPermissionsFromFile on its localhost-only JSON-RPC port: an allowlist
 * change never restarts a validator. Besu has no file watcher; that call is its only reload.
 *
 * Environment: PEERS_DIR (allowlist, local-peers), OUT, P2P_PORT, MODE, RPC_PORT and INTERVAL (watch).
 */
export const PEERS_SCRIPT = String.raw`set -eu
render() {
  tmp="$OUT.new"
  {
    printf '# Written in the pod by ledgerfleet: %s/allowlist and the pod addresses of same-cluster peers.\n' "$PEERS_DIR"
    printf 'nodes-allowlist=[\n'
    while IFS= read -r enode || [ -n "$enode" ]; do
      case "$enode" in
        *'"'*|*'\'*) ;;
        enode://*) printf '  "%s",\n' "$enode" ;;
      esac
    done < "$PEERS_DIR/allowlist"
    while read -r id name || [ -n "$id" ]; do
      case "$id" in ''|*[!0-9a-f]*) continue ;; esac
      [ -n "$name" ] || continue
      for ip in $(getent ahosts "$name" 2>/dev/null | awk '{ print $1 }' | sort -u); do
        case "$ip" in ''|*[!0-9a-fA-F.:]*) continue ;; esac
        case "$ip" in *:*) host="[$ip]" ;; *) host="$ip" ;; esac
        printf '  "enode://%s@%s:%s",\n' "$id" "$host" "$P2P_PORT"
      done
    done < "$PEERS_DIR/local-peers"
    printf ']\n'
  } > "$tmp"
}
install_if_changed() {
  if [ -f "$OUT" ] && cmp -s "$tmp" "$OUT"; then rm -f "$tmp"; return 1; fi
  mv -f "$tmp" "$OUT"
}
reload() {
  body='{"jsonrpc":"2.0","id":1,"method":"perm_reloadPermissionsFromFile","params":[]}'
  length=$(printf '%s' "$body" | wc -c)
  response=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "POST / HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" "$3" "$2" >&3 && cat <&3' reload "$RPC_PORT" "$body" "$((length))" 2>/dev/null) || return 1
  case "$response" in *'"result":"Success"'*) return 0 ;; esac
  echo "peers: Besu refused the reload: $(printf '%s' "$response" | tail -n 1)" >&2
  return 1
}
render
install_if_changed || true
if [ "$MODE" = once ]; then
  echo "peers: wrote $OUT ($(grep -c 'enode://' "$OUT") entries)"
  exit 0
fi
trap 'exit 0' TERM INT
# A restarted sidecar cannot know whether its last write was reloaded: reload once to be sure.
pending=1
while :; do
  if install_if_changed; then pending=1; fi
  if [ "$pending" = 1 ]; then
    if reload; then pending=0; echo "peers: Besu reloaded $OUT ($(grep -c 'enode://' "$OUT") entries)"; fi
  fi
  sleep "$INTERVAL" & wait $!
  render
done
`;

/**
 * An HTTP GET against Besu on localhost that succeeds only on status 200, for exec probes of nodes
 * whose JSON-RPC listens on 127.0.0.1 only (the kubelet's httpGet would come from outside the pod).
 * HTTP/1.0, so Besu closes the connection after the response. Argument: port, path.
 */
export const LOCAL_HTTP_PROBE_SCRIPT = String.raw`exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3
IFS=' ' read -r -t 5 _ status _ <&3 || exit 1
[ "$status" = 200 ]
`;

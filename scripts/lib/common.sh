# Shared by the scripts in scripts/: where things live, and how to stay quiet unless a step fails.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache_dir="$repo_root/.cache"
vsix="$repo_root/iommu-debugger.vsix"

# quietly LOG COMMAND...: runs COMMAND with its output in LOG; on failure prints the log's tail and exits.
quietly() {
  local log="$1"
  shift
  mkdir -p "$(dirname "$log")"
  if ! "$@" >"$log" 2>&1; then
    echo "error: '$*' failed; the end of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

# build_vsix: the webpack bundles and the .vsix that VS Code installs.
build_vsix() {
  quietly "$cache_dir/logs/package.log" npm run --prefix "$repo_root" package
}

# code-server (VS Code for the browser) from the npm registry, installed once into .cache/.
# Its postinstall downloads ripgrep from the internet, which these machines cannot reach, so
# its steps are done here by hand (see docs/offline-vscode.md).

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

code_server_version=4.100.3 # the last release that runs on Node 20
code_server_prefix="$cache_dir/code-server-$code_server_version"
code_server="$code_server_prefix/node_modules/.bin/code-server"

# install_code_server: idempotent; a stamp file marks a finished install.
install_code_server() {
  local stamp="$code_server_prefix/.installed"
  [ -f "$stamp" ] && return 0
  for tool in rg g++ make python3; do
    command -v "$tool" >/dev/null || {
      echo "error: code-server needs '$tool' (Debian: apt-get install ripgrep build-essential python3)" >&2
      exit 1
    }
  done
  local log="$cache_dir/logs/code-server-install.log"
  rm -rf "$code_server_prefix"
  mkdir -p "$code_server_prefix"
  echo '{ "private": true }' >"$code_server_prefix/package.json"
  quietly "$log" npm install --prefix "$code_server_prefix" --ignore-scripts --no-audit --no-fund "code-server@$code_server_version"
  local lib="$code_server_prefix/node_modules/code-server/lib/vscode"
  (cd "$code_server_prefix" && quietly "$log.argon2" npm rebuild --ignore-scripts=false argon2)
  (cd "$lib" && quietly "$log.vscode" npm install --omit=dev --ignore-scripts --no-audit --no-fund)
  (cd "$lib" && npm_config_yes=true quietly "$log.native" npm rebuild --ignore-scripts=false \
    kerberos @parcel/watcher @vscode/deviceid @vscode/spdlog native-watchdog node-pty)
  mkdir -p "$lib/node_modules/@vscode/ripgrep/bin"
  ln -sf "$(command -v rg)" "$lib/node_modules/@vscode/ripgrep/bin/rg"
  ln -sfn node_modules "$lib/node_modules.asar"
  ln -sf code-linux.sh "$lib/bin/remote-cli/code-server"
  ln -sf browser-linux.sh "$lib/bin/helpers/browser.sh"
  (cd "$lib/extensions" && quietly "$log.extensions" npm install --omit=dev --ignore-scripts --no-audit --no-fund)
  (cd "$lib/extensions" && quietly "$log.postinstall" node ./postinstall.mjs)
  touch "$stamp"
}

# write_profile DIR: a user-data-dir whose settings keep the trust dialog and welcome page away.
write_profile() {
  mkdir -p "$1/User"
  cp "$repo_root/scripts/vscode-web-settings.json" "$1/User/settings.json"
}

# install_vsix EXTENSIONS_DIR: installs the built .vsix into a code-server extensions folder.
install_vsix() {
  quietly "$cache_dir/logs/install-extension.log" \
    "$code_server" --extensions-dir "$1" --install-extension "$vsix" --force
}

#!/usr/bin/env bash
# Installs the speech-to-speech gateway and its LLM server as systemd services, from this checkout.
# Safe to run again: it upgrades the application and units, and keeps /etc/s2s-gateway/s2s.env and all data.
#   sudo systemd/install.sh            (NODE_BIN=/path/to/node to pick the Node.js 24 binary)
set -euo pipefail

APP_DIR=/opt/s2s-gateway
CONF_DIR=/etc/s2s-gateway
UNIT_DIR=/etc/systemd/system
SERVICE_USER=s2s
UNITS=(s2s-llm.service s2s-gateway.service s2s.target)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  echo "install.sh: $*" >&2
  exit 1
}

random_key() {
  head -c 30 /dev/urandom | base64 | tr -d '/+='
}

[[ $(id -u) -eq 0 ]] || die "run as root"
command -v systemctl >/dev/null || die "systemd is required"
command -v npm >/dev/null || die "npm is required to install the production dependencies"

# The Node.js binary the checkout runs on (the `node` devDependency), unless told otherwise.
NODE_BIN=${NODE_BIN:-$REPO/node_modules/node/bin/node}
if [[ ! -x $NODE_BIN ]]; then
  NODE_BIN=$(command -v node || true)
fi
[[ -n $NODE_BIN && -x $NODE_BIN ]] || die "no Node.js found: run 'npm ci' in the checkout or set NODE_BIN"
node_major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
((node_major >= 24)) || die "Node.js 24 or newer is required; $NODE_BIN is $("$NODE_BIN" --version)"

# The units add these groups for /dev/kfd and /dev/dri; systemd refuses to start if one is missing.
for group in video render; do
  getent group "$group" >/dev/null || die "group '$group' does not exist: install the amdgpu driver stack first"
done

if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi

# Application: code, production dependencies and its own copy of Node.js, owned by root (read-only to s2s).
install -d -m 0755 "$APP_DIR" "$APP_DIR/bin" "$APP_DIR/systemd"
# web/ and client/ are the voice page at / and the client library it loads.
for dir in src web client; do
  rm -rf "${APP_DIR:?}/$dir"
  cp -R "$REPO/$dir" "$APP_DIR/$dir"
  find "$APP_DIR/$dir" -name '*.test.ts' -delete
done
install -m 0644 "$REPO/package.json" "$REPO/package-lock.json" "$APP_DIR/"
install -m 0644 "$REPO/systemd/README.md" "$APP_DIR/systemd/"
install -m 0755 "$NODE_BIN" "$APP_DIR/bin/node"
# ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node would otherwise fetch CUDA binaries from NuGet (see README).
(cd "$APP_DIR" && PATH="$APP_DIR/bin:$PATH" ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund)

# Configuration: created once with fresh keys, never overwritten.
install -d -m 0750 -o root -g "$SERVICE_USER" "$CONF_DIR"
if [[ ! -e $CONF_DIR/s2s.env ]]; then
  api_key=$(random_key)
  llm_key=$(random_key)
  sed -e "s|^S2S_API_KEYS=.*|S2S_API_KEYS=$api_key|" \
    -e "s|^S2S_LLM_API_KEY=.*|S2S_LLM_API_KEY=$llm_key|" \
    -e "s|^LLAMA_API_KEY=.*|LLAMA_API_KEY=$llm_key|" \
    "$REPO/systemd/s2s.env.example" >"$CONF_DIR/s2s.env.new"
  chown "root:$SERVICE_USER" "$CONF_DIR/s2s.env.new"
  chmod 0640 "$CONF_DIR/s2s.env.new"
  mv "$CONF_DIR/s2s.env.new" "$CONF_DIR/s2s.env"
  echo "created $CONF_DIR/s2s.env with generated keys (S2S_API_KEYS is what clients send)"
fi

for unit in "${UNITS[@]}"; do
  install -m 0644 "$REPO/systemd/$unit" "$UNIT_DIR/$unit"
done
if [[ ! -x /usr/local/bin/llama-server ]]; then
  echo "install.sh: warning: /usr/local/bin/llama-server is missing; s2s-llm.service fails until it is installed" >&2
fi

systemctl daemon-reload
systemctl enable "${UNITS[@]}"
# A restart of the target restarts both services (PartOf=), so a re-run picks up the new code.
systemctl restart s2s.target
echo "installed: systemctl status s2s.target; journalctl -u s2s-gateway -f"

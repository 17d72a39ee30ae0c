#!/usr/bin/env bash
# Removes the services and the application. Keeps /etc/s2s-gateway, the models and all state unless --purge.
#   sudo systemd/uninstall.sh [--purge]
set -euo pipefail

APP_DIR=/opt/s2s-gateway
CONF_DIR=/etc/s2s-gateway
UNIT_DIR=/etc/systemd/system
SERVICE_USER=s2s
UNITS=(s2s-gateway.service s2s-llm.service s2s.target)
STATE_DIRS=(/var/lib/s2s-gateway /var/lib/s2s-llm)

die() {
  echo "uninstall.sh: $*" >&2
  exit 1
}

purge=false
case "${1:-}" in
  --purge) purge=true ;;
  "") ;;
  *) die "usage: uninstall.sh [--purge]" ;;
esac
[[ $(id -u) -eq 0 ]] || die "run as root"

for unit in "${UNITS[@]}"; do
  if [[ -e $UNIT_DIR/$unit ]]; then
    systemctl disable --now "$unit"
    rm -f "$UNIT_DIR/$unit"
  fi
done
systemctl daemon-reload
systemctl reset-failed "${UNITS[@]}" 2>/dev/null || true
rm -rf "$APP_DIR"

if [[ $purge == true ]]; then
  rm -rf "$CONF_DIR" "${STATE_DIRS[@]}"
  if id -u "$SERVICE_USER" >/dev/null 2>&1; then
    userdel "$SERVICE_USER"
  fi
  echo "removed the services, the application, $CONF_DIR, ${STATE_DIRS[*]} and the $SERVICE_USER user"
else
  echo "removed the services and the application; kept $CONF_DIR and ${STATE_DIRS[*]} (--purge removes them)"
fi

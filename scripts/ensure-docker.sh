#!/usr/bin/env bash
# Make sure a Docker engine answers. If none does and we are root on Debian,
# install Debian's docker.io and start dockerd in the background.
set -euo pipefail

log=${JUNTO_DOCKERD_LOG:-/var/log/junto-dockerd.log}

if docker info >/dev/null 2>&1; then
    exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
    echo "error: DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
    echo "error: no Docker engine answers on /var/run/docker.sock." >&2
    echo "       Install Docker and start it (e.g. 'sudo systemctl start docker'), then run make again." >&2
    exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
    echo "==> installing Debian's docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
    echo "==> starting dockerd (log: $log)"
    # setsid: the engine must outlive this make invocation.
    setsid nohup dockerd >"$log" 2>&1 < /dev/null &
fi
for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        echo "==> Docker engine is up"
        exit 0
    fi
    sleep 1
done
echo "error: dockerd did not answer within 60 s; see $log" >&2
exit 1

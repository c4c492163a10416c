#!/usr/bin/env bash
# Starts, stops or checks podman's Docker-compatible API socket (unix:///run/podman/podman.sock).
# Usage (as root): tools/containers/podman-socket.sh start|stop|status [CACHE_DIR]
# `start` is idempotent: an answering socket is left alone. The service runs detached
# (setsid) with --time=0 so it never exits on idle; its pid is kept in /run/podman/stackproof.pid
# so `stop` ends exactly the process this script started.
set -euo pipefail

ACTION="${1:-status}"
CACHE="${2:-${STACKPROOF_CACHE:-$HOME/.cache/stackproof}}"
SOCKET_DIR=/run/podman
SOCKET="$SOCKET_DIR/podman.sock"
PIDFILE="$SOCKET_DIR/stackproof.pid"

say() { printf 'podman-socket: %s\n' "$*"; }
die() { printf 'podman-socket: error: %s\n' "$*" >&2; exit 1; }

answers() { [ -S "$SOCKET" ] && [ "$(curl -sf --max-time 3 --unix-socket "$SOCKET" http://d/_ping 2>/dev/null)" = OK ]; }

# A service whose working directory was deleted (it was started from a clone since removed)
# still answers /_ping, but every container it starts fails in runc ("write child: broken pipe").
cwd_deleted() {
  [ -f "$PIDFILE" ] && [[ "$(readlink "/proc/$(cat "$PIDFILE")/cwd" 2>/dev/null)" == *' (deleted)' ]]
}

case "$ACTION" in
  status)
    if answers; then say "answering on unix://$SOCKET"; else say "not answering on unix://$SOCKET"; exit 1; fi
    ;;
  start)
    if answers && cwd_deleted; then
      say "restarting pid $(cat "$PIDFILE"): its working directory was deleted"
      kill "$(cat "$PIDFILE")"
      for _ in $(seq 1 50); do kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break; sleep 0.1; done
    fi
    if answers; then say "already answering on unix://$SOCKET"; exit 0; fi
    command -v podman >/dev/null || die "podman is not installed (apt-get install podman runc)"
    mkdir -p "$SOCKET_DIR" "$CACHE/logs"
    # A stale socket file from a dead service would make the bind fail.
    [ -S "$SOCKET" ] && rm -f "$SOCKET"
    # From /, so the long-lived service never holds a working directory that may be removed.
    (cd / && exec setsid podman system service --time=0 "unix://$SOCKET" >>"$CACHE/logs/podman-service.log" 2>&1 < /dev/null) &
    echo $! > "$PIDFILE"
    for _ in $(seq 1 100); do # bounded: 100 x 0.1 s
      answers && { say "started (pid $(cat "$PIDFILE")) on unix://$SOCKET"; exit 0; }
      kill -0 "$(cat "$PIDFILE")" 2>/dev/null || die "podman system service exited; see $CACHE/logs/podman-service.log"
      sleep 0.1
    done
    die "podman system service did not answer within 10 s; see $CACHE/logs/podman-service.log"
    ;;
  stop)
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      kill "$(cat "$PIDFILE")" && say "stopped pid $(cat "$PIDFILE")"
    else
      say "no service started by this script is running"
    fi
    rm -f "$PIDFILE"
    ;;
  *) die "unknown action '$ACTION' (start|stop|status)" ;;
esac

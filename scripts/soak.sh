#!/usr/bin/env bash
# Soak test: the release board against the simulator's soak scenario (contact-centre churn plus recurring
# faults) for SOAK_SECS seconds (default 660), in a detached tmux session so it has a real terminal.
# Samples the board's and the simulator's RSS every 10 s and ends with a summary: RSS start/end/max,
# requests, 429s (the scenario injects none, so every 429 is the board's doing) and panics.
# Usage: scripts/soak.sh [OUT_DIR]      (not part of `cargo test`; needs tmux)
set -euo pipefail

secs=${SOAK_SECS:-660}
port=${SOAK_PORT:-18090}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/target/soak}
session="callboard-soak-$$"
# A private tmux server: nobody else's tmux commands can touch the session.
tmux() { command tmux -L "$session" "$@"; }

rm -rf "$out" && mkdir -p "$out/sim-state" "$out/board-home"
cargo build --release --manifest-path "$root/Cargo.toml" >"$out/build.log" 2>&1
target=${CARGO_TARGET_DIR:-$root/target}
# A private copy: a rebuild during the soak must not swap the binary under the running board.
cp "$target/release/callboard" "$out/callboard"
bin="$out/callboard"

XDG_STATE_HOME="$out/sim-state" CALLBOARD_LOG="info,callboard::sim::requests=debug" \
    "$bin" sim --listen "127.0.0.1:$port" --scenario "$root/assets/scenarios/soak.toml" \
    >"$out/sim.out" 2>"$out/sim.err" &
sim_pid=$!
cleanup() {
    tmux kill-server 2>/dev/null || true
    kill "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 100); do
    grep -q '^export RC_USER_JWT' "$out/sim.out" 2>/dev/null && break
    sleep 0.1
done
home="$out/board-home"
{
    grep '^export ' "$out/sim.out"
    echo "export HOME=$home XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache XDG_STATE_HOME=$home/state"
    echo "export CALLBOARD_LOG=debug TERM=xterm-256color"
} >"$out/board.env"

tmux new-session -d -s "$session" -x 160 -y 50 \
    "cd '$out' && . ./board.env && exec '$bin' 2>'$out/board.err'"
board_pid=$(tmux display-message -p -t "$session" '#{pane_pid}')

rss() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' ' || true; }
echo "elapsed_s,board_rss_kib,sim_rss_kib" >"$out/rss.csv"
start=$(date +%s)
died=0
while (($(date +%s) - start < secs)); do
    b=$(rss "$board_pid")
    if [[ -z "$b" ]]; then
        died=1
        break
    fi
    echo "$(($(date +%s) - start)),$b,$(rss "$sim_pid")" >>"$out/rss.csv"
    sleep 10
done
tmux capture-pane -p -t "$session" >"$out/last-screen.txt" 2>/dev/null || true
tmux send-keys -t "$session" q 2>/dev/null || true
sleep 2
if kill -0 "$board_pid" 2>/dev/null; then
    echo "the board did not quit on q" >>"$out/board.err"
    died=1
fi
kill -INT "$sim_pid" 2>/dev/null || true
wait "$sim_pid" 2>/dev/null || true

sim_log=$(cat "$out"/sim-state/callboard/logs/* 2>/dev/null || true)
requests=$(grep -c 'callboard::sim::requests' <<<"$sim_log" || true)
heavy=$(grep 'callboard::sim::requests' <<<"$sim_log" | grep -c 'active-calls' || true)
tooMany=$(grep -c 'status=429' <<<"$sim_log" || true)
panics=$(cat "$out/board.err" "$out/sim.err" | grep -c 'panicked' || true)
col() { tail -n +2 "$out/rss.csv" | cut -d, -f"$1"; }
summary="soak: $(($(date +%s) - start)) s, $(($(wc -l <"$out/rss.csv") - 1)) samples
board RSS KiB: start $(col 2 | head -1), end $(col 2 | tail -1), max $(col 2 | sort -n | tail -1)
sim RSS KiB:   start $(col 3 | head -1), end $(col 3 | tail -1), max $(col 3 | sort -n | tail -1)
requests to the simulator: $requests ($heavy active-calls), 429s: $tooMany
panics: $panics, board ended early: $([[ $died == 1 ]] && echo yes || echo no)"
echo "$summary" | tee "$out/summary.txt"
[[ $panics == 0 && $died == 0 && $tooMany == 0 ]]

#!/usr/bin/env bash
# Failure hook of the scheduled build: deploy/reportlib-notify@.service runs it with the
# failed unit's name when reportlib-build.service fails (OnFailure=).
#
# It reads reportlib's own account of the run — reports/status.json (time, exit code and
# the one-line reason) and the last lines of that run's log — and
#   * always writes it to the journal (journalctl -t reportlib-build -p err), or to
#     stderr where there is no journal;
#   * mails it when NOTIFY_MAIL is set (an address; needs a working `mail`/`sendmail`),
#     e.g. NOTIFY_MAIL=ops@example.org in /etc/default/reportlib;
#   * runs NOTIFY_COMMAND when set, with the message on its stdin (any other channel).
# Usage: deploy/notify-failure.sh [UNIT]   (run from the checkout, as the service does)
set -uo pipefail
cd "$(dirname "$0")/.."
unit=${1:-reportlib-build.service}
status_file=${REPORTS_DIR:-reports}/status.json

summary() {
    if [ -r "$status_file" ] && command -v python3 >/dev/null; then
        python3 - "$status_file" <<'PY'
import json, sys
run = json.load(open(sys.argv[1], encoding="utf-8")).get("last_run", {})
if run.get("outcome") == "running":  # written at its start; the run never wrote its end: it was killed
    print(f"reportlib build started at {run.get('started')} (pid {run.get('pid')}) was killed before it ended "
          "(kill -9, out of memory, timeout or power cut); reports/ is the set published before it")
else:
    print(f"reportlib build failed at {run.get('finished')} (exit {run.get('exit_code')}): {run.get('reason')}")
print(f"log: {run.get('log')}")
PY
    else
        echo "reportlib build failed ($unit); no $status_file to tell why (see journalctl -u $unit)"
    fi
}

message=$(summary)
log_file=$(printf '%s\n' "$message" | sed -n 's/^log: //p')
if [ -n "$log_file" ] && [ -r "$log_file" ]; then
    message=$(printf '%s\n--- last lines of the log ---\n%s\n' "$message" "$(tail -n 20 "$log_file")")
fi

if command -v systemd-cat >/dev/null && [ -d /run/systemd/system ]; then
    printf '%s\n' "$message" | systemd-cat -t reportlib-build -p err
else
    printf '%s\n' "$message" >&2
fi
if [ -n "${NOTIFY_MAIL:-}" ]; then
    if command -v mail >/dev/null; then
        printf '%s\n' "$message" | mail -s "reportlib: scheduled build failed on $(hostname)" "$NOTIFY_MAIL"
    elif command -v sendmail >/dev/null; then
        printf 'To: %s\nSubject: reportlib: scheduled build failed on %s\n\n%s\n' "$NOTIFY_MAIL" "$(hostname)" "$message" \
            | sendmail -t
    else
        echo "notify-failure: NOTIFY_MAIL is set but neither mail nor sendmail is installed" >&2
    fi
fi
if [ -n "${NOTIFY_COMMAND:-}" ]; then
    printf '%s\n' "$message" | sh -c "$NOTIFY_COMMAND"
fi
exit 0

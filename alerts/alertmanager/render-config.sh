#!/bin/sh
# Render alertmanager.yml (a template with __PLACEHOLDERS__ and channel blocks) into a
# deployable Alertmanager configuration, taking the secrets from the environment or from files.
#
# Usage: render-config.sh OUTPUT_FILE
#
# Telegram, Slack or both; at least one of them. A channel whose variables are all unset is
# left out of every receiver.
#   TELEGRAM_BOT_TOKEN  or TELEGRAM_BOT_TOKEN_FILE   bot token from @BotFather (123456:ABC-...)
#   TELEGRAM_CHAT_ID    or TELEGRAM_CHAT_ID_FILE     chat to post to (a group id is negative)
#   TELEGRAM_API_URL    optional, default https://api.telegram.org (a proxy or a test server)
#   SLACK_WEBHOOK_URL   or SLACK_WEBHOOK_URL_FILE    Slack incoming-webhook URL; with _FILE the
#                                                    config refers to the file (slack_api_url_file)
#                                                    and the URL is never copied
#   SLACK_API_URL       optional: post Slack messages here instead of SLACK_WEBHOOK_URL(_FILE)
#                       (a relay or a test server); the webhook variables are then not needed
# The dead man's switch (optional, strongly advised: without it nobody hears of a dead
# Alertmanager; a warning is printed):
#   HEARTBEAT_URL       or HEARTBEAT_URL_FILE        URL called every minute while GonkaWatchdog
#                                                    fires (healthchecks.io, Dead Man's Snitch,
#                                                    Better Stack heartbeats, ...): it holds a token
#   SECRETS_DIR         optional: a directory in which a file named telegram_bot_token,
#                       telegram_chat_id, slack_webhook_url or heartbeat_url stands for the
#                       matching *_FILE variable (unless that variable or its _FILE is set);
#                       absent files mean the channel is not used (a compose secrets folder)
# Which Alertmanager loads the output:
#   ALERTMANAGER_VERSION  optional, default 0.25. From 0.26 on, secrets given as *_FILE are
#                       referred to (bot_token_file, url_file) and the output holds no secret;
#                       0.25 cannot read them, so their values are copied into the output.
#   ALERTMANAGER_TEMPLATES_DIR  optional, default: the templates/ directory next to this script
#   ALERTMANAGER_CONFIG_TEMPLATE optional, default: alertmanager.yml next to this script
#
# The output is written with mode 0600. Secret values are validated but never printed.
set -eu

die() {
    printf 'render-config.sh: %s\n' "$*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: render-config.sh OUTPUT_FILE (see the header of this script for the variables)"
out=$1
script_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
template=${ALERTMANAGER_CONFIG_TEMPLATE:-$script_dir/alertmanager.yml}
templates_dir=${ALERTMANAGER_TEMPLATES_DIR:-$script_dir/templates}
[ -r "$template" ] || die "cannot read the config template $template"

# read_secret NAME: value of $NAME, or the content of the file named by ${NAME}_FILE
# (surrounding whitespace removed). Empty when neither is set; fails when both are.
read_secret() {
    eval "_v=\${$1:-}; _f=\${$1_FILE:-}"
    if [ -n "$_v" ] && [ -n "$_f" ]; then
        die "set only one of $1 and $1_FILE"
    fi
    if [ -n "$_f" ]; then
        [ -r "$_f" ] || die "$1_FILE points at $_f, which is not a readable file"
        _c=$(tr -d '\r' <"$_f" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
        [ -n "$_c" ] || die "$1_FILE points at $_f, which is empty"
        printf '%s' "$_c"
    else
        printf '%s' "$_v"
    fi
}

# matches VALUE ERE: whole-value match of a single-line value
matches() {
    case $1 in *'
'*) return 1 ;; esac
    printf '%s\n' "$1" | grep -Eq "$2"
}

url_re='^https?://[^[:space:]'"'"'"]+$'

# abs_file NAME: the path in NAME_FILE, which Alertmanager itself will read at run time
abs_file() {
    eval "_f=\${$1_FILE}"
    matches "$_f" '^/[^'"'"']*$' ||
        die "$1_FILE must be an absolute path without single quotes (Alertmanager reads it at run time)"
    printf '%s' "$_f"
}

# is_set NAME: NAME or NAME_FILE is set and not empty
is_set() {
    eval "_v=\${$1:-}\${$1_FILE:-}"
    [ -n "$_v" ]
}

if [ -n "${SECRETS_DIR:-}" ]; then
    [ -d "$SECRETS_DIR" ] || die "SECRETS_DIR $SECRETS_DIR is not a directory"
    for _name in TELEGRAM_BOT_TOKEN TELEGRAM_CHAT_ID SLACK_WEBHOOK_URL HEARTBEAT_URL; do
        _file=$SECRETS_DIR/$(printf '%s' "$_name" | tr 'A-Z' 'a-z')
        if [ -f "$_file" ] && ! is_set "$_name"; then
            eval "${_name}_FILE=\$_file"
        fi
    done
fi

am_version=${ALERTMANAGER_VERSION:-0.25}
matches "$am_version" '^v?[0-9]+\.[0-9]+(\.[0-9]+)?$' || die "ALERTMANAGER_VERSION must look like 0.27 or 0.27.0"
am_minor=$(printf '%s' "$am_version" | sed -e 's/^v//' | awk -F. '{ print $1 * 1000 + $2 }')
refers_to_files=false
[ "$am_minor" -ge 26 ] && refers_to_files=true
holds_secret=false

telegram=false
token_from="bot_token: '__TELEGRAM_BOT_TOKEN__'"
token_to=$token_from
chat_id=
telegram_api_url=
if is_set TELEGRAM_BOT_TOKEN || is_set TELEGRAM_CHAT_ID; then
    telegram=true
    bot_token=$(read_secret TELEGRAM_BOT_TOKEN)
    [ -n "$bot_token" ] || die "TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE must be set (with TELEGRAM_CHAT_ID)"
    matches "$bot_token" '^[0-9]+:[A-Za-z0-9_-]+$' ||
        die "TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters, as given by @BotFather)"
    if $refers_to_files && [ -n "${TELEGRAM_BOT_TOKEN_FILE:-}" ]; then
        token_to="bot_token_file: '$(abs_file TELEGRAM_BOT_TOKEN)'"
    else
        token_to="bot_token: '$bot_token'"
        holds_secret=true
    fi
    chat_id=$(read_secret TELEGRAM_CHAT_ID)
    [ -n "$chat_id" ] || die "TELEGRAM_CHAT_ID or TELEGRAM_CHAT_ID_FILE must be set (with TELEGRAM_BOT_TOKEN)"
    matches "$chat_id" '^-?[0-9]+$' || die "TELEGRAM_CHAT_ID must be a number (group chats are negative)"
    telegram_api_url=${TELEGRAM_API_URL:-https://api.telegram.org}
    matches "$telegram_api_url" "$url_re" || die "TELEGRAM_API_URL must be an http(s) URL"
fi

# Slack: an explicit SLACK_API_URL wins; else a webhook file is referenced; else the URL is inlined.
slack=false
slack_from="slack_api_url: '__SLACK_API_URL__'"
slack_to=$slack_from
if [ -n "${SLACK_API_URL:-}" ]; then
    slack=true
    matches "$SLACK_API_URL" "$url_re" || die "SLACK_API_URL must be an http(s) URL"
    slack_to="slack_api_url: '$SLACK_API_URL'"
elif [ -n "${SLACK_WEBHOOK_URL_FILE:-}" ]; then
    slack=true
    [ -z "${SLACK_WEBHOOK_URL:-}" ] || die "set only one of SLACK_WEBHOOK_URL and SLACK_WEBHOOK_URL_FILE"
    webhook=$(read_secret SLACK_WEBHOOK_URL)
    matches "$webhook" "$url_re" || die "SLACK_WEBHOOK_URL_FILE must contain an http(s) URL"
    slack_to="slack_api_url_file: '$(abs_file SLACK_WEBHOOK_URL)'"
elif [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
    slack=true
    webhook=$(read_secret SLACK_WEBHOOK_URL)
    matches "$webhook" "$url_re" || die "SLACK_WEBHOOK_URL must be an http(s) URL"
    slack_to="slack_api_url: '$webhook'"
    holds_secret=true
fi

$telegram || $slack || die "configure Telegram (TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or their _FILE forms), Slack (SLACK_WEBHOOK_URL or SLACK_WEBHOOK_URL_FILE) or both"

heartbeat=false
heartbeat_from="url: '__HEARTBEAT_URL__'"
heartbeat_to=$heartbeat_from
if is_set HEARTBEAT_URL; then
    heartbeat=true
    beat=$(read_secret HEARTBEAT_URL)
    matches "$beat" "$url_re" || die "HEARTBEAT_URL must be an http(s) URL"
    if $refers_to_files && [ -n "${HEARTBEAT_URL_FILE:-}" ]; then
        heartbeat_to="url_file: '$(abs_file HEARTBEAT_URL)'"
    else
        heartbeat_to="url: '$beat'"
        holds_secret=true
    fi
else
    printf '%s\n' "render-config.sh: warning: no HEARTBEAT_URL or HEARTBEAT_URL_FILE: GonkaWatchdog goes nowhere, and nobody will notice if this Alertmanager or the central Prometheus dies" >&2
fi

[ -d "$templates_dir" ] || die "ALERTMANAGER_TEMPLATES_DIR $templates_dir is not a directory"
templates_dir=$(CDPATH= cd -- "$templates_dir" && pwd)
matches "$templates_dir" '^/[^'"'"']*$' || die "the templates directory path must not contain single quotes"

out_dir=$(dirname -- "$out")
[ -d "$out_dir" ] || die "output directory $out_dir does not exist"
umask 077
tmp=$(mktemp "$out_dir/.alertmanager.yml.XXXXXX")
trap 'rm -f "$tmp"' EXIT HUP INT TERM

# Literal (not regex) replacement; the values reach awk through its environment, never argv.
# Channel blocks ("# NAME begin" .. "# NAME end") are kept or dropped; the marker lines go.
R_TOKEN_FROM=$token_from R_TOKEN_TO=$token_to R_CHAT=$chat_id R_TG_URL=$telegram_api_url \
R_SLACK_FROM=$slack_from R_SLACK_TO=$slack_to R_BEAT_FROM=$heartbeat_from R_BEAT_TO=$heartbeat_to \
R_TEMPLATES=$templates_dir R_KEEP="telegram=$telegram slack=$slack heartbeat=$heartbeat" awk '
function repl(s, from, to,    out, i) {
    out = ""
    while ((i = index(s, from)) > 0) {
        out = out substr(s, 1, i - 1) to
        s = substr(s, i + length(from))
    }
    return out s
}
BEGIN {
    n = split(ENVIRON["R_KEEP"], kv, " ")
    for (i = 1; i <= n; i++) { split(kv[i], p, "="); keep[p[1]] = (p[2] == "true") }
    dropping = ""
}
/^[ \t]*# (telegram|slack|heartbeat) (begin|end)$/ {
    name = $2; what = $3
    if (what == "begin" && !keep[name]) dropping = name
    if (what == "end" && dropping == name) dropping = ""
    next
}
dropping != "" { next }
{
    line = repl($0, ENVIRON["R_SLACK_FROM"], ENVIRON["R_SLACK_TO"])
    line = repl(line, ENVIRON["R_TOKEN_FROM"], ENVIRON["R_TOKEN_TO"])
    line = repl(line, ENVIRON["R_BEAT_FROM"], ENVIRON["R_BEAT_TO"])
    line = repl(line, "__TELEGRAM_CHAT_ID__", ENVIRON["R_CHAT"])
    line = repl(line, "__TELEGRAM_API_URL__", ENVIRON["R_TG_URL"])
    line = repl(line, "__TEMPLATES_DIR__", ENVIRON["R_TEMPLATES"])
    print line
}' "$template" >"$tmp"

if grep -Eq '__[A-Z_]+__' "$tmp"; then
    die "placeholders left unrendered in $template: $(grep -Eo '__[A-Z_]+__' "$tmp" | sort -u | tr '\n' ' ')"
fi
chmod 600 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT HUP INT TERM
channels=
$telegram && channels="Telegram"
$slack && channels="${channels:+$channels and }Slack"
if $holds_secret; then
    what="it contains secrets: keep it off shared and persistent storage"
else
    what="it refers to the secret files and holds no secret"
fi
printf 'render-config.sh: wrote %s for Alertmanager %s to %s%s (mode 600; %s)\n' "$out" "$am_version" "$channels" \
    "$($heartbeat && printf ', heartbeat on' || printf ', no heartbeat')" "$what" >&2

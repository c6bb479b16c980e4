#!/bin/sh
# Render alertmanager.yml (a template with __PLACEHOLDERS__) into a deployable Alertmanager
# 0.25 configuration, taking the secrets from the environment or from files.
#
# Usage: render-config.sh OUTPUT_FILE
#
#   TELEGRAM_BOT_TOKEN  or TELEGRAM_BOT_TOKEN_FILE   bot token from @BotFather (123456:ABC-...)
#   TELEGRAM_CHAT_ID    or TELEGRAM_CHAT_ID_FILE     chat to post to (a group id is negative)
#   SLACK_WEBHOOK_URL   or SLACK_WEBHOOK_URL_FILE    Slack incoming-webhook URL; with _FILE the
#                                                    config refers to the file (slack_api_url_file)
#                                                    and the URL is never copied
#   TELEGRAM_API_URL    optional, default https://api.telegram.org (a proxy or a test server)
#   SLACK_API_URL       optional: post Slack messages here instead of SLACK_WEBHOOK_URL(_FILE)
#                       (a relay or a test server); the webhook variables are then not needed
#   ALERTMANAGER_TEMPLATES_DIR  optional, default: the templates/ directory next to this script
#   ALERTMANAGER_CONFIG_TEMPLATE optional, default: alertmanager.yml next to this script
#
# The output is written with mode 0600 (Alertmanager 0.25 has no bot_token_file, so it holds
# the bot token). Secret values are validated but never printed.
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

bot_token=$(read_secret TELEGRAM_BOT_TOKEN)
[ -n "$bot_token" ] || die "TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE must be set"
matches "$bot_token" '^[0-9]+:[A-Za-z0-9_-]+$' ||
    die "TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters, as given by @BotFather)"

chat_id=$(read_secret TELEGRAM_CHAT_ID)
[ -n "$chat_id" ] || die "TELEGRAM_CHAT_ID or TELEGRAM_CHAT_ID_FILE must be set"
matches "$chat_id" '^-?[0-9]+$' || die "TELEGRAM_CHAT_ID must be a number (group chats are negative)"

telegram_api_url=${TELEGRAM_API_URL:-https://api.telegram.org}
matches "$telegram_api_url" "$url_re" || die "TELEGRAM_API_URL must be an http(s) URL"

# Slack: an explicit SLACK_API_URL wins; else a webhook file is referenced; else the URL is inlined.
slack_from="slack_api_url: '__SLACK_API_URL__'"
if [ -n "${SLACK_API_URL:-}" ]; then
    matches "$SLACK_API_URL" "$url_re" || die "SLACK_API_URL must be an http(s) URL"
    slack_to="slack_api_url: '$SLACK_API_URL'"
elif [ -n "${SLACK_WEBHOOK_URL_FILE:-}" ]; then
    [ -z "${SLACK_WEBHOOK_URL:-}" ] || die "set only one of SLACK_WEBHOOK_URL and SLACK_WEBHOOK_URL_FILE"
    webhook=$(read_secret SLACK_WEBHOOK_URL)
    matches "$webhook" "$url_re" || die "SLACK_WEBHOOK_URL_FILE must contain an http(s) URL"
    matches "$SLACK_WEBHOOK_URL_FILE" '^/[^'"'"']*$' ||
        die "SLACK_WEBHOOK_URL_FILE must be an absolute path without single quotes (Alertmanager reads it at run time)"
    slack_to="slack_api_url_file: '$SLACK_WEBHOOK_URL_FILE'"
else
    webhook=$(read_secret SLACK_WEBHOOK_URL)
    [ -n "$webhook" ] || die "SLACK_WEBHOOK_URL or SLACK_WEBHOOK_URL_FILE (or SLACK_API_URL) must be set"
    matches "$webhook" "$url_re" || die "SLACK_WEBHOOK_URL must be an http(s) URL"
    slack_to="slack_api_url: '$webhook'"
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
R_TOKEN=$bot_token R_CHAT=$chat_id R_TG_URL=$telegram_api_url R_SLACK_FROM=$slack_from \
R_SLACK_TO=$slack_to R_TEMPLATES=$templates_dir awk '
function repl(s, from, to,    out, i) {
    out = ""
    while ((i = index(s, from)) > 0) {
        out = out substr(s, 1, i - 1) to
        s = substr(s, i + length(from))
    }
    return out s
}
{
    line = repl($0, ENVIRON["R_SLACK_FROM"], ENVIRON["R_SLACK_TO"])
    line = repl(line, "__TELEGRAM_BOT_TOKEN__", ENVIRON["R_TOKEN"])
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
printf 'render-config.sh: wrote %s (mode 600; it contains the Telegram bot token)\n' "$out" >&2

#!/usr/bin/env bash
# Installs what the Tiny Tiny RSS sync tests need: Debian's tt-rss and PHP 8.2 with its PostgreSQL
# driver (PostgreSQL 15 itself is expected on the machine). Run as root (CI). Without
# recommends and with php8.2-cgi named, so Apache stays out. Downloaded packages are kept in
# $NEWSTUI_APT_CACHE (default ~/.cache/newstui-ci/apt) so a clean clone does not download again.
# Prints the reason and exits non-zero when it cannot install.
set -euo pipefail

need=(tt-rss php-cgi php8.2-cli php8.2-cgi php8.2-pgsql php8.2-curl php8.2-intl php8.2-mbstring php8.2-xml dbconfig-no-thanks)

have_all() {
    for p in "${need[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
    done
    [ -f /usr/share/tt-rss/www/update.php ] && [ -f /usr/share/tt-rss/schema/ttrss_schema_pgsql.sql ] \
        && command -v php >/dev/null
}

fail() { echo "tests/ttrss/setup.sh: $*" >&2; exit 1; }

if ! [ -x /usr/lib/postgresql/15/bin/initdb ] && ! [ -x /usr/lib/postgresql/16/bin/initdb ]; then
    fail "PostgreSQL's server binaries (/usr/lib/postgresql/15/bin/initdb) are missing"
fi
if have_all; then
    echo "tt-rss: already installed ($(cat /usr/share/tt-rss/www/version_static.txt 2>/dev/null || echo '?'))"
    exit 0
fi
[ "$(id -u)" = 0 ] || fail "tt-rss is not installed and we are not root: cannot apt-get install ${need[*]}"
command -v apt-get >/dev/null || fail "tt-rss is not installed and apt-get is missing"

cache="${NEWSTUI_APT_CACHE:-$HOME/.cache/newstui-ci/apt}"
mkdir -p "$cache/partial"
apt_opts=(-y -qq --no-install-recommends -o "Dir::Cache::Archives=$cache" -o APT::Keep-Downloaded-Packages=true)
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
if ! apt-get install "${apt_opts[@]}" "${need[@]}" >/tmp/newstui-ttrss-apt.log 2>&1; then
    apt-get update -qq >/tmp/newstui-ttrss-apt-update.log 2>&1 \
        || fail "apt-get update failed: $(tail -3 /tmp/newstui-ttrss-apt-update.log)"
    # dbconfig-no-thanks first: tt-rss's maintainer scripts then leave the database to us.
    apt-get install "${apt_opts[@]}" dbconfig-no-thanks >/tmp/newstui-ttrss-apt.log 2>&1 \
        || fail "apt-get install dbconfig-no-thanks failed: $(tail -3 /tmp/newstui-ttrss-apt.log)"
    apt-get install "${apt_opts[@]}" "${need[@]}" >/tmp/newstui-ttrss-apt.log 2>&1 \
        || fail "apt-get install failed: $(tail -5 /tmp/newstui-ttrss-apt.log)"
fi
have_all || fail "installed, but tt-rss's update.php, its schema or php is missing"
echo "tt-rss: installed in $(( $(date +%s) - start )) s ($(cat /usr/share/tt-rss/www/version_static.txt))"

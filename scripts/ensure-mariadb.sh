#!/bin/sh
# Makes sure the programs the test sandboxes need are installed: mariadbd and mariadb-install-db (Debian's
# mariadb-server), the mariadb client (mariadb-client), openssl (for TLS sandboxes), sysbench (the proxy's load
# tests), chromium (the status page's browser test, headless) and tshark (the session captures' test reads them
# with Wireshark's dissector; its debconf question about non-root capture keeps its default, no).
#
# Present: exit 0 without touching anything. Missing and running as root: install them with apt-get. The packages'
# postinst is told not to start the system service (policy-rc.d) and may still report an error without systemd;
# that is fine, the tests start their own private servers and this script never starts or stops a server. Missing and not root: print exactly
# what to install and exit 1.
set -u

find_program() {
    for dir in $(printf '%s' "${PATH:-}" | tr ':' ' ') /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
        if [ -x "$dir/$1" ] && [ -f "$dir/$1" ]; then
            return 0
        fi
    done
    return 1
}

missing_packages() {
    packages=""
    if ! find_program mariadbd || ! find_program mariadb-install-db; then
        packages="$packages mariadb-server"
    fi
    if ! find_program mariadb; then
        packages="$packages mariadb-client"
    fi
    if ! find_program openssl; then
        packages="$packages openssl"
    fi
    if ! find_program sysbench; then
        packages="$packages sysbench"
    fi
    if ! find_program chromium; then
        packages="$packages chromium fonts-dejavu-core"
    fi
    if ! find_program tshark; then
        packages="$packages tshark"
    fi
    printf '%s' "${packages# }"
}

packages=$(missing_packages)
if [ -z "$packages" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-mariadb: missing $packages; install Debian's packages with:" >&2
    echo "  sudo apt-get install -y $packages" >&2
    echo "or run scripts/ensure-mariadb.sh as root" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-mariadb: missing $packages and no apt-get here; install MariaDB (mariadbd, mariadb-install-db," \
        "mariadb client), openssl, sysbench, chromium and tshark with this system's package manager" >&2
    exit 1
fi

echo "ensure-mariadb: installing $packages" >&2
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d exiting 101 is Debian's way to tell maintainer scripts not to start services: the postinst must not
# bring up a system mariadb on port 3306. An existing policy is left as it is.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
    trap 'exit 130' INT TERM
fi
apt-get update -qq || exit 1
# shellcheck disable=SC2086 # word splitting of the package list is intended
# a failing postinst (the service cannot start without systemd) leaves the binaries in place: check them below
apt-get install -y -qq --no-install-recommends $packages >&2 || echo "ensure-mariadb: apt-get reported an error" >&2

packages=$(missing_packages)
if [ -n "$packages" ]; then
    echo "ensure-mariadb: still missing after apt-get: $packages" >&2
    exit 1
fi

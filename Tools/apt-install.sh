#!/bin/sh
# Installs Debian packages for a tool Swiftlet needs, as root or through
# sudo; when it cannot, names the exact command to run. Used by the
# install-*.sh scripts once they have found their tool missing.
#   Tools/apt-install.sh WHO PACKAGE...
set -eu
who=$1
shift
install="apt-get install -y --no-install-recommends $*"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
else
    echo "$who: missing; install as root with:" >&2
    echo "$who:   apt-get update && $install" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "$who: missing, and there is no apt-get here; install the equivalent of Debian's $* by hand." >&2
    exit 1
fi
echo "$who: installing $* (Debian packages)"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive $install

#!/bin/sh
# Install the Debian packages hpsim needs to build, test and plot, but only those missing.
# Run as root on Debian 12 (apt-get); as another user it only reports what is missing.
# Called by `make run` and `make test`, so each works alone on a fresh machine.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev valgrind libgsl-dev libjansson-dev libcmocka-dev \
libtracecmd-dev libtraceevent-dev libtracefs-dev zlib1g-dev trace-cmd gnuplot-nox parallel python3"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "hpsim: missing Debian packages:$missing" >&2
    echo "hpsim: run as root: apt-get install$missing" >&2
    exit 1
fi

echo "hpsim: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; update once, quietly.
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

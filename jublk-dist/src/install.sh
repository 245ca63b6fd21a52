#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs this jublk under PREFIX (default /usr/local), e.g. as root: ./install.sh /usr
#   PREFIX/bin/jublk                             the launcher (needs Java 25+ at run time)
#   PREFIX/lib/jublk.jar                         the command and the library
#   PREFIX/lib/jublk/ublk-chown                  gives unprivileged devices' nodes to their owner
#   PREFIX/lib/udev/rules.d/90-jublk.rules       read by udev only under /usr (or copy it to /etc/udev/rules.d)
#   PREFIX/lib/systemd/system/jublk@.service     one device per instance (systemd reads /usr and /usr/local)
#   PREFIX/share/man/man1/jublk.1, PREFIX/share/bash-completion/completions/jublk, PREFIX/share/doc/jublk
# The unit and the udev rule name the installed paths. DESTDIR, if set, is put before every path
# (for packaging), but not into the files.
set -eu
prefix=${1:-/usr/local}
case $prefix in
  /*) ;;
  *) echo "install.sh: PREFIX must be an absolute path, not '$prefix'" >&2; exit 2 ;;
esac
prefix=${prefix%/}
dest=${DESTDIR-}$prefix
here=$(cd "$(dirname "$0")" && pwd)

put() { # MODE SOURCE TARGET-DIR
  mkdir -p "$3"
  cp "$1" "$3/$(basename "$1")"
  chmod "$2" "$3/$(basename "$1")"
}
# Like put, with the /usr paths of the sources replaced by the installed ones.
put_edited() { # SOURCE TARGET-DIR MODE
  mkdir -p "$2"
  sed -e "s|/usr/bin/jublk|$prefix/bin/jublk|g" \
      -e "s|/usr/lib/jublk/|$prefix/lib/jublk/|g" \
      -e "s|\${JUBLK:-jublk}|\${JUBLK:-$prefix/bin/jublk}|g" "$1" > "$2/$(basename "$1")"
  chmod "$3" "$2/$(basename "$1")"
}

put "$here/bin/jublk" 0755 "$dest/bin"
put "$here/lib/jublk.jar" 0644 "$dest/lib"
put_edited "$here/lib/jublk/ublk-chown" "$dest/lib/jublk" 0755
put_edited "$here/lib/udev/rules.d/90-jublk.rules" "$dest/lib/udev/rules.d" 0644
put_edited "$here/lib/systemd/system/jublk@.service" "$dest/lib/systemd/system" 0644
for generated in share/man/man1/jublk.1 share/bash-completion/completions/jublk; do
  [ ! -f "$here/$generated" ] || put "$here/$generated" 0644 "$dest/$(dirname "$generated")"
done
put "$here/LICENSE" 0644 "$dest/share/doc/jublk"
put "$here/README.md" 0644 "$dest/share/doc/jublk"
put "$here/share/doc/jublk/examples/example.conf" 0644 "$dest/share/doc/jublk/examples"
echo "jublk installed under $dest"

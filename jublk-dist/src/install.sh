#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs this jublk under PREFIX (default /usr/local), e.g. as root: ./install.sh /usr
#   PREFIX/bin/jublk                             the launcher (needs Java 25+ at run time)
#   PREFIX/lib/jublk.jar                         the command and the library
#   PREFIX/lib/udev/rules.d/90-jublk.rules       read by udev only under /usr (or copy it to /etc/udev/rules.d)
#   PREFIX/lib/systemd/system/jublk@.service     one device per instance (systemd reads /usr and /usr/local)
#   PREFIX/lib/systemd/system/jublk-owners.*     unprivileged devices' nodes to their owners (with the rule)
#   PREFIX/share/man/man1/jublk.1, PREFIX/share/bash-completion/completions/jublk, PREFIX/share/doc/jublk
# The units name the installed launcher. DESTDIR, if set, is put before every path
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

put() { # SOURCE MODE TARGET-DIR
  mkdir -p "$3"
  cp "$1" "$3/$(basename "$1")"
  chmod "$2" "$3/$(basename "$1")"
}
# Like put, with the /usr paths of the sources replaced by the installed ones.
put_edited() { # SOURCE MODE TARGET-DIR
  mkdir -p "$3"
  sed -e "s|/usr/bin/jublk|$prefix/bin/jublk|g" "$1" > "$3/$(basename "$1")"
  chmod "$2" "$3/$(basename "$1")"
}

put "$here/bin/jublk" 0755 "$dest/bin"
put "$here/lib/jublk.jar" 0644 "$dest/lib"
put "$here/lib/udev/rules.d/90-jublk.rules" 0644 "$dest/lib/udev/rules.d"
for unit in jublk@.service jublk-owners.socket jublk-owners.service; do
  put_edited "$here/lib/systemd/system/$unit" 0644 "$dest/lib/systemd/system"
done
for generated in share/man/man1/jublk.1 share/bash-completion/completions/jublk; do
  [ ! -f "$here/$generated" ] || put "$here/$generated" 0644 "$dest/$(dirname "$generated")"
done
put "$here/LICENSE" 0644 "$dest/share/doc/jublk"
put "$here/README.md" 0644 "$dest/share/doc/jublk"
put "$here/share/doc/jublk/examples/example.conf" 0644 "$dest/share/doc/jublk/examples"
echo "jublk installed under $dest"

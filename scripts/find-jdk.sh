# SPDX-License-Identifier: Apache-2.0
# Sourced by ./mvnw and ./jublk: exports JAVA_HOME pointing at a JDK 25 or newer.
# Uses JAVA_HOME when it is new enough, else the newest /usr/lib/jvm/*25* (or later) JDK.

jublk_jdk_major() {
  # Prints the feature release of the JDK at $1 (e.g. 25), from its release file.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -r "$1/release" ] || return 1
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
}

jublk_find_jdk() {
  if [ -n "${JAVA_HOME-}" ]; then
    major=$(jublk_jdk_major "$JAVA_HOME") || major=0
    [ "${major:-0}" -ge 25 ] 2>/dev/null && return 0
  fi
  # Callers may run with globbing off (mvnw uses set -f).
  case $- in *f*) set +f; jublk_glob_was_off=1 ;; esac
  for candidate in /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* /usr/lib/jvm/*3[0-9]*; do
    major=$(jublk_jdk_major "$candidate") || continue
    if [ "${major:-0}" -ge 25 ] 2>/dev/null; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      [ -z "${jublk_glob_was_off-}" ] || set -f
      return 0
    fi
  done
  [ -z "${jublk_glob_was_off-}" ] || set -f
  echo "jublk needs JDK 25 or newer: set JAVA_HOME to one or install it under /usr/lib/jvm (e.g. apt-get install temurin-25-jdk)" >&2
  return 1
}

jublk_find_jdk || exit 1
